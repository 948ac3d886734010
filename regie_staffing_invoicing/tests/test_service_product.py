from datetime import date, timedelta

from odoo import Command
from odoo.tests import TransactionCase, tagged

MARCH = date(2026, 3, 1)


@tagged("post_install", "-at_install")
class TestServiceProduct(TransactionCase):
    """The régie day product books as a service: the chart's service taxes
    and, in a French company, 706 / 604 and the VAT on services."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.product = cls.env.ref("regie_staffing_invoicing.product_product_regie_day")

    def _tax(self, company, name, use, scope, amount=20.0):
        group = self.env["account.tax.group"].search(
            [("company_id", "=", company.id)], limit=1
        ) or self.env["account.tax.group"].create(
            {"name": "VAT", "company_id": company.id}
        )
        return self.env["account.tax"].create(
            {
                "tax_group_id": group.id,
                "name": name,
                "company_id": company.id,
                "type_tax_use": use,
                "tax_scope": scope,
                "amount": amount,
                "country_id": company.account_fiscal_country_id.id,
            }
        )

    def test_goods_taxes_become_service_taxes(self):
        company = self.env["res.company"].create(
            {"name": "Services Co", "country_id": self.env.ref("base.be").id}
        )
        company.chart_template = "generic_coa"
        goods = self._tax(company, "20% goods", "sale", "consu")
        service = self._tax(company, "20% services", "sale", "service")
        self._tax(company, "20% services, other rate", "sale", "service", 21.0)
        other_goods = self._tax(company, "6% goods", "sale", "consu", 6.0)
        bought_goods = self._tax(company, "20% goods bought", "purchase", "consu")
        bought_service = self._tax(
            company, "20% services bought", "purchase", "service"
        )
        others = self.product.taxes_id.filtered(lambda tax: tax.company_id != company)
        template = self.product.product_tmpl_id
        template.taxes_id = [Command.link(goods.id), Command.link(other_goods.id)]
        template.supplier_taxes_id = [Command.link(bought_goods.id)]

        self.env["product.product"]._regie_apply_service_defaults(company)

        # A goods tax without a service twin of its rate stays; other
        # companies' taxes are left alone.
        self.assertEqual(template.taxes_id, others | service | other_goods)
        self.assertEqual(
            template.supplier_taxes_id.filtered(lambda tax: tax.company_id == company),
            bought_service,
        )
        # Without a services account in its chart, the category's accounts
        # stay the product's.
        self.assertFalse(template.with_company(company).property_account_income_id)

    def test_company_without_tax_on_product_gets_its_default(self):
        company = self.env["res.company"].create(
            {"name": "No tax yet", "country_id": self.env.ref("base.be").id}
        )
        company.chart_template = "generic_coa"
        goods = self._tax(company, "20% goods", "sale", "consu")
        service = self._tax(company, "20% services", "sale", "service")
        company.account_sale_tax_id = goods
        self.env["product.product"]._regie_apply_service_defaults(company)
        self.assertEqual(
            self.product.taxes_id.filtered(lambda tax: tax.company_id == company),
            service,
        )

    def test_french_company_invoices_services(self):
        """In a French company (CI's realistic database has one, the French
        chart installed before the addons) a validated month is invoiced on
        706 with the VAT on services due on receipts, and the invoice says
        it is a service delivery. Without the French chart in the database,
        the other tests of this class cover the mechanism."""
        company = self.env["res.company"].search(
            [("chart_template", "=", "fr")], limit=1
        )
        french_chart = self.env["ir.module.module"]._get("l10n_fr_account")
        if not company:
            self.assertNotEqual(french_chart.state, "installed")
            return
        env = self.env(context=dict(self.env.context, allowed_company_ids=company.ids))
        product = self.product.with_env(env).with_company(company)
        sale_taxes = product.taxes_id.filtered(lambda tax: tax.company_id == company)
        self.assertEqual(sale_taxes.mapped("tax_scope"), ["service"])
        self.assertEqual(sale_taxes.tax_exigibility, "on_payment")
        self.assertEqual(product.property_account_income_id.code, "706000")
        self.assertEqual(product.property_account_expense_id.code, "604000")
        bought = product.supplier_taxes_id.filtered(
            lambda tax: tax.company_id == company
        )
        self.assertEqual(bought.mapped("tax_scope"), ["service"])

        client = env["res.partner"].create({"name": "Client FR", "is_company": True})
        employee = env["hr.employee"].create(
            {"name": "Consultante FR", "company_id": company.id}
        )
        contract = env["regie.contract"].create(
            {
                "title": "Assistance technique",
                "partner_id": client.id,
                "company_id": company.id,
                "date_start": date(2026, 1, 1),
                "date_end": date(2026, 12, 31),
                "review_frequency": "none",
                "product_id": self.product.id,
            }
        )
        contract.action_activate()
        mission = env["regie.mission"].create(
            {"contract_id": contract.id, "employee_id": employee.id, "daily_rate": 600}
        )
        mission.action_start()
        days = [MARCH + timedelta(days=n) for n in range(31)]
        lines = env["account.analytic.line"].create(
            [
                {
                    "name": "Dev",
                    "project_id": contract.project_id.id,
                    "employee_id": employee.id,
                    "date": day,
                    "unit_amount": 8.0,
                }
                for day in days
                if day.month == 3 and day.weekday() < 5
            ][:5]
        )
        period = lines.regie_period_id
        period.action_submit()
        period.action_validate()
        action = period.action_create_invoice()
        move = env["account.move"].browse(
            action["context"]["regie_invoicing_summary"]["created"]
        )
        line = move.invoice_line_ids
        self.assertEqual(line.account_id.code, "706000")
        self.assertEqual(line.tax_ids, sale_taxes)
        self.assertEqual(line.quantity, 5.0)
        html = (
            env["ir.actions.report"]
            ._render_qweb_html("account.report_invoice", move.ids)[0]
            .decode()
        )
        self.assertIn("Service Delivery", html)
        self.assertNotIn("Goods Delivery", html)
