from datetime import date

from odoo.exceptions import MissingError, UserError
from odoo.tests import tagged

from .common import RegieCommon


class RegieBackToBackCommon(RegieCommon):
    """A freelancer staffed on an active client contract (TJM 600) through
    the ESN's purchase contract with his company (TJM 450): the sale mission
    is backed by the purchase mission."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.employee.employee_type = "freelance"
        cls.Period = cls.env["regie.timesheet.period"]
        cls.provider = cls.env["res.partner"].create(
            {"name": "Camille Conseil EURL", "is_company": True}
        )
        cls.purchase_contract = cls._create_contract(
            direction="purchase", partner_id=cls.provider.id
        )
        cls.purchase_contract.with_user(cls.lead_user).action_activate()
        cls.purchase_mission = cls._create_mission(
            cls.purchase_contract, daily_rate=450.0
        )
        if cls.purchase_mission.state == "draft":
            cls.purchase_mission.action_start()
        cls.contract.with_user(cls.lead_user).action_activate()
        cls.mission.daily_rate = 600.0
        cls.mission.purchase_mission_id = cls.purchase_mission
        if cls.mission.state == "draft":
            cls.mission.action_start()

    @classmethod
    def _log_days(cls, days, month=date(2025, 3, 1), hours=8.0, mission=None):
        mission = mission or cls.mission
        return cls.env["account.analytic.line"].create(
            [
                {
                    "name": "Work",
                    "project_id": mission.contract_id.project_id.id,
                    "employee_id": mission.employee_id.id,
                    "date": day,
                    "unit_amount": hours,
                }
                for day in [month.replace(day=3 + offset) for offset in range(days)]
            ]
        )

    def _submit(self, period):
        period.with_user(self.consultant_user).action_submit()
        return period

    def _validate(self, period):
        self._submit(period)
        period.with_user(self.lead_user).action_validate()
        return period


@tagged("post_install", "-at_install")
class TestBackToBack(RegieBackToBackCommon):
    def test_time_logged_once_gives_both_months(self):
        sale = self._log_days(3).regie_period_id
        purchase = sale.purchase_period_id
        self.assertEqual(purchase.mission_id, self.purchase_mission)
        self.assertEqual(purchase.sale_period_id, sale)
        self.assertEqual(purchase.direction, "purchase")
        self.assertEqual(purchase.date_from, date(2025, 3, 1))
        # Same days, counted from the sale month's lines.
        self.assertFalse(purchase.timesheet_ids)
        self.assertEqual(purchase.line_count, 3)
        self.assertEqual(purchase.total_days, 3.0)
        self.assertEqual(purchase.billable_days, 3.0)
        # More time logged: both months move.
        self.env["account.analytic.line"].create(
            {
                "name": "Work",
                "project_id": self.contract.project_id.id,
                "employee_id": self.employee.id,
                "date": date(2025, 3, 10),
                "unit_amount": 4.0,
            }
        )
        self.assertEqual(sale.total_days, purchase.total_days)
        self.assertEqual(purchase.total_days, 3.5)

    def test_validated_by_the_client_validates_the_purchase_month(self):
        sale = self._log_days(3).regie_period_id
        purchase = sale.purchase_period_id
        self._submit(sale)
        self.assertEqual(purchase.state, "submitted")
        self.assertEqual(purchase.submitted_by_id, self.consultant_user)
        sale.with_user(self.lead_user).action_validate()
        self.assertEqual(sale.state, "validated")
        self.assertEqual(purchase.state, "validated")
        self.assertEqual(purchase.validated_by_id, self.lead_user)
        self.assertEqual(purchase.validated_date, sale.validated_date)
        # Frozen with the sale month: its hash covers the sale month's lines.
        self.assertTrue(purchase.lines_hash)
        self.assertTrue(purchase._check_hash())
        # The lines are the sale month's, locked with it.
        with self.assertRaises(UserError):
            sale.timesheet_ids[:1].with_user(self.consultant_user).unit_amount = 1.0

    def test_extranet_lists_the_sale_month_only(self):
        sale = self._log_days(2).regie_period_id
        purchase = sale.purchase_period_id
        self.assertEqual(purchase.user_id, self.consultant_user)
        # His extranet shows the month he logs on; the purchase month follows
        # it and is neither listed nor opened there (no second entry).
        self.assertEqual(self.Period._extranet_months(self.consultant_user), sale)
        with self.assertRaises(MissingError):
            self.Period._extranet_get_month(purchase.id, self.consultant_user)

    def test_contest_and_reset_reopen_both(self):
        sale = self._log_days(2).regie_period_id
        purchase = sale.purchase_period_id
        self._submit(sale)
        sale.with_user(self.lead_user).action_contest("Day 4 was off")
        self.assertEqual(sale.state, "contested")
        self.assertEqual(purchase.state, "contested")
        self.assertEqual(purchase.contested_by_id, self.lead_user)
        # The dispute is the client's, on the sale month only.
        self.assertTrue(sale.dispute_ids)
        self.assertFalse(purchase.dispute_ids)
        sale.with_user(self.manager_user).action_reset_to_draft()
        self.assertEqual(purchase.state, "draft")
        self._validate(sale)
        self.assertEqual(purchase.state, "validated")
        sale.with_user(self.manager_user).action_reset_to_draft()
        self.assertEqual(purchase.state, "draft")
        self.assertFalse(purchase.lines_hash)
        self.assertFalse(purchase.validated_date)

    def test_purchase_month_has_no_workflow_of_its_own(self):
        sale = self._log_days(2).regie_period_id
        purchase = sale.purchase_period_id
        for user, action in (
            (self.consultant_user, lambda p: p.action_submit()),
            (self.manager_user, lambda p: p.action_submit()),
        ):
            with self.assertRaises(UserError) as refused:
                action(purchase.with_user(user))
            self.assertIn(sale.name, str(refused.exception))
        self._submit(sale)
        for action in (
            lambda p: p.action_validate(),
            lambda p: p.action_confirm_submit(),
            lambda p: p.action_contest("No"),
            lambda p: p.action_reset_to_draft(),
        ):
            with self.assertRaises(UserError) as refused:
                action(purchase.with_user(self.manager_user))
            self.assertIn("back-to-back", str(refused.exception))
        with self.assertRaises(UserError):
            purchase.sudo()._portal_validate(self.provider)
        self.assertEqual(purchase.state, "submitted")

    def test_tacit_acceptance_does_not_validate_the_purchase_month_alone(self):
        self.purchase_contract.tacit_acceptance_days = 1
        sale = self._log_days(2).regie_period_id
        purchase = sale.purchase_period_id
        self._submit(sale)
        self.env.cr.execute(
            "UPDATE regie_timesheet_period SET submitted_date = %s WHERE id IN %s",
            ("2025-04-01", (sale.id, purchase.id)),
        )
        self.env.invalidate_all()
        self.Period._cron_tacit_acceptance()
        self.assertEqual(purchase.state, "submitted")
        self.assertEqual(sale.state, "submitted")

    def test_generation_creates_and_links_both_months(self):
        ids = self.Period.generate_periods(date(2025, 5, 1))
        months = self.Period.browse(ids)
        sale = months.filtered(lambda p: p.mission_id == self.mission)
        purchase = months.filtered(lambda p: p.mission_id == self.purchase_mission)
        self.assertEqual(purchase.sale_period_id, sale)
        # Idempotent.
        self.assertEqual(
            sorted(self.Period.generate_periods(date(2025, 5, 1))), sorted(ids)
        )
        self.assertEqual(
            self.Period.search_count([("sale_period_id", "=", sale.id)]), 1
        )

    def test_purchase_mission_set_after_validated_months(self):
        self.mission.purchase_mission_id = False
        sale = self._log_days(2).regie_period_id
        self.assertFalse(sale.purchase_period_id)
        self._validate(sale)
        self.mission.purchase_mission_id = self.purchase_mission
        purchase = sale.purchase_period_id
        self.assertEqual(purchase.state, "validated")
        self.assertEqual(purchase.billable_days, 2.0)
        self.assertTrue(purchase._check_hash())

    def test_changing_purchase_mission(self):
        sale = self._log_days(2).regie_period_id
        purchase = sale.purchase_period_id
        self.mission.purchase_mission_id = False
        self.assertFalse(purchase.exists())
        self.mission.purchase_mission_id = self.purchase_mission
        purchase = sale.purchase_period_id
        self._submit(sale)
        with self.assertRaises(UserError) as refused:
            self.mission.purchase_mission_id = False
        self.assertIn(purchase.name, str(refused.exception))

    def test_consultant_sees_one_month_to_fill(self):
        self._log_days(1, month=date(2025, 3, 1))
        months = self.Period.with_user(self.consultant_user)._get_my_months()
        self.assertNotIn(self.purchase_mission, months.mission_id)

    def test_end_date_follows_the_sale_mission(self):
        self.mission.date_end = date(2025, 9, 30)
        self.assertEqual(self.purchase_mission.date_end, date(2025, 9, 30))
        self.mission.date_end = date(2025, 11, 30)
        self.assertEqual(self.purchase_mission.date_end, date(2025, 11, 30))

    def test_extension_beyond_the_purchase_contract_is_proposed(self):
        self.contract.date_end = date(2026, 6, 30)
        self.mission.date_end = date(2026, 6, 30)
        # The purchase contract ends on 31/12/2025: the lead is asked to
        # renew it, the purchase mission keeps its dates meanwhile.
        self.assertEqual(self.purchase_mission.date_end, date(2025, 12, 31))
        activity = self.purchase_mission.activity_ids
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.user_id, self.lead_user)
        self.assertIn(self.purchase_contract.display_name, activity.note)

    def test_renewal_of_the_sale_contract_is_proposed(self):
        self.contract.write({"renewal_type": "tacit", "renewal_period_months": 12})
        self.contract._renew()
        self.assertEqual(self.mission.date_end, date(2026, 12, 31))
        self.assertEqual(self.purchase_mission.date_end, date(2025, 12, 31))
        self.assertTrue(self.purchase_mission.activity_ids)

    def test_termination_of_the_sale_contract(self):
        self.contract.with_user(self.manager_user).action_terminate(
            termination_date=date(2025, 10, 31), reason="Budget cut", force=True
        )
        self.assertEqual(self.purchase_mission.date_end, date(2025, 10, 31))
        # Ended at once (a past date): give notice, then close the mission.
        notes = self.purchase_mission.activity_ids.mapped("note")
        self.assertEqual(len(notes), 2)
        for note in notes:
            self.assertIn(self.purchase_contract.display_name, note)
        # The purchase contract itself is not terminated behind the
        # provider's back: its own notice applies.
        self.assertEqual(self.purchase_contract.state, "active")

    def test_sale_mission_closed_proposes_closing_the_purchase_mission(self):
        self.mission.action_done()
        self.assertEqual(self.purchase_mission.state, "active")
        self.assertTrue(self.purchase_mission.activity_ids)


@tagged("post_install", "-at_install")
class TestBackToBackSubcontractingEsn(RegieBackToBackCommon):
    """An ESN subcontracting to another ESN: the provider's own consultant,
    an employee of another type than freelance, works the same way."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.employee.employee_type = "contractor"

    def test_provider_consultant_month_follows_the_client(self):
        sale = self._log_days(4).regie_period_id
        purchase = sale.purchase_period_id
        self._validate(sale)
        self.assertEqual(purchase.state, "validated")
        self.assertEqual(purchase.billable_days, 4.0)
        self.assertEqual(purchase.partner_id, self.provider)
