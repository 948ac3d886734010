from odoo import fields, models


class RegieTimesheetPeriodContest(models.TransientModel):
    _name = "regie.timesheet.period.contest"
    _description = "Contest a Monthly Activity Report"

    period_id = fields.Many2one(
        "regie.timesheet.period", string="Month", required=True, ondelete="cascade"
    )
    reason = fields.Text(required=True)
    line_ids = fields.Many2many(
        "account.analytic.line",
        string="Contested Lines",
        domain="[('regie_period_id', '=', period_id)]",
    )
    requested_correction = fields.Text()

    def action_confirm(self):
        """Contest the month with the typed reason (checks are in action_contest)."""
        self.ensure_one()
        self.period_id.action_contest(
            self.reason,
            line_ids=self.line_ids.ids,
            requested_correction=self.requested_correction,
        )
        return {"type": "ir.actions.act_window_close"}


class RegieTimesheetDisputeAnswer(models.TransientModel):
    _name = "regie.timesheet.dispute.answer"
    _description = "Answer a Monthly Activity Report Dispute"

    dispute_id = fields.Many2one(
        "regie.timesheet.dispute", required=True, ondelete="cascade"
    )
    decision = fields.Selection(
        [("accept", "Accept"), ("reject", "Reject")], required=True, default="accept"
    )
    resolution = fields.Text(
        help="Required to reject: the justification sent back to the validator."
    )

    def action_confirm(self):
        """Accept or reject the dispute (checks are in action_accept/action_reject)."""
        self.ensure_one()
        if self.decision == "reject":
            self.dispute_id.action_reject(self.resolution)
        else:
            self.dispute_id.action_accept(self.resolution)
        return {"type": "ir.actions.act_window_close"}
