from datetime import date

from odoo.exceptions import UserError
from odoo.tests import HttpCase, tagged

from .common import RegieInvoicingCommon

MARCH = date(2025, 3, 1)


@tagged("post_install", "-at_install")
class TestBadInputInvoicing(RegieInvoicingCommon):
    """Budgets, thresholds, invoice dates and index dates an RPC caller may
    send: refused with a message naming the field, nothing saved."""

    def _refused(self, regex):
        return self.assertRaisesRegex(UserError, regex)

    def test_budgets_and_thresholds(self):
        contract = self.contract
        for value in (-1.0, 1e308, float("inf"), float("nan"), "1e400"):
            with self.assertRaises(UserError) as catcher:
                contract.write({"budget_amount": value})
            self.assertRegex(
                str(catcher.exception), f"^Budget Amount of {contract.name}"
            )
        for value in ("1e400", "nan", "inf", "-5", "80,abc", "5000"):
            with self.assertRaises(UserError) as catcher:
                contract.write({"budget_alert_thresholds": value})
            self.assertRegex(
                str(catcher.exception),
                f"^Budget Alert Thresholds of {contract.name}: .* is not a list of "
                "percentages",
            )
        for value in (float("nan"), -1.0, 1e308):
            with self.assertRaises(UserError) as catcher:
                contract.write({"price_revision_cap": value})
            self.assertRegex(str(catcher.exception), r"^Revision cap \(%\) of")
        with self.assertRaises(UserError) as catcher:
            self.mission.write({"daily_cost": float("inf")})
        self.assertRegex(str(catcher.exception), "^Daily cost of")
        self.assertEqual(contract.budget_alert_thresholds, "80,100")
        self.assertFalse(contract.budget_amount)
        contract.write({"budget_amount": "4000", "budget_alert_thresholds": "50,100"})
        self.assertEqual(contract.budget_amount, 4000.0)

    def test_invoice_dates_that_are_not_dates(self):
        period = self._validated_month(self.mission, MARCH, days=2)
        for invoice_date, regex in (
            ("not-a-date", "^Invoice/Bill Date: 'not-a-date' is not a valid date"),
            ("2025-02-30", "^Invoice/Bill Date: '2025-02-30' is not a valid date"),
            (
                date(1900, 1, 1),
                r"^Invoice/Bill Date: 01/01/1900 is before the months "
                r"invoiced \(from 03/01/2025\)",
            ),
            ("9999-12-31", "^Invoice/Bill Date: 12/31/9999 is more than a year ahead"),
        ):
            with self.assertRaises(UserError) as catcher:
                self._invoice(period, invoice_date=invoice_date)
            self.assertRegex(str(catcher.exception), regex)
        self.assertEqual(period.state, "validated")
        self.assertFalse(period.sudo().invoice_id)
        move, _summary = self._invoice(period, invoice_date="2025-04-02")
        self.assertEqual(move.invoice_date, date(2025, 4, 2))

    def test_month_without_days_is_not_invoiced(self):
        lines = self._log_days(self.mission, MARCH, 1, hours=0.0)
        period = self._validate(lines.regie_period_id)
        self.assertEqual(period.state, "validated")
        with self.assertRaises(UserError) as catcher:
            self._invoice(period)
        self.assertIn(
            f"{period.name} has no validated day to invoice", str(catcher.exception)
        )
        self.assertEqual(period.state, "validated")
        self.assertFalse(
            self.env["account.move"].search([("partner_id", "=", self.client.id)])
        )

    def test_empty_month_is_validated_but_not_invoiced(self):
        # A month without any line (nobody worked) may be validated: the
        # client confirms that nothing is due. It is never invoiced at 0.
        month = (
            self.env["regie.timesheet.period"]
            .browse(self.env["regie.timesheet.period"].generate_periods(MARCH))
            .filtered(lambda period: period.mission_id == self.mission)
        )
        self.assertFalse(month.timesheet_ids)
        self._validate(month)
        self.assertEqual(month.state, "validated")
        with self.assertRaises(UserError) as catcher:
            self._invoice(month)
        self.assertIn(
            f"{month.name} has no validated day to invoice", str(catcher.exception)
        )
        self.assertEqual(month.state, "validated")

    def test_price_index_dates(self):
        for value in ("abc", "2025-13-01", 12, False):
            with self.assertRaises(UserError) as catcher:
                self.index.get_value(value)
            self.assertRegex(str(catcher.exception), "^Date")
        Value = self.env["regie.price.index.value"]
        for vals, regex in (
            ({"date": "abc", "value": 100.0}, "^Date: 'abc' is not a valid date"),
            ({"date": "2025-01-01", "value": float("nan")}, "^Value of"),
            ({"date": "2025-01-01", "value": 1e308}, "^Value of"),
            (
                {"date": "2025-01-01", "value": 100.0, "index_id": 999999},
                "^Index of .*999999 does not exist",
            ),
        ):
            with self.assertRaises(UserError) as catcher:
                Value.create({"index_id": self.index.id, **vals})
            self.assertRegex(str(catcher.exception), regex)
        self.assertFalse(self.index.value_ids)
        Value.create({"index_id": self.index.id, "date": "2025-01-15", "value": 100.0})
        self.assertEqual(self.index.get_value("2025-02-01"), 100.0)


@tagged("post_install", "-at_install")
class TestBadInputInvoicingXmlRpc(HttpCase):
    """Over XML-RPC, as an integration sends them."""

    def _rpc(self, model, method, *args, **kwargs):
        return self.xmlrpc_object.execute_kw(
            self.env.cr.dbname,
            self.env.ref("base.user_admin").id,
            "admin",
            model,
            method,
            list(args),
            kwargs,
        )

    def assertRpcRefused(self, regex, *args, **kwargs):
        with self.assertRaises(Exception) as catcher:
            self._rpc(*args, **kwargs)
        message = str(catcher.exception)
        self.assertRegex(message, regex)
        for raw in ("psycopg2", "_fkey", "OverflowError", "ValueError"):
            self.assertNotIn(raw, message)

    def test_rpc(self):
        contract = self.env["regie.contract"].search([], limit=1)
        self.assertTrue(contract)
        self.assertRpcRefused(
            "Budget Alert Thresholds of .*'1e400'",
            "regie.contract",
            "write",
            contract.ids,
            {"budget_alert_thresholds": "1e400"},
        )
        self.assertRpcRefused(
            "Budget Amount of .*out of range",
            "regie.contract",
            "write",
            contract.ids,
            {"budget_amount": 1e308},
        )
        index = self.env["regie.price.index"].create({"name": "RPC index"})
        self.assertRpcRefused(
            "Date: 'abc' is not a valid date",
            "regie.price.index",
            "get_value",
            index.ids,
            "abc",
        )
        month = self.env["regie.timesheet.period"].search(
            [("state", "=", "validated")], limit=1
        )
        if month:
            self.assertRpcRefused(
                "Invoice/Bill Date: 'not-a-date' is not a valid date",
                "regie.timesheet.period",
                "action_create_invoice",
                month.ids,
                invoice_date="not-a-date",
            )
