from odoo.exceptions import AccessError
from odoo.tests import tagged
from odoo.tests.common import new_test_user

from .common import RegieCommon


@tagged("post_install", "-at_install")
class TestSecurity(RegieCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # A second contract, led by someone else, staffed with the other consultant.
        cls.other_contract = cls._create_contract(user_id=cls.other_lead_user.id)
        cls.other_mission = cls._create_mission(
            cls.other_contract, employee_id=cls.other_employee.id
        )
        cls.env["regie.contract.clause"].create(
            [
                {"contract_id": cls.contract.id, "name": "Own clause"},
                {"contract_id": cls.other_contract.id, "name": "Other clause"},
            ]
        )

    def test_consultant_sees_only_own_missions_and_contracts(self):
        env = self.env(user=self.consultant_user)
        self.assertEqual(env["regie.mission"].search([]), self.mission)
        self.assertEqual(env["regie.contract"].search([]), self.contract)
        self.assertEqual(
            env["regie.contract.clause"].search([]).mapped("name"), ["Own clause"]
        )
        self.assertEqual(env["regie.mission.rate"].search([]), self.mission.rate_ids)
        with self.assertRaises(AccessError):
            self.other_contract.with_user(self.consultant_user).read(["name"])

    def test_consultant_cannot_write_or_activate_contract(self):
        contract = self.contract.with_user(self.consultant_user)
        self.assertEqual(contract.name, self.contract.name)
        with self.assertRaises(AccessError):
            contract.write({"notice_period_days": 60})
        with self.assertRaises(AccessError):
            contract.action_activate()
        with self.assertRaises(AccessError):
            self.mission.with_user(self.consultant_user).write({"estimated_days": 1})

    def test_lead_sees_only_contracts_they_lead(self):
        env = self.env(user=self.lead_user)
        self.assertEqual(env["regie.contract"].search([]), self.contract)
        self.assertEqual(env["regie.mission"].search([]), self.mission)
        with self.assertRaises(AccessError):
            self.other_contract.with_user(self.lead_user).read(["name"])
        with self.assertRaises(AccessError):
            self.other_contract.with_user(self.lead_user).action_activate()
        self._set_leads(self.other_contract, self.lead_user)
        self.assertEqual(
            env["regie.contract"].search([]), self.contract | self.other_contract
        )
        self.other_contract.with_user(self.lead_user).write({"budget_days": 20})
        self.assertEqual(self.other_contract.budget_days, 20)

    def test_lead_creates_missions_only_on_own_contracts(self):
        missions = self.env["regie.mission"].with_user(self.lead_user)
        vals = {"employee_id": self.other_employee.id, "daily_rate": 650.0}
        mission = missions.create({"contract_id": self.contract.id, **vals})
        self.assertEqual(mission.rate_ids.daily_rate, 650.0)
        with self.assertRaises(AccessError):
            missions.create({"contract_id": self.other_contract.id, **vals})

    def test_lead_cannot_configure_templates(self):
        with self.assertRaises(AccessError):
            self.env["regie.clause.template"].with_user(self.lead_user).create(
                {"name": "Mine", "category": "other"}
            )

    def test_manager_sees_everything(self):
        env = self.env(user=self.manager_user)
        contracts = env["regie.contract"].search([])
        self.assertIn(self.contract, contracts)
        self.assertIn(self.other_contract, contracts)
        self.assertEqual(
            env["regie.mission"].search([]) & (self.mission | self.other_mission),
            self.mission | self.other_mission,
        )
        template = env["regie.clause.template"].create(
            {"name": "Manager's", "category": "other"}
        )
        self.assertTrue(template)
        self.other_contract.with_user(self.manager_user).action_activate()
        self.assertEqual(self.other_contract.state, "active")

    def test_other_company_user_cannot_read_contract(self):
        company_b = self.env["res.company"].create({"name": "Company B"})
        manager_b = new_test_user(
            self.env,
            login="regie_manager_b",
            groups="regie_staffing.group_manager",
            company_id=company_b.id,
            company_ids=[company_b.id],
        )
        env = self.env(user=manager_b)
        self.assertFalse(env["regie.contract"].search([]) & self.contract)
        with self.assertRaises(AccessError):
            self.contract.with_user(manager_b).read(["name"])

    def test_user_without_regie_group_has_no_access(self):
        user = new_test_user(self.env, login="regie_nobody", groups="base.group_user")
        with self.assertRaises(AccessError):
            self.contract.with_user(user).read(["name"])
