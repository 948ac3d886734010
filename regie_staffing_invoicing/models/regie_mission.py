from odoo import api, fields, models

from .regie_contract import INVOICE_GROUPS, MONEY_GROUPS, REGIE_ACCOUNTANT


class RegieMission(models.Model):
    _inherit = "regie.mission"

    # The régie accountants read the rates they invoice (see MONEY_GROUPS).
    daily_rate = fields.Monetary(groups=MONEY_GROUPS)
    rate_ids = fields.One2many(groups=MONEY_GROUPS)
    current_rate = fields.Monetary(groups=MONEY_GROUPS)
    daily_cost = fields.Monetary(
        string="Daily cost",
        currency_field="currency_id",
        groups=REGIE_ACCOUNTANT + ",regie_staffing.group_manager",
        help="What a day of the consultant costs on this mission, in the "
        "contract's currency. The margin analysis uses it, else the employee's "
        "hourly cost times the hours worked (a subcontracted consultant costs "
        "the purchase mission's daily rate).",
    )
    regie_invoice_count = fields.Integer(
        string="Invoices",
        compute="_compute_regie_invoice_count",
        groups=INVOICE_GROUPS,
    )

    @api.model
    def _get_input_bounds(self):
        return {**super()._get_input_bounds(), "daily_cost": (0, 1e9)}

    @api.constrains("daily_cost")
    def _check_daily_cost_bounds(self):
        self._check_input_bounds()

    def _get_regie_moves(self):
        """The invoices and vendor bills billing the mission's months."""
        return (
            self.env["account.move.line"]
            .search([("regie_period_id.mission_id", "in", self.ids)])
            .move_id.filtered(lambda m: m.move_type in ("out_invoice", "in_invoice"))
        )

    def _compute_regie_invoice_count(self):
        lines = self.env["account.move.line"].search(
            [("regie_period_id.mission_id", "in", self.ids)]
        )
        for mission in self:
            mission.regie_invoice_count = len(
                lines.filtered(
                    lambda line, m=mission: (
                        line.regie_period_id.mission_id == m
                        and line.move_id.move_type in ("out_invoice", "in_invoice")
                    )
                ).move_id
            )

    def action_view_invoices(self):
        """Open the invoices (or vendor bills) of the mission's months."""
        return self._get_regie_moves()._get_records_action(
            name=self.env._("Invoices"), context={}
        )
