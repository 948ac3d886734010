from datetime import date, datetime

from freezegun import freeze_time

from odoo.tests import tagged

from .test_timesheet_period import RegiePeriodCommon


@tagged("post_install", "-at_install")
class TestPeriodCron(RegiePeriodCommon):
    """Scheduled actions: generation, tacit acceptance and reminders, each run
    twice without doing anything twice."""

    def _set_submitted_date(self, when):
        self.period.sudo()._period_workflow().write({"submitted_date": when})

    def _messages(self, text):
        return self.period.message_ids.filtered(
            lambda m: text in (m.body or "") or text in (m.subject or "")
        )

    def test_cron_generate_periods_current_month(self):
        Period = self.env["regie.timesheet.period"]
        with freeze_time("2025-06-10"):
            Period._cron_generate_periods()
            Period._cron_generate_periods()
        periods = Period.search([("date_from", "=", date(2025, 6, 1))])
        self.assertEqual(periods.mission_id, self.mission)
        self.assertEqual(len(periods), 1)

    def test_tacit_acceptance_after_delay(self):
        self.contract.tacit_acceptance_days = 3
        self._submit()
        self._set_submitted_date(datetime(2025, 4, 1, 9, 0))
        Period = self.env["regie.timesheet.period"]
        with freeze_time("2025-04-03 10:00"):
            Period._cron_tacit_acceptance()
        self.assertEqual(self.period.state, "submitted")
        with freeze_time("2025-04-04 10:00"):
            Period._cron_tacit_acceptance()
            Period._cron_tacit_acceptance()
        period = self.period
        self.assertEqual(period.state, "validated")
        self.assertTrue(period.tacit_acceptance)
        self.assertFalse(period.validated_by_id)
        self.assertTrue(period._check_hash())
        self.assertEqual(len(self._messages("tacit acceptance")), 1)

    def test_no_tacit_acceptance_without_clause(self):
        self._submit()
        self._set_submitted_date(datetime(2025, 4, 1, 9, 0))
        self.env["regie.timesheet.period"]._cron_tacit_acceptance()
        self.assertEqual(self.period.state, "submitted")

    def test_submit_reminder_once(self):
        Period = self.env["regie.timesheet.period"]
        with freeze_time("2025-03-20"):
            Period._cron_send_reminders()
        self.assertFalse(self.period.activity_ids, "the month is not over")
        with freeze_time("2025-04-02"):
            Period._cron_send_reminders()
            Period._cron_send_reminders()
        activities = self.period.activity_ids
        self.assertEqual(len(activities), 1)
        self.assertEqual(activities.user_id, self.consultant_user)
        self.assertEqual(self.period.submit_reminder_date, date(2025, 4, 2))
        reminders = self._messages("Please submit")
        self.assertEqual(len(reminders), 1)
        self.assertIn(self.consultant_user.partner_id, reminders.partner_ids)
        self._submit()
        self.assertFalse(self.period.activity_ids, "submitting ends the reminder")

    def test_validation_reminder_once(self):
        self._set_leads(self.contract, self.other_lead_user)
        self._submit()
        Period = self.env["regie.timesheet.period"]
        with freeze_time("2025-04-01"):
            Period._cron_send_reminders()
        self.assertFalse(self.period.activity_ids, "the deadline is not near")
        with freeze_time("2025-04-03"):
            Period._cron_send_reminders()
            Period._cron_send_reminders()
        activities = self.period.activity_ids
        self.assertEqual(len(activities), 1)
        self.assertEqual(activities.user_id, self.other_lead_user)
        reminders = self._messages("waiting for your")
        self.assertEqual(len(reminders), 1)
        self.assertIn(self.client, reminders.partner_ids)
        self.assertEqual(self.period.validation_reminder_date, date(2025, 4, 3))
        self.period.with_user(self.other_lead_user).action_validate()
        # Only the consultant's "validated" activity is left.
        self.assertFalse(
            self.period.activity_ids
            - self.period.activity_search(
                ["regie_staffing.mail_activity_type_regie_month"]
            ),
            "validating ends the reminder",
        )

    def test_reminder_again_after_new_submission(self):
        self._submit()
        Period = self.env["regie.timesheet.period"]
        with freeze_time("2025-04-03"):
            Period._cron_send_reminders()
        self.period.with_user(self.lead_user).action_contest("Wrong")
        self.period.dispute_ids.with_user(self.lead_user).action_reject("Right")
        self.assertFalse(self.period.validation_reminder_date)
        with freeze_time("2025-04-04"):
            Period._cron_send_reminders()
        self.assertEqual(len(self._messages("waiting for your")), 2)
