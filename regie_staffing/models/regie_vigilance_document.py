"""Subcontractor vigilance (Code du travail L8222-1 and D8222-5): for every
purchase contract of 5,000 € a year or more, the company holds from the
provider, at signature and every six months until its end, an URSSAF
certificate of vigilance less than six months old, a registration extract
less than three months old, and the list of its foreign workers subject to a
work permit (or a sworn statement that there are none)."""

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import format_date

# Months a document is valid from its issue date.
VALIDITY_MONTHS = {"urssaf": 6, "registration": 3, "foreign_workers": 6}
DOCUMENT_TYPES = [
    ("urssaf", "URSSAF certificate of vigilance"),
    ("registration", "Registration extract (Kbis, RNE or SIRENE)"),
    ("foreign_workers", "Foreign workers list or sworn statement"),
]
# Yearly amount excluding tax from which the obligation applies.
VIGILANCE_THRESHOLD = 5000.0


class RegieVigilanceDocument(models.Model):
    _name = "regie.vigilance.document"
    _description = "Régie Subcontractor Vigilance Document"
    _inherit = ["mail.thread"]
    _order = "partner_id, document_type, issue_date desc, id desc"
    _rec_name = "document_type"

    partner_id = fields.Many2one(
        "res.partner",
        string="Provider",
        required=True,
        index=True,
        tracking=True,
        domain="[('is_company', '=', True)]",
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    document_type = fields.Selection(
        DOCUMENT_TYPES, string="Document", required=True, tracking=True
    )
    issue_date = fields.Date(required=True, tracking=True)
    expiry_date = fields.Date(
        compute="_compute_expiry_date",
        store=True,
        help="Issue date plus the legal validity: six months for the URSSAF "
        "certificate and the foreign workers list, three months for the "
        "registration extract.",
    )
    verification_code = fields.Char(
        tracking=True,
        help="Security code of the URSSAF certificate, to check it on the URSSAF site.",
    )
    checked_by_id = fields.Many2one(
        "res.users", string="Checked by", readonly=True, tracking=True
    )
    checked_date = fields.Date(readonly=True)
    document = fields.Binary(string="File", attachment=True)
    document_name = fields.Char()
    is_valid = fields.Boolean(
        string="Valid", compute="_compute_is_valid", search="_search_is_valid"
    )

    @api.depends("document_type", "issue_date")
    def _compute_expiry_date(self):
        for document in self:
            months = VALIDITY_MONTHS.get(document.document_type)
            document.expiry_date = (
                document.issue_date + relativedelta(months=months, days=-1)
                if document.issue_date and months
                else False
            )

    @api.depends("expiry_date")
    def _compute_is_valid(self):
        today = fields.Date.context_today(self)
        for document in self:
            document.is_valid = bool(
                document.expiry_date
                and document.issue_date <= today <= document.expiry_date
            )

    def _search_is_valid(self, operator, value):
        today = fields.Date.context_today(self)
        valid = [("issue_date", "<=", today), ("expiry_date", ">=", today)]
        if (operator == "=") == bool(value):
            return valid
        return ["|", ("issue_date", ">", today), ("expiry_date", "<", today)]

    @api.constrains("issue_date")
    def _check_issue_date(self):
        today = fields.Date.context_today(self)
        for document in self:
            if document.issue_date > today:
                raise ValidationError(
                    self.env._(
                        "The issue date of %(document)s of %(partner)s is in the "
                        "future (%(date)s).",
                        document=document._get_type_label(),
                        partner=document.partner_id.display_name,
                        date=format_date(self.env, document.issue_date),
                    )
                )

    def _get_type_label(self):
        self.ensure_one()
        return dict(self._fields["document_type"]._description_selection(self.env)).get(
            self.document_type, ""
        )

    def action_mark_checked(self):
        """Record who checked the document (the URSSAF code on the URSSAF site,
        the extract's date) and when."""
        self.write(
            {
                "checked_by_id": self.env.uid,
                "checked_date": fields.Date.context_today(self),
            }
        )
        return True
