from odoo import fields, models


class ProjectProject(models.Model):
    _inherit = "project.project"

    regie_contract_id = fields.Many2one(
        "regie.contract",
        string="Régie Contract",
        index="btree_not_null",
        copy=False,
        help="The régie contract whose time is logged on this project.",
    )
