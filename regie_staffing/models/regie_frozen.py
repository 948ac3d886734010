"""What a month bills is frozen once it is submitted.

Master data that decides what months bill or to whom (hours per day, rounding,
billing unit, currency, client, direction, consultant, contract, rates) may
only change while every month depending on it is still draft. The web client
resends unchanged values on save: only real changes are checked.
"""


def get_changed_fields(records, vals, fnames):
    """Return {record: [names of ``fnames`` whose value in ``vals`` differs
    from the record's]} for the records of ``records`` that would change."""
    names = [fname for fname in fnames if fname in vals]
    if not names:
        return {}
    changed = {}
    for record in records:
        differing = [fname for fname in names if _differs(record, fname, vals[fname])]
        if differing:
            changed[record] = differing
    return changed


def _differs(record, fname, value):
    field = record._fields[fname]
    new = field.convert_to_record(
        field.convert_to_cache(value, record, validate=False), record
    )
    return new != record[fname]
