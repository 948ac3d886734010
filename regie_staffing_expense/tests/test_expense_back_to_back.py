from datetime import date

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tests.common import new_test_user

from odoo.addons.regie_staffing_invoicing.tests.test_vendor_bill_matching import (
    RegieBuySideCommon,
)

JANUARY = date(2026, 1, 1)
BILL_DATE = date(2026, 2, 5)


@tagged("post_install", "-at_install")
class TestExpenseBackToBack(RegieBuySideCommon):
    """Alice, a freelancer bought 450 a day and sold 700 a day back to back,
    files two expenses (120 + 80) in January: they belong to the client's
    month, show on the provider's month, and his bill (or the one made for
    him) carries them per the purchase contract's rule, once."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.accountant = new_test_user(
            cls.env,
            login="b2b_expense_accountant",
            groups="regie_staffing_invoicing.group_regie_accountant",
            company_id=cls.env.company.id,
        )
        cls.client = cls.env["res.partner"].create(
            {"name": "Client SA", "is_company": True}
        )
        cls.expense_product = cls.env["product.product"].create(
            {
                "name": "Train ticket",
                "type": "service",
                "can_be_expensed": True,
                "standard_price": 0.0,
                "supplier_taxes_id": False,
                "taxes_id": False,
            }
        )
        cls.purchase = cls._create_contract(
            [(cls.alice, 450.0)], product_id=cls.day_product.id
        )
        cls.sale = cls._create_contract(
            [(cls.alice, 700.0)], "sale", cls.client, product_id=cls.day_product.id
        )
        cls.sale.mission_ids.purchase_mission_id = cls.purchase.mission_ids
        cls._log_days(cls.sale, cls.alice, JANUARY, 4)
        cls.expenses = cls.env["hr.expense"].create(
            [
                {
                    "name": name,
                    "employee_id": cls.alice.id,
                    "product_id": cls.expense_product.id,
                    "date": day,
                    "total_amount_currency": amount,
                    "tax_ids": False,
                }
                for name, day, amount in (
                    ("Train Paris-Lyon", date(2026, 1, 6), 120.0),
                    ("Hotel Lyon", date(2026, 1, 7), 80.0),
                )
            ]
        )

    def _validate(self):
        sale_month = self._validate_months(self.sale, JANUARY)
        return sale_month, sale_month.purchase_period_id

    def _bill(self, days, expenses=0.0, ref="ALICE-01"):
        lines = []
        if days:
            lines.append(
                Command.create(
                    {
                        "product_id": self.day_product.id,
                        "quantity": days,
                        "price_unit": 450.0,
                        "regie_employee_id": self.alice.id,
                        "tax_ids": [Command.clear()],
                    }
                )
            )
        if expenses:
            lines.append(
                Command.create(
                    {
                        "name": "Travel, January",
                        "product_id": self.expense_product.id,
                        "quantity": 1.0,
                        "price_unit": expenses,
                        "tax_ids": [Command.clear()],
                    }
                )
            )
        return self.env["account.move"].create(
            {
                "move_type": "in_invoice",
                "partner_id": self.provider.id,
                "invoice_date": BILL_DATE,
                "ref": ref,
                "regie_contract_id": self.purchase.id,
                "invoice_line_ids": lines,
            }
        )

    def _invoice(self, periods):
        action = periods.with_user(self.accountant).action_create_invoice(
            invoice_date=BILL_DATE
        )
        return self.env["account.move"].browse(
            action["context"]["regie_invoicing_summary"]["created"]
        )

    def _credit(self, move):
        reversal = (
            self.env["account.move.reversal"]
            .with_context(active_model="account.move", active_ids=move.ids)
            .create({"journal_id": move.journal_id.id, "date": move.invoice_date})
        )
        refund = self.env["account.move"].browse(reversal.refund_moves()["res_id"])
        refund.action_post()
        return refund

    def test_expenses_show_on_the_purchase_month(self):
        sale_month, purchase_month = self._validate()
        self.assertEqual(self.expenses.regie_period_id, sale_month)
        self.assertFalse(purchase_month.expense_ids, "filed once, client side")
        self.assertEqual(purchase_month._regie_expenses(), self.expenses)
        self.assertEqual(purchase_month.expense_total, 200.0)
        self.purchase.expense_policy = "at_cost"
        report = self.env.ref("regie_staffing.action_report_regie_timesheet_period")
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html(report.id, purchase_month.ids)[0]
            .decode()
        )
        self.assertEqual(html.count('o_regie_cra_expense"'), 2)
        # Nobody files an expense on the purchase month itself.
        late = self.env["hr.expense"].create(
            {
                "name": "Taxi",
                "employee_id": self.alice.id,
                "product_id": self.expense_product.id,
                "date": date(2026, 2, 2),
                "total_amount_currency": 10.0,
            }
        )
        february = self.env["regie.timesheet.period"]._get_or_create_periods(
            {(self.sale.mission_ids.id, date(2026, 2, 1))}
        )
        february_purchase = next(iter(february.values())).purchase_period_id
        self.assertTrue(february_purchase)
        with self.assertRaises(UserError):
            late.regie_period_id = february_purchase

    def test_matching_at_cost_once(self):
        self.purchase.expense_policy = "at_cost"
        _sale_month, purchase_month = self._validate()
        bill = self._bill(4, 200.0)
        self.assertEqual(bill.regie_match_state, "equal")
        self.assertIn("Expenses", bill.regie_match_html)
        bill.action_post()
        self.assertEqual(purchase_month.state, "invoiced")
        # The same expenses again: billed twice, refused.
        again = self._bill(0, 200.0, ref="ALICE-01b")
        self.assertEqual(again.regie_match_state, "over")
        with self.assertRaises(UserError):
            again.action_post()
        # A credit note gives them back.
        self._credit(bill)
        self.assertEqual(again.regie_match_state, "under", "days still due")
        self.assertEqual(
            self._bill(4, 200.0, ref="ALICE-01c").regie_match_state, "equal"
        )

    def test_matching_capped_and_flat(self):
        self.purchase.write({"expense_policy": "at_cost_capped", "expense_cap": 150.0})
        _sale_month, purchase_month = self._validate()
        self.assertEqual(self._bill(4, 150.0).regie_match_state, "equal")
        self.assertEqual(self._bill(4, 200.0).regie_match_state, "over")
        self.purchase.write(
            {"expense_policy": "flat_per_day", "expense_flat_amount": 20}
        )
        self.assertEqual(self._bill(4, 80.0).regie_match_state, "equal")
        self.assertEqual(
            purchase_month._get_provider_portal_values()[purchase_month.id]["amount"],
            4 * 450.0 + 80.0,
        )

    def test_matching_not_reinvoiced(self):
        _sale_month, purchase_month = self._validate()
        self.assertEqual(self.purchase.expense_policy, "none")
        bill = self._bill(4, 200.0)
        self.assertEqual(bill.regie_match_state, "over")
        with self.assertRaises(UserError):
            bill.action_post()
        self.assertEqual(self._bill(4).regie_match_state, "equal")
        values = purchase_month._get_provider_portal_values()[purchase_month.id]
        self.assertEqual((values["expense_amount"], values["amount"]), (0.0, 1800.0))

    def test_generated_bill_carries_expenses_once(self):
        self.purchase.expense_policy = "at_cost"
        self.sale.expense_policy = "at_cost"
        sale_month, purchase_month = self._validate()
        values = purchase_month._get_provider_portal_values()[purchase_month.id]
        self.assertEqual((values["expense_amount"], values["amount"]), (200.0, 2000.0))
        invoice = self._invoice(sale_month)
        self.assertEqual(invoice.amount_untaxed, 4 * 700.0 + 200.0)
        bill = self._invoice(purchase_month)
        self.assertEqual(bill.move_type, "in_invoice")
        self.assertEqual(
            bill.invoice_line_ids.filtered("regie_expense_id").regie_expense_id,
            self.expenses,
        )
        self.assertEqual(bill.amount_untaxed, 4 * 450.0 + 200.0)
        self.assertEqual(bill.regie_match_state, "equal")
        bill.action_post()
        self.assertEqual(purchase_month.state, "invoiced")
        self.assertBilledOnce(purchase_month, "expenses beside the days")
        # Credited, then billed again: the expenses once more, not twice.
        self._credit(bill)
        self.assertEqual(purchase_month.state, "validated")
        again = self._invoice(purchase_month)
        self.assertEqual(
            again.invoice_line_ids.filtered("regie_expense_id").regie_expense_id,
            self.expenses,
        )
        self.assertEqual(again.amount_untaxed, 4 * 450.0 + 200.0)
        self.assertEqual(again.regie_match_state, "equal")

    def test_generated_bill_not_reinvoiced(self):
        self.sale.expense_policy = "at_cost"
        _sale_month, purchase_month = self._validate()
        bill = self._invoice(purchase_month)
        self.assertFalse(bill.invoice_line_ids.filtered("regie_expense_id"))
        self.assertEqual(bill.amount_untaxed, 4 * 450.0)
