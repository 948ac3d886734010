from collections import defaultdict

from odoo import api, fields, models


class AccountAnalyticLine(models.Model):
    _inherit = "account.analytic.line"

    regie_mission_id = fields.Many2one(
        "regie.mission",
        string="Régie Mission",
        compute="_compute_regie_mission_id",
        store=True,
        readonly=False,
        index="btree_not_null",
    )
    regie_contract_id = fields.Many2one(
        "regie.contract",
        string="Régie Contract",
        compute="_compute_regie_contract_id",
        store=True,
        index="btree_not_null",
    )
    regie_period_id = fields.Many2one(
        "regie.timesheet.period",
        string="Régie Month",
        readonly=True,
        index="btree_not_null",
        ondelete="restrict",
        copy=False,
    )
    # Not rounded to the UoM precision: sums of thirds of days must stay exact.
    regie_days = fields.Float(string="Days", compute="_compute_regie_days", store=True)

    @api.depends("project_id", "employee_id", "date")
    def _compute_regie_mission_id(self):
        lines = self.filtered(lambda line: line.project_id and line.employee_id)
        (self - lines).regie_mission_id = False
        if not lines:
            return
        # One search for the whole batch; timesheet users may not read missions.
        missions = (
            self.env["regie.mission"]
            .sudo()
            .search(
                [
                    ("contract_id.project_id", "in", lines.project_id.ids),
                    ("employee_id", "in", lines.employee_id.ids),
                    ("state", "!=", "cancelled"),
                ],
                order="date_start, id",
            )
        )
        by_key = defaultdict(list)
        for mission in missions:
            by_key[(mission.contract_id.project_id.id, mission.employee_id.id)].append(
                mission
            )
        for line in lines:
            line.regie_mission_id = next(
                (
                    mission
                    for mission in by_key[(line.project_id.id, line.employee_id.id)]
                    if mission.date_start <= line.date
                    and (not mission.date_end or line.date <= mission.date_end)
                ),
                False,
            )

    @api.depends("regie_mission_id", "project_id.regie_contract_id")
    def _compute_regie_contract_id(self):
        for line in self:
            line.regie_contract_id = (
                line.regie_mission_id.contract_id or line.project_id.regie_contract_id
            )

    @api.depends("unit_amount", "regie_contract_id.hours_per_day")
    def _compute_regie_days(self):
        for line in self:
            hours_per_day = line.regie_contract_id.hours_per_day
            line.regie_days = line.unit_amount / hours_per_day if hours_per_day else 0.0

    @api.model
    def _regie_link_orphan_lines(self, projects):
        """Link the lines of ``projects`` not yet tied to a mission, after a
        mission was created or a project linked to a contract later than them."""
        # Lines of every consultant of the project, whoever created the mission.
        lines = self.sudo().search(
            [
                ("project_id", "in", projects.ids),
                ("employee_id", "!=", False),
                ("regie_mission_id", "=", False),
            ]
        )
        if lines:
            self.env.add_to_compute(self._fields["regie_mission_id"], lines)
