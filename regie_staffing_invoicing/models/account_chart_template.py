from odoo import api, models


class AccountChartTemplate(models.AbstractModel):
    _inherit = "account.chart.template"

    def _post_load_data(self, template_code, company, template_data):
        result = super()._post_load_data(template_code, company, template_data)
        self.env["product.product"]._regie_apply_service_defaults(
            company or self.env.company
        )
        return result

    @api.model
    def _regie_load_demo_chart(self, company_ids):
        """Demo data: give the demo companies without a chart of accounts the
        French chart when its module is installed, else the generic one (the
        addon does not depend on the French localisation)."""
        french = self.env["ir.module.module"].search_count(
            [("name", "=", "l10n_fr_account"), ("state", "=", "installed")]
        )
        template_code = "fr" if french else "generic_coa"
        for company in self.env["res.company"].browse(company_ids):
            if not company.chart_template:
                currency = company.currency_id
                self._load(template_code, company, install_demo=False)
                # The generic chart sets US dollars: the demo prices in euros.
                if company.currency_id != currency:
                    company.currency_id = currency
        return True
