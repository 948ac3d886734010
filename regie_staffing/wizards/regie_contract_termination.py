from datetime import timedelta

from odoo import api, fields, models


class RegieContractTermination(models.TransientModel):
    _name = "regie.contract.termination"
    _description = "Régie Contract Termination"

    contract_id = fields.Many2one("regie.contract", required=True)
    notice_period_days = fields.Integer(related="contract_id.notice_period_days")
    termination_date = fields.Date(
        compute="_compute_termination_date",
        store=True,
        readonly=False,
        precompute=True,
        required=True,
    )
    reason = fields.Text()
    force = fields.Boolean(
        help="Terminate before the end of the notice period (managers only)."
    )
    can_force = fields.Boolean(compute="_compute_can_force")

    @api.depends("contract_id")
    def _compute_termination_date(self):
        today = fields.Date.context_today(self)
        for wizard in self:
            wizard.termination_date = today + timedelta(
                days=wizard.contract_id.notice_period_days
            )

    def _compute_can_force(self):
        self.can_force = self.env.user.has_group("regie_staffing.group_manager")

    def action_confirm(self):
        """Give notice on the contract with the chosen date and reason."""
        self.ensure_one()
        self.contract_id.action_terminate(
            termination_date=self.termination_date,
            reason=self.reason,
            force=self.force,
        )
        return {"type": "ir.actions.act_window_close"}
