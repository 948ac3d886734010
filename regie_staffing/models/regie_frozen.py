"""What a month bills is frozen once it is submitted.

Master data that decides what months bill or to whom (hours per day, rounding,
billing unit, currency, client, direction, consultant, contract, rates) may
only change while every month depending on it is still draft. The web client
resends unchanged values on save: only real changes are checked.
"""

from .regie_workflow import value_differs


def get_changed_fields(records, vals, fnames):
    """Return {record: [names of ``fnames`` whose value in ``vals`` differs
    from the record's]} for the records of ``records`` that would change."""
    names = [fname for fname in fnames if fname in vals]
    if not names:
        return {}
    changed = {}
    for record in records:
        differing = [
            fname for fname in names if value_differs(record, fname, vals[fname])
        ]
        if differing:
            changed[record] = differing
    return changed


def check_frozen_fields(records, vals, month_field):
    """Refuse changing the frozen fields (``records._get_frozen_fields()``)
    of the records that have non-draft months, ``month_field`` linking a
    month to them; one search for the batch."""
    changed = get_changed_fields(records, vals, records._get_frozen_fields())
    if not changed:
        return
    Period = records.env["regie.timesheet.period"]
    months = Period._get_frozen_months(
        [(month_field, "in", [record.id for record in changed])]
    ).grouped(month_field)
    for record, fnames in changed.items():
        if record in months:
            Period._raise_frozen_fields(record, fnames, months[record])
