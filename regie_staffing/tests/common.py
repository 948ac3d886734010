from datetime import date

from odoo import Command
from odoo.tests.common import new_test_user

from odoo.addons.base.tests.common import BaseCommon


class RegieCommon(BaseCommon):
    """Two consultants, two leads and a manager of one company, a client and a
    draft contract led by ``lead_user`` with one mission per consultant."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.consultant_user = new_test_user(
            cls.env, login="regie_consultant", groups="regie_staffing.group_consultant"
        )
        cls.other_consultant_user = new_test_user(
            cls.env,
            login="regie_consultant2",
            groups="regie_staffing.group_consultant",
        )
        cls.lead_user = new_test_user(
            cls.env, login="regie_lead", groups="regie_staffing.group_lead"
        )
        cls.other_lead_user = new_test_user(
            cls.env, login="regie_lead2", groups="regie_staffing.group_lead"
        )
        cls.manager_user = new_test_user(
            cls.env, login="regie_manager", groups="regie_staffing.group_manager"
        )
        cls.client = cls.env["res.partner"].create(
            {"name": "Client SA", "is_company": True}
        )
        cls.employee = cls.env["hr.employee"].create(
            {"name": "Camille Consultant", "user_id": cls.consultant_user.id}
        )
        cls.other_employee = cls.env["hr.employee"].create(
            {"name": "Dominique Dev", "user_id": cls.other_consultant_user.id}
        )
        cls.contract = cls._create_contract()
        cls.mission = cls._create_mission(cls.contract)

    @classmethod
    def _create_contract(cls, **vals):
        return cls.env["regie.contract"].create(
            {
                "partner_id": cls.client.id,
                "user_id": cls.lead_user.id,
                "date_start": date(2025, 1, 1),
                "date_end": date(2025, 12, 31),
                "notice_period_days": 30,
                "review_frequency": "none",
                **vals,
            }
        )

    @classmethod
    def _create_mission(cls, contract, **vals):
        return cls.env["regie.mission"].create(
            {
                "contract_id": contract.id,
                "employee_id": cls.employee.id,
                "daily_rate": 500.0,
                "estimated_days": 10.0,
                **vals,
            }
        )

    @classmethod
    def _create_template(cls, name, sequence, **vals):
        return cls.env["regie.clause.template"].create(
            {
                "name": name,
                "category": "other",
                "body": f"<p>{name}</p>",
                "sequence": sequence,
                **vals,
            }
        )

    def _activate(self, contract=None):
        contract = contract or self.contract
        contract.with_user(self.lead_user).action_activate()
        return contract

    def _log_time(self, employee, day, hours, project=None):
        return self.env["account.analytic.line"].create(
            {
                "name": "Work",
                "project_id": (project or self.contract.project_id).id,
                "employee_id": employee.id,
                "date": day,
                "unit_amount": hours,
            }
        )

    @staticmethod
    def _set_leads(contract, users):
        contract.project_lead_ids = [Command.set(users.ids)]
