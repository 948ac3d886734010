from odoo import fields, models


class ProjectTask(models.Model):
    _inherit = "project.task"

    regie_task_kind = fields.Selection(
        [
            ("knowledge_transfer", "Knowledge transfer"),
            ("handover", "Handover"),
        ],
        string="Régie Exit Task",
        copy=False,
        help="Set on the tasks planned when notice is given on a régie contract.",
    )
