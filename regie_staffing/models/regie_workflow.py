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

    A guard refuses changes, not the values a form sends back as they are:
    on create (``records`` empty) an empty value passes, and
    ``allowed_on_create`` maps a field to the only other value a plain create
    may give it (e.g. ``{"state": "draft"}``); on write a value equal to the
    current one of every record passes.
    """
    if is_workflow(records.env):
        return
    allowed_on_create = allowed_on_create or {}
    creating = not records
    for vals in vals_list:
        forbidden = [
            name
            for name in fields
            if name in vals
            and not (
                _is_empty_or_allowed(vals[name], allowed_on_create.get(name))
                if creating
                else _is_unchanged(records, name, vals[name])
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
                    model=records.env["ir.model"]._get(records._name).name,
                )
            )


def _is_empty_or_allowed(value, allowed):
    return value in (None, False, "") or (allowed is not None and value == allowed)


def _is_unchanged(records, name, value):
    return not any(value_differs(record, name, value) for record in records)


def value_differs(record, fname, value):
    """Whether writing ``value`` (as a client sends it) in ``fname`` changes
    the record."""
    field = record._fields[fname]
    new = field.convert_to_record(
        field.convert_to_cache(value, record, validate=False), record
    )
    return new != record[fname]
