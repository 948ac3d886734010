from datetime import date

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from .common import RegieInvoicingCommon

MARCH = date(2025, 3, 1)
APRIL = date(2025, 4, 1)


@tagged("post_install", "-at_install")
class TestBudget(RegieInvoicingCommon):
    def _alerts(self, contract):
        return contract.activity_ids.filtered(
            lambda a: (
                a.activity_type_id == self.env.ref("mail.mail_activity_data_warning")
            )
        )

    def test_crossing_a_threshold_alerts_once(self):
        self.contract.budget_amount = 6000.0
        march = self._validated_month(self.mission, MARCH, days=8)
        self._invoice(march)
        self.assertEqual(self.contract.invoiced_amount, 4000.0)
        self.assertFalse(self._alerts(self.contract))
        april = self._validated_month(self.mission, APRIL, days=2)
        self._invoice(april)
        self.assertAlmostEqual(self.contract.budget_consumed, 83.33, places=2)
        alerts = self._alerts(self.contract)
        self.assertEqual(len(alerts), 1)
        self.assertEqual(alerts.user_id, self.lead)
        self.assertIn("threshold 80%", self.contract.message_ids[0].body)

    def test_crossing_two_thresholds_at_once_alerts_the_highest(self):
        self.contract.budget_amount = 4500.0
        self._invoice(self._validated_month(self.mission, MARCH, days=10))
        self.assertEqual(len(self._alerts(self.contract)), 1)
        self.assertIn("threshold 100%", self.contract.message_ids[0].body)

    def test_invalid_thresholds_are_refused(self):
        with self.assertRaises(ValidationError):
            self.contract.budget_alert_thresholds = "80,abc"
        with self.assertRaises(ValidationError):
            self.contract.budget_alert_thresholds = "-5"

    def test_hard_stop_refuses_invoicing_beyond_the_budget(self):
        period = self._validated_month(self.mission, MARCH, days=10)
        self.contract.write({"budget_amount": 4000.0, "budget_hard_stop": True})
        with self.assertRaises(UserError) as refused:
            self._invoice(period)
        # The amounts read as money, not as raw floats.
        message = str(refused.exception)
        self.assertIn("hard stop", message)
        self.assertIn("5,000.00", message)
        self.assertIn("4,000.00", message)
        self.assertNotIn("5000.0", message)
        self.assertEqual(period.state, "validated")
        self.contract.with_user(self.manager).action_override_budget()
        self.assertTrue(self.contract.budget_override)
        self.assertIn("Budget override", self.contract.message_ids[0].body)
        self._invoice(period)
        self.assertEqual(period.state, "invoiced")

    def test_hard_stop_never_refuses_a_validation(self):
        """The days were worked: the lead validates and the client signs in
        the portal beyond the budget; the stop applies at invoicing."""
        self.contract.write({"budget_amount": 4000.0, "budget_hard_stop": True})
        period = self._log_days(self.mission, MARCH, 10).regie_period_id
        period.with_user(self.lead).action_submit()
        period.with_user(self.lead).action_validate()
        self.assertEqual(period.state, "validated")
        client_contact = self.env["res.partner"].create(
            {"name": "Claire Client", "parent_id": self.client.id}
        )
        self.contract.client_manager_id = client_contact
        april = self._log_days(self.mission, APRIL, 10).regie_period_id
        april.with_user(self.lead).action_submit()
        april._portal_validate(client_contact, signed_by="Claire Client")
        self.assertEqual(april.state, "validated")
        with self.assertRaisesRegex(UserError, "hard stop"):
            self._invoice(period | april)

    def test_changing_the_budget_drops_the_override(self):
        self.contract.write({"budget_amount": 4000.0, "budget_hard_stop": True})
        self.contract.with_user(self.manager).action_override_budget()
        self.contract.budget_amount = 5000.0
        self.assertFalse(self.contract.budget_override)

    def test_only_managers_override_and_nobody_writes_the_flag(self):
        self.contract.write({"budget_amount": 4000.0, "budget_hard_stop": True})
        with self.assertRaises(AccessError):
            self.contract.with_user(self.lead).action_override_budget()
        with self.assertRaises(UserError):
            self.contract.with_user(self.manager).write({"budget_override": True})
        self.contract.with_user(self.accountant).action_override_budget()
        self.assertTrue(self.contract.budget_override)
