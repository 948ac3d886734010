from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestDemoFranceExpenses(TransactionCase):
    """The French ESN's demo expenses (demo/regie_expense_demo.xml) are on
    their consultants' current month of the client contract. Skipped only
    when the database was installed without demo data."""

    def test_demo_expenses_on_the_client_month(self):
        contract = self.env.ref(
            "regie_staffing.contract_fr_mutuelle_demo", raise_if_not_found=False
        )
        expenses = self.env["hr.expense"]
        for name in (
            "expense_fr_julien_train_demo",
            "expense_fr_julien_hotel_demo",
            "expense_fr_antoine_train_demo",
        ):
            expense = self.env.ref(
                f"regie_staffing_expense.{name}", raise_if_not_found=False
            )
            if not contract or not expense:
                self.skipTest("the database has no demo data")
            expenses |= expense
        self.assertEqual(contract.expense_policy, "at_cost")
        periods = expenses.regie_period_id
        self.assertEqual(periods.contract_id, contract)
        self.assertEqual(periods.mapped("state"), ["draft", "draft"])
        self.assertEqual(
            sorted(periods.employee_id.mapped("employee_type")),
            ["employee", "freelance"],
        )
        for expense in expenses:
            self.assertEqual(
                expense.regie_period_id.date_from.month, expense.date.month
            )
        # 358 € paid, VAT included: the months count them untaxed (at cost).
        self.assertEqual(sum(expenses.mapped("total_amount_currency")), 358.0)
        self.assertAlmostEqual(
            sum(periods.mapped("expense_total")),
            sum(expenses.mapped("untaxed_amount_currency")),
        )
        self.assertLess(sum(periods.mapped("expense_total")), 358.0)
