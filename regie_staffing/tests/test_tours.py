from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import fields
from odoo.tests import tagged

from .common_tour import RegieTourCase
from .test_portal import RegiePortalCommon


@tagged("post_install", "-at_install")
class TestTours(RegiePortalCommon, RegieTourCase):
    """Real-browser tours (headless Chromium): the client contact signs a
    month in the portal; the consultant logs a week in the ordinary timesheet
    list and submits the month."""

    def test_portal_validate_month_tour_en(self):
        self._portal_validate_month_tour("en_US")

    def test_portal_validate_month_tour_fr(self):
        self._portal_validate_month_tour("fr_FR")

    def _portal_validate_month_tour(self, lang):
        self.start_regie_tour(
            "/my", "regie_portal_validate_month", self.validator_user, lang
        )
        period = self._reload(self.period)
        self.assertEqual(period.state, "validated")
        self.assertEqual(period.validated_by_partner_id, self.validator)
        self.assertEqual(period.validated_by_id, self.validator_user)
        self.assertEqual(period.signed_by, self.validator.name)
        self.assertTrue(period.signature, "the drawn signature is kept")
        self.assertTrue(period._check_hash())
        # The other company's month was never touched.
        self.assertEqual(self._reload(self.other_period).state, "submitted")

    def test_consultant_log_week_and_submit_tour_en(self):
        self._consultant_log_week_and_submit_tour("en_US")

    def test_consultant_log_week_and_submit_tour_fr(self):
        self._consultant_log_week_and_submit_tour("fr_FR")

    def _consultant_log_week_and_submit_tour(self, lang):
        today = fields.Date.context_today(self.env.user)
        first = today.replace(day=1) - relativedelta(months=1)
        monday = first + timedelta(days=(7 - first.weekday()) % 7)
        contract = self._create_contract(
            date_start=first - relativedelta(months=6), date_end=False
        )
        contract.action_activate()
        contract.project_id.name = "Régie Tour Project"
        mission = self._create_mission(contract)
        self.start_regie_tour(
            "/odoo/timesheets",
            "regie_consultant_submit_month",
            self.consultant_user,
            lang,
        )
        lines = self.env["account.analytic.line"].search(
            [("project_id", "=", contract.project_id.id)], order="date"
        )
        self.assertEqual(
            lines.mapped("date"),
            [monday + timedelta(days=offset) for offset in range(5)],
        )
        self.assertEqual(lines.employee_id, self.employee)
        self.assertEqual(lines.regie_mission_id, mission)
        period = lines.regie_period_id
        self.assertEqual(len(period), 1)
        self.assertEqual(period.date_from, first)
        self.assertEqual(period.state, "submitted")
        self.assertEqual(period.submitted_by_id, self.consultant_user)
        self.assertAlmostEqual(period.total_hours, 40.0)
        self.assertAlmostEqual(period.total_days, 5.0)
