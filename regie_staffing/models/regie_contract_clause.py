from odoo import fields, models

from .regie_clause_template import CLAUSE_CATEGORIES


class RegieContractClause(models.Model):
    _name = "regie.contract.clause"
    _description = "Régie Contract Clause"
    _order = "sequence, id"

    contract_id = fields.Many2one("regie.contract", required=True, ondelete="cascade")
    company_id = fields.Many2one(related="contract_id.company_id", store=True)
    sequence = fields.Integer(default=10)
    category = fields.Selection(CLAUSE_CATEGORIES)
    name = fields.Char(string="Title", required=True)
    body = fields.Html()
    template_id = fields.Many2one("regie.clause.template", ondelete="set null")
