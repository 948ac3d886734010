from dateutil.relativedelta import relativedelta

from odoo import fields
from odoo.tests import HttpCase, TransactionCase, tagged

DEMO = "regie_staffing."


class DemoFranceMixin:
    """The French demo of the addons (regie_staffing/demo/regie_france_demo.xml):
    the ESN Conseil & Régie SAS and the DSI Groupe Vendôme Distribution.
    Skipped only when the database was installed without demo data."""

    def _demo(self, name):
        record = self.env.ref(DEMO + name, raise_if_not_found=False)
        if not record:
            self.skipTest("the database has no demo data")
        return record

    def _last_month(self):
        return fields.Date.context_today(self.env.user) + relativedelta(
            months=-1, day=1
        )


@tagged("post_install", "-at_install")
class TestDemoFrance(DemoFranceMixin, TransactionCase):
    def test_esn_employee_and_back_to_back_freelancer(self):
        company = self._demo("company_conseil_regie_demo")
        self.assertEqual(company.country_id.code, "FR")
        self.assertEqual(company.currency_id.name, "EUR")
        self.assertTrue(company.chart_template)
        contract = self._demo("contract_fr_mutuelle_demo")
        self.assertEqual(contract.direction, "sale")
        self.assertEqual(contract.company_id, company)
        missions = contract.mission_ids
        self.assertEqual(
            sorted(missions.employee_id.mapped("employee_type")),
            ["employee", "freelance"],
        )
        freelance = missions.filtered(
            lambda mission: mission.employee_id.employee_type == "freelance"
        )
        purchase = freelance.purchase_mission_id
        self.assertEqual(purchase, self._demo("mission_fr_dupuis_antoine_demo"))
        self.assertEqual(purchase.contract_id.direction, "purchase")
        self.assertEqual(
            purchase.contract_id.partner_id.name, "Dupuis Cloud Conseil EURL"
        )
        self.assertEqual(purchase.employee_id, freelance.employee_id)
        self.assertLess(purchase.daily_rate, freelance.daily_rate)
        # The freelancer is an extranet (portal) user, the employee an internal one.
        self.assertTrue(freelance.employee_id.user_id.share)
        employee = missions - freelance
        self.assertFalse(employee.employee_id.user_id.share)

    def test_esn_last_month_validated_signed_and_back_to_back(self):
        last_month = self._last_month()
        for name in ("period_fr_julien_m1_demo", "period_fr_antoine_m1_demo"):
            period = self._demo(name)
            self.assertEqual(period.date_from, last_month)
            self.assertEqual(period.state, "validated")
            self.assertEqual(period.signed_by, "Hélène Marchand")
            self.assertTrue(period.signed_on)
            self.assertGreater(period.total_days, 15)
        sale = self._demo("period_fr_antoine_m1_demo")
        purchase = sale.purchase_period_id
        self.assertEqual(
            purchase.mission_id, self._demo("mission_fr_dupuis_antoine_demo")
        )
        self.assertEqual(purchase.state, "validated")
        self.assertEqual(purchase.total_days, sale.total_days)
        # Nothing invoiced yet: the month is left to invoice in the demo.
        self.assertFalse(sale.invoice_id)

    def test_freelancer_vigilance_documents_one_expiring_soon(self):
        provider = self._demo("partner_fr_dupuis_demo")
        documents = self.env["regie.vigilance.document"].search(
            [("partner_id", "=", provider.id)]
        )
        self.assertEqual(
            sorted(documents.mapped("document_type")),
            ["foreign_workers", "registration", "urssaf"],
        )
        self.assertTrue(all(documents.mapped("is_valid")))
        today = fields.Date.context_today(self.env.user)
        soon = documents.filtered(
            lambda doc: (
                doc.expiry_date and doc.expiry_date <= today + relativedelta(days=30)
            )
        )
        self.assertEqual(soon.mapped("document_type"), ["registration"])
        contract = self._demo("contract_fr_dupuis_demo")
        self.assertTrue(contract.vigilance_required)
        self.assertEqual(contract.vigilance_state, "compliant")

    def test_dsi_buys_a_providers_consultant_through_the_extranet(self):
        company = self._demo("company_vendome_dsi_demo")
        contract = self._demo("contract_dsi_nexa_demo")
        self.assertEqual(contract.company_id, company)
        self.assertEqual(contract.direction, "purchase")
        mission = self._demo("mission_dsi_nexa_marion_demo")
        self.assertEqual(mission.employee_id.employee_type, "contractor")
        user = self._demo("user_dsi_provider_demo")
        self.assertTrue(user.share)
        self.assertEqual(mission.employee_id.user_id, user)
        months = self.env["regie.timesheet.period"]._extranet_months(user)
        to_fill = months.filtered(lambda month: month.date_from == self._last_month())
        self.assertEqual(to_fill.state, "draft")
        self.assertGreater(to_fill.total_days, 0)
        self.assertEqual(contract.vigilance_state, "compliant")

    def test_demo_users_see_their_company_only(self):
        manager = self._demo("user_fr_manager_demo")
        contracts = self.env["regie.contract"].with_user(manager).search([])
        self.assertEqual(contracts.company_id, self._demo("company_conseil_regie_demo"))
        self.assertIn(self._demo("contract_fr_mutuelle_demo"), contracts)
        dsi = self._demo("user_dsi_manager_demo")
        self.assertEqual(
            self.env["regie.contract"].with_user(dsi).search([]),
            self._demo("contract_dsi_nexa_demo"),
        )
        # The demo companies are no one's default company but their users'.
        for login in ("base.user_admin", "base.user_root"):
            self.assertNotIn(
                self.env.ref(login).company_id,
                self._demo("company_conseil_regie_demo")
                | self._demo("company_vendome_dsi_demo"),
            )

    def test_esn_invoices_last_month(self):
        """The ESN's manager invoices last month; in a French chart the day
        books 706 with the VAT on services due on receipts."""
        company = self._demo("company_conseil_regie_demo")
        manager = self._demo("user_fr_manager_demo")
        periods = self._demo("period_fr_julien_m1_demo") | self._demo(
            "period_fr_antoine_m1_demo"
        )
        action = periods.with_user(manager).action_create_invoice()
        moves = self.env["account.move"].browse(
            action["context"]["regie_invoicing_summary"]["created"]
        )
        self.assertEqual(moves.company_id, company)
        self.assertEqual(moves.partner_id, self._demo("partner_fr_mutuelle_demo"))
        lines = moves.invoice_line_ids.filtered(
            lambda line: line.display_type == "product"
        )
        self.assertEqual(
            sum(lines.mapped("quantity")), sum(periods.mapped("billable_days"))
        )
        self.assertEqual(periods.invoice_id, moves)
        if company.chart_template != "fr":
            self.assertNotEqual(
                self.env["ir.module.module"]._get("l10n_fr_account").state, "installed"
            )
            return
        # An account's code is read in its company (Odoo 18).
        self.assertEqual(
            set(lines.account_id.with_company(company).mapped("code")), {"706000"}
        )
        self.assertEqual(lines.tax_ids.mapped("tax_scope"), ["service"])
        self.assertEqual(lines.tax_ids.tax_exigibility, "on_payment")
        self.assertEqual(lines.tax_ids.amount, 20.0)


@tagged("post_install", "-at_install")
class TestDemoFranceLogin(DemoFranceMixin, HttpCase):
    """The demo users log in with login = password and find their work."""

    def test_freelancer_and_provider_consultant_extranet(self):
        for login, period in (
            ("fr.freelance.demo", "period_fr_antoine_m1_demo"),
            ("dsi.provider.demo", None),
        ):
            user = self._demo(
                "user_fr_freelance_demo" if period else "user_dsi_provider_demo"
            )
            month = (
                self._demo(period)
                if period
                else self.env["regie.timesheet.period"]
                ._extranet_months(user)
                .filtered(lambda m: m.date_from == self._last_month())
            )
            self.authenticate(login, login)
            response = self.url_open("/my/regie/timesheets")
            self.assertEqual(response.status_code, 200)
            self.assertIn(f"/my/regie/timesheets/{month.id}", response.text)
            response = self.url_open(f"/my/regie/timesheets/{month.id}")
            self.assertEqual(response.status_code, 200)

    def test_manager_logs_in_to_the_backend(self):
        self._demo("user_fr_manager_demo")
        self.authenticate("fr.manager.demo", "fr.manager.demo")
        # The first backend page of a fresh database may build its asset
        # bundles: more than url_open's 12 s on a loaded machine.
        response = self.url_open(
            "/odoo/action-regie_staffing.regie_contract_action_sale", timeout=60
        )
        self.assertEqual(response.status_code, 200)
