from datetime import date
from types import SimpleNamespace

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged
from odoo.tests.common import new_test_user
from odoo.tools import SQL

from .common import RegieCommon


class RegiePeriodCommon(RegieCommon):
    """An active contract led by ``lead_user`` whose consultant logged three
    days in March 2025."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.contract.with_user(cls.lead_user).action_activate()
        cls.Period = cls.env["regie.timesheet.period"]
        cls.Line = cls.env["account.analytic.line"]
        cls.lines = cls.Line.create(
            [
                {
                    "name": "Work",
                    "project_id": cls.contract.project_id.id,
                    "employee_id": cls.employee.id,
                    "date": day,
                    "unit_amount": hours,
                }
                for day, hours in (
                    (date(2025, 3, 3), 8.0),
                    (date(2025, 3, 4), 4.0),
                    (date(2025, 3, 5), 1.0),
                )
            ]
        )
        cls.period = cls.lines.regie_period_id

    def _submit(self, period=None):
        period = period or self.period
        period.with_user(self.consultant_user).action_submit()
        return period

    def _validate(self, period=None):
        period = self._submit(period)
        period.with_user(self.lead_user).action_validate()
        return period


@tagged("post_install", "-at_install")
class TestTimesheetPeriod(RegiePeriodCommon):
    def test_lines_are_linked_to_one_month(self):
        self.assertEqual(len(self.period), 1)
        self.assertEqual(self.period.date_from, date(2025, 3, 1))
        self.assertEqual(self.period.date_to, date(2025, 3, 31))
        self.assertEqual(self.period.mission_id, self.mission)
        self.assertEqual(self.period.user_id, self.consultant_user)
        self.assertEqual(self.period.state, "draft")
        self.assertIn("03/2025", self.period.name)

    def test_totals_from_lines(self):
        period = self.period
        self.assertEqual(period.line_count, 3)
        self.assertAlmostEqual(period.total_hours, 13.0)
        self.assertAlmostEqual(period.total_days, 13.0 / 8)
        self.assertAlmostEqual(period.billable_days, 13.0 / 8)
        self.assertEqual(period.exceptional_days, 0.0)
        self.assertEqual(period.absence_days, 0.0)

    def test_billable_days_follow_contract_rounding(self):
        # 13 h at 8 h a day = 1.625 days
        expected = {"none": 1.625, "half_day": 1.5, "half_day_up": 2.0, "day": 2.0}
        for rounding, days in expected.items():
            self.contract.day_rounding = rounding
            self.assertAlmostEqual(self.period.billable_days, days, msg=rounding)

    def test_exceptional_activity_counts_in_billable_days(self):
        overtime = self.env.ref("regie_staffing.activity_type_overtime")
        self.Line.create(
            {
                "name": "Go-live",
                "project_id": self.contract.project_id.id,
                "employee_id": self.employee.id,
                "date": date(2025, 3, 6),
                "unit_amount": 4.0,
                "regie_activity_type_id": overtime.id,
            }
        )
        self.assertAlmostEqual(self.period.exceptional_days, 0.5 * 1.25)
        self.assertAlmostEqual(self.period.billable_days, 1.625 + 0.625)
        self.assertAlmostEqual(self.period.total_hours, 17.0)

    def test_validation_deadline_and_validator(self):
        self.assertEqual(self.period.validation_deadline, date(2025, 4, 5))
        self.contract.validation_deadline_day = 10
        self.assertEqual(self.period.validation_deadline, date(2025, 4, 10))
        self.assertEqual(self.period.validator_partner_id, self.client)
        manager = self.env["res.partner"].create(
            {"name": "Claire Client", "parent_id": self.client.id}
        )
        self.contract.client_manager_id = manager
        self.assertEqual(self.period.validator_partner_id, manager)

    def test_validator_of_purchase_contract_is_first_lead(self):
        contract = self._create_contract(direction="purchase")
        self._set_leads(contract, self.other_lead_user)
        mission = self._create_mission(contract)
        period = self.Period.create(
            {"mission_id": mission.id, "date_from": date(2025, 3, 12)}
        )
        self.assertEqual(period.date_from, date(2025, 3, 1))
        self.assertEqual(period.validator_partner_id, self.other_lead_user.partner_id)

    def test_leave_days_prorated_to_month(self):
        # Fri 28 March to Fri 4 April 2025: 6 working days, 2 of them in March.
        leave = SimpleNamespace(
            request_date_from=date(2025, 3, 28),
            request_date_to=date(2025, 4, 4),
            number_of_days=6.0,
        )
        march = self.Period._get_leave_days_in(
            leave, date(2025, 3, 1), date(2025, 3, 31)
        )
        april = self.Period._get_leave_days_in(
            leave, date(2025, 4, 1), date(2025, 4, 30)
        )
        self.assertEqual((march, april), (2.0, 4.0))
        self.assertEqual(
            self.Period._get_leave_days_in(leave, date(2025, 5, 1), date(2025, 5, 31)),
            0.0,
        )

    # -- generation ---------------------------------------------------------

    def test_generate_periods_is_idempotent(self):
        mission2 = self._create_mission(
            self.contract, employee_id=self.other_employee.id
        )
        mission2.with_user(self.lead_user).action_start()
        Period = self.Period.with_user(self.lead_user)
        ids = Period.generate_periods("2025-03-20")
        self.assertIsInstance(ids, list)
        self.assertEqual(len(ids), 2)
        self.assertIn(self.period.id, ids)
        self.assertEqual(sorted(Period.generate_periods(date(2025, 3, 1))), sorted(ids))
        self.assertEqual(
            self.Period.search_count([("date_from", "=", date(2025, 3, 1))]), 2
        )

    def test_generate_periods_skips_missions_outside_the_month(self):
        self.mission.date_end = date(2025, 2, 28)
        self.assertEqual(self.Period.generate_periods("2025-04-01"), [])

    def test_generate_periods_refused_to_consultant_and_bad_date(self):
        with self.assertRaises(AccessError):
            self.Period.with_user(self.consultant_user).generate_periods("2025-03-01")
        with self.assertRaises(UserError):
            self.Period.with_user(self.lead_user).generate_periods("not a date")

    # -- workflow -----------------------------------------------------------

    def test_whole_workflow_submit_validate(self):
        token = self.period.sudo()._portal_ensure_token()
        self.assertEqual(self._submit().state, "submitted")
        self.assertEqual(self.period.submitted_by_id, self.consultant_user)
        self.assertTrue(self.period.submitted_date)
        self.assertIs(self.period.with_user(self.lead_user).action_validate(), True)
        period = self.period
        self.assertEqual(period.state, "validated")
        self.assertEqual(period.validated_by_id, self.lead_user)
        self.assertEqual(period.validated_by_partner_id, self.lead_user.partner_id)
        self.assertTrue(period.validated_date)
        self.assertFalse(period.tacit_acceptance)
        self.assertEqual(len(period.lines_hash), 64)
        self.assertTrue(period._check_hash())
        self.assertNotEqual(period.sudo().access_token, token)
        if self.env.ref(
            "regie_staffing.action_report_regie_timesheet_period",
            raise_if_not_found=False,
        ):
            # The signed report is rendered after the validation, in the
            # background.
            self.assertTrue(period.report_pending)
            self.assertFalse(period.report_attachment_id)
            self.env["regie.timesheet.period"]._cron_render_pending_reports()
            self.assertFalse(period.report_pending)
            self.assertEqual(period.report_attachment_id.res_id, period.id)
        bodies = " ".join(period.message_ids.mapped("body"))
        self.assertIn("submitted", bodies)
        self.assertIn("validated", bodies)

    def test_submit_asks_client_validator(self):
        self._submit()
        message = self.period.message_ids.filtered(
            lambda m: self.client in m.partner_ids
        )
        self.assertEqual(len(message), 1)
        self.assertIn(f"/my/regie/months/{self.period.id}", message.body)

    def test_submit_asks_lead_on_purchase_contract(self):
        contract = self._create_contract(direction="purchase")
        self._set_leads(contract, self.other_lead_user)
        contract.with_user(self.lead_user).action_activate()
        mission = self._create_mission(contract, employee_id=self.other_employee.id)
        mission.with_user(self.lead_user).action_start()
        period = self.Period.create(
            {"mission_id": mission.id, "date_from": date(2025, 3, 1)}
        )
        period.with_user(self.other_consultant_user).action_submit()
        self.assertEqual(period.activity_ids.user_id, self.other_lead_user)
        period.with_user(self.other_lead_user).action_validate()
        # The reminder is gone; the consultant is told his month is validated.
        self.assertEqual(period.activity_ids.user_id, self.other_consultant_user)

    def test_public_methods_return_true(self):
        self.assertIs(self.period.with_user(self.consultant_user).action_submit(), True)
        self.assertIs(
            self.period.with_user(self.manager_user).action_reset_to_draft(), True
        )

    def test_validate_batch_of_months(self):
        self._submit()
        other = self._create_mission(self.contract, employee_id=self.other_employee.id)
        other.with_user(self.lead_user).action_start()
        ids = self.Period.with_user(self.lead_user).generate_periods("2025-03-01")
        periods = self.Period.browse(ids)
        (periods - self.period).with_user(self.other_consultant_user).action_submit()
        periods.with_user(self.lead_user).action_validate()
        self.assertEqual(set(periods.mapped("state")), {"validated"})
        self.assertEqual(len(set(periods.mapped("lines_hash"))), 2)
        self.assertEqual(len(set(periods.sudo().mapped("access_token"))), 2)

    def test_consultant_submits_only_own_months(self):
        with self.assertRaises(AccessError):
            self.period.with_user(self.other_consultant_user).action_submit()
        self.assertEqual(self.period.state, "draft")

    def test_lead_of_another_contract_cannot_submit_or_validate(self):
        with self.assertRaises(AccessError):
            self.period.with_user(self.other_lead_user).action_submit()
        self._submit()
        with self.assertRaises(AccessError):
            self.period.with_user(self.other_lead_user).action_validate()
        self.assertEqual(self.period.state, "submitted")

    def test_contest_refused_to_lead_of_another_contract(self):
        self._submit()
        with self.assertRaises(AccessError):
            self.period.with_user(self.other_lead_user).action_contest("No")
        self.assertEqual(self.period.state, "submitted")

    def test_manager_contests(self):
        self._submit()
        self.period.with_user(self.manager_user).action_contest("Check the hours")
        self.assertEqual(self.period.state, "contested")
        self.assertEqual(self.period.contested_by_id, self.manager_user)

    def test_project_lead_validates(self):
        self._set_leads(self.contract, self.other_lead_user)
        self._submit()
        self.period.with_user(self.other_lead_user).action_validate()
        self.assertEqual(self.period.validated_by_id, self.other_lead_user)

    def test_consultant_cannot_validate_or_contest_own_month(self):
        self._submit()
        with self.assertRaisesRegex(UserError, "own month"):
            self.period.with_user(self.consultant_user).action_validate()
        with self.assertRaisesRegex(UserError, "own month"):
            self.period.with_user(self.consultant_user).action_contest("No")
        self.assertEqual(self.period.state, "submitted")

    def test_manager_cannot_validate_own_month(self):
        employee = self.env["hr.employee"].create(
            {"name": "Manon Manager", "user_id": self.manager_user.id}
        )
        mission = self._create_mission(self.contract, employee_id=employee.id)
        mission.with_user(self.lead_user).action_start()
        period = self.Period.create(
            {"mission_id": mission.id, "date_from": date(2025, 3, 1)}
        )
        period.with_user(self.manager_user).action_submit()
        with self.assertRaisesRegex(UserError, "own month"):
            period.with_user(self.manager_user).action_validate()
        # Not even as superuser on the manager's behalf.
        with self.assertRaisesRegex(UserError, "own month"):
            period.with_user(self.manager_user).sudo().action_validate()
        period.with_user(self.lead_user).action_validate()
        self.assertEqual(period.state, "validated")

    def test_validate_requires_submitted_month(self):
        with self.assertRaisesRegex(UserError, "not submitted"):
            self.period.with_user(self.lead_user).action_validate()
        self._validate()
        with self.assertRaisesRegex(UserError, "not submitted"):
            self.period.with_user(self.manager_user).action_validate()
        with self.assertRaises(UserError):
            self.period.with_user(self.consultant_user).action_submit()

    def test_contest_requires_reason(self):
        self._submit()
        for reason in (None, "", "   "):
            with self.assertRaisesRegex(UserError, "reason"):
                self.period.with_user(self.lead_user).action_contest(reason)
        self.assertEqual(self.period.state, "submitted")
        self.assertFalse(self.period.dispute_ids)

    def test_contest_opens_dispute_on_lines(self):
        self._submit()
        line = self.lines[0]
        result = self.period.with_user(self.lead_user).action_contest(
            "3 March was a bank holiday",
            line_ids=line.ids,
            requested_correction="Remove the line",
        )
        self.assertIs(result, True)
        period = self.period
        self.assertEqual(period.state, "contested")
        self.assertEqual(period.contested_by_id, self.lead_user)
        dispute = period.dispute_ids
        self.assertEqual(len(dispute), 1)
        self.assertEqual(period.dispute_count, 1)
        self.assertEqual(dispute.state, "open")
        self.assertEqual(dispute.line_ids, line)
        self.assertEqual(dispute.reason, "3 March was a bank holiday")
        self.assertEqual(dispute.requested_correction, "Remove the line")
        self.assertIn("bank holiday", period.message_ids[:1].body)

    def test_contest_refuses_lines_of_another_month(self):
        self._submit()
        april = self.Line.create(
            {
                "name": "April",
                "project_id": self.contract.project_id.id,
                "employee_id": self.employee.id,
                "date": date(2025, 4, 1),
                "unit_amount": 2.0,
            }
        )
        with self.assertRaises(UserError):
            self.period.with_user(self.lead_user).action_contest(
                "Wrong", line_ids=april.ids
            )

    def test_reset_to_draft_manager_only(self):
        self._validate()
        for user in (self.consultant_user, self.lead_user):
            with self.assertRaises(AccessError):
                self.period.with_user(user).action_reset_to_draft()
        self.period.with_user(self.manager_user).action_reset_to_draft()
        period = self.period
        self.assertEqual(period.state, "draft")
        self.assertFalse(period.lines_hash)
        self.assertFalse(period.validated_by_id)
        self.assertIn("reset to draft", period.message_ids[:1].body)
        with self.assertRaises(UserError):
            period.with_user(self.manager_user).action_reset_to_draft()

    # -- protected fields ---------------------------------------------------

    def test_workflow_fields_refused_to_every_user(self):
        self._submit()
        for user in (self.consultant_user, self.lead_user, self.manager_user):
            for vals in (
                {"state": "validated"},
                {"validated_by_id": user.id},
                {"lines_hash": "forged"},
                {"tacit_acceptance": True},
                {"signed_by": "Nobody"},
                {"mission_id": self.mission.id},
            ):
                with self.assertRaises(UserError, msg=f"{user.login} {vals}"):
                    self.period.with_user(user).write(vals)
        # Not even in sudo without the workflow key.
        with self.assertRaises(UserError):
            self.period.sudo().write({"state": "validated"})
        # A context key sent over RPC is plain data: refused as well.
        with self.assertRaises(UserError):
            self.period.with_user(self.manager_user).with_context(
                regie_period_workflow=True
            ).write({"state": "validated"})
        # Nor in sudo: only the in-process marker of the actions counts.
        with self.assertRaises(UserError):
            self.period.sudo().with_context(regie_period_workflow=True).write(
                {"state": "validated"}
            )
        self.assertEqual(self.period.state, "submitted")

    def test_workflow_fields_refused_on_create(self):
        with self.assertRaises(UserError):
            self.Period.with_user(self.manager_user).create(
                {
                    "mission_id": self.mission.id,
                    "date_from": date(2025, 5, 1),
                    "state": "validated",
                }
            )

    def test_consultant_reads_only_own_months(self):
        other = self._create_mission(self.contract, employee_id=self.other_employee.id)
        other_period = self.Period.create(
            {"mission_id": other.id, "date_from": date(2025, 3, 1)}
        )
        visible = self.Period.with_user(self.consultant_user).search([])
        self.assertIn(self.period, visible)
        self.assertNotIn(other_period, visible)
        with self.assertRaises(AccessError):
            other_period.with_user(self.consultant_user).read(["state"])

    # -- hash -----------------------------------------------------------------

    def test_hash_catches_sql_change(self):
        self._validate()
        self.assertTrue(self.period._check_hash())
        self.env.cr.execute(
            "UPDATE account_analytic_line SET unit_amount = 7.5 WHERE id = %s",
            [self.lines[0].id],
        )
        self.env.invalidate_all()
        self.assertFalse(self.period._check_hash())

    def test_hash_catches_description_change(self):
        self._validate()
        self.env.cr.execute(
            "UPDATE account_analytic_line SET name = 'Other' WHERE id = %s",
            [self.lines[1].id],
        )
        self.env.invalidate_all()
        self.assertFalse(self.period._check_hash())

    def test_hash_covers_what_the_month_bills(self):
        self._validate()
        changes = [
            ("regie_contract", "hours_per_day", self.contract.id, 4.0),
            ("regie_contract", "day_rounding", self.contract.id, "day"),
            ("regie_contract", "billing_unit", self.contract.id, "hour"),
            ("regie_timesheet_period", "billable_days", self.period.id, 16.0),
            ("regie_timesheet_period", "total_days", self.period.id, 16.0),
        ]
        for table, column, record_id, value in changes:
            with self.subTest(column=column):
                self.env.cr.execute(
                    SQL(
                        "SELECT %s FROM %s WHERE id = %s",
                        SQL.identifier(column),
                        SQL.identifier(table),
                        record_id,
                    )
                )
                original = self.env.cr.fetchone()[0]
                for new_value, matches in ((value, False), (original, True)):
                    self.env.cr.execute(
                        SQL(
                            "UPDATE %s SET %s = %s WHERE id = %s",
                            SQL.identifier(table),
                            SQL.identifier(column),
                            new_value,
                            record_id,
                        )
                    )
                    self.env.invalidate_all()
                    self.assertEqual(self.period._check_hash(), matches)


@tagged("post_install", "-at_install")
class TestTimesheetPeriodPortal(RegiePeriodCommon):
    """The private hooks the portal controller calls after its own checks."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.client_manager = cls.env["res.partner"].create(
            {"name": "Valérie Validator", "parent_id": cls.client.id}
        )
        cls.contract.client_manager_id = cls.client_manager
        cls.portal_user = new_test_user(
            cls.env,
            login="regie_portal",
            groups="base.group_portal",
            partner_id=cls.client_manager.id,
        )
        cls.stranger = cls.env["res.partner"].create({"name": "Other Corp"})

    def test_portal_validate_by_validator(self):
        self._submit()
        token = self.period.sudo()._portal_ensure_token()
        period = self.period.with_user(self.portal_user).sudo()
        result = period._portal_validate(
            self.client_manager, b"c2lnbmF0dXJl", "Valérie Validator"
        )
        self.assertIs(result, True)
        period = self.period.sudo()
        self.assertEqual(period.state, "validated")
        self.assertEqual(period.validated_by_partner_id, self.client_manager)
        self.assertEqual(period.validated_by_id, self.portal_user)
        self.assertEqual(period.signed_by, "Valérie Validator")
        self.assertTrue(period.signed_on)
        self.assertTrue(period.signature)
        self.assertTrue(period.lines_hash)
        self.assertNotEqual(period.access_token, token)
        self.assertEqual(period.message_ids[:1].author_id, self.client_manager)

    def test_portal_refuses_other_company_and_consultant(self):
        self._submit()
        with self.assertRaises(AccessError):
            self.period.sudo()._portal_validate(self.stranger, b"", "Intruder")
        with self.assertRaises(AccessError):
            self.period.sudo()._portal_contest(self.stranger, "Intruder")
        with self.assertRaises(AccessError):
            self.period.sudo()._portal_validate(
                self.consultant_user.partner_id, b"", "Me"
            )
        self.assertEqual(self.period.state, "submitted")

    def test_portal_refuses_month_not_submitted(self):
        with self.assertRaises(UserError):
            self.period.sudo()._portal_validate(self.client_manager, b"", "V")

    def test_portal_contest(self):
        self._submit()
        with self.assertRaises(UserError):
            self.period.sudo()._portal_contest(self.client_manager, "")
        self.period.sudo()._portal_contest(self.client_manager, "Too many hours")
        self.assertEqual(self.period.state, "contested")
        self.assertEqual(self.period.dispute_ids.reason, "Too many hours")
        self.assertFalse(self.period.contested_by_id, "not logged in as the contact")
        message = self.period.message_ids[:1]
        self.assertEqual(message.author_id, self.client_manager)
        self.assertIn("Too many hours", message.body)

    def test_portal_colleague_of_sale_client_may_validate(self):
        colleague = self.env["res.partner"].create(
            {"name": "Colin Colleague", "parent_id": self.client.id}
        )
        self._submit()
        self.period.sudo()._portal_validate(colleague, b"", "Colin")
        self.assertEqual(self.period.validated_by_partner_id, colleague)

    def test_purchase_provider_contact_cannot_validate(self):
        provider = self.env["res.partner"].create(
            {"name": "Provider", "is_company": True}
        )
        contract = self._create_contract(direction="purchase", partner_id=provider.id)
        contract.with_user(self.lead_user).action_activate()
        mission = self._create_mission(contract, employee_id=self.other_employee.id)
        mission.with_user(self.lead_user).action_start()
        period = self.Period.create(
            {"mission_id": mission.id, "date_from": date(2025, 3, 1)}
        )
        period.with_user(self.other_consultant_user).action_submit()
        with self.assertRaises(AccessError):
            period.sudo()._portal_validate(provider, b"", "Provider")
        period.with_user(self.lead_user).action_validate()
        self.assertEqual(period.state, "validated")
        self.assertEqual(contract.project_lead_ids, self.env["res.users"])
        contract.project_lead_ids = [Command.link(self.other_lead_user.id)]
        self.assertEqual(period.validator_partner_id, self.other_lead_user.partner_id)
