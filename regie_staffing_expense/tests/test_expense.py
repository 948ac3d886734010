from datetime import date

from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.regie_staffing_invoicing.tests.common import RegieInvoicingCommon

MARCH = date(2025, 3, 1)


@tagged("post_install", "-at_install")
class TestRegieExpense(RegieInvoicingCommon):
    """A consultant's expenses join his month, show on its activity report,
    freeze with it and are re-invoiced once per the contract's rule, their
    receipts attached; the days billed stay the validated days."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
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

    def _expense(self, day, amount, name="Train Paris-Lyon", receipt=True):
        expense = self.env["hr.expense"].create(
            {
                "name": name,
                "employee_id": self.employee.id,
                "product_id": self.expense_product.id,
                "date": day,
                "total_amount_currency": amount,
                "tax_ids": False,
            }
        )
        if receipt:
            self.env["ir.attachment"].create(
                {
                    "name": f"{name}.pdf",
                    "raw": b"%PDF-1.4 receipt",
                    "res_model": "hr.expense",
                    "res_id": expense.id,
                }
            )
        return expense

    def _month_with_expenses(self, *amounts, days=5):
        lines = self._log_days(self.mission, MARCH, days)
        period = lines.regie_period_id
        expenses = self.env["hr.expense"]
        for position, amount in enumerate(amounts):
            expenses |= self._expense(date(2025, 3, 3 + position), amount)
        return period, expenses

    def test_expenses_join_the_month_and_its_report(self):
        period, expenses = self._month_with_expenses(120.0, 80.0)
        self.assertEqual(expenses.regie_period_id, period)
        self.assertEqual(period.expense_total, 200.0)
        self.contract.expense_policy = "at_cost"
        report = self.env.ref("regie_staffing.action_report_regie_timesheet_period")
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html(report.id, period.ids)[0]
            .decode()
        )
        self.assertEqual(html.count('o_regie_cra_expense"'), 2)
        self.assertNotIn("o_regie_cra_expenses_outside", html)

    def test_expenses_freeze_with_the_month(self):
        period, expense = self._month_with_expenses(120.0)
        self._validate(period)
        with self.assertRaises(UserError) as refused:
            expense.total_amount_currency = 500.0
        self.assertIn(period.name, str(refused.exception))
        # A new expense does not join a month already sent.
        late = self._expense(date(2025, 3, 20), 10.0)
        self.assertFalse(late.regie_period_id)
        with self.assertRaises(UserError):
            late.regie_period_id = period

    def test_at_cost_invoiced_once_with_receipts(self):
        self.contract.expense_policy = "at_cost"
        period, expenses = self._month_with_expenses(120.0, 80.0)
        self._validate(period)
        move, _summary = self._invoice(period)
        expense_lines = move.invoice_line_ids.filtered("regie_expense_id")
        self.assertEqual(expense_lines.regie_expense_id, expenses)
        self.assertEqual(sorted(expense_lines.mapped("price_subtotal")), [80.0, 120.0])
        self.assertBilledOnce(period, "expenses beside the days")
        receipts = self.env["ir.attachment"].search(
            [("res_model", "=", "account.move"), ("res_id", "=", move.id)]
        )
        self.assertEqual(
            len(receipts.filtered(lambda a: a.name.startswith("Train"))), 2
        )
        self.assertEqual(move.amount_untaxed, 5 * 500.0 + 200.0)

    def test_capped_and_flat(self):
        self.contract.write({"expense_policy": "at_cost_capped", "expense_cap": 150.0})
        period, _expenses = self._month_with_expenses(120.0, 80.0)
        self._validate(period)
        move, _summary = self._invoice(period)
        self.assertEqual(move.amount_untaxed, 5 * 500.0 + 150.0)

        april = date(2025, 4, 1)
        self.contract.write(
            {"expense_policy": "flat_per_day", "expense_flat_amount": 20}
        )
        month = self._validated_month(self.mission, april, days=4)
        move, _summary = self._invoice(month)
        self.assertEqual(move.amount_untaxed, 4 * 500.0 + 4 * 20.0)
        self.assertBilledOnce(month, "flat expenses beside the days")

    def test_not_reinvoiced(self):
        period, _expenses = self._month_with_expenses(120.0)
        self._validate(period)
        move, _summary = self._invoice(period)
        self.assertFalse(move.invoice_line_ids.filtered("regie_expense_id"))
        self.assertEqual(move.amount_untaxed, 5 * 500.0)

    def test_cap_is_required(self):
        with self.assertRaises(UserError):
            self.contract.expense_policy = "at_cost_capped"

    def _net_billed(self, expenses):
        lines = self.env["account.move.line"].search(
            [
                ("regie_expense_id", "in", expenses.ids),
                ("parent_state", "!=", "cancel"),
            ]
        )
        return {
            expense: sum(
                -line.quantity
                if line.move_id.move_type == "out_refund"
                else line.quantity
                for line in lines.filtered(
                    lambda line, e=expense: line.regie_expense_id == e
                )
            )
            for expense in expenses
        }

    def test_credit_note_then_invoice_again_bills_expenses_once(self):
        self.contract.expense_policy = "at_cost"
        period, expenses = self._month_with_expenses(120.0, 80.0)
        self._validate(period)
        move, _summary = self._invoice(period)
        move.action_post()
        reversal = (
            self.env["account.move.reversal"]
            .with_context(active_model="account.move", active_ids=move.ids)
            .create({"journal_id": move.journal_id.id, "date": move.invoice_date})
        )
        refund = self.env["account.move"].browse(reversal.refund_moves()["res_id"])
        refund.action_post()
        self.assertEqual(set(self._net_billed(expenses).values()), {0.0})
        self.assertEqual(period.state, "validated", "the credit note reopens it")
        again, _summary = self._invoice(period)
        self.assertEqual(
            again.invoice_line_ids.filtered("regie_expense_id").regie_expense_id,
            expenses,
        )
        self.assertEqual(set(self._net_billed(expenses).values()), {1.0})
        self.assertBilledOnce(period, "after a credit note and a new invoice")

    def test_cancelled_invoice_frees_its_expenses(self):
        self.contract.expense_policy = "at_cost"
        period, expenses = self._month_with_expenses(50.0)
        self._validate(period)
        move, _summary = self._invoice(period)
        move.button_cancel()
        again, _summary = self._invoice(period)
        self.assertEqual(
            again.invoice_line_ids.filtered("regie_expense_id").regie_expense_id,
            expenses,
        )
        self.assertEqual(set(self._net_billed(expenses).values()), {1.0})
