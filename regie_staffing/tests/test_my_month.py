from datetime import date

from freezegun import freeze_time

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import RegieCommon

MONTH_ACTIVITY = "regie_staffing.mail_activity_type_regie_month"


@tagged("post_install", "-at_install")
class TestMyMonth(RegieCommon):
    """The consultant's month: "My month", the month label, submitting with a
    warning from the month or from the timesheet lines, following his months,
    the activities of their contest, re-opening and validation, and the lock
    error naming who can re-open a month."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.contract.hours_per_day = 8.0
        cls.contract.action_activate()
        cls.Period = cls.env["regie.timesheet.period"]
        cls.Line = cls.env["account.analytic.line"]

    def _my_month(self):
        return self.Period.with_user(self.consultant_user).action_open_my_month()

    def _month_activity(self, period):
        return period.activity_ids.filtered(
            lambda act: act.activity_type_id == self.env.ref(MONTH_ACTIVITY)
        )

    def _log_as_consultant(self, day, hours=8.0, project=None):
        return self.Line.with_user(self.consultant_user).create(
            {
                "name": "Work",
                "project_id": (project or self.contract.project_id).id,
                "employee_id": self.employee.id,
                "date": day,
                "unit_amount": hours,
            }
        )

    # ------------------------------------------------------------------
    # My month
    # ------------------------------------------------------------------

    @freeze_time("2025-03-18")
    def test_my_month_creates_and_opens_the_current_month(self):
        action = self._my_month()
        period = self.Period.search([("mission_id", "=", self.mission.id)])
        self.assertEqual(period.date_from, date(2025, 3, 1))
        self.assertEqual(period.state, "draft")
        self.assertEqual(action["res_model"], "regie.timesheet.period")
        self.assertEqual(action["res_id"], period.id)
        self.assertEqual(action["views"][0][1], "form")
        # Opening it again opens the same month.
        self.assertEqual(self._my_month()["res_id"], period.id)

    @freeze_time("2025-03-03")
    def test_my_month_opens_last_month_until_it_is_submitted(self):
        line = self._log_as_consultant(date(2025, 2, 27))
        february = line.regie_period_id
        self.assertEqual(self._my_month()["res_id"], february.id)
        february.with_user(self.consultant_user).action_submit()
        march = self.Period.browse(self._my_month()["res_id"])
        self.assertEqual(march.date_from, date(2025, 3, 1))
        self.assertEqual(march.mission_id, self.mission)

    @freeze_time("2025-03-18")
    def test_my_month_lists_the_months_of_several_missions(self):
        other_contract = self._create_contract()
        other_contract.action_activate()
        other_mission = self._create_mission(other_contract)
        action = self._my_month()
        periods = self.Period.search(action["domain"])
        self.assertEqual(periods.mission_id, self.mission | other_mission)
        self.assertEqual(set(periods.mapped("date_from")), {date(2025, 3, 1)})
        self.assertFalse(action.get("res_id"))

    @freeze_time("2026-03-18")
    def test_my_month_without_mission_says_so(self):
        action = self._my_month()
        self.assertEqual(action["tag"], "display_notification")
        self.assertEqual(action["params"]["type"], "warning")
        self.assertEqual(
            action["params"]["next"]["res_model"], "regie.timesheet.period"
        )
        self.assertFalse(
            self.Period.search(
                [
                    ("employee_id", "=", self.employee.id),
                    ("date_from", ">", date(2026, 1, 1)),
                ]
            )
        )
        no_employee = self.Period.with_user(self.lead_user).action_open_my_month()
        self.assertIn("employee", no_employee["params"]["message"])

    def test_month_label_in_the_user_language(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        line = self._log_time(self.employee, date(2025, 11, 3), 8.0)
        period = line.regie_period_id
        self.assertEqual(period.with_context(lang="en_US").month_label, "11/2025")
        self.assertEqual(period.with_context(lang="fr_FR").month_label, "11/2025")
        self.assertIn("11/2025", period.display_name)

    # ------------------------------------------------------------------
    # Submit with a warning
    # ------------------------------------------------------------------

    @freeze_time("2025-03-18")
    def test_submit_warns_when_the_month_is_not_over_and_incomplete(self):
        period = self._log_as_consultant(date(2025, 3, 3)).regie_period_id
        period = period.with_user(self.consultant_user)
        action = period.action_confirm_submit()
        self.assertEqual(action["res_model"], "regie.timesheet.period.submit")
        self.assertEqual(period.state, "draft", "nothing submitted before confirming")
        wizard = (
            self.env[action["res_model"]]
            .with_user(self.consultant_user)
            .with_context(**action["context"])
            .create({})
        )
        self.assertIn("03/31/2025", wizard.warning)
        self.assertIn("the month is not over", wizard.warning)
        self.assertIn("1.00 days logged for 21.00 working days", wizard.warning)
        wizard.action_confirm()
        self.assertEqual(period.state, "submitted")
        self.assertEqual(period.submitted_by_id, self.consultant_user)

    @freeze_time("2025-04-02")
    def test_submit_a_complete_past_month_without_warning(self):
        lines = self.env["account.analytic.line"]
        for day in range(1, 32):
            if date(2025, 3, day).weekday() < 5:
                lines |= self._log_as_consultant(date(2025, 3, day))
        period = lines.regie_period_id.with_user(self.consultant_user)
        self.assertEqual(period._get_submit_warnings(), {period.id: []})
        self.assertTrue(period.action_confirm_submit())
        self.assertEqual(period.state, "submitted")

    @freeze_time("2025-03-18")
    def test_submit_month_from_the_timesheet_lines(self):
        line = self._log_as_consultant(date(2025, 3, 3))
        action = line.with_user(self.consultant_user).action_regie_submit_months()
        self.assertEqual(
            action["context"]["default_period_ids"], line.regie_period_id.ids
        )
        # Without selection: the consultant's month.
        action = self.Line.with_user(self.consultant_user).action_regie_submit_months()
        self.assertEqual(
            action["context"]["default_period_ids"], line.regie_period_id.ids
        )
        line.regie_period_id.with_user(self.consultant_user).action_submit()
        with self.assertRaises(UserError):
            line.with_user(self.consultant_user).action_regie_submit_months()

    # ------------------------------------------------------------------
    # Following and activities
    # ------------------------------------------------------------------

    def test_consultant_follows_his_months_and_is_told_of_each_step(self):
        # Created by someone else (the manager logs the time).
        line = self._log_time(self.employee, date(2025, 3, 3), 8.0)
        period = line.regie_period_id
        self.assertIn(self.consultant_user.partner_id, period.message_partner_ids)
        self.assertFalse(self._month_activity(period))

        period.with_user(self.consultant_user).action_submit()
        period.with_user(self.lead_user).action_contest("Wrong day")
        activity = self._month_activity(period)
        self.assertEqual(activity.user_id, self.consultant_user)
        self.assertIn("contested", activity.summary)
        self.assertIn("03/2025", activity.summary)
        self.assertIn("Wrong day", activity.note)

        period.dispute_ids.with_user(self.lead_user).action_accept("Fixed")
        activity = self._month_activity(period)
        self.assertEqual(len(activity), 1, "the contest activity is replaced")
        self.assertIn("re-opened", activity.summary)

        period.with_user(self.consultant_user).action_submit()
        self.assertFalse(self._month_activity(period), "submitting is what was asked")
        period.with_user(self.lead_user).action_validate()
        activity = self._month_activity(period)
        self.assertEqual(activity.user_id, self.consultant_user)
        self.assertIn("validated", activity.summary)

    def test_activity_in_the_consultant_language(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.consultant_user.lang = "fr_FR"
        period = self._log_time(self.employee, date(2025, 3, 3), 8.0).regie_period_id
        period.action_submit()
        period.with_user(self.lead_user).action_validate()
        self.assertEqual(
            self._month_activity(period).summary,
            period.with_context(lang="fr_FR")._get_consultant_summary("validated"),
        )

    # ------------------------------------------------------------------
    # Lock errors
    # ------------------------------------------------------------------

    def test_lock_error_names_who_can_reopen(self):
        self.contract.project_lead_ids = self.other_lead_user | self.manager_user
        line = self._log_as_consultant(date(2025, 3, 3))
        period = line.regie_period_id
        period.with_user(self.consultant_user).action_submit()
        with self.assertRaises(UserError) as error:
            line.with_user(self.consultant_user).unit_amount = 4.0
        message = str(error.exception)
        self.assertIn(self.lead_user.name, message)
        self.assertIn(self.other_lead_user.name, message)
        self.assertIn("re-open", message)

        period.with_user(self.lead_user).action_validate()
        with self.assertRaises(UserError) as error:
            line.with_user(self.consultant_user).unlink()
        message = str(error.exception)
        self.assertIn("Only a régie manager can re-open it", message)
        self.assertIn(self.manager_user.name, message)
        self.assertNotIn(self.other_lead_user.name, message)
