"""Guard of workflow fields: only the models' own actions may write them.

Context values sent over XML-RPC/JSON-RPC are plain data, so a key such as
``regie_workflow=True`` could be forged by any caller. The marker below is a
Python object that no RPC payload can carry: ``is_workflow`` is only true in
code that called ``workflow(records)`` itself. Data files loaded by the module
(superuser, ``install_filename`` in context) may also set states, for demo data.
"""

from odoo.exceptions import UserError

WORKFLOW = object()


def workflow(records):
    """Return ``records`` in an environment allowed to write workflow fields."""
    return records.with_context(regie_workflow=WORKFLOW)


def is_workflow(env):
    return env.context.get("regie_workflow") is WORKFLOW or bool(
        env.su and env.context.get("install_filename")
    )


def check_workflow_fields(records, vals_list, fields, allowed_on_create=None):
    """Refuse ``fields`` in ``vals_list`` unless written by a workflow action.

    ``allowed_on_create`` maps a field to the only value a plain create may give
    it (e.g. ``{"state": "draft"}``).
    """
    if is_workflow(records.env):
        return
    allowed_on_create = allowed_on_create or {}
    for vals in vals_list:
        forbidden = [
            name
            for name in fields
            if name in vals
            and not (
                name in allowed_on_create
                and vals[name] in (allowed_on_create[name], False)
            )
        ]
        if forbidden:
            labels = ", ".join(
                records._fields[name]._description_string(records.env)
                for name in forbidden
            )
            raise UserError(
                records.env._(
                    "%(fields)s of %(model)s can only be changed with its action "
                    "buttons (or their public methods), not written directly.",
                    fields=labels,
                    model=records._description,
                )
            )
