from datetime import date, datetime

from freezegun import freeze_time

from odoo.tests import tagged

from .common import RegieCommon

MAY = date(2026, 5, 1)


@tagged("post_install", "-at_install")
class TestWorkingCalendar(RegieCommon):
    """The month knows the consultant's working calendar: his schedule,
    public holidays and approved time off; the CRA shows them, the client
    reads "Public holiday" and "Absence", never the kind of leave, and
    submitting warns about what does not fit."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.contract = cls._create_contract(
            date_start=date(2026, 1, 1), date_end=date(2026, 12, 31)
        )
        cls.mission = cls._create_mission(cls.contract)
        cls.calendar = cls.env["resource.calendar"].create(
            {"name": "Standard 40 h", "tz": "Europe/Paris"}
        )
        cls.employee.write(
            {"resource_calendar_id": cls.calendar.id, "tz": "Europe/Paris"}
        )
        cls.contract.action_activate()
        if cls.mission.state == "draft":
            cls.mission.action_start()

    def _holidays(self, year=2026):
        return self.env["resource.calendar"]._regie_add_french_public_holidays(
            years=[year], calendars=self.calendar
        )

    def _month(self, *days_hours):
        lines = self.env["account.analytic.line"]
        for day, hours in days_hours:
            lines |= self._log_time(self.employee, day, hours)
        return lines.regie_period_id

    def test_french_public_holidays(self):
        leaves = self._holidays()
        days = sorted(
            leave.date_from.date().isoformat()
            for leave in leaves
            # Midnight in Paris is the evening before in UTC.
        )
        self.assertEqual(len(leaves), 11)
        self.assertIn("2026-04-05", days, "Easter Monday 2026, from UTC")
        self.assertIn("2026-05-13", days, "Ascension Day 2026, from UTC")
        self.assertIn("2026-05-24", days, "Whit Monday 2026, from UTC")
        self.assertFalse(leaves.resource_id, "global time off")
        self.assertEqual(leaves.calendar_id, self.calendar)
        self.assertFalse(self._holidays(), "a second run adds nothing")

    def test_month_counts_public_holidays(self):
        self._holidays()
        period = self._month((date(2026, 5, 4), 8.0))
        # May 2026: 21 weekdays, four holidays on weekdays (1, 8, 14, 25 May).
        self.assertEqual(
            period.public_holiday_dates,
            ["2026-05-01", "2026-05-08", "2026-05-14", "2026-05-25"],
        )
        self.assertEqual(period.public_holiday_days, 4.0)
        self.assertEqual(period.expected_days, 17.0)
        # Another schedule's holidays are not his.
        other = self.env["resource.calendar"].create({"name": "Other"})
        self.env["resource.calendar.leaves"].create(
            {
                "name": "Other holiday",
                "calendar_id": other.id,
                "date_from": datetime(2026, 5, 5, 0, 0),
                "date_to": datetime(2026, 5, 5, 20, 0),
            }
        )
        period.invalidate_recordset()
        self.assertEqual(period.public_holiday_days, 4.0)

    @freeze_time("2026-06-02")
    def test_submit_warns_about_the_calendar(self):
        self._holidays()
        activity = self.env["regie.activity.type"].create(
            {"name": "On call", "multiplier": 1.5}
        )
        period = self._month(
            (date(2026, 5, 1), 8.0),  # Labour Day, plain time
            (date(2026, 5, 9), 4.0),  # a Saturday
            (date(2026, 5, 4), 11.0),  # above 8 h + 2 h of tolerance
            (date(2026, 5, 5), 10.0),  # within the tolerance
        )
        on_call = self._log_time(self.employee, date(2026, 5, 8), 4.0)
        on_call.regie_activity_type_id = activity
        messages = period.with_user(self.consultant_user)._get_submit_warnings()[
            period.id
        ]
        text = "\n".join(messages)
        self.assertIn(
            "public holidays without an exceptional activity type: 05/01/2026", text
        )
        self.assertNotIn("05/08/2026", text.split("public holidays")[1].split("\n")[0])
        self.assertIn(
            "(weekends) without an exceptional activity type: 05/09/2026", text
        )
        self.assertIn("more than 10.00 hours logged on 05/04/2026", text)
        self.assertNotIn("05/05/2026 (the contract", text)
        # 17 working days, two of them logged (4 and 5 May).
        self.assertIn("no time logged on 15 working days: 05/06/2026", text)

        self.contract.hours_per_day_margin = 4.0
        text = "\n".join(period._get_submit_warnings()[period.id])
        self.assertNotIn("more than", text)

    @freeze_time("2026-06-02")
    def test_submit_warning_in_french(self):
        self._holidays()
        self.env["res.lang"]._activate_lang("fr_FR")
        self.consultant_user.lang = "fr_FR"
        period = self._month((date(2026, 5, 1), 8.0))
        text = "\n".join(
            period.with_user(self.consultant_user)
            .with_context(lang="fr_FR")
            ._get_submit_warnings()[period.id]
        )
        self.assertIn("01/05/2026", text)
        self.assertNotIn("05/01/2026", text)

    def test_tolerance_is_checked(self):
        with self.assertRaises(Exception) as error:
            self.contract.hours_per_day_margin = -1
        self.assertIn("tolerance above hours per day", str(error.exception))

    def test_cra_shows_public_holidays(self):
        self._holidays()
        period = self._month((date(2026, 5, 4), 8.0))
        report = self.env.ref("regie_staffing.action_report_regie_timesheet_period")
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html(report.id, period.ids)[0]
            .decode()
        )
        self.assertIn("o_regie_day_holiday", html)
        self.assertEqual(html.count("o_regie_day_holiday"), 4)
        self.assertIn("Expected working days", html)
        self.assertIn("Public holiday", html)
