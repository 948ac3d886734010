from collections import defaultdict

from odoo import api, fields, models
from odoo.tools import float_compare


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

    def button_cancel(self):
        res = super().button_cancel()
        self.filtered(
            lambda move: move.state == "cancel"
        ).line_ids._regie_release_periods()
        return res

    def _post(self, soft=True):
        posted = super()._post(soft=soft)
        posted.filtered(
            lambda move: (
                move.move_type in ("out_refund", "in_refund") and move.reversed_entry_id
            )
        )._regie_release_reversed()
        return posted

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

    def _regie_release_reversed(self):
        """A full credit note makes the months of the reversed invoice
        invoiceable again; a partial one leaves them invoiced (and says so)."""
        originals = self.reversed_entry_id.filtered("line_ids.regie_period_id")
        if not originals:
            return
        refunded = defaultdict(float)
        for refund in self.search(
            [("reversed_entry_id", "in", originals.ids), ("state", "=", "posted")]
        ):
            refunded[refund.reversed_entry_id.id] += refund.amount_total
        for original in originals:
            if (
                float_compare(
                    refunded[original.id],
                    original.amount_total,
                    precision_rounding=original.currency_id.rounding,
                )
                >= 0
            ):
                original.line_ids._regie_release_periods(
                    reason=self.env._(
                        "Invoice %(invoice)s was fully credited: the month can be "
                        "invoiced again.",
                        invoice=original.display_name,
                    )
                )
            else:
                original.message_post(
                    body=self.env._(
                        "Partial credit note: the régie months of this invoice "
                        "stay invoiced. Correct them with a new invoice or a full "
                        "credit note."
                    )
                )
