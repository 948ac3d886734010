from datetime import date

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from .common import RegieCommon


@tagged("post_install", "-at_install")
class TestContractForm(RegieCommon):
    """What the contract's web form does for its user: a title naming the
    project, the currency of the client, missions added before the first save,
    the contract found by title or client, reviews named and listing KPIs."""

    def test_form_creates_contract_with_missions_before_first_save(self):
        form = Form(
            self.env["regie.contract"].with_user(self.manager_user),
            view="regie_staffing.regie_contract_view_form",
        )
        form.title = "Data platform"
        form.partner_id = self.client
        form.date_start = date(2026, 1, 1)
        with form.mission_ids.new() as mission:
            mission.employee_id = self.employee
            mission.daily_rate = 610.0
            # The inverse of the list is the contract being edited.
            self.assertEqual(mission.date_start, date(2026, 1, 1))
        contract = form.save()
        self.assertTrue(contract.name and contract.name != "/")
        self.assertEqual(contract.display_name, f"{contract.name} - Data platform")
        self.assertRecordValues(
            contract.mission_ids,
            [{"employee_id": self.employee.id, "daily_rate": 610.0}],
        )
        contract.with_user(self.manager_user).action_activate()
        self.assertEqual(contract.project_id.name, "Client SA - Data platform")

    def test_currency_comes_from_the_client_price_list(self):
        eur = self.env.ref("base.EUR")
        usd = self.env.ref("base.USD")
        other = usd if self.env.company.currency_id == eur else eur
        other.active = True
        if "property_product_pricelist" not in self.client._fields:
            self.assertEqual(
                self._create_contract().currency_id, self.env.company.currency_id
            )
            return
        pricelist = self.env["product.pricelist"].create(
            {"name": "Client list", "currency_id": other.id}
        )
        self.client.property_product_pricelist = pricelist
        contract = self._create_contract()
        self.assertEqual(contract.currency_id, other)
        # Set by hand, it stays.
        contract = self._create_contract(currency_id=self.env.company.currency_id.id)
        self.assertEqual(contract.currency_id, self.env.company.currency_id)
        # Once active, a new client does not change the agreed currency.
        contract.action_activate()
        contract.partner_id = self.env["res.partner"].create({"name": "Other"})
        self.assertEqual(contract.currency_id, self.env.company.currency_id)

    def test_contract_found_by_reference_title_or_client(self):
        self.contract.title = "Payments squad"
        Contract = self.env["regie.contract"].with_user(self.lead_user)
        for text in (self.contract.name, "payments SQUAD", "client sa"):
            with self.subTest(text=text):
                found = [cid for cid, _name in Contract.name_search(text)]
                self.assertIn(self.contract.id, found)
        self.assertFalse(Contract.name_search("no such contract"))

    def test_new_review_from_the_menu_finds_contracts_and_lists_kpis(self):
        self.contract.kpi_ids = [
            Command.create({"name": "Availability", "target": 99.0}),
            Command.create({"name": "Tickets closed", "target": 40.0}),
        ]
        form = Form(self.env["regie.review"].with_user(self.lead_user))
        # A new review has no company yet: the contract lookup is not limited.
        found = (
            self.env["regie.contract"]
            .with_user(self.lead_user)
            .name_search(self.contract.name)
        )
        self.assertEqual([cid for cid, _name in found], self.contract.ids)
        form.contract_id = self.contract
        form.date = date(2025, 6, 15)
        review = form.save()
        self.assertEqual(review.kpi_value_ids.kpi_id, self.contract.kpi_ids)
        self.assertEqual(
            review.kpi_value_ids.mapped("target"),
            self.contract.kpi_ids.mapped("target"),
        )
        self.assertEqual(
            review.name, f"Steering committee - {self.contract.name} - 06/15/2025"
        )
        review.review_type = "operational"
        self.assertEqual(
            review.name, f"Operational review - {self.contract.name} - 06/15/2025"
        )

    def test_review_name_in_the_user_language(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        review = (
            self.env["regie.review"]
            .with_context(lang="fr_FR")
            .create({"contract_id": self.contract.id, "date": date(2025, 6, 15)})
        )
        self.assertIn("15/06/2025", review.name)

    def test_workflow_error_names_the_model_in_the_user_language(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env["ir.module.module"].search(
            [("name", "=", "regie_staffing")]
        )._update_translations("fr_FR")
        contract = self.contract.with_context(lang="fr_FR")
        with self.assertRaises(UserError) as caught:
            contract.write({"state": "active"})
        self.assertIn("Contrat de régie", str(caught.exception))
