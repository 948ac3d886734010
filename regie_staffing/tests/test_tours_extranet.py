from datetime import date

from odoo.tests import tagged

from .common_tour import RegieTourCase
from .test_extranet import MAY, ExtranetCommon


@tagged("post_install", "-at_install")
class TestToursExtranet(ExtranetCommon, RegieTourCase):
    """Real-browser tour of a freelancer with a portal user only: from the
    portal home to his month, a day and a half logged, saved, submitted after
    the warnings."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_extranet()
        calendar = cls.env["resource.calendar"].create(
            {"name": "Freelance 40 h", "tz": "Europe/Paris"}
        )
        cls.employee.resource_calendar_id = calendar
        cls.env["resource.calendar"]._regie_add_french_public_holidays(
            years=[MAY.year], calendars=calendar
        )

    def test_extranet_month_tour_en(self):
        self._extranet_month_tour("en_US")

    def test_extranet_month_tour_fr(self):
        self._extranet_month_tour("fr_FR")

    def _extranet_month_tour(self, lang):
        self.start_regie_tour("/my", "regie_extranet_month", self.freelancer, lang)
        period = self.period
        period.invalidate_recordset()
        self.assertEqual(period.state, "submitted")
        self.assertEqual(period.submitted_by_id, self.freelancer)
        lines = period.timesheet_ids.sorted("date")
        self.assertEqual(lines.mapped("date"), [date(2026, 5, 4), date(2026, 5, 5)])
        self.assertEqual(lines.mapped("unit_amount"), [8.0, 4.0])
        self.assertEqual(lines.mapped("name"), ["Kick-off", "/"])
        self.assertEqual(period.total_days, 1.5)
