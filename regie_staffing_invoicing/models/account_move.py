from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import float_compare, float_round, format_amount, formatLang


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
    regie_billing_warning = fields.Text(
        string="Régie billing warning",
        compute="_compute_regie_billing_warning",
        help="Draft régie invoice that no longer bills its validated months as "
        "they are: edited quantities or prices, or régie lines without their "
        "month (a duplicated invoice).",
    )

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

    @api.depends(
        "state",
        "move_type",
        "invoice_line_ids.quantity",
        "invoice_line_ids.price_unit",
        "invoice_line_ids.regie_period_id",
        "invoice_line_ids.regie_contract_id",
    )
    def _compute_regie_billing_warning(self):
        drafts = self.filtered(
            lambda move: (
                move.state == "draft"
                and move.move_type in ("out_invoice", "in_invoice")
                and move.invoice_line_ids.regie_contract_id
            )
        )
        (self - drafts).regie_billing_warning = False
        if not drafts:
            return
        lines = drafts.invoice_line_ids.filtered("regie_period_id")
        periods = lines.regie_period_id.sudo()
        segments = periods._get_rate_segments()
        billed = periods._get_billed_days()
        digits = self.env["decimal.precision"].precision_get("Product Price")
        for move in drafts:
            warnings = []
            own = move.invoice_line_ids.filtered("regie_period_id")
            if not own:
                warnings.append(
                    self.env._(
                        "These régie lines are not linked to any validated month "
                        "(a duplicated invoice?): they bill days that no month "
                        "accounts for. Invoice the months from Régie months to "
                        "invoice instead."
                    )
                )
            for line in own:
                period = line.regie_period_id.sudo()
                factor = line.regie_unit_factor or 1.0
                days = dict(segments.get(period.id, [])).get(line.regie_date_from, 0.0)
                # What the other live moves bill of that segment (this draft
                # is live too).
                others = (
                    billed[period.id][line.regie_date_from]["live"]
                    - line.quantity / factor
                )
                expected_quantity = (days - others) * factor
                rate = period.mission_id._get_rate(line.regie_date_from)
                expected_price = float_round(rate / factor, precision_digits=digits)
                if float_compare(
                    line.quantity, expected_quantity, precision_digits=4
                ) or float_compare(
                    line.price_unit, expected_price, precision_digits=digits
                ):
                    warnings.append(
                        self.env._(
                            "%(line)s: %(quantity)s at %(price)s no longer matches "
                            "the validated month (%(expected)s at %(rate)s).",
                            line=line.name or period.name,
                            quantity=formatLang(self.env, line.quantity),
                            price=format_amount(
                                self.env, line.price_unit, line.currency_id
                            ),
                            expected=formatLang(self.env, expected_quantity),
                            rate=format_amount(
                                self.env, expected_price, line.currency_id
                            ),
                        )
                    )
            move.regie_billing_warning = "\n".join(warnings) or False

    def write(self, vals):
        if "regie_vigilance_override_reason" in vals and not (
            self.env.su or self.env.user.has_group("regie_staffing.group_manager")
        ):
            raise AccessError(
                self.env._(
                    "Only régie managers can post a bill despite missing vigilance "
                    "documents."
                )
            )
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

    # Copied by Odoo's credit notes and duplicates: a credit note of an
    # invoice quoting the purchase order gives its amount back to the order.
    regie_order_ref = fields.Char(
        string="Purchase order (régie)",
        readonly=True,
        index="btree_not_null",
        help="The client's purchase order this régie invoice consumes.",
    )
    regie_service_date_from = fields.Date(
        string="Service period start",
        readonly=True,
        help="First day of the months this régie invoice bills.",
    )
    regie_service_date_to = fields.Date(
        string="Service period end",
        readonly=True,
        help="Last day of the months this régie invoice bills.",
    )

    regie_vigilance_warning = fields.Text(
        string="Vigilance warning",
        compute="_compute_regie_vigilance_warning",
        help="The provider of this bill lacks subcontractor vigilance documents "
        "its régie purchase contract requires: the bill cannot be posted, except "
        "by a régie manager with a logged reason.",
    )
    regie_vigilance_override_reason = fields.Text(
        string="Vigilance override",
        readonly=True,
        copy=False,
        tracking=True,
        help="Why a régie manager posted this bill although vigilance documents "
        "were missing or expired.",
    )

    def _regie_vigilance_contracts(self):
        """The régie purchase contracts this bill is for."""
        self.ensure_one()
        move = self.sudo()
        contracts = move.regie_contract_id | move.invoice_line_ids.regie_contract_id
        return contracts.filtered(lambda contract: contract.direction == "purchase")

    @api.depends(
        "move_type", "state", "regie_contract_id", "invoice_line_ids.regie_contract_id"
    )
    def _compute_regie_vigilance_warning(self):
        for move in self:
            move.regie_vigilance_warning = (
                move._regie_vigilance_problem()
                if move.move_type == "in_invoice" and move.state == "draft"
                else False
            )

    def _regie_vigilance_problem(self):
        """A sentence naming what is missing, or False."""
        self.ensure_one()
        contracts = self._regie_vigilance_contracts().filtered("vigilance_required")
        problems = [
            self.env._(
                "%(contract)s: %(missing)s",
                contract=contract.display_name,
                missing=contract.vigilance_missing,
            )
            for contract in contracts
            if contract.vigilance_state == "missing"
        ]
        if not problems:
            return False
        return self.env._(
            "Subcontractor vigilance documents missing or expired (Code du travail "
            "L8222-1): %(problems)s.",
            problems="; ".join(problems),
        )

    def _post(self, soft=True):
        for move in self:
            if move.move_type != "in_invoice" or move.regie_vigilance_override_reason:
                continue
            problem = move._regie_vigilance_problem()
            if problem:
                raise UserError(
                    self.env._(
                        "Bill %(bill)s cannot be posted. %(problem)s Ask the "
                        "provider for the documents, or a régie manager to post it "
                        "with a reason.",
                        bill=move.display_name,
                        problem=problem,
                    )
                )
        return super()._post(soft=soft)

    def action_regie_vigilance_override(self):
        """Open the wizard posting the bill despite the missing documents."""
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Post despite vigilance"),
            "res_model": "regie.vigilance.override",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {"default_move_ids": self.ids},
        }
