from odoo import api, fields, models


class TimesheetsAnalysisReport(models.Model):
    """The timesheet analysis report reads the timesheet lines' own search view
    (``hr_timesheet.hr_timesheet_report_search`` is a primary copy of it, and
    sale_timesheet's report view another): the régie fields that view filters
    and groups on exist here too, read from the same lines."""

    _inherit = "timesheets.analysis.report"

    regie_contract_id = fields.Many2one(
        "regie.contract", string="Régie Contract", readonly=True
    )
    regie_mission_id = fields.Many2one(
        "regie.mission", string="Régie Mission", readonly=True
    )
    regie_period_id = fields.Many2one(
        "regie.timesheet.period", string="Régie Month", readonly=True
    )
    regie_activity_type_id = fields.Many2one(
        "regie.activity.type", string="Exceptional Activity", readonly=True
    )
    regie_external_ref = fields.Char(string="External Reference", readonly=True)
    regie_days = fields.Float(string="Days", readonly=True)

    @api.model
    def _select(self):
        return (
            super()._select()
            + """,
                A.regie_contract_id AS regie_contract_id,
                A.regie_mission_id AS regie_mission_id,
                A.regie_period_id AS regie_period_id,
                A.regie_activity_type_id AS regie_activity_type_id,
                A.regie_external_ref AS regie_external_ref,
                A.regie_days AS regie_days
        """
        )
