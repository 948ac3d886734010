"""Monthly close at scale: invoicing 200 validated months vs sale_timesheet.

Each round is one month: 200 régie contracts (one consultant each, 20
timesheet lines in the month, validated) are invoiced with
``regie.timesheet.period.action_create_invoice``; the same volume is
invoiced by Odoo's own sale_timesheet: 200 confirmed sale orders with one
timesheet-delivered service line, 20 timesheets each in the month,
``sale.order._create_invoices``. Both create 200 invoices of one line from
4,000 timesheet lines. Only the invoicing call is measured.

The signed CRA PDFs kept on validation are replaced by a stub while the months
are prepared (wkhtmltopdf is not what this benchmark measures); invoicing still
attaches them.
"""

import datetime
from unittest.mock import patch

from common import Measure, environment, parse_args

from odoo import Command

ORDERS, LINES = 200, 20
REGIE = "regie_staffing_invoicing (action_create_invoice)"
SALE = "sale_timesheet (_create_invoices)"


def working_days(first, count):
    days, day = [], first
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day += datetime.timedelta(days=1)
    return days


def stub_reports(self, report):
    return {
        period_id: (b"%PDF-1.4 stub", "pdf", "application/pdf")
        for period_id in self.ids
    }


def setup(env):
    partners = env["res.partner"].create(
        [{"name": f"Bench client {i}", "is_company": True} for i in range(ORDERS)]
    )
    regie_employees = env["hr.employee"].create(
        [{"name": f"Bench régie consultant {i}"} for i in range(ORDERS)]
    )
    sale_employees = env["hr.employee"].create(
        [{"name": f"Bench timesheet consultant {i}"} for i in range(ORDERS)]
    )
    contracts = env["regie.contract"].create(
        [
            {
                "partner_id": partner.id,
                "date_start": "2025-01-01",
                "date_end": "2026-12-31",
                "review_frequency": "none",
                "mission_ids": [
                    Command.create(
                        {
                            "employee_id": employee.id,
                            "daily_rate": 600.0,
                            "date_start": "2025-01-01",
                        }
                    )
                ],
            }
            for partner, employee in zip(partners, regie_employees, strict=True)
        ]
    )
    contracts.action_activate()
    product = env["product.product"].create(
        {
            "name": "Bench consulting (timesheet)",
            "type": "service",
            "invoice_policy": "delivery",
            "service_type": "timesheet",
            "service_tracking": "project_only",
            "uom_id": env.ref("uom.product_uom_hour").id,
            "uom_po_id": env.ref("uom.product_uom_hour").id,
            "list_price": 75.0,  # 600.0 a day of 8 h
        }
    )
    orders = env["sale.order"].create(
        [
            {
                "partner_id": partner.id,
                "order_line": [
                    Command.create({"product_id": product.id, "product_uom_qty": 1.0})
                ],
            }
            for partner in partners
        ]
    )
    orders.action_confirm()
    return contracts, regie_employees, orders, sale_employees


def log_month(env, month, contracts, regie_employees, orders, sale_employees):
    days = working_days(month, LINES)
    env["account.analytic.line"].create(
        [
            {
                "name": f"Régie work {day}",
                "project_id": contract.project_id.id,
                "employee_id": employee.id,
                "date": day,
                "unit_amount": 8.0,
            }
            for contract, employee in zip(contracts, regie_employees, strict=True)
            for day in days
        ]
    )
    env["account.analytic.line"].create(
        [
            {
                "name": f"Work {day}",
                "project_id": order.order_line.project_id.id,
                "employee_id": employee.id,
                "date": day,
                "unit_amount": 8.0,
            }
            for order, employee in zip(orders, sale_employees, strict=True)
            for day in days
        ]
    )
    periods = env["regie.timesheet.period"].search(
        [("contract_id", "in", contracts.ids), ("date_from", "=", month)]
    )
    assert len(periods) == ORDERS, len(periods)
    periods.action_submit()
    periods.action_validate()
    assert set(periods.mapped("state")) == {"validated"}
    return periods


def main():
    args = parse_args(__doc__)
    with environment(args.db) as env:
        measure = Measure(env)
        period_class = type(env["regie.timesheet.period"])
        data = setup(env)
        contracts, _regie_employees, orders, _sale_employees = data
        moves = env["account.move"]
        invoices = env["account.move"]
        for month_index in range(args.repeat):
            month = datetime.date(2026, 1 + month_index, 1)
            with patch.object(period_class, "_render_reports", stub_reports):
                periods = log_month(env, month, *data)
            with measure(SALE):
                new_invoices = orders._create_invoices()
            assert len(new_invoices) == ORDERS, len(new_invoices)
            assert len(new_invoices.invoice_line_ids) == ORDERS
            invoices |= new_invoices
            with measure(REGIE):
                action = periods.action_create_invoice()
            new_moves = periods.invoice_id
            assert isinstance(action, dict), action
            assert len(new_moves) == ORDERS, len(new_moves)
            assert set(periods.mapped("state")) == {"invoiced"}
            moves |= new_moves
        total = sum(moves.mapped("amount_untaxed"))
        expected = ORDERS * LINES * 600.0 * args.repeat
        assert round(total, 2) == expected, (total, expected)
        # Same volume on the sale side: 8 h a day at 75.0 an hour.
        sale_total = sum(invoices.mapped("amount_untaxed"))
        assert round(sale_total, 2) == expected, (sale_total, expected)
        measure.report(
            SALE,
            REGIE,
            f"Invoicing {ORDERS} months / {ORDERS * LINES} timesheet lines into "
            f"{ORDERS} invoices (median of {args.repeat})",
        )
        for label in (SALE, REGIE):
            seconds, queries = measure.median(label)
            print(
                f"  {label:<50} {queries / ORDERS:6.1f} queries and "
                f"{seconds * 1000 / ORDERS:6.1f} ms per invoice",
                flush=True,
            )


if __name__ == "__main__":
    main()
