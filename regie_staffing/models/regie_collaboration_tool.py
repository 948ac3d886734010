from odoo import fields, models


class RegieCollaborationTool(models.Model):
    _name = "regie.collaboration.tool"
    _description = "Régie Collaboration Tool"
    _order = "sequence, name, id"

    name = fields.Char(required=True)
    category = fields.Selection(
        [
            ("communication", "Communication"),
            ("task_tracking", "Task tracking"),
            ("code_review", "Code review"),
            ("shared_coding", "Shared coding"),
            ("time_tracking", "Time tracking"),
        ],
        required=True,
    )
    website = fields.Char()
    active = fields.Boolean(default=True)
    sequence = fields.Integer(default=10)
