from odoo import models


class ResPartner(models.Model):
    _inherit = "res.partner"

    def _regie_currency(self, direction):
        """The currency a régie contract with this partner is agreed in: on a
        sale, the currency of the client's price list; on a purchase, the
        provider's purchase currency. Empty when the apps that hold them are not
        installed or nothing is set (the company's currency then applies)."""
        partner = self.commercial_partner_id
        if not partner:
            return self.env["res.currency"]
        if direction == "purchase":
            if "property_purchase_currency_id" in partner._fields:
                return partner.property_purchase_currency_id
            return self.env["res.currency"]
        if "property_product_pricelist" in partner._fields:
            return partner.property_product_pricelist.currency_id
        return self.env["res.currency"]
