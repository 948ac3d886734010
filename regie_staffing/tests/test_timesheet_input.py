from contextlib import contextmanager
from datetime import date

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged
from odoo.tests.common import new_test_user

from .common import RegieCommon

TIMESHEET_ADMIN = "hr_timesheet.group_timesheet_manager"


@tagged("post_install", "-at_install")
class TestTimesheetInput(RegieCommon):
    """Hostile or clumsy input on régie timesheet lines, as an XML-RPC caller
    sends it: reused external references, time logged for somebody else,
    hours and dates that are not hours and dates."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other_mission = cls._create_mission(
            cls.contract, employee_id=cls.other_employee.id
        )
        cls.contract.with_user(cls.lead_user).action_activate()
        cls.project = cls.contract.project_id
        # Timesheet administrator (what Odoo gives new users by default), no
        # régie group at all.
        cls.ts_admin = new_test_user(
            cls.env, login="tsi_timesheet_admin", groups=TIMESHEET_ADMIN
        )
        cls.Line = cls.env["account.analytic.line"]
        # Leads with Odoo's timesheet approver rights (which Odoo requires to
        # log somebody else's time): the régie rule decides for which contracts.
        approver = cls.env.ref("hr_timesheet.group_hr_timesheet_approver")
        (cls.lead_user | cls.other_lead_user | cls.manager_user).write(
            {"groups_id": [Command.link(approver.id)]}
        )

    # ------------------------------------------------------------------
    # helpers
    # ------------------------------------------------------------------

    def _vals(self, employee=None, day=date(2025, 2, 3), hours=7.0, **vals):
        return {
            "name": "Work",
            "project_id": self.project.id,
            "employee_id": (employee or self.employee).id,
            "date": day,
            "unit_amount": hours,
            **vals,
        }

    def _create(self, user, *vals_list):
        return self.Line.with_user(user).create(list(vals_list))

    @contextmanager
    def assertRefused(self, exception, regex):
        # assertRaises rolls back to a savepoint, unlike assertRaisesRegex.
        with self.assertRaises(exception) as catcher:
            yield catcher
        self.assertRegex(str(catcher.exception), regex)

    def _count(self, **domain):
        return self.Line.search_count([(k, "=", v) for k, v in domain.items()])

    # ------------------------------------------------------------------
    # external references (issue 11, item 6)
    # ------------------------------------------------------------------

    def test_same_push_again_returns_the_same_line(self):
        vals = self._vals(regie_external_ref="JIRA-7")
        first = self._create(self.consultant_user, vals)
        again = self._create(self.consultant_user, dict(vals), dict(vals))
        self.assertEqual(again.ids, [first.id, first.id])
        # The date as a string, the hours as a string: the same push.
        same = self._create(
            self.consultant_user,
            dict(vals, date="2025-02-03", unit_amount="7.0"),
        )
        self.assertEqual(same, first)
        self.assertEqual(self._count(regie_external_ref="JIRA-7"), 1)

    def test_reference_reused_by_another_consultant_is_refused(self):
        first = self._create(
            self.consultant_user, self._vals(regie_external_ref="JIRA-8")
        )
        other = self.other_consultant_user
        # His own line with the same reference: "already used", no name, no id.
        with self.assertRefused(UserError, "already used") as catcher:
            self._create(
                other, self._vals(self.other_employee, regie_external_ref="JIRA-8")
            )
        self.assertNotIn(self.employee.name, str(catcher.exception))
        self.assertNotIn(str(first.id), str(catcher.exception))
        # Even a copy of the first consultant's values never returns his line.
        with self.assertRaises(UserError) as catcher:
            self._create(other, self._vals(regie_external_ref="JIRA-8"))
        self.assertNotIn(self.employee.name, str(catcher.exception))
        self.assertEqual(self._count(employee_id=self.other_employee.id), 0)
        self.assertEqual(self._count(regie_external_ref="JIRA-8"), 1)
        self.assertEqual(first.unit_amount, 7.0)

    def test_reference_reused_with_other_values_names_the_line(self):
        self._create(self.consultant_user, self._vals(regie_external_ref="JIRA-9"))
        # The consultant himself, with other hours or another date.
        for changed in ({"unit_amount": 4.0}, {"date": date(2025, 2, 4)}):
            with self.assertRefused(
                UserError, r"already used by line “Camille Consultant, 02/03/2025"
            ):
                self._create(
                    self.consultant_user,
                    self._vals(regie_external_ref="JIRA-9", **changed),
                )
        # The lead, who reads both consultants' lines, for another consultant.
        with self.assertRefused(UserError, "Camille Consultant"):
            self._create(
                self.lead_user,
                self._vals(self.other_employee, regie_external_ref="JIRA-9"),
            )
        self.assertEqual(self._count(regie_external_ref="JIRA-9"), 1)
        self.assertEqual(self._count(employee_id=self.other_employee.id), 0)

    def test_reference_repeated_in_a_batch_with_other_values(self):
        with self.assertRefused(UserError, r"Lines 1 and 2 .*JIRA-10"):
            self._create(
                self.consultant_user,
                self._vals(regie_external_ref="JIRA-10"),
                self._vals(regie_external_ref="JIRA-10", hours=3.0),
            )
        self.assertEqual(self._count(regie_external_ref="JIRA-10"), 0)

    # ------------------------------------------------------------------
    # who logs time for whom (issue 11, item 5)
    # ------------------------------------------------------------------

    def test_only_consultant_leads_and_managers_log_a_consultants_time(self):
        refused = "Only the consultant Camille Consultant.* contract"
        for user in (self.ts_admin, self.other_lead_user):
            with self.assertRefused(AccessError, refused):
                self._create(user, self._vals())
        # Odoo's own timesheet rules already refuse a plain consultant.
        with self.assertRaises(AccessError):
            self._create(self.other_consultant_user, self._vals())
        self.assertEqual(self._count(employee_id=self.employee.id), 0)
        # The consultant, the account manager, a project lead, a manager.
        self._create(self.consultant_user, self._vals(day=date(2025, 2, 3)))
        self._create(self.lead_user, self._vals(day=date(2025, 2, 4)))
        self._set_leads(self.contract, self.other_lead_user)
        self._create(self.other_lead_user, self._vals(day=date(2025, 2, 5)))
        self._create(self.manager_user, self._vals(day=date(2025, 2, 6)))
        self.assertEqual(self._count(employee_id=self.employee.id), 4)

    def test_other_users_cannot_change_or_delete_a_consultants_line(self):
        line = self._create(self.consultant_user, self._vals())
        for user in (self.ts_admin, self.other_consultant_user):
            with self.assertRaises(AccessError):
                line.with_user(user).unit_amount = 1.0
            with self.assertRaises(AccessError):
                line.with_user(user).unlink()
        with self.assertRefused(AccessError, "Only the consultant Camille Consultant"):
            line.with_user(self.ts_admin).unit_amount = 1.0
        self.assertEqual(line.unit_amount, 7.0)
        line.with_user(self.lead_user).unit_amount = 6.0
        self.assertEqual(line.unit_amount, 6.0)

    # ------------------------------------------------------------------
    # bad input (issue 11, item 11)
    # ------------------------------------------------------------------

    def test_hours_that_are_not_hours(self):
        for hours in ("abc", float("nan"), float("inf"), "-inf", "NaN", [], {}):
            with self.assertRefused(
                ValidationError,
                r"of line 1 \(Camille Consultant, 02/03/2025\) must be a number",
            ):
                self._create(self.consultant_user, self._vals(hours=hours))
        with self.assertRefused(ValidationError, "negative.*Camille Consultant"):
            self._create(self.consultant_user, self._vals(hours=-2.0))
        with self.assertRefused(ValidationError, "24 hours.*Camille Consultant"):
            self._create(self.consultant_user, self._vals(hours=24.5))
        self.assertEqual(self._count(employee_id=self.employee.id), 0)
        # A number sent as a string, as some RPC clients do, is a number.
        line = self._create(self.consultant_user, self._vals(hours=" 7.5 "))
        self.assertEqual(line.unit_amount, 7.5)
        with self.assertRefused(
            ValidationError, r"“Camille Consultant, 02/03/2025.*must be a number"
        ):
            line.with_user(self.consultant_user).write({"unit_amount": "abc"})
        with self.assertRefused(ValidationError, "must be a number"):
            line.with_user(self.consultant_user).write({"unit_amount": float("nan")})
        self.assertEqual(line.unit_amount, 7.5)

    def test_dates_that_are_not_dates(self):
        for day in ("2026-02-30", "16/11/2026", "abc", 20250203):
            with self.assertRefused(
                ValidationError, r"line 1 \(Camille Consultant\) is not a valid date"
            ):
                self._create(self.consultant_user, self._vals(day=day))
        for day in ("", False):
            with self.assertRefused(ValidationError, "Date of line 1 .* is required"):
                self._create(self.consultant_user, self._vals(day=day))
        line = self._create(self.consultant_user, self._vals())
        with self.assertRefused(ValidationError, "“Camille Consultant.*valid date"):
            line.with_user(self.consultant_user).write({"date": "2025-02-30"})
        self.assertEqual(line.date, date(2025, 2, 3))

    def test_unknown_ids(self):
        for fname, value in (
            ("employee_id", 2147483647),
            ("project_id", 2147483647),
            ("task_id", 2147483647),
            ("project_id", "abc"),
        ):
            with self.assertRefused(ValidationError, r"given for line 1 .*not exist"):
                self._create(self.manager_user, self._vals(**{fname: value}))
        line = self._create(self.consultant_user, self._vals())
        with self.assertRefused(ValidationError, "Camille Consultant.*not exist"):
            line.with_user(self.lead_user).write({"employee_id": 2147483647})

    # ------------------------------------------------------------------
    # who validates what he typed (issue 11, item 5)
    # ------------------------------------------------------------------

    def test_lead_does_not_validate_the_lines_he_typed(self):
        line = self._create(self.lead_user, self._vals())
        period = line.regie_period_id
        period.with_user(self.consultant_user).action_submit()
        with self.assertRefused(UserError, "You typed lines of .* client validates"):
            period.with_user(self.lead_user).action_validate()
        self.assertEqual(period.state, "submitted")
        # Somebody else may (here a régie manager), or the client on the portal.
        period.with_user(self.manager_user).action_validate()
        self.assertEqual(period.state, "validated")

    def test_internal_validation_allowed_notes_who_typed(self):
        self.contract.allow_internal_validation = True
        line = self._create(self.lead_user, self._vals())
        period = line.regie_period_id
        period.with_user(self.consultant_user).action_submit()
        period.with_user(self.lead_user).action_validate()
        self.assertEqual(period.state, "validated")
        self.assertIn(
            f"Validated internally by {self.lead_user.name}, who typed 1 of its lines",
            period.message_ids.mapped("body")[0],
        )
