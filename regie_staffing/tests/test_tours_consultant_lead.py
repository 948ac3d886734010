from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import fields
from odoo.tests import new_test_user, tagged

from .common import RegieCommon
from .common_tour import RegieTourCase

MONTH_ACTIVITY = "regie_staffing.mail_activity_type_regie_month"


@tagged("post_install", "-at_install")
class TestToursConsultantLead(RegieCommon, RegieTourCase):
    """Real-browser tours of the consultant (log a week in Timesheets, open
    "My month", submit it, see the activity of its contest) and of the project
    lead (validate two months from the list, contest a third one with lines
    and a reason)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        today = fields.Date.context_today(cls.env.user)
        cls.first = today.replace(day=1) - relativedelta(months=1)
        cls.tour_contract = cls._create_contract(
            date_start=cls.first - relativedelta(months=6), date_end=False
        )
        cls.tour_contract.action_activate()
        cls.tour_contract.project_id.name = "Régie Tour Project"

    # ------------------------------------------------------------------
    # Consultant
    # ------------------------------------------------------------------

    def test_consultant_log_week_and_submit_tour_en(self):
        self._consultant_log_week_and_submit_tour("en_US")

    def test_consultant_log_week_and_submit_tour_fr(self):
        self._consultant_log_week_and_submit_tour("fr_FR")

    def _consultant_log_week_and_submit_tour(self, lang):
        monday = self.first + timedelta(days=(7 - self.first.weekday()) % 7)
        mission = self._create_mission(self.tour_contract)
        self.start_regie_tour(
            "/odoo", "regie_consultant_submit_month", self.consultant_user, lang
        )
        lines = self.env["account.analytic.line"].search(
            [("project_id", "=", self.tour_contract.project_id.id)], order="date"
        )
        self.assertEqual(
            lines.mapped("date"),
            [monday + timedelta(days=offset) for offset in range(5)],
        )
        self.assertEqual(lines.employee_id, self.employee)
        self.assertEqual(lines.regie_mission_id, mission)
        period = lines.regie_period_id
        self.assertEqual(len(period), 1)
        self.assertEqual(period.date_from, self.first)
        self.assertEqual(period.state, "submitted")
        self.assertEqual(period.submitted_by_id, self.consultant_user)
        self.assertAlmostEqual(period.total_hours, 40.0)
        self.assertAlmostEqual(period.total_days, 5.0)
        self.assertIn(self.consultant_user.partner_id, period.message_partner_ids)

        # The project lead contests it: the consultant gets an activity, in
        # his language, and sees it from his activities.
        period.with_user(self.lead_user).action_contest("Two days are missing.")
        activity = period.activity_ids.filtered(
            lambda act: act.activity_type_id == self.env.ref(MONTH_ACTIVITY)
        )
        self.assertEqual(activity.user_id, self.consultant_user)
        # Written in the consultant's language (the tour set it).
        self.assertEqual(
            activity.summary,
            period.with_context(lang=lang)._get_consultant_summary("contested"),
        )
        self.assertIn(period.month_label, activity.summary)
        self.assertIn("Two days are missing.", activity.note)
        self.start_regie_tour(
            "/odoo", "regie_consultant_contest_activity", self.consultant_user, lang
        )
        self.assertEqual(period.state, "contested")

    # ------------------------------------------------------------------
    # Project lead
    # ------------------------------------------------------------------

    def test_lead_validate_and_contest_tour_en(self):
        self._lead_validate_and_contest_tour("en_US")

    def test_lead_validate_and_contest_tour_fr(self):
        self._lead_validate_and_contest_tour("fr_FR")

    def _lead_validate_and_contest_tour(self, lang):
        periods = {}
        for name in ("Tour Alice", "Tour Bruno", "Tour Chloé"):
            user = new_test_user(
                self.env,
                login=name.lower().replace(" ", "_"),
                name=name,
                groups="regie_staffing.group_consultant",
            )
            employee = self.env["hr.employee"].create(
                {"name": name, "user_id": user.id}
            )
            self._create_mission(self.tour_contract, employee_id=employee.id)
            lines = self.env["account.analytic.line"].create(
                [
                    {
                        "name": f"Tour line {day}",
                        "project_id": self.tour_contract.project_id.id,
                        "employee_id": employee.id,
                        "date": self.first + timedelta(days=day),
                        "unit_amount": 8.0,
                    }
                    for day in (1, 2, 3)
                ]
            )
            periods[name] = lines.regie_period_id
            periods[name].action_submit()
        self.start_regie_tour(
            "/odoo", "regie_lead_validate_contest", self.lead_user, lang
        )
        for name in ("Tour Alice", "Tour Bruno"):
            self.assertEqual(periods[name].state, "validated")
            self.assertEqual(periods[name].validated_by_id, self.lead_user)
            self.assertTrue(periods[name]._check_hash())
        contested = periods["Tour Chloé"]
        self.assertEqual(contested.state, "contested")
        self.assertEqual(contested.contested_by_id, self.lead_user)
        dispute = contested.dispute_ids
        self.assertEqual(len(dispute), 1)
        self.assertEqual(dispute.reason, "Two days were not worked on the project.")
        self.assertEqual(
            sorted(dispute.line_ids.mapped("name")), ["Tour line 1", "Tour line 2"]
        )
        # Each consultant was told, by an activity on his month.
        for name, period in periods.items():
            activity = period.activity_ids.filtered(
                lambda act: act.activity_type_id == self.env.ref(MONTH_ACTIVITY)
            )
            self.assertEqual(activity.user_id, period.user_id, name)
