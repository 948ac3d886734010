from odoo import fields, models

from .regie_vigilance_document import DOCUMENT_TYPES


class RegieVigilanceReminder(models.Model):
    """A reminder sent about a provider's vigilance document: the daily cron
    reminds once per provider, document type and expiry (empty when the
    provider never gave that document)."""

    _name = "regie.vigilance.reminder"
    _description = "Régie Vigilance Reminder"
    _order = "create_date desc, id desc"

    partner_id = fields.Many2one(
        "res.partner", string="Provider", required=True, index=True, ondelete="cascade"
    )
    document_type = fields.Selection(DOCUMENT_TYPES, string="Document", required=True)
    expiry_date = fields.Date(
        help="Expiry of the document reminded about; empty when missing."
    )
    document_id = fields.Many2one(
        "regie.vigilance.document", string="Reminded document", ondelete="set null"
    )
