from odoo import fields, models

CLAUSE_CATEGORIES = [
    ("scope", "Scope and mission sheet"),
    ("duration", "Duration and renewal"),
    ("pricing", "Daily rate and invoicing"),
    ("time_tracking", "Time tracking and monthly validation"),
    ("dispute", "Disputes over billed hours"),
    ("intellectual_property", "Intellectual property"),
    ("confidentiality", "Confidentiality"),
    ("knowledge_transfer", "Knowledge transfer and reversibility"),
    ("governance", "Governance and escalation"),
    ("termination", "Termination and notice"),
    ("handover", "Handover"),
    ("collaboration_tools", "Collaboration tools"),
    ("other", "Other"),
]


class RegieClauseTemplate(models.Model):
    _name = "regie.clause.template"
    _description = "Régie Clause Template"
    _order = "sequence, id"

    name = fields.Char(string="Title", required=True, translate=True)
    category = fields.Selection(CLAUSE_CATEGORIES, required=True)
    body = fields.Html(translate=True, sanitize=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", help="Leave empty to share the template with all companies."
    )
    direction = fields.Selection(
        [("both", "Both"), ("sale", "Sale"), ("purchase", "Purchase")],
        default="both",
        required=True,
    )
