from datetime import date

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from .common import RegieCommon


@tagged("post_install", "-at_install")
class TestContract(RegieCommon):
    def test_create_assigns_sequence_names(self):
        self.assertTrue(self.contract.name.startswith("RC/"))
        self.assertTrue(self.mission.name.startswith("RM/"))
        self.assertEqual(self.contract.state, "draft")

    def test_activate_creates_project_and_starts_missions(self):
        self._activate()
        contract = self.contract
        self.assertEqual(contract.state, "active")
        project = contract.project_id
        self.assertTrue(project)
        self.assertTrue(project.allow_timesheets)
        self.assertEqual(project.partner_id, self.client)
        self.assertEqual(project.company_id, contract.company_id)
        # Named for the people who log time on it: client, then title or reference.
        self.assertEqual(project.name, f"Client SA - {contract.name}")
        self.assertTrue(project.account_id, "the project brings its analytic account")
        self.assertEqual(contract.analytic_account_id, project.account_id)
        self.assertEqual(project.regie_contract_id, contract)
        self.assertEqual(self.mission.state, "active")
        self.assertIn("activated", contract.message_ids[:1].body)

    def test_activate_keeps_existing_project(self):
        project = self.env["project.project"].create({"name": "Existing"})
        self.contract.project_id = project
        self._activate()
        self.assertEqual(self.contract.project_id, project)
        self.assertEqual(project.regie_contract_id, self.contract)

    def test_activate_without_partner_refused(self):
        contract = self._create_contract(partner_id=False)
        with self.assertRaises(UserError):
            contract.with_user(self.lead_user).action_activate()
        self.assertEqual(contract.state, "draft")
        self.assertFalse(contract.project_id)

    def test_activate_twice_refused(self):
        self._activate()
        with self.assertRaises(UserError):
            self._activate()

    def test_cancel_and_reset_to_draft(self):
        contract = self.contract.with_user(self.lead_user)
        self.assertIs(contract.action_cancel(), True)
        self.assertEqual(contract.state, "cancelled")
        self.assertEqual(self.mission.state, "cancelled")
        self.assertIs(contract.action_reset_to_draft(), True)
        self.assertEqual(contract.state, "draft")
        self.assertEqual(self.mission.state, "draft")

    def test_cancel_active_contract_refused(self):
        self._activate()
        with self.assertRaises(UserError):
            self.contract.with_user(self.lead_user).action_cancel()
        with self.assertRaises(UserError):
            self.contract.with_user(self.lead_user).action_reset_to_draft()

    @freeze_time("2025-03-01")
    def test_terminate_before_notice_period_refused(self):
        self._activate()
        with self.assertRaises(UserError):
            self.contract.with_user(self.lead_user).action_terminate(
                termination_date="2025-03-10", reason="Budget cut"
            )
        self.assertFalse(self.contract.termination_notice_date)

    @freeze_time("2025-03-01")
    def test_terminate_with_notice_stays_active_until_date(self):
        self._activate()
        contract = self.contract.with_user(self.lead_user)
        self.assertIs(contract.action_terminate(reason="Budget cut"), True)
        self.assertEqual(contract.state, "active")
        self.assertEqual(contract.termination_notice_date, date(2025, 3, 1))
        self.assertEqual(contract.termination_date, date(2025, 3, 31))
        self.assertEqual(contract.termination_reason, "Budget cut")
        self.assertIn("Notice of termination", contract.message_ids[:1].body)
        tasks = self.env["project.task"].search(
            [("project_id", "=", contract.project_id.id)]
        )
        self.assertEqual(
            sorted(tasks.mapped("regie_task_kind")), ["handover", "knowledge_transfer"]
        )

    @freeze_time("2025-03-01")
    def test_terminate_twice_plans_exit_tasks_once(self):
        self._activate()
        contract = self.contract.with_user(self.lead_user)
        contract.action_terminate(termination_date="2025-04-15")
        contract.action_terminate(termination_date=date(2025, 5, 1))
        self.assertEqual(contract.termination_date, date(2025, 5, 1))
        tasks = self.env["project.task"].search(
            [("project_id", "=", contract.project_id.id)]
        )
        self.assertEqual(len(tasks), 2)

    @freeze_time("2025-03-01")
    def test_manager_can_force_immediate_termination(self):
        self._activate()
        contract = self.contract.with_user(self.manager_user)
        contract.action_terminate(
            termination_date="2025-03-01", reason="Misconduct", force=True
        )
        self.assertEqual(contract.state, "terminated")
        self.assertEqual(self.mission.state, "done")
        self.assertFalse(contract.notice_deadline)

    @freeze_time("2025-03-01")
    def test_lead_cannot_force_termination(self):
        self._activate()
        with self.assertRaises(AccessError):
            self.contract.with_user(self.lead_user).action_terminate(
                termination_date="2025-03-01", force=True
            )
        self.assertEqual(self.contract.state, "active")

    def test_terminate_draft_refused(self):
        with self.assertRaises(UserError):
            self.contract.with_user(self.manager_user).action_terminate(force=True)

    def test_termination_wizard_gives_notice(self):
        self._activate()
        contract = self.contract.with_user(self.lead_user)
        action = contract.action_open_termination_wizard()
        wizard = (
            self.env[action["res_model"]]
            .with_user(self.lead_user)
            .with_context(**action["context"])
            .create({"reason": "End of project"})
        )
        self.assertFalse(wizard.can_force)
        self.assertEqual(wizard.action_confirm()["type"], "ir.actions.act_window_close")
        self.assertEqual(self.contract.termination_reason, "End of project")

    @freeze_time("2025-03-01")
    def test_termination_wizard_lets_manager_force(self):
        self._activate()
        wizard = (
            self.env["regie.contract.termination"]
            .with_user(self.manager_user)
            .create(
                {
                    "contract_id": self.contract.id,
                    "termination_date": date(2025, 3, 1),
                    "force": True,
                }
            )
        )
        self.assertTrue(wizard.can_force)
        wizard.action_confirm()
        self.assertEqual(self.contract.state, "terminated")

    def test_renew_extends_end_date(self):
        self.contract.write({"renewal_type": "explicit", "renewal_period_months": 6})
        self._activate()
        self.assertIs(self.contract.with_user(self.lead_user).action_renew(), True)
        self.assertEqual(self.contract.date_end, date(2026, 6, 30))
        self.assertIn("renewed", self.contract.message_ids[:1].body)

    def test_renew_extends_missions_running_to_term(self):
        self.contract.write({"renewal_type": "explicit", "renewal_period_months": 12})
        short = self._create_mission(self.contract, date_end=date(2025, 6, 30))
        self._activate()
        self.contract.with_user(self.lead_user).action_renew()
        self.assertEqual(self.mission.date_end, date(2026, 12, 31))
        self.assertEqual(short.date_end, date(2025, 6, 30))

    def test_renew_month_ends(self):
        cases = [
            (date(2025, 1, 1), date(2025, 1, 31), 1, date(2025, 2, 28)),
            (date(2024, 1, 1), date(2024, 1, 31), 1, date(2024, 2, 29)),
            (date(2023, 3, 1), date(2024, 2, 29), 12, date(2025, 2, 28)),
        ]
        for start, end, months, expected in cases:
            contract = self._create_contract(
                date_start=start,
                date_end=end,
                renewal_type="tacit",
                renewal_period_months=months,
            )
            self._activate(contract)
            contract.with_user(self.lead_user).action_renew()
            self.assertEqual(contract.date_end, expected)

    def test_renew_refused_when_not_renewable(self):
        open_ended = self._create_contract(date_end=False, renewal_type="explicit")
        no_renewal = self._create_contract(renewal_type="none")
        for contract in open_ended | no_renewal:
            self._activate(contract)
            with self.assertRaises(UserError):
                contract.with_user(self.lead_user).action_renew()
        draft = self._create_contract(renewal_type="explicit")
        with self.assertRaises(UserError):
            draft.with_user(self.lead_user).action_renew()

    def test_notice_deadline_computation(self):
        self.assertEqual(self.contract.notice_deadline, date(2025, 12, 1))
        self.contract.notice_period_days = 90
        self.assertEqual(self.contract.notice_deadline, date(2025, 10, 2))
        self.contract.date_end = False
        self.assertFalse(self.contract.notice_deadline)

    def test_end_before_start_refused(self):
        with self.assertRaises(ValidationError):
            self._create_contract(date_end=date(2024, 12, 31))

    def test_hours_per_day_out_of_range_refused(self):
        for hours in (0.0, -1.0, 24.5):
            with self.assertRaises(ValidationError):
                self._create_contract(hours_per_day=hours)
        self.assertEqual(self._create_contract(hours_per_day=24).hours_per_day, 24)

    def test_negative_notice_refused(self):
        with self.assertRaises(ValidationError):
            self._create_contract(notice_period_days=-1)

    def test_validation_deadline_day_range(self):
        for day in (0, 29):
            with self.assertRaises(ValidationError):
                self._create_contract(validation_deadline_day=day)

    def test_renewal_period_must_be_positive_when_renewable(self):
        with self.assertRaises(ValidationError):
            self._create_contract(renewal_type="tacit", renewal_period_months=0)
        contract = self._create_contract(renewal_type="none", renewal_period_months=0)
        self.assertEqual(contract.renewal_period_months, 0)

    def test_kpi_without_target_refused(self):
        kpis = self.env["regie.contract.kpi"].with_user(self.lead_user)
        with self.assertRaises(ValidationError):
            kpis.create({"contract_id": self.contract.id, "name": "Availability"})
        with self.assertRaises(ValidationError):
            kpis.create(
                {"contract_id": self.contract.id, "name": "Uptime", "target": False}
            )
        kpi = kpis.create(
            {"contract_id": self.contract.id, "name": "Incidents", "target": 0.0}
        )
        self.assertEqual(kpi.target, 0.0)

    def test_load_clause_templates_ordered_filtered_and_idempotent(self):
        self.env["regie.clause.template"].search([]).action_archive()
        second = self._create_template("Second", 20)
        first = self._create_template("First", 10)
        self._create_template("Buy side only", 5, direction="purchase")
        self._create_template("Archived", 1, active=False)
        other_company = self.env["res.company"].create({"name": "Other Co"})
        self._create_template("Other company", 2, company_id=other_company.id)
        contract = self.contract.with_user(self.lead_user)
        self.assertIs(contract.action_load_clause_templates(), True)
        self.assertEqual(contract.clause_ids.template_id, first | second)
        self.assertEqual(contract.clause_ids.mapped("name"), ["First", "Second"])
        contract.action_load_clause_templates()
        self.assertEqual(len(contract.clause_ids), 2)
        third = self._create_template("Third", 1)
        contract.action_load_clause_templates()
        self.assertEqual(
            contract.clause_ids.mapped("template_id"), first | second | third
        )
        self.assertEqual(contract.clause_ids[-1].template_id, third)

    def test_load_clause_templates_in_partner_language(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.client.lang = "fr_FR"
        self.env["regie.clause.template"].search([]).action_archive()
        template = self._create_template("Confidentiality", 10)
        template.with_context(lang="fr_FR").name = "Confidentialité"
        self.contract.with_user(self.lead_user).action_load_clause_templates()
        self.assertEqual(self.contract.clause_ids.name, "Confidentialité")

    def test_counts_and_next_review_date(self):
        self.assertEqual(self.contract.mission_count, 1)
        self.assertEqual(self.contract.review_count, 0)
        self.assertFalse(self.contract.next_review_date)
        self.contract.review_frequency = "quarterly"
        self.assertEqual(self.contract.next_review_date, date(2025, 4, 1))
        review = self.env["regie.review"].create(
            {"contract_id": self.contract.id, "date": date(2025, 3, 15)}
        )
        self.assertEqual(self.contract.review_count, 1)
        self.assertEqual(self.contract.next_review_date, review.date)

    def test_view_actions_return_actions(self):
        contract = self.contract.with_user(self.lead_user)
        for method in ("action_view_missions", "action_view_reviews"):
            action = getattr(contract, method)()
            self.assertEqual(action["domain"], [("contract_id", "=", contract.id)])
        action = self.contract.action_view_timesheets()
        self.assertEqual(action["domain"], [("regie_contract_id", "=", contract.id)])

    def test_unlink_active_contract_refused(self):
        self._activate()
        with self.assertRaises(UserError):
            self.contract.with_user(self.manager_user).unlink()


@tagged("post_install", "-at_install")
class TestContractWorkflowFields(RegieCommon):
    def test_state_cannot_be_written_directly(self):
        contract = self.contract.with_user(self.manager_user)
        with self.assertRaises(UserError):
            contract.write({"state": "active"})
        with self.assertRaises(UserError):
            contract.with_context(regie_workflow=True).write({"state": "active"})
        with self.assertRaises(UserError):
            contract.write({"termination_date": "2030-01-01"})
        self.assertEqual(contract.state, "draft")

    def test_contract_cannot_be_created_active(self):
        with self.assertRaises(UserError):
            self.env["regie.contract"].with_user(self.manager_user).create(
                {"partner_id": self.client.id, "state": "active"}
            )

    def test_mission_state_only_through_actions(self):
        with self.assertRaises(UserError):
            self.mission.with_user(self.manager_user).write({"state": "done"})


@tagged("post_install", "-at_install")
class TestContractFrozenTerms(RegieCommon):
    """Once a month of the contract is submitted, the terms deciding what it
    bills or to whom no longer change."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.contract.with_user(cls.lead_user).action_activate()
        cls.lines = cls.env["account.analytic.line"].create(
            [
                {
                    "name": "Work",
                    "project_id": cls.contract.project_id.id,
                    "employee_id": cls.employee.id,
                    "date": date(2025, 3, day),
                    "unit_amount": 8.0,
                }
                for day in (3, 4, 5, 6, 7, 10, 11, 12)
            ]
        )
        cls.period = cls.lines.regie_period_id
        cls.euro = cls.env.ref("base.EUR")
        cls.other_currency = cls.env.ref("base.USD")
        if cls.contract.currency_id == cls.other_currency:
            cls.other_currency = cls.euro
        cls.other_currency.active = True
        cls.other_client = cls.env["res.partner"].create(
            {"name": "Other Client", "is_company": True}
        )

    def _submit(self):
        self.period.with_user(self.consultant_user).action_submit()

    def _validate(self):
        self._submit()
        self.period.with_user(self.lead_user).action_validate()

    def _frozen_values(self):
        return {
            "hours_per_day": 4.0,
            "day_rounding": "day",
            "billing_unit": "hour",
            "currency_id": self.other_currency.id,
            "partner_id": self.other_client.id,
            "direction": "purchase",
        }

    def test_hours_per_day_frozen_once_month_validated(self):
        self._validate()
        self.assertEqual(self.period.billable_days, 8.0)
        contract = self.contract.with_user(self.lead_user)
        with self.assertRaises(UserError) as refused:
            contract.write({"hours_per_day": 4.0})
        message = str(refused.exception)
        self.assertIn("Hours Per Day", message)
        self.assertIn(self.period.name, message)
        self.assertEqual(self.contract.hours_per_day, 8.0)
        self.assertEqual(self.period.billable_days, 8.0)

    def test_billing_terms_frozen_for_every_non_draft_state(self):
        self._submit()
        for state in ("submitted", "contested", "validated"):
            self.period._period_workflow().write({"state": state})
            for fname, value in self._frozen_values().items():
                with (
                    self.subTest(state=state, field=fname),
                    self.assertRaises(UserError) as refused,
                ):
                    self.contract.with_user(self.manager_user).write({fname: value})
                self.assertIn(self.period.name, str(refused.exception))
                self.assertIn(
                    self.contract._fields[fname]._description_string(self.env),
                    str(refused.exception),
                )
        self.assertRecordValues(
            self.contract,
            [
                {
                    "hours_per_day": 8.0,
                    "day_rounding": "none",
                    "billing_unit": "day",
                    "partner_id": self.client.id,
                    "direction": "sale",
                }
            ],
        )

    def test_unchanged_terms_can_be_written_again(self):
        self._validate()
        contract = self.contract.with_user(self.lead_user)
        contract.write(
            {
                "hours_per_day": 8,
                "day_rounding": "none",
                "billing_unit": "day",
                "currency_id": self.contract.currency_id.id,
                "partner_id": self.client.id,
                "direction": "sale",
                "budget_days": 40.0,
            }
        )
        self.assertEqual(self.contract.budget_days, 40.0)
        # Other terms stay editable.
        contract.write({"validation_deadline_day": 10, "notice_period_days": 60})
        self.assertEqual(self.contract.notice_period_days, 60)

    def test_terms_editable_while_months_are_draft(self):
        # The month went back to draft: the terms may change again.
        self._submit()
        self.period.with_user(self.manager_user).action_reset_to_draft()
        self.contract.with_user(self.manager_user).write(self._frozen_values())
        self.assertEqual(self.contract.hours_per_day, 4.0)
        self.assertEqual(self.period.total_days, 16.0)
        self.assertEqual(self.period.partner_id, self.other_client)

    def test_only_contracts_with_submitted_months_are_frozen(self):
        other = self._create_contract()
        self._submit()
        with self.assertRaises(UserError):
            (self.contract | other).write({"hours_per_day": 7.0})
        other.write({"hours_per_day": 7.0})
        self.assertEqual(other.hours_per_day, 7.0)

    def test_frozen_check_is_one_query_for_a_batch(self):
        contracts = self.env["regie.contract"].browse(
            [self._create_contract().id for _i in range(10)]
        )

        def count(records):
            self.env.flush_all()
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            records._check_frozen_fields({"hours_per_day": 7.0})
            return self.env.cr.sql_log_count - before

        self.assertEqual(count(contracts), count(contracts[:1]))
