"""Invoicing validated months over XML-RPC, as the accountant; never twice."""

import threading
import xmlrpc.client

import pytest
from odoo_client import fault


@pytest.fixture(scope="module")
def accountant(make_user):
    return make_user(
        "accountant",
        [
            "base.group_user",
            "account.group_account_invoice",
            "regie_staffing_invoicing.group_regie_accountant",
        ],
    )


def validated_months(admin, manager, lead, make_user, run_id, tag, count):
    """A sale contract with ``count`` consultants, each with a validated month."""
    client = manager.call(
        "res.partner", "create", {"name": f"Client {tag} {run_id}", "is_company": True}
    )
    consultants = [
        make_user(f"{tag}{i}", ["base.group_user", "regie_staffing.group_consultant"])
        for i in range(count)
    ]
    employees = [
        admin.call(
            "hr.employee",
            "create",
            {"name": f"{tag} consultant {i} {run_id}", "user_id": user.uid},
        )
        for i, user in enumerate(consultants)
    ]
    contract = manager.call(
        "regie.contract",
        "create",
        {
            "partner_id": client,
            "project_lead_ids": [(6, 0, [lead.uid])],
            "date_start": "2026-01-01",
            "hours_per_day": 8.0,
            "mission_ids": [
                (
                    0,
                    0,
                    {"employee_id": e, "daily_rate": 612.5, "date_start": "2026-01-01"},
                )
                for e in employees
            ],
        },
    )
    manager.call("regie.contract", "action_activate", [contract])
    project = manager.call("regie.contract", "read", [contract], ["project_id"])[0][
        "project_id"
    ][0]
    periods = []
    for user, employee in zip(consultants, employees, strict=True):
        user.call(
            "account.analytic.line",
            "create",
            [
                {
                    "project_id": project,
                    "employee_id": employee,
                    "date": f"2026-09-{day:02d}",
                    "unit_amount": 8.0,
                    "name": "Build",
                }
                for day in (1, 2, 3, 4)
            ],
        )
        period = user.call(
            "regie.timesheet.period",
            "search",
            [("employee_id", "=", employee), ("date_from", "=", "2026-09-01")],
        )
        user.call("regie.timesheet.period", "action_submit", period)
        lead.call("regie.timesheet.period", "action_validate", period)
        periods += period
    return contract, periods


def press(client, method, move):
    """Press one of Odoo's buttons on a move. They return None, which XML-RPC
    cannot carry: the call is made (and committed), then the answer fails to
    marshal."""
    try:
        client.call("account.move", method, [move])
    except xmlrpc.client.Fault as error:
        if "cannot marshal None" not in error.faultString:
            raise


def reverse(client, move, method):
    """Odoo's reversal wizard on ``move``: ``refund_moves`` (credit note) or
    ``modify_moves`` (credit note and new draft); returns the new move."""
    journal = client.call("account.move", "read", [move], ["journal_id"])[0]
    wizard = client.call(
        "account.move.reversal",
        "create",
        {"journal_id": journal["journal_id"][0]},
        context={"active_model": "account.move", "active_ids": [move]},
    )
    return client.call("account.move.reversal", method, [wizard])["res_id"]


def test_accountant_invoices_validated_months_once(
    admin, manager, lead, accountant, make_user, run_id
):
    contract, periods = validated_months(
        admin, manager, lead, make_user, run_id, "inv", 2
    )
    # The accountant cannot validate months...
    fault(accountant.call, "regie.timesheet.period", "action_validate", periods)
    # ...but invoices them: one invoice, one line per consultant-month.
    action = accountant.call("regie.timesheet.period", "action_create_invoice", periods)
    assert isinstance(action, dict)
    months = accountant.call(
        "regie.timesheet.period", "read", periods, ["state", "invoice_id"]
    )
    assert {m["state"] for m in months} == {"invoiced"}
    invoice = months[0]["invoice_id"][0]
    assert {m["invoice_id"][0] for m in months} == {invoice}
    move = accountant.call(
        "account.move", "read", [invoice], ["move_type", "amount_untaxed", "state"]
    )[0]
    assert move["move_type"] == "out_invoice" and move["state"] == "draft"
    assert move["amount_untaxed"] == pytest.approx(2 * 4 * 612.5)
    # Never twice.
    fault(accountant.call, "regie.timesheet.period", "action_create_invoice", periods)
    # The invoice link is written only by the invoicing code.
    fault(
        accountant.call,
        "regie.timesheet.period",
        "write",
        periods,
        {"invoice_line_id": False},
    )
    # A consultant sees no invoice.
    consultant = make_user(
        "noinv", ["base.group_user", "regie_staffing.group_consultant"]
    )
    fault(consultant.call, "account.move", "read", [invoice], ["name"])


def test_concurrent_invoicing_creates_one_invoice(
    admin, manager, lead, accountant, make_user, run_id
):
    _contract, periods = validated_months(
        admin, manager, lead, make_user, run_id, "conc", 1
    )
    other = make_user(
        "accountant2",
        [
            "base.group_user",
            "account.group_account_invoice",
            "regie_staffing_invoicing.group_regie_accountant",
        ],
    )
    barrier = threading.Barrier(2)
    results = {}

    def invoice(name, client):
        barrier.wait()
        try:
            results[name] = client.call(
                "regie.timesheet.period", "action_create_invoice", periods
            )
        except xmlrpc.client.Fault as error:
            results[name] = error

    threads = [
        threading.Thread(target=invoice, args=(name, client))
        for name, client in (("first", accountant), ("second", other))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    errors = [r for r in results.values() if isinstance(r, xmlrpc.client.Fault)]
    assert len(results) == 2 and len(errors) == 1, results
    moves = admin.call(
        "account.move.line",
        "search_count",
        [("regie_period_id", "in", periods), ("parent_state", "!=", "cancel")],
    )
    assert moves == 1


def test_standard_accounting_buttons_never_bill_a_month_twice(
    admin, manager, lead, accountant, make_user, run_id
):
    """Odoo's own buttons, pressed by the accountant over XML-RPC: cancel and
    re-invoice, then reset the cancelled invoice to draft; credit, re-invoice,
    then reset the credit note to draft. Both resets are refused."""
    _contract, periods = validated_months(
        admin, manager, lead, make_user, run_id, "money", 1
    )

    def month():
        return accountant.call(
            "regie.timesheet.period", "read", periods, ["state", "invoice_id"]
        )[0]

    def posted_total():
        moves = accountant.call(
            "account.move",
            "search_read",
            [("regie_period_ids", "in", periods), ("state", "=", "posted")],
            ["amount_untaxed_signed"],
        )
        return sum(move["amount_untaxed_signed"] for move in moves)

    accountant.call("regie.timesheet.period", "action_create_invoice", periods)
    first = month()["invoice_id"][0]
    press(accountant, "action_post", first)
    press(accountant, "button_cancel", first)
    assert month()["state"] == "validated"
    accountant.call("regie.timesheet.period", "action_create_invoice", periods)
    second = month()["invoice_id"][0]
    assert second != first
    message = fault(accountant.call, "account.move", "button_draft", [first])
    assert "billed once" in message
    press(accountant, "action_post", second)
    assert posted_total() == 4 * 612.5
    # A full credit note releases the month; its reset to draft after the month
    # was invoiced again is refused.
    refund = reverse(accountant, second, "refund_moves")
    press(accountant, "action_post", refund)
    assert month()["state"] == "validated"
    assert posted_total() == 0
    accountant.call("regie.timesheet.period", "action_create_invoice", periods)
    third = month()["invoice_id"][0]
    press(accountant, "action_post", third)
    message = fault(accountant.call, "account.move", "button_draft", [refund])
    assert "billed once" in message
    assert posted_total() == 4 * 612.5
    assert month()["state"] == "invoiced"
    action = accountant.call("regie.timesheet.period", "action_view_invoice", periods)
    assert action["res_model"] == "account.move" and action["res_id"] == third
    # A sale month has no provider's bill to open.
    message = fault(
        accountant.call, "regie.timesheet.period", "action_view_vendor_bill", periods
    )
    assert "not billed by a provider's bill" in message


def test_reverse_and_new_draft_and_one_line_credit_note_over_xmlrpc(
    admin, manager, lead, accountant, make_user, run_id
):
    """Odoo's "reverse and create a new draft" keeps the months on the new
    draft; a credit note of one consultant-month line releases that month
    alone; a duplicated invoice claims no month."""
    _contract, periods = validated_months(
        admin, manager, lead, make_user, run_id, "rev", 2
    )

    def months():
        return {
            month["id"]: month
            for month in accountant.call(
                "regie.timesheet.period", "read", periods, ["state", "invoice_id"]
            )
        }

    accountant.call("regie.timesheet.period", "action_create_invoice", periods)
    invoice = months()[periods[0]]["invoice_id"][0]
    press(accountant, "action_post", invoice)
    new_draft = reverse(accountant, invoice, "modify_moves")
    assert {m["state"] for m in months().values()} == {"invoiced"}
    assert {m["invoice_id"][0] for m in months().values()} == {new_draft}
    fault(accountant.call, "regie.timesheet.period", "action_create_invoice", periods)
    press(accountant, "action_post", new_draft)
    # A credit note of the first consultant's line only.
    refund = reverse(accountant, new_draft, "refund_moves")
    lines = accountant.call(
        "account.move",
        "read",
        [refund],
        ["invoice_line_ids"],
    )[0]["invoice_line_ids"]
    other = [
        line["id"]
        for line in accountant.call(
            "account.move.line", "read", lines, ["regie_period_id"]
        )
        if line["regie_period_id"] and line["regie_period_id"][0] != periods[0]
    ]
    accountant.call(
        "account.move", "write", [refund], {"invoice_line_ids": [(2, other[0])]}
    )
    press(accountant, "action_post", refund)
    state = months()
    assert state[periods[0]]["state"] == "validated"
    assert state[periods[1]]["state"] == "invoiced"
    accountant.call("regie.timesheet.period", "action_create_invoice", [periods[0]])
    assert months()[periods[0]]["state"] == "invoiced"
    # A duplicate claims nothing and says so.
    copies = accountant.call("account.move", "copy", [new_draft])
    warning = accountant.call("account.move", "read", copies, ["regie_billing_warning"])
    assert "not linked to any validated month" in warning[0]["regie_billing_warning"]
    assert months()[periods[1]]["invoice_id"][0] == new_draft
