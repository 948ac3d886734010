"""Back-to-back subcontracting end to end, each user through his own door:
the freelancer logs and submits in the extranet, the client's contact signs in
the portal, the accountant invoices the client and posts the freelancer's own
bill, matched against the same validated days; a second bill is refused."""

import re
import xmlrpc.client

import pytest
import requests
from odoo_client import fault

SALE_RATE, PURCHASE_RATE = 600.0, 450.0
MONTH = "2026-10-01"
DAYS = ("2026-10-05", "2026-10-06", "2026-10-07")
# A 1x1 transparent PNG, what the signature widget posts (base64, no header).
SIGNATURE = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA"
    "60e6kgAAAABJRU5ErkJggg=="
)


def browser(server, login):
    """A logged-in browser session of ``login`` (the password is the login)."""
    url, db = server
    session = requests.Session()
    page = session.get(f"{url}/web/login", params={"db": db}, timeout=30)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    response = session.post(
        f"{url}/web/login",
        data={"login": login, "password": login, "csrf_token": csrf, "db": db},
        timeout=30,
    )
    assert response.ok and "/web/login" not in response.url, f"{login} login failed"
    return session


def press(client, model, method, ids):
    """Press a button that returns None, which XML-RPC cannot carry: the call
    is made (and committed), then the answer fails to marshal."""
    try:
        return client.call(model, method, ids)
    except xmlrpc.client.Fault as error:
        if "cannot marshal None" not in error.faultString:
            raise
    return None


def read(client, model, record, fields):
    return client.call(model, "read", [record], fields)[0]


@pytest.fixture(scope="module")
def accountant(make_user):
    return make_user(
        "b2b_accountant",
        [
            "base.group_user",
            "account.group_account_invoice",
            "regie_staffing_invoicing.group_regie_accountant",
        ],
    )


@pytest.fixture(scope="module")
def b2b(admin, make_user, run_id):
    """A freelancer (portal user only) sold 600 a day to a client and bought
    450 a day from his company, the sale mission backed by the purchase one;
    the client's contact (portal) validates the sale contract's months."""
    freelancer = make_user("b2b_freelancer", ["base.group_portal"])
    validator = make_user("b2b_validator", ["base.group_portal"])
    client = admin.call(
        "res.partner", "create", {"name": f"B2B Client {run_id}", "is_company": True}
    )
    provider = admin.call(
        "res.partner",
        "create",
        {"name": f"B2B Freelance EURL {run_id}", "is_company": True},
    )
    validator_partner = read(admin, "res.users", validator.uid, ["partner_id"])[
        "partner_id"
    ][0]
    admin.call("res.partner", "write", [validator_partner], {"parent_id": client})
    employee = admin.call(
        "hr.employee",
        "create",
        {
            "name": f"B2B Freelancer {run_id}",
            "user_id": freelancer.uid,
            "employee_type": "freelance",
        },
    )
    terms = {
        "date_start": "2026-01-01",
        "date_end": "2026-12-31",
        "hours_per_day": 8.0,
        "review_frequency": "none",
    }
    purchase = admin.call(
        "regie.contract",
        "create",
        {
            **terms,
            "title": f"B2B subcontracting {run_id}",
            "direction": "purchase",
            "partner_id": provider,
        },
    )
    sale = admin.call(
        "regie.contract",
        "create",
        {
            **terms,
            "title": f"B2B ERP roll-out {run_id}",
            "partner_id": client,
            "client_manager_id": validator_partner,
        },
    )
    press(admin, "regie.contract", "action_activate", [purchase, sale])
    purchase_mission = admin.call(
        "regie.mission",
        "create",
        {
            "contract_id": purchase,
            "employee_id": employee,
            "daily_rate": PURCHASE_RATE,
        },
    )
    sale_mission = admin.call(
        "regie.mission",
        "create",
        {
            "contract_id": sale,
            "employee_id": employee,
            "daily_rate": SALE_RATE,
            "purchase_mission_id": purchase_mission,
        },
    )
    for mission in (purchase_mission, sale_mission):
        if read(admin, "regie.mission", mission, ["state"])["state"] == "draft":
            press(admin, "regie.mission", "action_start", [mission])
    admin.call("regie.timesheet.period", "generate_periods", MONTH)
    sale_month = admin.call(
        "regie.timesheet.period",
        "search",
        [("mission_id", "=", sale_mission), ("date_from", "=", MONTH)],
    )[0]
    purchase_month = read(
        admin, "regie.timesheet.period", sale_month, ["purchase_period_id"]
    )["purchase_period_id"][0]
    return {
        "freelancer": freelancer,
        "validator": validator,
        "provider": provider,
        "client": client,
        "employee": employee,
        "purchase": purchase,
        "sale": sale,
        "sale_month": sale_month,
        "purchase_month": purchase_month,
    }


def freelancer_bill(accountant, b2b, days):
    """The freelancer's own bill for October, entered by the accountant."""
    return accountant.call(
        "account.move",
        "create",
        {
            "move_type": "in_invoice",
            "partner_id": b2b["provider"],
            "invoice_date": "2026-11-02",
            "regie_contract_id": b2b["purchase"],
            "invoice_line_ids": [
                (
                    0,
                    0,
                    {
                        "name": "October 2026",
                        "quantity": days,
                        "price_unit": PURCHASE_RATE,
                        "regie_employee_id": b2b["employee"],
                        "tax_ids": [(5, 0, 0)],
                    },
                )
            ],
        },
    )


def months(admin, b2b, fields):
    sale, purchase = admin.call(
        "regie.timesheet.period",
        "read",
        [b2b["sale_month"], b2b["purchase_month"]],
        fields,
    )
    return sale, purchase


def test_back_to_back_month_from_the_extranet_to_both_bills(
    admin, server, accountant, b2b
):
    url, _db = server
    sale_month, purchase_month = b2b["sale_month"], b2b["purchase_month"]

    # 1. The freelancer, in his extranet: one month listed, the client's; the
    # purchase month follows it and cannot be opened there.
    freelancer = browser(server, b2b["freelancer"].login)
    page = freelancer.get(f"{url}/my/regie/timesheets", timeout=60)
    assert page.ok
    listed = set(re.findall(r"/my/regie/timesheets/(\d+)", page.text))
    assert listed == {str(sale_month)}
    assert (
        freelancer.get(
            f"{url}/my/regie/timesheets/{purchase_month}", timeout=60
        ).status_code
        == 404
    )
    page = freelancer.get(f"{url}/my/regie/timesheets/{sale_month}", timeout=60)
    csrf = re.search(r'csrf_token: "([^"]+)"', page.text).group(1)
    response = freelancer.post(
        f"{url}/my/regie/timesheets/{sale_month}/save",
        data={
            "csrf_token": csrf,
            **{f"amount_{day}": "1" for day in DAYS},
            f"comment_{DAYS[0]}": "Workshop",
            "submit": "1",
            "confirm": "1",
        },
        timeout=120,
    )
    assert response.ok and "message=submitted" in response.url, response.text[:500]
    sale, purchase = months(admin, b2b, ["state", "total_days", "timesheet_ids"])
    assert (sale["state"], purchase["state"]) == ("submitted", "submitted")
    assert sale["total_days"] == purchase["total_days"] == 3.0
    assert len(sale["timesheet_ids"]) == 3 and not purchase["timesheet_ids"]

    # 2. The client's contact signs the month in the portal.
    validator = browser(server, b2b["validator"].login)
    response = validator.post(
        f"{url}/my/regie/months/{sale_month}/accept",
        json={
            "jsonrpc": "2.0",
            "method": "call",
            "params": {"name": "Victor Validator", "signature": SIGNATURE},
        },
        timeout=120,
    )
    result = response.json().get("result") or {}
    assert not result.get("error"), result
    sale, purchase = months(admin, b2b, ["state", "billable_days"])
    assert (sale["state"], purchase["state"]) == ("validated", "validated")
    assert purchase["billable_days"] == 3.0

    # 3. The accountant invoices the client at the sale rate...
    action = accountant.call(
        "regie.timesheet.period", "action_create_invoice", [sale_month]
    )
    assert isinstance(action, dict)
    invoice = read(accountant, "regie.timesheet.period", sale_month, ["invoice_id"])[
        "invoice_id"
    ][0]
    press(accountant, "account.move", "action_post", [invoice])
    move = read(
        accountant,
        "account.move",
        invoice,
        ["move_type", "partner_id", "state", "amount_untaxed"],
    )
    assert move["move_type"] == "out_invoice"
    assert move["partner_id"][0] == b2b["client"]
    assert move["state"] == "posted"
    assert move["amount_untaxed"] == pytest.approx(3 * SALE_RATE)
    fault(
        accountant.call, "regie.timesheet.period", "action_create_invoice", [sale_month]
    )

    # ...and posts the freelancer's own bill, matched on the same days.
    bill = freelancer_bill(accountant, b2b, 3)
    match = read(
        accountant,
        "account.move",
        bill,
        ["regie_match_state", "regie_match_difference", "amount_untaxed"],
    )
    assert match["regie_match_state"] == "equal"
    assert not match["regie_match_difference"]
    assert match["amount_untaxed"] == pytest.approx(3 * PURCHASE_RATE)
    press(accountant, "account.move", "action_post", [bill])
    assert read(accountant, "account.move", bill, ["state"])["state"] == "posted"
    sale, purchase = months(admin, b2b, ["state", "invoice_id", "vendor_bill_id"])
    assert sale["state"] == "invoiced" and sale["invoice_id"][0] == invoice
    assert purchase["state"] == "invoiced"
    assert purchase["vendor_bill_id"][0] == bill
    assert not purchase["invoice_id"], "no bill generated besides his"
    # His bill carries the CRA the client signed, as the client's invoice does.
    report = read(
        admin, "regie.timesheet.period", sale_month, ["report_attachment_id"]
    )["report_attachment_id"]
    assert report
    for move in (invoice, bill):
        attached = admin.call(
            "ir.attachment",
            "search_read",
            [("res_model", "=", "account.move"), ("res_id", "=", move)],
            ["name"],
        )
        assert [a["name"] for a in attached] == [report[1]], attached

    # A second bill for the same month charges days already billed: refused,
    # and the purchase month cannot be billed again from the month either.
    second = freelancer_bill(accountant, b2b, 3)
    assert (
        read(accountant, "account.move", second, ["regie_match_state"])[
            "regie_match_state"
        ]
        == "over"
    )
    fault(accountant.call, "account.move", "action_post", [second])
    assert read(accountant, "account.move", second, ["state"])["state"] == "draft"
    fault(
        accountant.call,
        "regie.timesheet.period",
        "action_create_invoice",
        [purchase_month],
    )
