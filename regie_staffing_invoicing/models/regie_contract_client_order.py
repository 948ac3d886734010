"""The client's purchase order (bon de commande) on a contract: its number,
amount and validity, and for public-sector clients the Chorus Pro service
code. The invoices carry them; the amount is consumed by the invoices that
quote the order, with the budget's alerts and hard stop."""

from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import float_compare, format_date, formatLang

from .regie_contract import MONEY_GROUPS


class RegieContract(models.Model):
    _inherit = "regie.contract"

    client_order_amount = fields.Monetary(
        string="Purchase order amount",
        currency_field="currency_id",
        tracking=True,
        groups=MONEY_GROUPS,
        help="Untaxed amount of the purchase order: the invoices quoting its "
        "number consume it, with an alert at each budget threshold and, with the "
        "hard stop, no invoice beyond it.",
    )
    client_order_date_end = fields.Date(
        string="Purchase order valid until",
        tracking=True,
        help="Invoices dated after this day are refused with the hard stop, "
        "else the account manager is warned.",
    )
    client_order_consumed = fields.Monetary(
        string="Purchase order consumed",
        currency_field="currency_id",
        compute="_compute_client_order_consumed",
        groups=MONEY_GROUPS,
        help="Untaxed amount of the non-cancelled invoices quoting the purchase "
        "order, credit notes deducted.",
    )
    client_service_code = fields.Char(
        string="Service code (Chorus Pro)",
        tracking=True,
        help="For a public-sector client: the code of the service the invoices "
        "are addressed to in Chorus Pro (service exécutant, buyer reference "
        "BT-10 of the e-invoice).",
    )

    @api.depends("client_order_ref")
    def _compute_client_order_consumed(self):
        contracts = self.filtered("client_order_ref")
        amounts = defaultdict(float)
        if contracts:
            for contract, move, amount in (
                self.env["account.move.line"]
                .sudo()
                ._read_group(
                    [
                        ("regie_contract_id", "in", contracts.ids),
                        ("display_type", "=", "product"),
                        ("parent_state", "!=", "cancel"),
                        ("move_id.regie_order_ref", "!=", False),
                    ],
                    ["regie_contract_id", "move_id"],
                    ["amount_currency:sum"],
                )
            ):
                if move.regie_order_ref == contract.client_order_ref:
                    amounts[contract.id] += amount
        for contract in self:
            sign = -1 if contract.direction == "sale" else 1
            contract.client_order_consumed = sign * amounts[contract.id]

    @api.constrains("client_order_amount")
    def _check_client_order_amount(self):
        for contract in self.sudo():
            amount = contract.client_order_amount
            if amount < 0 or amount != amount or amount > 1e12:
                raise ValidationError(
                    self.env._(
                        "The purchase order amount of contract %(contract)s must be "
                        "zero or positive (got %(amount)s).",
                        contract=contract.display_name,
                        amount=formatLang(self.env, amount),
                    )
                )

    def _check_invoiceable(self, journal, invoice_date):
        super()._check_invoiceable(journal, invoice_date)
        contract = self.sudo()
        end = contract.client_order_date_end
        if end and invoice_date and invoice_date > end and contract.budget_hard_stop:
            raise UserError(
                self.env._(
                    "purchase order %(order)s expired on %(date)s (hard stop); the "
                    "client must extend it or send a new one.",
                    order=contract.client_order_ref or "-",
                    date=format_date(self.env, end),
                )
            )

    def _check_budget_hard_stop(self, amount=0.0):
        super()._check_budget_hard_stop(amount=amount)
        contracts = self.sudo().filtered(
            lambda c: (
                c.budget_hard_stop
                and c.client_order_ref
                and c.client_order_amount
                and not c.budget_override
            )
        )
        for contract in contracts:
            total = contract.client_order_consumed + amount
            if (
                float_compare(
                    total,
                    contract.client_order_amount,
                    precision_rounding=contract.currency_id.rounding,
                )
                > 0
            ):
                raise UserError(
                    self.env._(
                        "contract %(contract)s would invoice %(total)s on purchase "
                        "order %(order)s of %(amount)s (hard stop); the client must "
                        "raise the order or a manager override the stop.",
                        contract=contract.name,
                        total=contract._format_money(total),
                        order=contract.client_order_ref,
                        amount=contract._format_money(contract.client_order_amount),
                    )
                )

    def _check_budget_thresholds(self, moves):
        result = super()._check_budget_thresholds(moves)
        new_amounts = defaultdict(float)
        for line in moves.invoice_line_ids:
            if line.regie_contract_id and line.move_id.regie_order_ref:
                new_amounts[line.regie_contract_id.id] += line.amount_currency
        contracts = self.sudo().filtered("client_order_ref")
        contracts.invalidate_recordset(["client_order_consumed"])
        for contract in contracts:
            crossed, after = [], 0.0
            if contract.client_order_amount:
                sign = -1 if contract.direction == "sale" else 1
                consumed = contract.client_order_consumed
                after = 100.0 * consumed / contract.client_order_amount
                before = (
                    100.0
                    * (consumed - sign * new_amounts[contract.id])
                    / contract.client_order_amount
                )
                crossed = [
                    threshold
                    for threshold in contract._get_budget_thresholds()
                    if before < threshold <= after
                ]
            late = moves.filtered(
                lambda move, c=contract: (
                    c.client_order_date_end
                    and move.invoice_date
                    and move.invoice_date > c.client_order_date_end
                    and c in move.invoice_line_ids.regie_contract_id
                )
            )
            messages = []
            if crossed:
                messages.append(
                    self.env._(
                        "Purchase order alert: %(percent)s%% of purchase order "
                        "%(order)s (%(amount)s) is invoiced (threshold %(threshold)s%% "
                        "crossed).",
                        percent=formatLang(self.env, after, digits=1),
                        order=contract.client_order_ref,
                        amount=contract._format_money(contract.client_order_amount),
                        threshold=formatLang(self.env, crossed[-1], digits=0),
                    )
                )
            if late:
                messages.append(
                    self.env._(
                        "Purchase order %(order)s expired on %(date)s but %(moves)s "
                        "quotes it: ask the client for a new order.",
                        order=contract.client_order_ref,
                        date=format_date(self.env, contract.client_order_date_end),
                        moves=", ".join(late.mapped("display_name")),
                    )
                )
            for message in messages:
                contract.message_post(body=message)
                contract.activity_schedule(
                    "mail.mail_activity_data_warning",
                    summary=self.env._("Purchase order alert"),
                    note=message,
                    user_id=(contract.user_id or self.env.user).id,
                )
        return result
