from datetime import date

from lxml import etree

from odoo.exceptions import AccessError
from odoo.tests import tagged
from odoo.tests.common import new_test_user

from .common import RegieInvoicingCommon

MARCH = date(2025, 3, 1)
MISSION_MONEY = ["daily_rate", "current_rate", "rate_ids"]
CONTRACT_MONEY = ["budget_amount", "invoiced_amount", "budget_consumed"]


@tagged("post_install", "-at_install")
class TestNeedToKnow(RegieInvoicingCommon):
    """Sell rates, budgets and invoiced amounts are read by the contract's
    leads, the managers and the accountants; its consultants see their days,
    and a freelancer the rate he is paid."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.contract.budget_amount = 20000.0
        cls.contract.budget_days = 40.0
        cls.period = cls._validated_month(cls.mission, MARCH, days=4)

    def _field_names(self, model, user, view_type="form"):
        arch = (
            self.env[model]
            .with_user(user)
            .get_views([(False, view_type)])["views"][view_type]["arch"]
        )
        return set(etree.fromstring(arch).xpath("//field/@name"))

    def test_consultant_reads_days_not_money(self):
        mission = self.mission.with_user(self.consultant)
        contract = self.contract.with_user(self.consultant)
        for field in MISSION_MONEY:
            with self.assertRaises(AccessError):
                mission.read([field])
        for field in CONTRACT_MONEY:
            with self.assertRaises(AccessError):
                contract.read([field])
        rate = self.mission.rate_ids[:1].with_user(self.consultant)
        self.assertTrue(rate)
        with self.assertRaises(AccessError):
            rate.read(["daily_rate"])
        # Nor through a search on the rate.
        with self.assertRaises(AccessError):
            self.env["regie.mission"].with_user(self.consultant).search(
                [("daily_rate", ">", 100)]
            )
        # What he needs: his days, the contract's budget in days.
        values = mission.read(["name", "estimated_days", "consumed_days"])[0]
        self.assertEqual(values["consumed_days"], 4.0)
        self.assertEqual(contract.read(["budget_days"])[0]["budget_days"], 40.0)
        # A read of every field leaves the money out rather than failing.
        everything = mission.read()[0]
        self.assertFalse(set(MISSION_MONEY) & set(everything))
        everything = contract.read()[0]
        self.assertFalse(set(CONTRACT_MONEY) & set(everything))

    def test_consultant_screens_hide_the_money(self):
        mission_fields = self._field_names("regie.mission", self.consultant)
        self.assertFalse(set(MISSION_MONEY) & mission_fields)
        self.assertNotIn("daily_cost", mission_fields)
        for view_type in ("list", "kanban"):
            self.assertNotIn(
                "current_rate",
                self._field_names("regie.mission", self.consultant, view_type),
            )
        contract_fields = self._field_names("regie.contract", self.consultant)
        self.assertFalse(set(CONTRACT_MONEY) & contract_fields)
        self.assertNotIn("budget_alert_thresholds", contract_fields)
        self.assertNotIn("product_id", contract_fields)
        self.assertIn("budget_days", contract_fields)
        # The contract PDF states the rates: not in his Print menu.
        report = self.env.ref("regie_staffing.action_report_regie_contract")
        self.assertFalse(report.groups_id & self.consultant.groups_id)
        for user in (self.lead, self.billing):
            self.assertTrue(report.groups_id & user.groups_id, user.login)

    def test_leads_and_accountants_read_the_money(self):
        for user in (self.lead, self.manager, self.billing, self.accountant):
            mission = self.mission.with_user(user)
            values = mission.read(["daily_rate", "current_rate"])[0]
            self.assertEqual(values["daily_rate"], 500.0, user.login)
            self.assertEqual(values["current_rate"], 500.0, user.login)
            self.assertEqual(
                mission.rate_ids.read(["daily_rate"])[0]["daily_rate"], 500.0
            )
            values = self.contract.with_user(user).read(CONTRACT_MONEY)[0]
            self.assertEqual(values["budget_amount"], 20000.0, user.login)
            self.assertIn("current_rate", self._field_names("regie.mission", user))
            self.assertIn(
                "budget_amount", self._field_names("regie.contract", user), user.login
            )

    def test_consultant_logs_and_submits_his_month(self):
        """The amounts of his month are computed without him reading them."""
        april = date(2025, 4, 1)
        lines = (
            self.env["account.analytic.line"]
            .with_user(self.consultant)
            .create(
                {
                    "name": "Work",
                    "project_id": self.contract.project_id.id,
                    "employee_id": self.employee.id,
                    "date": april,
                    "unit_amount": 8.0,
                }
            )
        )
        period = lines.regie_period_id.with_user(self.consultant)
        self.assertTrue(period)
        period.action_submit()
        self.assertEqual(period.state, "submitted")
        period.with_user(self.lead).action_validate()
        self.assertEqual(period.with_user(self.billing).amount_to_invoice, 500.0)
        # His month screen opens without the amounts.
        period.invalidate_recordset()
        self.assertEqual(period.read(["billable_days"])[0]["billable_days"], 1.0)

    def test_freelancer_reads_his_purchase_rate_only(self):
        freelancer = new_test_user(
            self.env,
            login="ntk_freelancer",
            groups="regie_staffing.group_consultant",
            company_id=self.env.company.id,
            company_ids=self.env.company.ids,
        )
        employee = self.env["hr.employee"].create(
            {"name": "Fred Freelance", "user_id": freelancer.id}
        )
        purchase = self._create_contract(
            direction="purchase", partner_id=self.provider.id
        )
        bought = self._create_mission(purchase, employee=employee, daily_rate=420.0)
        sold = self._create_mission(self.contract, employee=employee, daily_rate=610.0)
        sold.purchase_mission_id = bought
        self.assertEqual(
            bought.with_user(freelancer).read(["purchase_rate"])[0]["purchase_rate"],
            420.0,
        )
        self.assertFalse(sold.with_user(freelancer).purchase_rate)
        with self.assertRaises(AccessError):
            sold.with_user(freelancer).read(["daily_rate"])
        with self.assertRaises(AccessError):
            sold.with_user(freelancer).read(["current_rate"])
        self.assertIn("purchase_rate", self._field_names("regie.mission", freelancer))
        # Leads read the rates themselves.
        self.assertNotIn("purchase_rate", self._field_names("regie.mission", self.lead))

    def test_plain_internal_user_reads_no_contract(self):
        """The accountants' read-all rules never reach a plain employee."""
        may = self._log_days(self.mission, date(2025, 5, 1), 2).regie_period_id
        may.with_user(self.lead).action_submit()
        may.with_user(self.lead).action_contest("Wrong day")
        dispute = may.dispute_ids
        self.assertTrue(dispute)
        plain = new_test_user(
            self.env,
            login="ntk_plain",
            groups="base.group_user",
            company_id=self.env.company.id,
            company_ids=self.env.company.ids,
        )
        for record in (self.contract, self.mission, self.period, dispute):
            with self.assertRaises(AccessError):
                record.with_user(plain).read(["name"])
            with self.assertRaises(AccessError):
                self.env[record._name].with_user(plain).search([])
        user_group = self.env.ref("base.group_user")
        rules = self.env["ir.rule"].search(
            [
                ("model_id.model", "like", "regie.%"),
                ("domain_force", "=", "[(1, '=', 1)]"),
            ]
        )
        for rule in rules:
            self.assertTrue(rule.groups, rule.name)
            self.assertNotIn(user_group, rule.groups, rule.name)
