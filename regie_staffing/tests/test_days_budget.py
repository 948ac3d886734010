from datetime import date

from odoo.tests import tagged

from .common import RegieCommon


@tagged("post_install", "-at_install")
class TestDaysBudget(RegieCommon):
    """The days budget of a contract and the estimated days of a mission alert
    the account manager when the time logged goes beyond them, once."""

    def _alerts(self, record):
        return record.activity_ids.filtered(
            lambda activity: (
                activity.activity_type_id
                == self.env.ref("mail.mail_activity_data_warning")
            )
        )

    def _log_as_consultant(self, day, hours=8.0):
        return (
            self.env["account.analytic.line"]
            .with_user(self.consultant_user)
            .create(
                {
                    "name": "Work",
                    "project_id": self.contract.project_id.id,
                    "employee_id": self.employee.id,
                    "date": day,
                    "unit_amount": hours,
                }
            )
        )

    def test_alerts_when_time_goes_beyond_the_days(self):
        self.contract.write({"budget_days": 3.0, "hours_per_day": 8.0})
        self.mission.estimated_days = 2.0
        self._activate()
        self._log_as_consultant(date(2025, 3, 3))
        self._log_as_consultant(date(2025, 3, 4))
        self.assertFalse(self._alerts(self.mission) | self._alerts(self.contract))
        self._log_as_consultant(date(2025, 3, 5))
        alert = self._alerts(self.mission)
        self.assertEqual(len(alert), 1)
        self.assertEqual(alert.user_id, self.lead_user)
        self.assertIn("3.00 days logged for 2.00 estimated days", alert.note)
        self.assertFalse(self._alerts(self.contract))
        self._log_as_consultant(date(2025, 3, 6))
        alert = self._alerts(self.contract)
        self.assertEqual(len(alert), 1)
        self.assertIn("4.00 days logged for 3.00 days budget", alert.note)
        # No second alert while it stays beyond.
        self._log_as_consultant(date(2025, 3, 7))
        self.assertEqual(len(self._alerts(self.mission)), 1)
        self.assertEqual(len(self._alerts(self.contract)), 1)

    def test_no_budget_no_alert(self):
        self._activate()
        self._log_as_consultant(date(2025, 3, 3))
        self.assertFalse(self._alerts(self.mission) | self._alerts(self.contract))
