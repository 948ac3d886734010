from datetime import date, timedelta

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, tagged
from odoo.tests.common import new_test_user

from .common import RegieCommon

MONDAY = date(2025, 1, 6)
# Every régie model with a company, and how a company B user may look for it.
REGIE_MODELS = (
    "regie.contract",
    "regie.contract.clause",
    "regie.contract.kpi",
    "regie.mission",
    "regie.mission.rate",
    "regie.mission.deliverable",
    "regie.review",
    "regie.review.kpi.value",
    "regie.timesheet.period",
    "regie.timesheet.dispute",
    "regie.vigilance.document",
)


class RegieTwoCompaniesCommon(RegieCommon):
    """Company A (the test company) with a full contract (clauses, KPIs, a
    review, a deliverable, a submitted month under dispute), company B with its
    own client, contract, consultant, lead, manager and portal contact."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_a = cls.env.company
        cls.company_b = cls.env["res.company"].create({"name": "Régie Company B"})
        cls.consultant_user.groups_id = [
            Command.link(cls.env.ref("hr_timesheet.group_hr_timesheet_user").id)
        ]
        # Company A's world.
        contract = cls.contract
        cls.env["regie.contract.clause"].create(
            {"contract_id": contract.id, "name": "Confidentiality A"}
        )
        kpi = cls.env["regie.contract.kpi"].create(
            {"contract_id": contract.id, "name": "Response time", "target": 4.0}
        )
        review = cls.env["regie.review"].create(
            {"contract_id": contract.id, "date": date(2025, 2, 1)}
        )
        cls.env["regie.review.kpi.value"].create(
            {"review_id": review.id, "kpi_id": kpi.id}
        )
        cls.env["regie.mission.deliverable"].create(
            {"mission_id": cls.mission.id, "name": "Specification A"}
        )
        cls.env["regie.vigilance.document"].create(
            {
                "partner_id": cls.client.id,
                "document_type": "registration",
                "issue_date": date(2025, 1, 2),
            }
        )
        contract.action_activate()
        cls.period = cls._submitted_month(cls.employee, contract)
        cls.period.with_user(cls.lead_user).action_contest("Wrong hours")
        cls.dispute = cls.period.dispute_ids
        # Company B's world and users, one per régie group.
        b_values = {"company_id": cls.company_b.id, "company_ids": cls.company_b.ids}
        cls.consultant_b = new_test_user(
            cls.env,
            login="mc_consultant_b",
            groups="regie_staffing.group_consultant",
            **b_values,
        )
        cls.lead_b = new_test_user(
            cls.env, login="mc_lead_b", groups="regie_staffing.group_lead", **b_values
        )
        cls.manager_b = new_test_user(
            cls.env,
            login="mc_manager_b",
            groups="regie_staffing.group_manager",
            **b_values,
        )
        cls.users_b = cls.consultant_b | cls.lead_b | cls.manager_b
        env_b = cls.env(
            context=dict(cls.env.context, allowed_company_ids=[cls.company_b.id])
        )
        cls.client_b = env_b["res.partner"].create(
            {"name": "Client of B", "is_company": True, "company_id": cls.company_b.id}
        )
        cls.employee_b = env_b["hr.employee"].create(
            {
                "name": "Bertrand B",
                "user_id": cls.consultant_b.id,
                "company_id": cls.company_b.id,
            }
        )
        cls.contract_b = env_b["regie.contract"].create(
            {
                "partner_id": cls.client_b.id,
                "user_id": cls.lead_b.id,
                "date_start": date(2025, 1, 1),
                "review_frequency": "none",
            }
        )
        cls.mission_b = env_b["regie.mission"].create(
            {
                "contract_id": cls.contract_b.id,
                "employee_id": cls.employee_b.id,
                "daily_rate": 400.0,
            }
        )
        cls.contract_b.action_activate()
        # Even named on company A's contract, company B's users read nothing
        # of it: the company rules hold over the régie groups' rules.
        cls.contract.project_lead_ids = [Command.link(cls.lead_b.id)]

    @classmethod
    def _submitted_month(cls, employee, contract, monday=MONDAY):
        lines = (
            cls.env["account.analytic.line"]
            .with_company(contract.company_id)
            .create(
                [
                    {
                        "name": f"Day {offset + 1}",
                        "project_id": contract.project_id.id,
                        "employee_id": employee.id,
                        "date": monday + timedelta(days=offset),
                        "unit_amount": 8.0,
                    }
                    for offset in range(5)
                ]
            )
        )
        period = lines.regie_period_id
        period.with_user(employee.user_id).action_submit()
        return period

    def _company_a_records(self):
        records = {}
        for model in REGIE_MODELS:
            found = self.env[model].search([("company_id", "=", self.company_a.id)])
            records[model] = found
        return records


@tagged("post_install", "-at_install")
class TestMultiCompany(RegieTwoCompaniesCommon):
    def test_company_a_world_is_complete(self):
        for model, records in self._company_a_records().items():
            self.assertTrue(records, model)
        self.assertEqual(self.contract_b.company_id, self.company_b)
        self.assertEqual(self.mission_b.company_id, self.company_b)

    def test_users_of_company_b_see_nothing_of_company_a(self):
        records_a = self._company_a_records()
        for user in self.users_b:
            env = self.env(user=user)
            for model, records in records_a.items():
                if not env[model].has_access("read"):
                    continue
                found = env[model].search([("id", "in", records.ids)])
                self.assertFalse(found, f"{user.login} finds {model}")
                self.assertFalse(
                    env[model].search_count([("company_id", "=", self.company_a.id)]),
                    f"{user.login} counts {model}",
                )
                with self.assertRaises(AccessError, msg=f"{user.login} {model}"):
                    records.with_user(user).read(["display_name"])
            # Nor by asking for company A in the context.
            forged = env["regie.contract"].with_context(
                allowed_company_ids=[self.company_a.id]
            )
            with self.assertRaises(AccessError):
                forged.search([])

    def test_users_of_company_b_work_in_company_b(self):
        self.assertEqual(
            self.env["regie.contract"].with_user(self.manager_b).search([]),
            self.contract_b,
        )
        self.assertEqual(
            self.env["regie.contract"].with_user(self.lead_b).search([]),
            self.contract_b,
        )
        self.assertEqual(
            self.env["regie.mission"].with_user(self.consultant_b).search([]),
            self.mission_b,
        )

    def test_users_of_company_a_see_nothing_of_company_b(self):
        for user in (self.consultant_user, self.lead_user, self.manager_user):
            env = self.env(user=user)
            self.assertFalse(
                env["regie.contract"].search([("id", "=", self.contract_b.id)])
            )
            with self.assertRaises(AccessError):
                self.mission_b.with_user(user).read(["name"])

    def test_contract_refuses_records_of_another_company(self):
        project_b = (
            self.env["project.project"]
            .with_company(self.company_b)
            .create({"name": "Project of B", "company_id": self.company_b.id})
        )
        partner_b = self.env["res.partner"].create(
            {"name": "Partner of B only", "company_id": self.company_b.id}
        )
        draft = self._create_contract()
        for field, value, label in (
            ("project_id", project_b, "Project"),
            ("partner_id", partner_b, "Partner"),
        ):
            with self.assertRaises(UserError, msg=field) as refused:
                self._create_contract(**{field: value.id})
            message = str(refused.exception)
            self.assertIn(field, message)
            self.assertIn(label, message)
            with self.assertRaises(UserError, msg=field) as refused:
                draft.write({field: value.id})
            self.assertIn(field, str(refused.exception))
            self.assertNotEqual(draft[field], value)
        # A mission takes a consultant of its contract's company only.
        with self.assertRaises(UserError) as refused:
            self._create_mission(self.contract, employee_id=self.employee_b.id)
        self.assertIn("employee_id", str(refused.exception))


@tagged("post_install", "-at_install")
class TestMultiCompanyPortal(RegieTwoCompaniesCommon, HttpCase):
    """The portal contact of company B's client never opens company A's month."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.portal_b = new_test_user(
            cls.env,
            login="mc_portal_b",
            name="Paula Portal B",
            email="mc_portal_b@example.com",
            groups="base.group_portal",
            company_id=cls.company_b.id,
            company_ids=cls.company_b.ids,
        )
        cls.portal_b.partner_id.write(
            {"parent_id": cls.client_b.id, "company_id": cls.company_b.id}
        )
        cls.contract_b.client_manager_id = cls.portal_b.partner_id
        cls.period_b = cls._submitted_month(cls.employee_b, cls.contract_b)

    def test_portal_contact_of_company_b_cannot_open_company_a_month(self):
        self.authenticate("mc_portal_b", "mc_portal_b")
        # His own month opens.
        response = self.url_open(f"/my/regie/months/{self.period_b.id}")
        self.assertEqual(response.status_code, 200)
        self.assertIn("Bertrand B", response.text)
        for url in (
            f"/my/regie/months/{self.period.id}",
            f"/my/regie/months/{self.period.id}/pdf",
            f"/my/regie/contracts/{self.contract.id}",
        ):
            response = self.url_open(url)
            self.assertIn(response.status_code, (403, 404), url)
            self.assertNotIn(self.employee.name, response.text, url)
            self.assertNotIn(self.contract.name, response.text, url)
        for url in ("/my/regie/months", "/my/regie/contracts"):
            response = self.url_open(url)
            self.assertEqual(response.status_code, 200, url)
            self.assertNotIn(f"/my/regie/months/{self.period.id}", response.text)
            self.assertNotIn(f"/my/regie/contracts/{self.contract.id}", response.text)
            self.assertNotIn(self.contract.name, response.text, url)
