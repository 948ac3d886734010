from odoo import fields, models

from .regie_vigilance_document import DOCUMENT_TYPES


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

    regie_vigilance_document_ids = fields.One2many(
        "regie.vigilance.document", "partner_id", string="Vigilance documents"
    )

    def _regie_vigilance_missing(self, day=None):
        """{partner: [labels of the documents missing or expired on ``day``]}
        for these providers (their commercial entity)."""
        day = day or fields.Date.context_today(self)
        labels = dict(
            self.env["regie.vigilance.document"]
            ._fields["document_type"]
            ._description_selection(self.env)
        )
        documents = (
            self.env["regie.vigilance.document"]
            .sudo()
            .search(
                [
                    ("partner_id", "in", self.commercial_partner_id.ids),
                    ("issue_date", "<=", day),
                    ("expiry_date", ">=", day),
                ]
            )
        )
        held = {(doc.partner_id.id, doc.document_type) for doc in documents}
        return {
            partner: [
                labels[kind]
                for kind, _label in DOCUMENT_TYPES
                if (partner.commercial_partner_id.id, kind) not in held
            ]
            for partner in self
        }
