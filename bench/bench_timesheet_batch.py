"""Batch push of 4,000 timesheet lines: régie project vs plain hr_timesheet.

An external time-tracking tool pushes one month of lines in one create() call.
The same 4,000 lines (20 consultants x 20 days x 10 lines) are created on a
plain timesheet project and on the project of an active régie contract whose
missions cover the consultants; the ratio is the cost of the régie fields.
"""

import datetime

from common import Measure, environment, parse_args

from odoo import Command

CONSULTANTS, DAYS, LINES_PER_DAY = 20, 20, 10


def month_days(first, count):
    days, day = [], first
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day += datetime.timedelta(days=1)
    return days


def main():
    args = parse_args(__doc__)
    with environment(args.db) as env:
        employees = env["hr.employee"].create(
            [{"name": f"Bench consultant {i}"} for i in range(CONSULTANTS)]
        )
        partner = env["res.partner"].create(
            {"name": "Bench client", "is_company": True}
        )
        plain = env["project.project"].create(
            {"name": "Bench plain project", "allow_timesheets": True}
        )
        contract = env["regie.contract"].create(
            {
                "partner_id": partner.id,
                "date_start": "2026-01-01",
                "date_end": "2026-12-31",
                "hours_per_day": 7.0,
                "mission_ids": [
                    Command.create(
                        {
                            "employee_id": employee.id,
                            "daily_rate": 600.0,
                            "date_start": "2026-01-01",
                        }
                    )
                    for employee in employees
                ],
            }
        )
        contract.action_activate()
        regie = contract.project_id
        measure = Measure(env)
        for month in range(args.repeat):
            days = month_days(datetime.date(2026, 2 + month, 1), DAYS)
            for label, project in (
                ("hr_timesheet (plain project)", plain),
                ("regie_staffing (contract project)", regie),
            ):
                vals_list = [
                    {
                        "project_id": project.id,
                        "employee_id": employee.id,
                        "date": day,
                        "unit_amount": 0.7,
                        "name": f"Task {n}",
                    }
                    for employee in employees
                    for day in days
                    for n in range(LINES_PER_DAY)
                ]
                with measure(label):
                    lines = env["account.analytic.line"].create(vals_list)
                assert len(lines) == CONSULTANTS * DAYS * LINES_PER_DAY
        linked = env["account.analytic.line"].search_count(
            [("project_id", "=", regie.id), ("regie_mission_id", "!=", False)]
        )
        assert linked == CONSULTANTS * DAYS * LINES_PER_DAY * args.repeat, linked
        measure.report(
            "hr_timesheet (plain project)",
            "regie_staffing (contract project)",
            f"Batch create of {CONSULTANTS * DAYS * LINES_PER_DAY} timesheet lines "
            f"(median of {args.repeat})",
        )


if __name__ == "__main__":
    main()
