from odoo import api, fields, models


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


class RegieTimesheetPeriodSubmit(models.TransientModel):
    _name = "regie.timesheet.period.submit"
    _description = "Submit Monthly Activity Reports"

    period_ids = fields.Many2many("regie.timesheet.period", string="Months")
    warning = fields.Text(compute="_compute_warning")

    @api.depends("period_ids")
    def _compute_warning(self):
        for wizard in self:
            warnings = wizard.period_ids._get_submit_warnings()
            wizard.warning = "\n".join(
                self.env._(
                    "%(month)s: %(issues)s.",
                    month=period.display_name,
                    issues="; ".join(warnings[period.id]),
                )
                for period in wizard.period_ids
                if warnings.get(period.id)
            )

    def action_confirm(self):
        """Submit the months (checks are in action_submit)."""
        self.ensure_one()
        # The months as given, not only those the user may read: one he may
        # not see is refused by action_submit, never silently left out.
        self.sudo().period_ids.with_env(self.env).action_submit()
        return {"type": "ir.actions.act_window_close"}
