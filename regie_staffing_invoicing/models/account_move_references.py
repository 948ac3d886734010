from odoo import fields, models


class AccountMove(models.Model):
    _inherit = "account.move"

    # Copied by Odoo's credit notes and duplicates: a credit note of an
    # invoice quoting the purchase order gives its amount back to the order.
    regie_order_ref = fields.Char(
        string="Purchase order (régie)",
        readonly=True,
        index="btree_not_null",
        help="The client's purchase order this régie invoice consumes.",
    )
    regie_service_date_from = fields.Date(
        string="Service period start",
        readonly=True,
        help="First day of the months this régie invoice bills.",
    )
    regie_service_date_to = fields.Date(
        string="Service period end",
        readonly=True,
        help="Last day of the months this régie invoice bills.",
    )
