"""Values an RPC caller may send that would otherwise end in a raw Python or
SQL error (or be stored as nonsense): numbers that are not finite or out of
any sensible range, integers beyond PostgreSQL's int4, ids of records that do
not exist. Each refusal names the field, with its label as the user sees it,
and the record.
"""

import math

from odoo.exceptions import ValidationError
from odoo.tools import formatLang

# PostgreSQL ``integer`` columns.
INT4_MIN, INT4_MAX = -(2**31), 2**31 - 1
# Beyond this, no amount, rate or number of days makes sense (and rounding
# to the currency would overflow long before PostgreSQL does).
NUMBER_MAX = 1e12


def record_label(records, vals=None, position=None, count=1):
    """Name the record(s) in a message: their names when written, else the
    model and the position of ``vals`` in the batch being created."""
    env = records.env
    if records:
        return ", ".join(records.mapped("display_name"))
    model = env["ir.model"]._get(records._name).name
    name = (vals or {}).get("name")
    if isinstance(name, str) and name.strip() and name.strip() != "/":
        return f"{model} {name.strip()}"
    if count > 1:
        return env._(
            "%(model)s no. %(position)s of the batch being created",
            model=model,
            position=position,
        )
    return env._("%(model)s being created", model=model)


def _label(records, fname):
    return records._fields[fname]._description_string(records.env)


def _as_number(value):
    """``value`` as a float, or None when it is not a number."""
    if isinstance(value, bool) or isinstance(value, (list, tuple, dict, set)):
        return None
    try:
        return float(value.strip() if isinstance(value, str) else value)
    except (TypeError, ValueError, OverflowError):
        return None


def _format_number(env, number, integer=False):
    if not math.isfinite(number) or abs(number) >= 1e15:
        return repr(number)
    return formatLang(env, number, digits=0 if integer else 2)


def _refuse(records, fname, vals, position, count, problem):
    raise ValidationError(
        records.env._(
            "%(field)s of %(record)s: %(problem)s",
            field=_label(records, fname),
            record=record_label(records, vals, position, count),
            problem=problem,
        )
    )


def check_number_values(records, vals_list, bounds=None):
    """Refuse, in ``vals_list`` (create: ``records`` empty; write: the
    records written), numeric values that are not finite numbers, integers
    out of int4 and values outside ``bounds`` ({field: (min, max)}, either
    None for no bound). Numbers sent as strings are normalized in place."""
    bounds = bounds or {}
    env = records.env
    count = len(vals_list)
    for position, vals in enumerate(vals_list, start=1):
        for fname, value in list(vals.items()):
            field = records._fields.get(fname)
            if (
                not field
                or field.type not in ("integer", "float", "monetary")
                or (field.compute and not field.store)
                or value is None
                or value is False
            ):
                continue
            where = (records, fname, vals, position, count)
            number = _as_number(value)
            integer = field.type == "integer"
            if number is None or not math.isfinite(number):
                _refuse(
                    *where,
                    env._("a number is expected, not %(value)s.", value=repr(value)),
                )
            if integer and number != int(number):
                _refuse(
                    *where,
                    env._(
                        "a whole number is expected, not %(value)s.",
                        value=repr(value),
                    ),
                )
            low, high = bounds.get(fname, (None, None))
            if integer:
                low = INT4_MIN if low is None else low
                high = INT4_MAX if high is None else high
            else:
                low = -NUMBER_MAX if low is None else low
                high = NUMBER_MAX if high is None else high
            if not low <= number <= high:
                _refuse(
                    *where,
                    env._(
                        "%(value)s is out of range: it must be between %(low)s and "
                        "%(high)s.",
                        value=_format_number(env, number, integer),
                        low=_format_number(env, low, integer),
                        high=_format_number(env, high, integer),
                    ),
                )
            vals[fname] = int(number) if integer else number


def check_record_bounds(records, bounds):
    """The same bounds, on the stored values of ``records`` (constraints)."""
    for record in records:
        check_number_values(
            record, [{fname: record[fname] for fname in bounds}], bounds
        )


def _linked_ids(field, value):
    """The ids a many2one value or many2many commands link to."""
    if field.type == "many2one":
        if isinstance(value, (list, tuple)) and value:
            value = value[0]  # (id, name) pairs, as some clients send them
        return [value] if value else []
    if not isinstance(value, (list, tuple)):
        return [value] if value else []
    ids = []
    for command in value:
        if isinstance(command, (list, tuple)):
            if len(command) > 1 and command[0] == 4:
                ids.append(command[1])
            elif len(command) > 2 and command[0] == 6:
                ids.extend(command[2] or [])
        else:
            ids.append(command)
    return ids


def _is_id(value):
    return isinstance(value, int) and not isinstance(value, bool)


def check_relation_ids(records, vals_list, fnames=None):
    """Refuse ids of records that do not exist in the many2one fields (and
    the ids linked in many2many fields) of ``vals_list``, with a message
    naming the field instead of a foreign-key error: one query per model."""
    env = records.env
    linked = {}  # comodel: ids
    fields_checked = set()
    for vals in vals_list:
        for fname, value in vals.items():
            field = records._fields.get(fname)
            if (
                field
                and field.type in ("many2one", "many2many")
                and (not fnames or fname in fnames)
                and not (field.compute and not field.store)
            ):
                fields_checked.add(fname)
                linked.setdefault(field.comodel_name, set()).update(
                    v for v in _linked_ids(field, value) if _is_id(v)
                )
    existing = {
        comodel: set(env[comodel].sudo().browse(list(ids)).exists().ids)
        for comodel, ids in linked.items()
    }
    count = len(vals_list)
    for position, vals in enumerate(vals_list, start=1):
        for fname in fields_checked:
            if fname not in vals:
                continue
            ids = existing[records._fields[fname].comodel_name]
            unknown = [
                value
                for value in _linked_ids(records._fields[fname], vals[fname])
                if not _is_id(value) or value not in ids
            ]
            if unknown:
                _refuse(
                    records,
                    fname,
                    vals,
                    position,
                    count,
                    env._(
                        "%(value)s does not exist (or was deleted).",
                        value=", ".join(repr(value) for value in unknown),
                    ),
                )
