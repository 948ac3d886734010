from collections import defaultdict

from odoo import api, fields, models, tools
from odoo.tools import float_round

# The row of a matched bill's comparison for the expenses beside the days.
EXPENSES = "expenses"


class RegieTimesheetPeriod(models.Model):
    _inherit = "regie.timesheet.period"

    expense_ids = fields.One2many(
        "hr.expense", "regie_period_id", string="Expenses", readonly=True
    )
    expense_total = fields.Monetary(
        string="Expenses (untaxed)",
        currency_field="currency_id",
        compute="_compute_expense_total",
        help="Untaxed amount of the month's expenses that are not refused, in "
        "the contract's currency.",
    )

    @api.depends(
        "expense_ids.total_amount",
        "expense_ids.state",
        "sale_period_id.expense_ids.total_amount",
        "sale_period_id.expense_ids.state",
    )
    def _compute_expense_total(self):
        for period in self:
            period.expense_total = sum(
                period._regie_expense_amount(expense)
                for expense in period.sudo()._regie_expenses()
            )

    def _regie_expenses(self):
        """The month's expenses that count: not refused. A back-to-back
        purchase month's are its sale month's (read only: the consultant
        files them once, on the client's side)."""
        self.ensure_one()
        return (
            self.sudo()
            ._get_lines_source()
            .expense_ids.filtered(lambda expense: expense.state != "refused")
            .sorted(lambda expense: (expense.date, expense.id))
        )

    def _regie_expense_amount(self, expense):
        """Untaxed amount of ``expense`` in the contract's currency."""
        self.ensure_one()
        expense = expense.sudo()
        amount = expense.total_amount - expense.tax_amount
        company_currency = expense.company_currency_id
        currency = self.contract_id.currency_id or company_currency
        if currency != company_currency:
            amount = company_currency._convert(
                amount, currency, expense.company_id, expense.date
            )
        return currency.round(amount)

    def _regie_billed_expenses(self):
        """Expenses of this month billed now on its side: the net of the live
        customer invoices and credit notes (vendor bills and refunds for a
        purchase month) carrying them is positive. A back-to-back expense is
        billed once to the client and once by the provider."""
        self.ensure_one()
        invoice, refund = (
            ("in_invoice", "in_refund")
            if self.direction == "purchase"
            else ("out_invoice", "out_refund")
        )
        groups = (
            self.env["account.move.line"]
            .sudo()
            ._read_group(
                [
                    (
                        "regie_expense_id",
                        "in",
                        self.sudo()._get_lines_source().expense_ids.ids,
                    ),
                    ("parent_state", "!=", "cancel"),
                    ("move_id.move_type", "in", (invoice, refund)),
                ],
                ["regie_expense_id", "move_id"],
                ["quantity:sum"],
            )
        )
        net = defaultdict(float)
        for expense, move, quantity in groups:
            net[expense] += -quantity if move.move_type == refund else quantity
        return self.env["hr.expense"].union(
            *(expense for expense, quantity in net.items() if quantity > 0)
        )

    def _prepare_invoice_line_values(self, segments, formats=None):
        # The client's invoice and the provider's bill made from a month
        # carry its expenses per their own contract's rule.
        vals_list = super()._prepare_invoice_line_values(segments, formats=formats)
        return vals_list + self._prepare_expense_line_values(segments)

    def _regie_allowed_expense_amount(self):
        """Untaxed expenses the month's contract rule lets its bill carry in
        all: each expense at cost, at cost up to the monthly cap, or the flat
        allowance per validated day; nothing when not re-invoiced."""
        self.ensure_one()
        contract = self.contract_id.sudo()
        currency = contract.currency_id
        policy = contract.expense_policy
        if policy == "flat_per_day":
            return currency.round(self.billable_days * contract.expense_flat_amount)
        if policy not in ("at_cost", "at_cost_capped"):
            return 0.0
        total = sum(
            self._regie_expense_amount(expense) for expense in self._regie_expenses()
        )
        if policy == "at_cost_capped":
            total = min(total, contract.expense_cap)
        return currency.round(total)

    def _get_matching_charges(self):
        charges = super()._get_matching_charges()
        for period in self.sudo().filtered(
            lambda period: period.direction == "purchase"
        ):
            amount = period._regie_allowed_expense_amount()
            if amount:
                charges.setdefault(period.id, {})[EXPENSES] = amount
        return charges

    def _get_provider_expense_amounts(self):
        amounts = super()._get_provider_expense_amounts()
        for period in self.sudo().filtered(
            lambda period: period.direction == "purchase"
        ):
            amounts[period.id] = period._regie_allowed_expense_amount()
        return amounts

    def _prepare_expense_line_values(self, segments):
        """Invoice lines of the month's expenses per the contract's rule: each
        expense at cost (its untaxed amount), at cost with the monthly cap
        (a last line brings them down to it), or a flat allowance per day
        billed now."""
        self.ensure_one()
        contract = self.contract_id.sudo()
        policy = contract.expense_policy
        if policy == "none":
            return []
        lang_env = self.with_context(
            lang=contract.partner_id.lang or self.env.user.lang
        ).env
        currency = contract.currency_id
        analytic = contract.analytic_account_id
        common = {
            "analytic_distribution": analytic and {str(analytic.id): 100.0} or False,
            "regie_contract_id": contract.id,
        }
        if policy == "flat_per_day":
            days = float_round(sum(days for _start, days in segments), 2)
            if not days:
                return []
            return [
                {
                    **common,
                    "name": lang_env._(
                        "%(consultant)s — %(month)s: flat expenses, %(days)s day(s) "
                        "at %(amount)s",
                        consultant=self.employee_id.name,
                        month=self.month_label,
                        days=tools.formatLang(lang_env, days, digits=2),
                        amount=tools.format_amount(
                            lang_env, contract.expense_flat_amount, currency
                        ),
                    ),
                    "quantity": days,
                    "price_unit": contract.expense_flat_amount,
                    "regie_expense_charge": True,
                }
            ]
        billed = self._regie_billed_expenses()
        vals_list = []
        total = 0.0
        for expense in self._regie_expenses() - billed:
            amount = self._regie_expense_amount(expense)
            total += amount
            vals_list.append(
                {
                    **common,
                    "product_id": expense.product_id.id,
                    "name": lang_env._(
                        "%(consultant)s — expense of %(date)s: %(description)s",
                        consultant=self.employee_id.name,
                        date=tools.format_date(lang_env, expense.date),
                        description=expense.name,
                    ),
                    "quantity": 1.0,
                    "price_unit": amount,
                    "regie_expense_id": expense.id,
                }
            )
        if policy == "at_cost_capped" and vals_list:
            already = sum(self._regie_expense_amount(expense) for expense in billed)
            allowed = max(contract.expense_cap - already, 0.0)
            if currency.compare_amounts(total, allowed) > 0:
                vals_list.append(
                    {
                        **common,
                        "name": lang_env._(
                            "%(consultant)s — %(month)s: expenses capped at "
                            "%(cap)s a month",
                            consultant=self.employee_id.name,
                            month=self.month_label,
                            cap=tools.format_amount(
                                lang_env, contract.expense_cap, currency
                            ),
                        ),
                        "quantity": 1.0,
                        "price_unit": currency.round(allowed - total),
                        "regie_expense_charge": True,
                    }
                )
        return vals_list

    def _attach_reports_to_invoices(self):
        res = super()._attach_reports_to_invoices()
        # The receipts of the expenses invoiced join the invoice.
        lines = (
            self.env["account.move.line"]
            .sudo()
            .search(
                [
                    ("move_id", "in", self.sudo().invoice_id.ids),
                    ("regie_expense_id", "!=", False),
                ]
            )
        )
        by_move = defaultdict(lambda: self.env["hr.expense"])
        for line in lines:
            by_move[line.move_id] |= line.regie_expense_id
        self.env["ir.attachment"].sudo().create(
            [
                {
                    "name": attachment.name,
                    "raw": attachment.raw,
                    "mimetype": attachment.mimetype,
                    "res_model": "account.move",
                    "res_id": move.id,
                }
                for move, expenses in by_move.items()
                for attachment in expenses.attachment_ids
            ]
        )
        return res
