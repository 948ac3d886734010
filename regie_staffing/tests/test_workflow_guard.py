from datetime import date

from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from .common import RegieCommon


@tagged("post_install", "-at_install")
class TestWorkflowGuard(RegieCommon):
    """Workflow fields refuse changes, not the values a form sends back as
    they are (the web client sends every field of the view on create)."""

    def _form_values(self, **vals):
        return {
            "partner_id": self.client.id,
            "date_start": "2026-01-01",
            "state": "draft",
            "termination_notice_date": False,
            "termination_date": False,
            **vals,
        }

    def test_create_with_the_form_empty_values(self):
        contract = (
            self.env["regie.contract"]
            .with_user(self.manager_user)
            .create(self._form_values())
        )
        self.assertEqual(contract.state, "draft")
        self.assertNotEqual(contract.name, "/")

    def test_create_with_a_workflow_value_is_refused(self):
        Contract = self.env["regie.contract"].with_user(self.manager_user)
        for vals in (
            {"state": "active"},
            {"termination_date": "2026-06-30"},
            {"termination_notice_date": "2026-05-01"},
        ):
            with self.subTest(vals=vals), self.assertRaises(UserError):
                Contract.create(self._form_values(**vals))

    def test_write_back_unchanged_values_passes_and_changes_are_refused(self):
        contract = self.contract.with_user(self.manager_user)
        contract.write(
            {
                "state": "draft",
                "termination_date": False,
                "termination_notice_date": False,
                "notice_period_days": 45,
            }
        )
        self.assertEqual(contract.notice_period_days, 45)
        self._activate()
        contract.write({"state": "active", "date_start": date(2025, 1, 1)})
        with self.assertRaises(UserError):
            contract.write({"state": "draft"})
        with self.assertRaises(UserError):
            contract.write({"termination_date": "2025-06-30"})
        self.assertEqual(contract.state, "active")

    def test_contract_created_from_the_form_view(self):
        form = Form(self.env["regie.contract"].with_user(self.manager_user))
        form.partner_id = self.client
        form.date_start = date(2026, 1, 1)
        form.date_end = date(2026, 12, 31)
        contract = form.save()
        self.assertEqual(contract.state, "draft")
        contract.action_activate()
        self.assertEqual(contract.state, "active")

    def test_contract_found_by_client_name_in_a_many2one(self):
        found = (
            self.env["regie.contract"]
            .with_user(self.lead_user)
            .name_search(self.client.name[:5])
        )
        self.assertIn(self.contract.id, [found_id for found_id, _name in found])
        found = self.env["regie.contract"].name_search(self.contract.name)
        self.assertEqual([found_id for found_id, _name in found], self.contract.ids)
