from datetime import date

from psycopg2 import IntegrityError

from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import RegieCommon


@tagged("post_install", "-at_install")
class TestMission(RegieCommon):
    def _add_rate(self, day, rate, mission=None):
        return self.env["regie.mission.rate"].create(
            {
                "mission_id": (mission or self.mission).id,
                "date_from": day,
                "daily_rate": rate,
            }
        )

    def test_mission_defaults_to_contract_dates_and_first_rate(self):
        self.assertEqual(self.mission.date_start, date(2025, 1, 1))
        self.assertEqual(self.mission.date_end, date(2025, 12, 31))
        self.assertEqual(len(self.mission.rate_ids), 1)
        self.assertEqual(self.mission.rate_ids.date_from, date(2025, 1, 1))
        self.assertEqual(self.mission.rate_ids.daily_rate, 500.0)
        self.assertEqual(self.mission.user_id, self.consultant_user)

    def test_single_rate_follows_daily_rate(self):
        self.mission.daily_rate = 520.0
        self.assertEqual(self.mission.rate_ids.daily_rate, 520.0)

    def test_rate_of_a_day_is_latest_rate_starting_on_or_before(self):
        self._add_rate(date(2025, 4, 1), 550.0)
        self._add_rate(date(2025, 7, 1), 600.0)
        # Public API: whoever may read the rates (see test_access_hardening).
        mission = self.mission.with_user(self.lead_user)
        self.assertEqual(mission.get_rate(date(2025, 1, 1)), 500.0)
        self.assertEqual(mission.get_rate("2025-03-31"), 500.0)
        self.assertEqual(mission.get_rate("2025-04-01"), 550.0)
        self.assertEqual(mission.get_rate(date(2025, 6, 30)), 550.0)
        self.assertEqual(mission.get_rate("2025-12-31"), 600.0)
        self.assertIsInstance(mission.get_rate("2025-12-31"), float)

    def test_rate_of_an_invalid_date_refused(self):
        with self.assertRaises(UserError):
            self.mission.get_rate("31/12/2025")

    def test_rate_before_any_dated_rate_is_daily_rate(self):
        mission = self._create_mission(
            self.contract, date_start=date(2025, 2, 1), daily_rate=450.0
        )
        self.assertEqual(mission.get_rate("2025-01-15"), 450.0)

    def test_duplicate_rate_date_refused(self):
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError):
            self._add_rate(date(2025, 1, 1), 550.0)

    def test_daily_rate_must_be_positive(self):
        for rate in (0.0, -100.0):
            with self.assertRaises(ValidationError):
                self._create_mission(self.contract, daily_rate=rate)

    def test_rate_line_must_be_positive(self):
        with self.assertRaises(ValidationError):
            self.mission.rate_ids.daily_rate = 0.0
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError):
            self._add_rate(date(2025, 5, 1), -1.0)

    def test_mission_outside_contract_refused(self):
        cases = [
            {"date_start": date(2024, 12, 31)},
            {"date_start": date(2025, 6, 1), "date_end": date(2026, 1, 1)},
            {"date_start": date(2025, 6, 1), "date_end": date(2025, 5, 31)},
        ]
        for vals in cases:
            with self.assertRaises(ValidationError):
                self._create_mission(self.contract, **vals)

    def test_contract_dates_cannot_leave_missions_outside(self):
        with self.assertRaises(ValidationError):
            self.contract.date_end = date(2025, 6, 30)

    def test_mission_state_actions(self):
        mission = self.mission.with_user(self.lead_user)
        with self.assertRaises(UserError):
            mission.action_start()
        self._activate()
        self.assertEqual(mission.state, "active")
        self.assertIs(mission.action_done(), True)
        self.assertEqual(mission.state, "done")
        with self.assertRaises(UserError):
            mission.action_cancel()
        other = self._create_mission(self.contract, employee_id=self.other_employee.id)
        self.assertIs(other.with_user(self.lead_user).action_start(), True)
        self.assertIs(other.with_user(self.lead_user).action_cancel(), True)
        self.assertEqual(other.state, "cancelled")

    def test_deliverable_workflow(self):
        deliverable = (
            self.env["regie.mission.deliverable"]
            .with_user(self.lead_user)
            .create({"mission_id": self.mission.id, "name": "Architecture document"})
        )
        self.assertEqual(deliverable.state, "planned")
        with self.assertRaises(UserError):
            deliverable.action_accept()
        self.assertIs(deliverable.action_deliver(), True)
        self.assertEqual(deliverable.state, "delivered")
        self.assertTrue(deliverable.delivered_date)
        with self.assertRaises(UserError):
            deliverable.action_reject()
        self.assertIs(deliverable.action_reject("Missing diagrams"), True)
        self.assertEqual(deliverable.state, "rejected")
        self.assertEqual(deliverable.rejection_reason, "Missing diagrams")
        deliverable.action_deliver()
        self.assertIs(deliverable.action_accept(), True)
        self.assertEqual(deliverable.state, "accepted")
        self.assertEqual(deliverable.accepted_by_id, self.lead_user)
        self.assertTrue(deliverable.accepted_date)
        self.assertIs(deliverable.action_reset(), True)
        self.assertEqual(deliverable.state, "planned")
        self.assertFalse(deliverable.accepted_by_id)

    def test_consumed_and_remaining_days_from_timesheets(self):
        self._create_mission(self.contract, employee_id=self.other_employee.id)
        self._activate()
        self.contract.hours_per_day = 8.0
        line = self._log_time(self.employee, date(2025, 2, 3), 8.0)
        self._log_time(self.employee, date(2025, 2, 4), 4.0)
        self._log_time(self.other_employee, date(2025, 2, 4), 8.0)
        self.assertEqual(line.regie_mission_id, self.mission)
        self.assertEqual(line.regie_contract_id, self.contract)
        self.assertEqual(line.regie_days, 1.0)
        self.assertEqual(self.mission.consumed_days, 1.5)
        self.assertEqual(self.mission.remaining_days, 8.5)
        self.assertEqual(self.contract.timesheet_count, 3)
        self.contract.hours_per_day = 6.0
        self.assertAlmostEqual(line.regie_days, 8.0 / 6.0)

    def test_timesheet_outside_mission_dates_refused(self):
        self.mission.date_end = date(2025, 3, 31)
        self._activate()
        with self.assertRaises(ValidationError):
            self._log_time(self.employee, date(2025, 4, 1), 8.0)
        self.assertEqual(self.mission.consumed_days, 0.0)

    def test_lines_logged_before_mission_are_linked(self):
        project = self.env["project.project"].create({"name": "Existing project"})
        line = self._log_time(self.other_employee, date(2025, 2, 3), 8.0, project)
        self.assertFalse(line.regie_contract_id)
        self.contract.project_id = project
        self.assertEqual(line.regie_contract_id, self.contract)
        self.assertFalse(line.regie_mission_id)
        mission = self._create_mission(
            self.contract, employee_id=self.other_employee.id
        )
        self.assertEqual(line.regie_mission_id, mission)
        self.assertEqual(mission.consumed_days, 1.0)

    def test_employee_mission_count(self):
        self.assertEqual(self.employee.regie_mission_count, 1)
        self.assertEqual(self.employee.regie_mission_ids, self.mission)


@tagged("post_install", "-at_install")
class TestMissionFrozenMonths(RegieCommon):
    """Once a month of a mission is submitted, its consultant, contract and the
    rates reaching that month no longer change."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.contract.with_user(cls.lead_user).action_activate()
        cls.period = (
            cls.env["account.analytic.line"]
            .create(
                {
                    "name": "Work",
                    "project_id": cls.contract.project_id.id,
                    "employee_id": cls.employee.id,
                    "date": date(2025, 3, 3),
                    "unit_amount": 8.0,
                }
            )
            .regie_period_id
        )
        cls.other_contract = cls._create_contract()
        cls.Rate = cls.env["regie.mission.rate"]

    def _submit(self):
        self.period.with_user(self.consultant_user).action_submit()

    def _add_rate(self, day, rate=550.0):
        return self.Rate.with_user(self.lead_user).create(
            {"mission_id": self.mission.id, "date_from": day, "daily_rate": rate}
        )

    def assertRefused(self, func, *texts):
        with self.assertRaises(UserError) as refused:
            func()
        for text in (self.period.name, *texts):
            self.assertIn(text, str(refused.exception))

    def test_consultant_and_contract_frozen_once_month_submitted(self):
        self._submit()
        mission = self.mission.with_user(self.lead_user)
        self.assertRefused(
            lambda: mission.write({"employee_id": self.other_employee.id}),
            "Consultant",
        )
        self.assertRefused(
            lambda: self.mission.write({"contract_id": self.other_contract.id}),
            "Contract",
        )
        self.assertEqual(self.mission.employee_id, self.employee)
        self.assertEqual(self.period.employee_id, self.employee)
        # Unchanged values and other fields pass.
        mission.write(
            {
                "employee_id": self.employee.id,
                "contract_id": self.contract.id,
                "daily_rate": 500.0,
                "estimated_days": 20.0,
            }
        )
        self.assertEqual(self.mission.estimated_days, 20.0)

    def test_draft_only_mission_stays_editable(self):
        self.mission.with_user(self.lead_user).write(
            {"employee_id": self.other_employee.id}
        )
        self.assertEqual(self.period.employee_id, self.other_employee)
        self._add_rate(date(2025, 3, 1))
        self.mission.rate_ids.filtered(
            lambda rate: rate.date_from == date(2025, 1, 1)
        ).daily_rate = 450.0
        self.mission.rate_ids.filtered(
            lambda rate: rate.date_from == date(2025, 3, 1)
        ).unlink()
        self.assertEqual(self.mission.get_rate("2025-03-03"), 450.0)

    def test_rate_reaching_a_submitted_month_refused(self):
        self._submit()
        # Inside the month, and before it: a rate applies until the next one.
        for day in (date(2025, 3, 15), date(2025, 2, 1), date(2025, 3, 31)):
            with self.subTest(day=day):
                self.assertRefused(lambda day=day: self._add_rate(day), "daily rate")
        initial = self.mission.rate_ids
        self.assertRefused(lambda: initial.write({"daily_rate": 450.0}))
        self.assertRefused(lambda: initial.write({"date_from": date(2025, 4, 1)}))
        self.assertRefused(initial.unlink)
        # The mission's TJM drives its single rate.
        self.assertRefused(lambda: self.mission.write({"daily_rate": 450.0}))
        self.assertEqual(self.mission.get_rate("2025-03-03"), 500.0)
        # Unchanged writes pass.
        initial.write({"daily_rate": 500.0, "date_from": "2025-01-01"})
        self.mission.write({"daily_rate": 500.0})

    def test_rate_after_the_last_submitted_month_allowed(self):
        self._submit()
        rate = self._add_rate(date(2025, 4, 1))
        rate.write({"daily_rate": 560.0, "date_from": date(2025, 5, 1)})
        self.assertEqual(self.mission.get_rate("2025-05-02"), 560.0)
        self.assertRefused(lambda: rate.write({"date_from": date(2025, 3, 20)}))
        rate.unlink()
        self.assertEqual(self.mission.get_rate("2025-05-02"), 500.0)
        self.assertEqual(self.period.state, "submitted")

    def test_rate_moved_to_a_mission_with_submitted_months_refused(self):
        self._submit()
        other = self._create_mission(
            self.other_contract, employee_id=self.other_employee.id
        )
        self.assertRefused(
            lambda: other.rate_ids.write({"mission_id": self.mission.id})
        )
