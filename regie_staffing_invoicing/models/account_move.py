from collections import defaultdict

from odoo import api, fields, models


class AccountMove(models.Model):
    _inherit = "account.move"

    regie_period_ids = fields.One2many(
        "regie.timesheet.period", "invoice_id", string="Régie months", readonly=True
    )
    regie_period_count = fields.Integer(compute="_compute_regie_period_count")
    regie_contract_ids = fields.Many2many(
        "regie.contract",
        string="Régie contracts",
        compute="_compute_regie_contract_ids",
    )
    regie_contract_count = fields.Integer(compute="_compute_regie_contract_ids")

    @api.depends("regie_period_ids")
    def _compute_regie_period_count(self):
        counts = dict(
            self.env["regie.timesheet.period"]
            .sudo()
            ._read_group([("invoice_id", "in", self.ids)], ["invoice_id"], ["__count"])
        )
        for move in self:
            move.regie_period_count = counts.get(move, 0)

    @api.depends("invoice_line_ids.regie_contract_id")
    def _compute_regie_contract_ids(self):
        contracts = defaultdict(list)
        for move, contract in self.env["account.move.line"]._read_group(
            [("move_id", "in", self.ids), ("regie_contract_id", "!=", False)],
            ["move_id", "regie_contract_id"],
        ):
            contracts[move.id].append(contract.id)
        for move in self:
            move.regie_contract_ids = contracts[move.id]
            move.regie_contract_count = len(contracts[move.id])

    def write(self, vals):
        res = super().write(vals)
        # Posting, resetting to draft and cancelling change what the moves
        # bill: their months follow (and refuse to be billed twice).
        if "state" in vals:
            self.line_ids.regie_period_id._regie_sync_billing()
        return res

    def unlink(self):
        periods = self.line_ids.regie_period_id
        res = super().unlink()
        periods._regie_sync_billing()
        return res

    def action_view_regie_periods(self):
        """Open the régie months invoiced by this invoice."""
        self.ensure_one()
        return self.regie_period_ids._get_records_action(
            name=self.env._("Régie months")
        )

    def action_view_regie_contracts(self):
        """Open the régie contracts invoiced by this invoice."""
        self.ensure_one()
        return self.regie_contract_ids._get_records_action(
            name=self.env._("Régie contracts")
        )
