from odoo import api, fields, models


class RegieContract(models.Model):
    _inherit = "regie.contract"

    product_id = fields.Many2one(
        "product.product",
        string="Service product",
        domain=[("type", "=", "service")],
        default=lambda self: self._default_product_id(),
        check_company=True,
        tracking=True,
    )
    invoicing_period = fields.Selection(
        [("monthly", "Monthly"), ("quarterly", "Quarterly")],
        default="monthly",
        required=True,
    )
    invoice_grouping = fields.Selection(
        [("contract", "One invoice per contract"), ("partner", "One per partner")],
        default="contract",
        required=True,
    )
    journal_id = fields.Many2one(
        "account.journal",
        domain="[('type', 'in', ('sale', 'purchase')), "
        "('company_id', 'parent_of', company_id)]",
        check_company=True,
    )
    payment_term_id = fields.Many2one(
        "account.payment.term", check_company=True, string="Payment terms"
    )
    budget_amount = fields.Monetary(currency_field="currency_id", tracking=True)
    price_index_id = fields.Many2one("regie.price.index", string="Price index")
    price_index_base_value = fields.Float(
        string="Index base value", digits=(16, 4), help="S0 of the revision formula."
    )
    price_revision_month = fields.Selection(
        [
            ("1", "January"),
            ("2", "February"),
            ("3", "March"),
            ("4", "April"),
            ("5", "May"),
            ("6", "June"),
            ("7", "July"),
            ("8", "August"),
            ("9", "September"),
            ("10", "October"),
            ("11", "November"),
            ("12", "December"),
        ],
        string="Anniversary month",
    )
    price_revision_cap = fields.Float(
        string="Revision cap (%)", help="Maximum yearly increase, in percent."
    )

    @api.model
    def _default_product_id(self):
        return self.env.ref(
            "regie_staffing_invoicing.product_product_regie_day",
            raise_if_not_found=False,
        )
