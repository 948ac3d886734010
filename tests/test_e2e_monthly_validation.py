"""The monthly activity report (CRA) over XML-RPC: push, submit, contest, validate."""

import pytest
from odoo_client import fault

MONTH = "2026-10-01"


@pytest.fixture(scope="module")
def month_setup(admin, manager, lead, make_user, run_id):
    consultant = make_user(
        "cra_consultant", ["base.group_user", "regie_staffing.group_consultant"]
    )
    client = manager.call(
        "res.partner", "create", {"name": f"Client CRA {run_id}", "is_company": True}
    )
    employee = admin.call(
        "hr.employee",
        "create",
        {"name": f"CRA consultant {run_id}", "user_id": consultant.uid},
    )
    contract = manager.call(
        "regie.contract",
        "create",
        {
            "partner_id": client,
            "project_lead_ids": [(6, 0, [lead.uid])],
            "date_start": "2026-01-01",
            "hours_per_day": 7.0,
            "day_rounding": "half_day",
            "mission_ids": [
                (
                    0,
                    0,
                    {
                        "employee_id": employee,
                        "daily_rate": 600.0,
                        "date_start": "2026-01-01",
                    },
                )
            ],
        },
    )
    manager.call("regie.contract", "action_activate", [contract])
    values = manager.call(
        "regie.contract", "read", [contract], ["project_id", "mission_ids"]
    )[0]
    return {
        "consultant": consultant,
        "employee": employee,
        "contract": contract,
        "project": values["project_id"][0],
        "mission": values["mission_ids"][0],
    }


def push(user, setup, day, hours, ref):
    return user.call(
        "account.analytic.line",
        "create",
        [
            {
                "project_id": setup["project"],
                "employee_id": setup["employee"],
                "date": day,
                "unit_amount": hours,
                "name": f"Work {ref}",
                "regie_external_ref": ref,
            }
        ],
    )


def test_generate_periods_is_idempotent(manager, month_setup):
    first = manager.call("regie.timesheet.period", "generate_periods", MONTH)
    second = manager.call("regie.timesheet.period", "generate_periods", "2026-10-20")
    assert sorted(first) == sorted(second)
    periods = manager.call(
        "regie.timesheet.period",
        "search_read",
        [("mission_id", "=", month_setup["mission"]), ("date_from", "=", MONTH)],
        fields=["state", "date_to"],
    )
    assert len(periods) == 1 and periods[0]["id"] in first
    assert periods[0]["state"] == "draft" and periods[0]["date_to"] == "2026-10-31"


def test_external_push_is_idempotent_and_validated(month_setup, run_id):
    consultant = month_setup["consultant"]
    ref = f"ext-{run_id}-1"
    first = push(consultant, month_setup, "2026-10-05", 7.0, ref)
    again = push(consultant, month_setup, "2026-10-05", 7.0, ref)
    assert first == again
    push(consultant, month_setup, "2026-10-06", 3.5, f"ext-{run_id}-2")
    # One bad line rejects the whole batch, and the error names it.
    message = fault(
        consultant.call,
        "account.analytic.line",
        "create",
        [
            {
                "project_id": month_setup["project"],
                "employee_id": month_setup["employee"],
                "date": "2026-10-07",
                "unit_amount": 7.0,
                "name": "ok",
                "regie_external_ref": f"ext-{run_id}-3",
            },
            {
                "project_id": month_setup["project"],
                "employee_id": month_setup["employee"],
                "date": "2026-10-08",
                "unit_amount": -2.0,
                "name": "negative",
                "regie_external_ref": f"ext-{run_id}-4",
            },
        ],
    )
    assert "2026-10-08" in message or f"ext-{run_id}-4" in message
    count = consultant.call(
        "account.analytic.line",
        "search_count",
        [("regie_external_ref", "in", [f"ext-{run_id}-3", f"ext-{run_id}-4"])],
    )
    assert count == 0


def test_submit_contest_validate(manager, lead, month_setup, run_id):
    consultant = month_setup["consultant"]
    period = manager.call(
        "regie.timesheet.period",
        "search",
        [("mission_id", "=", month_setup["mission"]), ("date_from", "=", MONTH)],
    )
    totals = consultant.call(
        "regie.timesheet.period", "read", period, ["total_hours", "billable_days"]
    )[0]
    assert totals["total_hours"] == 10.5
    assert totals["billable_days"] == 1.5  # 10.5 h / 7 h = 1.5 days
    # Workflow fields cannot be written directly, even by a manager.
    fault(
        manager.call, "regie.timesheet.period", "write", period, {"state": "validated"}
    )
    assert consultant.call("regie.timesheet.period", "action_submit", period)
    # The month is locked: no line may be added, changed or removed.
    fault(push, consultant, month_setup, "2026-10-09", 7.0, f"ext-{run_id}-5")
    line = consultant.call(
        "account.analytic.line", "search", [("regie_period_id", "in", period)]
    )[0]
    fault(consultant.call, "account.analytic.line", "write", [line], {"name": "x"})
    fault(manager.call, "account.analytic.line", "unlink", [line])
    # A consultant never validates their own month.
    fault(consultant.call, "regie.timesheet.period", "action_validate", period)
    # Contesting needs a reason; the lead contests with one.
    fault(lead.call, "regie.timesheet.period", "action_contest", period, "")
    assert lead.call(
        "regie.timesheet.period", "action_contest", period, "Day 6 was a holiday"
    )
    dispute = lead.call(
        "regie.timesheet.dispute",
        "search_read",
        [("period_id", "in", period)],
        fields=["reason", "state"],
    )
    assert dispute and dispute[0]["reason"] == "Day 6 was a holiday"
    # The provider accepts: the month goes back to draft for correction.
    assert manager.call("regie.timesheet.dispute", "action_accept", [dispute[0]["id"]])
    assert consultant.call(
        "account.analytic.line", "write", [line], {"name": "corrected"}
    )
    assert consultant.call("regie.timesheet.period", "action_submit", period)
    assert lead.call("regie.timesheet.period", "action_validate", period)
    state = manager.call("regie.timesheet.period", "read", period, ["state"])[0]
    assert state["state"] == "validated"
    # Private helpers are not reachable over RPC.
    assert (
        "private"
        in fault(manager.call, "regie.timesheet.period", "_check_hash", period).lower()
    )
