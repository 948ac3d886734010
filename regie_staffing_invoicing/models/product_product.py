from odoo import api, models

REGIE_DAY_XMLID = "regie_staffing_invoicing.product_product_regie_day"

# Accounts of a chart for services sold and bought, where the chart has them
# apart from goods (the product category's accounts are the goods ones).
SERVICE_ACCOUNTS = {
    # Plan comptable général: 706 Prestations de services, 604 Achats
    # d'études et prestations de services.
    "fr": ("pcg_706", "pcg_604"),
}


class ProductProduct(models.Model):
    _inherit = "product.product"

    @api.model
    def _regie_apply_service_defaults(self, companies=None):
        """Book the régie day product as a service in each company with a
        chart of accounts: its goods taxes become the chart's service taxes of
        the same rate (in France the VAT on services, due on receipts), and
        its accounts the chart's services accounts when the chart has them.

        Called when the addon is installed and when a chart is loaded into a
        company; what an accountant set on the product since is not undone,
        only goods taxes and empty accounts are replaced."""
        product = self.env.ref(REGIE_DAY_XMLID, raise_if_not_found=False)
        if not product:
            return False
        product = product.sudo()
        template = product.product_tmpl_id
        companies = companies or self.env["res.company"].sudo().search(
            [("chart_template", "!=", False)]
        )
        for company in companies:
            for field, use in (("taxes_id", "sale"), ("supplier_taxes_id", "purchase")):
                taxes = template[field]
                mine = taxes.filtered(lambda tax, c=company: tax.company_id == c)
                if not mine:
                    default = (
                        company.account_sale_tax_id
                        if use == "sale"
                        else company.account_purchase_tax_id
                    )
                    mine = default
                    taxes |= default
                service = mine.browse(
                    [self._regie_service_tax(tax, use).id for tax in mine]
                )
                if service != mine or taxes != template[field]:
                    template[field] = (taxes - mine) | service
            accounts = SERVICE_ACCOUNTS.get(company.chart_template)
            if not accounts:
                continue
            chart = self.env["account.chart.template"].with_company(company)
            income, expense = (
                chart.ref(xmlid, raise_if_not_found=False) for xmlid in accounts
            )
            in_company = template.with_company(company)
            if income and not in_company.property_account_income_id:
                in_company.property_account_income_id = income
            if expense and not in_company.property_account_expense_id:
                in_company.property_account_expense_id = expense
        return True

    @api.model
    def _regie_service_tax(self, tax, use):
        """The service tax of ``tax``'s company with the same rate and price
        inclusion as the goods tax ``tax``, else ``tax`` itself."""
        if tax.tax_scope != "consu":
            return tax
        candidates = (
            self.env["account.tax"]
            .sudo()
            .search(
                [
                    ("company_id", "=", tax.company_id.id),
                    ("type_tax_use", "=", use),
                    ("tax_scope", "=", "service"),
                    ("amount_type", "=", tax.amount_type),
                    ("amount", "=", tax.amount),
                    ("country_id", "=", tax.country_id.id),
                ],
                order="sequence, id",
            )
        )
        return (
            candidates.filtered(lambda c: c.price_include == tax.price_include)[:1]
            or tax
        )
