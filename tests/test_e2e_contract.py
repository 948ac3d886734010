"""A contract's life over XML-RPC, as the users who would drive it."""

import pytest
from odoo_client import fault


@pytest.fixture(scope="module")
def contract_setup(admin, manager, lead, consultant, run_id):
    client = manager.call(
        "res.partner", "create", {"name": f"ACME {run_id}", "is_company": True}
    )
    contact = manager.call(
        "res.partner", "create", {"name": f"Jane PM {run_id}", "parent_id": client}
    )
    employee = admin.call(
        "hr.employee",
        "create",
        {"name": f"Consultant {run_id}", "user_id": consultant.uid},
    )
    contract = manager.call(
        "regie.contract",
        "create",
        {
            "direction": "sale",
            "partner_id": client,
            "client_manager_id": contact,
            "project_lead_ids": [(6, 0, [lead.uid])],
            "date_start": "2026-01-01",
            "date_end": "2026-12-31",
            "renewal_type": "tacit",
            "renewal_period_months": 12,
            "notice_period_days": 60,
            "hours_per_day": 7.0,
        },
    )
    mission = manager.call(
        "regie.mission",
        "create",
        {
            "contract_id": contract,
            "employee_id": employee,
            "daily_rate": 650.0,
            "date_start": "2026-01-01",
            "date_end": "2026-12-31",
            "estimated_days": 200,
        },
    )
    return {"contract": contract, "mission": mission, "employee": employee}


def read_contract(user, contract, fields):
    return user.call("regie.contract", "read", [contract], fields)[0]


def test_contract_gets_a_reference_and_notice_deadline(manager, contract_setup):
    values = read_contract(
        manager, contract_setup["contract"], ["name", "state", "notice_deadline"]
    )
    assert values["name"] and values["name"] != "/"
    assert values["state"] == "draft"
    assert values["notice_deadline"] == "2026-11-01"  # 60 days before Dec 31


def test_load_clause_templates_is_idempotent(manager, contract_setup):
    contract = contract_setup["contract"]
    assert manager.call("regie.contract", "action_load_clause_templates", [contract])
    first = read_contract(manager, contract, ["clause_ids"])["clause_ids"]
    assert len(first) >= 12  # one per clause family at least
    manager.call("regie.contract", "action_load_clause_templates", [contract])
    assert read_contract(manager, contract, ["clause_ids"])["clause_ids"] == first


def test_bad_input_is_refused_and_nothing_is_lost(manager, contract_setup):
    contract = contract_setup["contract"]
    message = fault(
        manager.call, "regie.contract", "write", [contract], {"hours_per_day": 25}
    )
    assert "ValidationError" in message or "hours" in message.lower()
    message = fault(
        manager.call,
        "regie.mission",
        "create",
        {
            "contract_id": contract,
            "employee_id": contract_setup["employee"],
            "daily_rate": 0,
            "date_start": "2026-02-01",
        },
    )
    assert "rate" in message.lower()
    fault(
        manager.call,
        "regie.mission",
        "create",
        {
            "contract_id": contract,
            "employee_id": contract_setup["employee"],
            "daily_rate": 500,
            "date_start": "2025-06-01",
        },
    )
    values = read_contract(manager, contract, ["hours_per_day", "mission_ids"])
    assert values["hours_per_day"] == 7.0
    assert values["mission_ids"] == [contract_setup["mission"]]


def test_rate_of_a_day(manager, contract_setup):
    mission = contract_setup["mission"]
    manager.call(
        "regie.mission.rate",
        "create",
        {"mission_id": mission, "date_from": "2026-07-01", "daily_rate": 680.0},
    )
    assert manager.call("regie.mission", "get_rate", [mission], "2026-06-30") == 650.0
    assert manager.call("regie.mission", "get_rate", [mission], "2026-07-01") == 680.0
    fault(
        manager.call,
        "regie.mission.rate",
        "create",
        {"mission_id": mission, "date_from": "2026-07-01", "daily_rate": 700.0},
    )


def test_consultant_cannot_activate_or_edit(consultant, contract_setup):
    contract = contract_setup["contract"]
    fault(consultant.call, "regie.contract", "action_activate", [contract])
    fault(consultant.call, "regie.contract", "write", [contract], {"name": "Mine"})


def test_private_methods_are_refused(manager, contract_setup):
    message = fault(
        manager.call,
        "regie.contract",
        "_cron_renew_or_expire",
        [contract_setup["contract"]],
    )
    assert "private" in message.lower()


def test_activate_renew_terminate(manager, lead, consultant, contract_setup):
    contract = contract_setup["contract"]
    assert manager.call("regie.contract", "action_activate", [contract])
    values = read_contract(manager, contract, ["state", "project_id", "mission_ids"])
    assert values["state"] == "active" and values["project_id"]
    # The consultant now sees the contract of their mission, read-only.
    assert read_contract(consultant, contract, ["state"])["state"] == "active"
    # The lead of the contract renews it: one more period of 12 months.
    assert lead.call("regie.contract", "action_renew", [contract])
    assert read_contract(lead, contract, ["date_end"])["date_end"] == "2027-12-31"
    # Terminating earlier than the notice period allows is refused to a lead...
    message = fault(
        lead.call,
        "regie.contract",
        "action_terminate",
        [contract],
        termination_date="2026-01-15",
        reason="Budget cut",
    )
    assert "notice" in message.lower()
    # ...and granted to a manager who forces it.
    assert manager.call(
        "regie.contract",
        "action_terminate",
        [contract],
        termination_date="2026-01-15",
        reason="Budget cut",
        force=True,
    )
    values = read_contract(manager, contract, ["state", "termination_date"])
    assert values == {
        "id": contract,
        "state": "terminated",
        "termination_date": "2026-01-15",
    }
