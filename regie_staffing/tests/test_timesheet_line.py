from contextlib import contextmanager
from datetime import date

from freezegun import freeze_time
from psycopg2 import IntegrityError

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged
from odoo.tests.common import new_test_user
from odoo.tools import mute_logger

from odoo.addons.regie_staffing.models.regie_workflow import workflow

from .common import RegieCommon

TIMESHEET_USER = "hr_timesheet.group_hr_timesheet_user"
TIMESHEET_ADMIN = "hr_timesheet.group_timesheet_manager"


@tagged("post_install", "-at_install")
class TestTimesheetLine(RegieCommon):
    """Timesheet lines on régie missions: links, days, external pushes, bad
    input, monthly locking and ownership."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # A consultant with plain timesheet rights, one holding hr_timesheet's
        # administrator group (what base.default_user gives new users), and a
        # régie manager who also administers timesheets.
        cls.ts_consultant = new_test_user(
            cls.env,
            login="tsl_consultant",
            groups=f"regie_staffing.group_consultant,{TIMESHEET_USER}",
        )
        cls.ts_consultant_admin = new_test_user(
            cls.env,
            login="tsl_consultant_admin",
            groups=f"regie_staffing.group_consultant,{TIMESHEET_ADMIN}",
        )
        cls.ts_manager = new_test_user(
            cls.env,
            login="tsl_manager",
            groups=f"regie_staffing.group_manager,{TIMESHEET_ADMIN}",
        )
        cls.admin = cls.env.ref("base.user_admin")
        cls.emp_a = cls.env["hr.employee"].create(
            {"name": "Alice Analyst", "user_id": cls.ts_consultant.id}
        )
        cls.emp_b = cls.env["hr.employee"].create(
            {"name": "Bruno Builder", "user_id": cls.ts_consultant_admin.id}
        )
        cls.mission_a = cls._create_mission(cls.contract, employee_id=cls.emp_a.id)
        cls.mission_b = cls._create_mission(cls.contract, employee_id=cls.emp_b.id)
        cls.contract.with_user(cls.lead_user).action_activate()
        cls.project = cls.contract.project_id
        cls.plain_project = cls.env["project.project"].create(
            {"name": "Internal project", "allow_timesheets": True}
        )
        cls.Line = cls.env["account.analytic.line"]
        cls.Period = cls.env["regie.timesheet.period"]
        cls.on_call = cls.env.ref("regie_staffing.activity_type_on_call")
        cls.overtime = cls.env.ref("regie_staffing.activity_type_overtime")
        cls.weekend = cls.env.ref("regie_staffing.activity_type_weekend")

    # ------------------------------------------------------------------
    # helpers
    # ------------------------------------------------------------------

    def _vals(self, employee, day, hours=7.0, project=None, **vals):
        return {
            "name": "Work",
            "project_id": (project or self.project).id,
            "employee_id": employee.id,
            "date": day,
            "unit_amount": hours,
            **vals,
        }

    def _line(self, employee, day, hours=7.0, project=None, user=None, **vals):
        env = self.env(user=user) if user else self.env
        return env["account.analytic.line"].create(
            self._vals(employee, day, hours, project, **vals)
        )

    @contextmanager
    def assertRefused(self, exception, regex):
        """assertRaises (which rolls back to a savepoint, unlike
        assertRaisesRegex) and check the message."""
        with self.assertRaises(exception) as catcher:
            yield catcher
        self.assertRegex(str(catcher.exception), regex)

    def _set_state(self, period, state):
        # As the period's own workflow methods do.
        workflow(period).write({"state": state})

    def _submitted_line(self, employee=None, day=date(2025, 2, 3)):
        line = self._line(employee or self.emp_a, day)
        self._set_state(line.regie_period_id, "submitted")
        return line

    # ------------------------------------------------------------------
    # links and days
    # ------------------------------------------------------------------

    def test_line_linked_to_mission_contract_and_month(self):
        feb = self._line(self.emp_a, date(2025, 2, 3), 8.0)
        feb2 = self._line(self.emp_a, date(2025, 2, 28), 4.0)
        mar = self._line(self.emp_a, date(2025, 3, 3), 8.0)
        self.assertEqual(feb.regie_mission_id, self.mission_a)
        self.assertEqual(feb.regie_contract_id, self.contract)
        self.assertEqual(feb.regie_days, 1.0)
        self.assertEqual(feb2.regie_days, 0.5)
        period = feb.regie_period_id
        self.assertEqual(period.mission_id, self.mission_a)
        self.assertEqual(period.date_from, date(2025, 2, 1))
        self.assertEqual(period.state, "draft")
        self.assertEqual(feb2.regie_period_id, period)
        self.assertEqual(mar.regie_period_id.date_from, date(2025, 3, 1))
        self.assertEqual(
            self.Period.search_count([("mission_id", "=", self.mission_a.id)]), 2
        )
        self.assertEqual(period.timesheet_ids, feb | feb2)
        # From the timesheet screens: the employee comes from the user.
        screen_line = self.Line.with_user(self.ts_consultant).create(
            {
                "name": "Screen",
                "project_id": self.project.id,
                "date": date(2025, 2, 10),
                "unit_amount": 2.0,
            }
        )
        self.assertEqual(screen_line.employee_id, self.emp_a)
        self.assertEqual(screen_line.regie_period_id, period)
        self.assertEqual(period.timesheet_ids, feb | feb2 | screen_line)
        # Moving a line to another month in draft follows it.
        feb2.date = date(2025, 3, 4)
        self.assertEqual(feb2.regie_period_id, mar.regie_period_id)
        # A line on a plain project has no régie link.
        plain = self._line(self.emp_a, date(2025, 2, 3), 1.0, self.plain_project)
        self.assertFalse(plain.regie_mission_id)
        self.assertFalse(plain.regie_period_id)
        self.assertEqual(plain.regie_days, 0.0)

    def test_lines_logged_before_the_mission_get_their_month(self):
        project = self.env["project.project"].create({"name": "Later régie"})
        line = self._line(self.other_employee, date(2025, 2, 3), 8.0, project)
        self.assertFalse(line.regie_period_id)
        contract = self._create_contract(project_id=project.id)
        contract.action_activate()
        mission = self._create_mission(contract, employee_id=self.other_employee.id)
        self.assertEqual(line.regie_mission_id, mission)
        self.assertEqual(line.regie_period_id.mission_id, mission)
        self.assertEqual(line.regie_period_id.date_from, date(2025, 2, 1))

    def test_regie_days_follow_contract_hours_per_day(self):
        for hours_per_day, hours, days in ((7.0, 7.0, 1.0), (7.5, 3.75, 0.5)):
            contract = self._create_contract(hours_per_day=hours_per_day)
            self._create_mission(contract, employee_id=self.emp_a.id)
            contract.action_activate()
            line = self._line(self.emp_a, date(2025, 2, 4), hours, contract.project_id)
            self.assertAlmostEqual(line.regie_days, days)
            self.assertAlmostEqual(line.regie_billable_days, days)
            self.assertEqual(line.regie_period_id.mission_id.contract_id, contract)

    def test_billable_days_with_activity_types(self):
        day = date(2025, 2, 8)
        normal = self._line(self.emp_a, day, 4.0)
        overtime = self._line(
            self.emp_a, day, 2.0, regie_activity_type_id=self.overtime.id
        )
        weekend = self._line(
            self.emp_a, day, 8.0, regie_activity_type_id=self.weekend.id
        )
        on_call = self._line(
            self.emp_a, day, 1.0, regie_activity_type_id=self.on_call.id
        )
        self.assertAlmostEqual(normal.regie_billable_days, 0.5)
        self.assertAlmostEqual(overtime.regie_billable_days, 0.25 * 1.25)
        self.assertAlmostEqual(weekend.regie_billable_days, 1.5)
        # Flat: the multiplier in days per line, whatever the hours.
        self.assertAlmostEqual(on_call.regie_billable_days, 0.25)
        on_call.unit_amount = 6.0
        self.assertAlmostEqual(on_call.regie_billable_days, 0.25)
        self.assertAlmostEqual(on_call.regie_days, 0.75)
        overtime.regie_activity_type_id = False
        self.assertAlmostEqual(overtime.regie_billable_days, 0.25)

    # ------------------------------------------------------------------
    # bad input
    # ------------------------------------------------------------------

    def test_negative_hours_refused(self):
        with self.assertRefused(ValidationError, "Alice Analyst"):
            self._line(self.emp_a, date(2025, 2, 3), -1.0)
        line = self._line(self.emp_a, date(2025, 2, 3), 1.0)
        with self.assertRefused(ValidationError, "negative"):
            line.with_user(self.ts_consultant).unit_amount = -2.0
        self.assertEqual(line.unit_amount, 1.0)

    def test_more_than_24_hours_a_day_across_lines_refused(self):
        day = date(2025, 2, 5)
        self._line(self.emp_a, day, 10.0)
        self._line(self.emp_a, day, 10.0, self.plain_project)
        last = self._line(self.emp_a, day, 4.0)  # exactly 24 h: accepted
        with self.assertRefused(ValidationError, "24 hours.*Alice Analyst"):
            self._line(self.emp_a, day, 0.5)
        with self.assertRefused(ValidationError, "24 hours"):
            last.unit_amount = 4.5
        # Within one batch too, and another employee's hours do not count.
        with self.assertRefused(ValidationError, "24 hours"):
            self.Line.create(
                [self._vals(self.emp_b, date(2025, 2, 6), 12.5) for _i in range(2)]
            )
        self._line(self.emp_b, day, 24.0)
        self.assertEqual(last.unit_amount, 4.0)

    def test_line_without_matching_mission_refused(self):
        # The common consultant's mission ends in March on this project.
        self.mission.date_end = date(2025, 3, 31)
        self._line(self.employee, date(2025, 3, 31), 8.0)
        with self.assertRefused(ValidationError, "No mission.*Camille Consultant"):
            self._line(self.employee, date(2025, 4, 1), 8.0)
        with self.assertRefused(ValidationError, "No mission.*Dominique Dev"):
            self._line(self.other_employee, date(2025, 2, 3), 8.0)
        line = self._line(
            self.other_employee, date(2025, 2, 3), 8.0, self.plain_project
        )
        with self.assertRefused(ValidationError, "No mission"):
            line.project_id = self.project
        # Pointing a line at another consultant's mission is refused too.
        own = self._line(self.emp_a, date(2025, 2, 3), 1.0)
        with self.assertRefused(ValidationError, "does not match"):
            own.regie_mission_id = self.mission_b

    @freeze_time("2025-03-15")
    def test_line_beyond_current_month_refused(self):
        self._line(self.emp_a, date(2025, 3, 31), 8.0)
        with self.assertRefused(ValidationError, "beyond the current month"):
            self._line(self.emp_a, date(2025, 4, 1), 8.0)
        line = self._line(self.emp_a, date(2025, 3, 14), 8.0)
        with self.assertRefused(ValidationError, "beyond the current month"):
            line.date = date(2025, 5, 2)

    @freeze_time("2026-02-15")
    def test_line_after_contract_end_refused(self):
        # An open-ended mission of a fixed-term contract covers later dates.
        self.mission_a.date_end = False
        self._line(self.emp_a, date(2025, 12, 31))
        with self.assertRefused(ValidationError, "after the end.*Alice Analyst"):
            self._line(self.emp_a, date(2026, 1, 5))
        with self.assertRefused(ValidationError, r"after the end.*line 2 \("):
            self.Line.create(
                [
                    self._vals(self.emp_a, date(2025, 12, 30)),
                    self._vals(self.emp_a, date(2026, 2, 2)),
                ]
            )
        line = self._line(self.emp_a, date(2025, 12, 29))
        with self.assertRefused(ValidationError, "after the end"):
            line.date = date(2026, 1, 2)
        self.assertEqual(
            max(
                self.Line.search([("regie_mission_id", "=", self.mission_a.id)]).mapped(
                    "date"
                )
            ),
            date(2025, 12, 31),
        )

    @freeze_time("2025-03-10")
    def test_line_after_termination_date_refused(self):
        self.contract.with_user(self.manager_user).action_terminate(
            termination_date="2025-03-20", force=True
        )
        # Still active until the termination date, its missions in progress.
        self.assertEqual(self.contract.state, "active")
        self.assertEqual(self.mission_a.state, "active")
        self._line(self.emp_a, date(2025, 3, 20))
        with self.assertRefused(ValidationError, "termination date.*Alice Analyst"):
            self._line(self.emp_a, date(2025, 3, 21))

    def test_line_on_done_mission_refused(self):
        line = self._line(self.emp_a, date(2025, 2, 3))
        self.mission_a.with_user(self.lead_user).action_done()
        with self.assertRefused(ValidationError, "done or cancelled.*Alice Analyst"):
            self._line(self.emp_a, date(2025, 2, 4))
        with self.assertRefused(ValidationError, "done or cancelled"):
            line.unit_amount = 4.0
        # What is not billed may still be corrected.
        line.name = "Design review"
        # A cancelled mission matches no line at all.
        self.mission_b.with_user(self.lead_user).action_cancel()
        with self.assertRefused(ValidationError, "No mission"):
            self._line(self.emp_b, date(2025, 2, 4))

    # ------------------------------------------------------------------
    # external pushes
    # ------------------------------------------------------------------

    def test_external_push_is_idempotent(self):
        vals = self._vals(self.emp_a, date(2025, 2, 3), regie_external_ref="JIRA-1")
        first = self.Line.create(vals)
        second = self.Line.create(dict(vals))
        self.assertEqual(first, second)
        self.assertEqual(
            self.Line.search_count([("regie_external_ref", "=", "JIRA-1")]), 1
        )
        # In a batch: existing and repeated references keep their positions.
        lines = self.Line.create(
            [
                self._vals(self.emp_a, date(2025, 2, 4), regie_external_ref="JIRA-2"),
                dict(vals),
                self._vals(self.emp_a, date(2025, 2, 5)),
                self._vals(self.emp_a, date(2025, 2, 4), regie_external_ref="JIRA-2"),
            ]
        )
        self.assertEqual(len(lines), 4)
        self.assertEqual(lines[1], first)
        self.assertEqual(lines[3], lines[0])
        self.assertEqual(lines[0].regie_external_ref, "JIRA-2")
        self.assertEqual(
            self.Line.search_count([("regie_external_ref", "like", "JIRA-")]), 2
        )
        # A pushed line from a consultant's own tool works the same.
        pushed = self.Line.with_user(self.ts_consultant).create(dict(vals))
        self.assertEqual(pushed, first)

    def test_batch_with_one_bad_line_creates_nothing(self):
        vals_list = [
            self._vals(self.emp_a, date(2025, 2, day), regie_external_ref=f"EXT-{day}")
            for day in (3, 4, 5)
        ]
        vals_list[1]["unit_amount"] = -3.0
        with self.assertRefused(ValidationError, r"line 2 \(.*EXT-4"):
            self.Line.create(vals_list)
        self.assertFalse(self.Line.search([("regie_external_ref", "like", "EXT-")]))
        self.assertFalse(self.Period.search([("mission_id", "=", self.mission_a.id)]))

    def test_external_ref_unique_per_company(self):
        line = self._line(self.emp_a, date(2025, 2, 3), regie_external_ref="X-1")
        other = self._line(self.emp_a, date(2025, 2, 4))
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError):
            other.regie_external_ref = "X-1"
            other.flush_recordset()
        self.assertEqual(line.regie_external_ref, "X-1")

    # ------------------------------------------------------------------
    # locking
    # ------------------------------------------------------------------

    def test_submitted_month_is_locked_for_everyone(self):
        line = self._submitted_line()
        self.assertTrue(line._is_readonly())
        self.assertTrue(line.readonly_timesheet)
        vals = self._vals(self.emp_a, date(2025, 2, 10), 1.0)
        for user, label in (
            (self.ts_consultant, "consultant"),
            (self.ts_manager, "manager"),
            (self.admin, "admin"),
        ):
            as_user = line.with_user(user)
            for field_vals in (
                {"unit_amount": 1.0},
                {"name": "Edited description"},
                {"amount": -1.0},
            ):
                with (
                    self.subTest(user=label, vals=field_vals),
                    self.assertRefused(UserError, "month is Submitted"),
                ):
                    as_user.write(field_vals)
            with self.subTest(user=label, op="unlink"), self.assertRaises(UserError):
                as_user.unlink()
            with (
                self.subTest(user=label, op="create"),
                self.assertRefused(UserError, "already submitted"),
            ):
                self.Line.with_user(user).create(vals)
        for as_sudo in (line.sudo(), line.with_user(self.ts_consultant).sudo()):
            with self.assertRaises(UserError):
                as_sudo.write({"unit_amount": 2.0})
            with self.assertRaises(UserError):
                as_sudo.unlink()
        with self.assertRaises(UserError):
            self.Line.sudo().create(vals)
        self.assertEqual(line.unit_amount, 7.0)
        self.assertEqual(line.name, "Work")
        self.assertEqual(len(line.regie_period_id.timesheet_ids), 1)
        # The period's own code may still (re)link lines.
        line.sudo().with_context(regie_period_sync=True).write(
            {"regie_period_id": line.regie_period_id.id}
        )
        # Reset to draft re-opens the month.
        self._set_state(line.regie_period_id, "draft")
        line.with_user(self.ts_consultant).unit_amount = 6.0
        self.assertFalse(line._is_readonly())
        self.assertEqual(line.unit_amount, 6.0)

    def test_contested_and_validated_months_are_locked(self):
        for state in ("contested", "validated"):
            line = self._line(
                self.emp_a, date(2025, 5 if state == "contested" else 6, 2)
            )
            self._set_state(line.regie_period_id, "submitted")
            self._set_state(line.regie_period_id, state)
            with self.subTest(state=state), self.assertRaises(UserError):
                line.write({"name": "Changed"})
            with self.subTest(state=state), self.assertRaises(UserError):
                line.sudo().unlink()

    def test_moving_line_into_locked_month_refused(self):
        self._submitted_line(self.emp_a, date(2025, 2, 3))
        draft = self._line(self.emp_a, date(2025, 3, 3), 1.0)
        with self.assertRefused(UserError, "already submitted"):
            draft.sudo().date = date(2025, 2, 4)
        # By employee: Bruno's February is open, Alice's is submitted.
        bruno = self._line(self.emp_b, date(2025, 2, 4), 1.0)
        with self.assertRefused(UserError, "already submitted"):
            bruno.with_user(self.ts_manager).employee_id = self.emp_a
        # By project: from a plain project onto the contract's.
        plain = self._line(self.emp_a, date(2025, 2, 5), 1.0, self.plain_project)
        with self.assertRefused(UserError, "already submitted"):
            plain.with_user(self.ts_consultant).project_id = self.project
        self.assertEqual(draft.date, date(2025, 3, 3))
        self.assertEqual(bruno.employee_id, self.emp_b)
        self.assertEqual(plain.project_id, self.plain_project)

    def test_month_link_is_not_writable(self):
        line = self._line(self.emp_a, date(2025, 2, 3))
        other = self._line(self.emp_a, date(2025, 3, 3))
        for user in (self.ts_consultant, self.ts_manager, self.admin):
            with self.assertRaises(UserError):
                line.with_user(user).regie_period_id = other.regie_period_id
        # A forged context key does not allow pointing at another month.
        with self.assertRefused(UserError, "its own mission and date"):
            line.with_user(self.ts_manager).with_context(
                regie_period_sync=True
            ).regie_period_id = other.regie_period_id
        # Values passed to create are ignored.
        created = self._line(
            self.emp_a, date(2025, 2, 4), regie_period_id=other.regie_period_id.id
        )
        self.assertEqual(created.regie_period_id, line.regie_period_id)

    # ------------------------------------------------------------------
    # ownership
    # ------------------------------------------------------------------

    def test_consultant_only_touches_own_lines(self):
        for user, employee, colleague in (
            (self.ts_consultant, self.emp_a, self.emp_b),
            (self.ts_consultant_admin, self.emp_b, self.emp_a),
        ):
            own = self._line(employee, date(2025, 2, 3), 1.0, user=user)
            others = self._line(colleague, date(2025, 2, 4), 1.0)
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                own.with_user(user).employee_id = colleague
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self._line(colleague, date(2025, 2, 5), 1.0, user=user)
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                others.with_user(user).unit_amount = 2.0
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                others.with_user(user).unlink()
            self.assertEqual(own.employee_id, employee)
            own.with_user(user).unit_amount = 2.0
            own.with_user(user).unlink()
        # The timesheet administrator may still handle others' lines elsewhere.
        internal = self._line(self.emp_a, date(2025, 2, 3), 1.0, self.plain_project)
        internal.with_user(self.ts_consultant_admin).unit_amount = 2.0
        # A régie manager logs time for anyone.
        line = self._line(self.emp_a, date(2025, 2, 6), 1.0, user=self.ts_manager)
        line.with_user(self.ts_manager).employee_id = self.emp_b
        self.assertEqual(line.regie_mission_id, self.mission_b)

    # ------------------------------------------------------------------
    # batching
    # ------------------------------------------------------------------

    def test_batch_create_queries_do_not_grow_with_lines(self):
        employees = self.env["hr.employee"].create(
            [{"name": f"Batch consultant {i}"} for i in range(5)]
        )
        for employee in employees:
            self._create_mission(self.contract, employee_id=employee.id)

        def push(month, count):
            vals_list = [
                self._vals(
                    employees[i % 5],
                    date(2025, month, 1 + i % 20),
                    0.1,
                    regie_external_ref=f"Q-{month}-{i}",
                )
                for i in range(count)
            ]
            self.env.invalidate_all()
            self.env.flush_all()
            before = self.env.cr.sql_log_count
            lines = self.Line.create(vals_list)
            self.env.flush_all()
            count = self.env.cr.sql_log_count - before
            self.assertEqual(len(lines.regie_period_id), 5)
            return count

        push(2, 10)  # warm-up: caches, sequences
        small, large = push(3, 10), push(4, 100)
        self.assertEqual(small, large, f"10 lines: {small}, 100 lines: {large}")
