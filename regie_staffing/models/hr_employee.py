from odoo import api, fields, models


class HrEmployee(models.Model):
    _inherit = "hr.employee"

    regie_mission_ids = fields.One2many(
        "regie.mission", "employee_id", string="Régie Missions"
    )
    regie_mission_count = fields.Integer(
        compute="_compute_regie_mission_count", compute_sudo=True
    )

    @api.depends("regie_mission_ids")
    def _compute_regie_mission_count(self):
        counts = dict(
            self.env["regie.mission"]._read_group(
                [("employee_id", "in", self.ids)], ["employee_id"], ["__count"]
            )
        )
        for employee in self:
            employee.regie_mission_count = counts.get(employee, 0)
