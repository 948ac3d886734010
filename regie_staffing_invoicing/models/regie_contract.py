from collections import defaultdict

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import (
    float_compare,
    float_is_zero,
    format_amount,
    format_date,
    formatLang,
)

from odoo.addons.regie_staffing.models.regie_workflow import (
    check_workflow_fields,
    workflow,
)

# Links to the invoices themselves: whoever reads accounting documents.
INVOICE_GROUPS = "account.group_account_invoice,account.group_account_readonly"
# The accountants of the régie contracts. Odoo's Invoicing rights alone (which
# the default user template may carry) read no régie record nor amount.
REGIE_ACCOUNTANT = "regie_staffing_invoicing.group_regie_accountant"
# Need to know: the rates, budgets and invoiced amounts of a contract are read
# by its leads and managers and by the régie accountants, never by its
# consultants.
MONEY_GROUPS = "regie_staffing.group_lead," + REGIE_ACCOUNTANT


class RegieContract(models.Model):
    _inherit = "regie.contract"

    product_id = fields.Many2one(
        "product.product",
        string="Service product",
        domain=[("type", "=", "service")],
        default=lambda self: self._default_product_id(),
        check_company=True,
        tracking=True,
    )
    invoicing_period = fields.Selection(
        [("monthly", "Monthly"), ("quarterly", "Quarterly")],
        default="monthly",
        required=True,
    )
    invoice_grouping = fields.Selection(
        [("contract", "One invoice per contract"), ("partner", "One per partner")],
        default="contract",
        required=True,
    )
    journal_id = fields.Many2one(
        "account.journal",
        domain="[('type', 'in', ('sale', 'purchase')), "
        "('company_id', 'parent_of', company_id)]",
        check_company=True,
    )
    payment_term_id = fields.Many2one(
        "account.payment.term", check_company=True, string="Payment terms"
    )
    budget_amount = fields.Monetary(
        currency_field="currency_id", tracking=True, groups=MONEY_GROUPS
    )
    budget_alert_thresholds = fields.Char(
        default="80,100",
        help="Percentages of the budget that raise an alert when invoicing crosses "
        "them, separated by commas.",
    )
    budget_hard_stop = fields.Boolean(
        help="Refuse invoicing months beyond the budget unless a manager "
        "overrides it (validating them is never refused: the days were worked).",
        tracking=True,
    )
    budget_override = fields.Boolean(
        readonly=True,
        copy=False,
        tracking=True,
        help="Set by a manager: invoicing may exceed the hard-stop budget.",
    )
    invoiced_amount = fields.Monetary(
        compute="_compute_invoiced_amount",
        currency_field="currency_id",
        groups=MONEY_GROUPS,
        help="Untaxed amount of the non-cancelled invoices (or bills) of the "
        "contract, credit notes deducted.",
    )
    budget_consumed = fields.Float(
        string="Budget consumed (%)",
        compute="_compute_invoiced_amount",
        groups=MONEY_GROUPS,
    )
    regie_invoice_count = fields.Integer(
        string="Invoices",
        compute="_compute_invoiced_amount",
        groups=INVOICE_GROUPS,
    )
    client_order_ref = fields.Char(
        string="Purchase order reference",
        tracking=True,
        help="The client's purchase order (or engagement) number, carried to the "
        "customer invoices as their reference; on a purchase contract, the order "
        "number the provider quotes on its bills.",
    )
    auto_invoice = fields.Boolean(
        string="Automatic invoicing",
        help="Validated months are invoiced (in draft) by a scheduled action once "
        "their invoicing period is over.",
    )
    price_index_id = fields.Many2one("regie.price.index", string="Price index")
    price_index_base_value = fields.Float(
        string="Index base value", digits=(16, 4), help="S0 of the revision formula."
    )
    price_revision_month = fields.Selection(
        [
            ("1", "January"),
            ("2", "February"),
            ("3", "March"),
            ("4", "April"),
            ("5", "May"),
            ("6", "June"),
            ("7", "July"),
            ("8", "August"),
            ("9", "September"),
            ("10", "October"),
            ("11", "November"),
            ("12", "December"),
        ],
        string="Anniversary month",
    )
    price_revision_cap = fields.Float(
        string="Revision cap (%)", help="Maximum yearly increase, in percent."
    )

    def _compute_invoiced_amount(self):
        # Amounts come from the invoice lines, whoever may read them.
        groups = (
            self.env["account.move.line"]
            .sudo()
            ._read_group(
                [
                    ("regie_contract_id", "in", self.ids),
                    ("display_type", "=", "product"),
                    ("parent_state", "!=", "cancel"),
                ],
                ["regie_contract_id", "move_id"],
                ["amount_currency:sum"],
            )
        )
        amounts = defaultdict(float)
        moves = defaultdict(set)
        for contract, move, amount in groups:
            amounts[contract.id] += amount
            if move.move_type in ("out_invoice", "in_invoice"):
                moves[contract.id].add(move.id)
        for contract in self:
            sign = -1 if contract.direction == "sale" else 1
            contract.invoiced_amount = sign * amounts[contract.id]
            contract.budget_consumed = (
                contract.budget_amount
                and 100.0 * contract.invoiced_amount / contract.budget_amount
            )
            contract.regie_invoice_count = len(moves[contract.id])

    @api.model
    def _default_product_id(self):
        return self.env.ref(
            "regie_staffing_invoicing.product_product_regie_day",
            raise_if_not_found=False,
        )

    @api.model
    def _get_input_bounds(self):
        return {
            **super()._get_input_bounds(),
            "budget_amount": (0, 1e12),
            "price_index_base_value": (None, 1e9),
            "price_revision_cap": (0, 1000),
        }

    @api.constrains("budget_amount", "price_revision_cap")
    def _check_invoicing_input_bounds(self):
        self._check_input_bounds()

    @api.constrains("budget_alert_thresholds")
    def _check_budget_alert_thresholds(self):
        for contract in self:
            try:
                contract._get_budget_thresholds()
            except ValueError as error:
                raise ValidationError(
                    self.env._(
                        "%(field)s of %(contract)s: %(value)s is not a list of "
                        "percentages between 0 and 1,000 separated by commas, "
                        "e.g. 80,100.",
                        field=self._fields[
                            "budget_alert_thresholds"
                        ]._description_string(self.env),
                        contract=contract.name,
                        value=repr(contract.budget_alert_thresholds),
                    )
                ) from error

    @api.model_create_multi
    def create(self, vals_list):
        check_workflow_fields(
            self, vals_list, ("budget_override",), {"budget_override": False}
        )
        return super().create(vals_list)

    def write(self, vals):
        check_workflow_fields(self, [vals], ("budget_override",))
        overridden = self.browse()
        if not {"budget_amount", "budget_hard_stop"}.isdisjoint(vals):
            overridden = self.filtered("budget_override")
        res = super().write(vals)
        if overridden:
            # The override was given for a budget: a new budget needs a new one.
            workflow(overridden).write({"budget_override": False})
        return res

    def action_override_budget(self):
        """Allow invoicing beyond the hard-stop budget (régie or accounting
        managers only); logged in the chatter."""
        user = self.env.user
        if not (
            self.env.su
            or user.has_group("regie_staffing.group_manager")
            or user.has_group("account.group_account_manager")
        ):
            raise AccessError(
                self.env._("Only managers can override the budget of a contract.")
            )
        self.check_access("read")
        # Accounting managers may not write contracts: the override is theirs.
        contracts = workflow(self.sudo())
        contracts.write({"budget_override": True})
        for contract in self:
            contract.sudo().message_post(
                body=self.env._(
                    "Budget override by %(user)s: months may be invoiced beyond "
                    "the budget of %(budget)s.",
                    user=user.name,
                    budget=contract._format_money(contract.budget_amount),
                )
            )
        return True

    def action_view_invoices(self):
        """Open the invoices (or vendor bills) of the contracts."""
        self.check_access("read")
        moves = (
            self.env["account.move.line"]
            .search([("regie_contract_id", "in", self.ids)])
            .move_id.filtered(lambda m: m.move_type in ("out_invoice", "in_invoice"))
        )
        return moves._get_records_action(name=self.env._("Invoices"), context={})

    def action_view_months_to_invoice(self):
        """Open the validated months of the contracts that are not invoiced."""
        to_bill = set(self.mapped("direction")) == {"purchase"}
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "regie_staffing_invoicing.regie_timesheet_period_action_to_bill"
            if to_bill
            else "regie_staffing_invoicing.regie_timesheet_period_action_to_invoice"
        )
        action["domain"] = [
            ("contract_id", "in", self.ids),
            ("state", "=", "validated"),
        ]
        return action

    @api.model
    def _set_default_product(self):
        """Give the default service product to the contracts without one (at
        installation, for the contracts created before invoicing existed)."""
        product = self._default_product_id()
        if product:
            self.with_context(active_test=False).search(
                [("product_id", "=", False)]
            ).product_id = product
        return True

    def _get_budget_thresholds(self):
        """Return the alert thresholds as sorted floats; ValueError if invalid."""
        self.ensure_one()
        values = sorted(
            float(part)
            for part in (self.budget_alert_thresholds or "").split(",")
            if part.strip()
        )
        # "1e400" is infinite, "nan" no number: percentages up to 1000.
        if any(not 0 < value <= 1000 for value in values):
            raise ValueError(self.budget_alert_thresholds)
        return values

    def _get_billing_uom(self):
        self.ensure_one()
        if self.billing_unit == "hour":
            return self.env.ref("uom.product_uom_hour")
        if self.billing_unit == "half_day":
            return self.env.ref("regie_staffing_invoicing.uom_uom_half_day")
        return self.product_id.uom_id

    def _get_invoice_journal(self, cache):
        """Return the journal of the contract's invoices: its own or the
        company's first sale (purchase) journal; ``cache`` holds the latter."""
        self.ensure_one()
        journal_type = "sale" if self.direction == "sale" else "purchase"
        if self.journal_id:
            if self.journal_id.type != journal_type:
                raise UserError(
                    self.env._(
                        "journal %(journal)s is not a %(type)s journal.",
                        journal=self.journal_id.display_name,
                        type=journal_type,
                    )
                )
            return self.journal_id
        key = (self.company_id.id, journal_type)
        if key not in cache:
            cache[key] = self.env["account.journal"].search(
                [
                    *self.env["account.journal"]._check_company_domain(self.company_id),
                    ("type", "=", journal_type),
                ],
                limit=1,
            )
        if not cache[key]:
            raise UserError(
                self.env._(
                    "the company %(company)s has no %(type)s journal.",
                    company=self.company_id.name,
                    type=journal_type,
                )
            )
        return cache[key]

    def _check_invoiceable(self, journal, invoice_date):
        """Raise a UserError naming what prevents invoicing this contract."""
        self.ensure_one()
        partner = self.partner_id
        if not partner:
            raise UserError(self.env._("the contract has no partner."))
        if not partner.active:
            raise UserError(
                self.env._("partner %(partner)s is archived.", partner=partner.name)
            )
        product = self.product_id
        if not product:
            raise UserError(self.env._("the contract has no service product."))
        account_key = "income" if self.direction == "sale" else "expense"
        if not product.product_tmpl_id.with_company(
            self.company_id
        )._get_product_accounts()[account_key]:
            raise UserError(
                self.env._(
                    "product %(product)s has no %(kind)s account (neither on the "
                    "product nor on its category).",
                    product=product.display_name,
                    kind=account_key,
                )
            )
        if journal.currency_id and journal.currency_id != self.currency_id:
            raise UserError(
                self.env._(
                    "the contract is in %(currency)s but journal %(journal)s only "
                    "accepts %(journal_currency)s.",
                    currency=self.currency_id.name,
                    journal=journal.display_name,
                    journal_currency=journal.currency_id.name,
                )
            )
        has_tax = bool(
            product.taxes_id if self.direction == "sale" else product.supplier_taxes_id
        )
        locks = self.company_id._get_violated_lock_dates(invoice_date, has_tax, journal)
        if locks:
            raise UserError(
                self.env._(
                    "the invoice date %(date)s is locked (%(locks)s).",
                    date=format_date(self.env, invoice_date),
                    locks=self.env["res.company"]._format_lock_dates(locks),
                )
            )
        self._check_client_order_invoiceable(invoice_date)

    def _check_budget_hard_stop(self, amount=0.0):
        """Refuse invoicing beyond the budget of hard-stop contracts (without a
        manager's override): ``amount`` about to be invoiced on top of what is
        invoiced. Validation is never refused for the budget: the days were
        worked; the stop applies when they are invoiced."""
        # The budget is restricted to leads and accountants: read it whoever
        # validates or invoices.
        contracts = self.sudo().filtered(
            lambda c: c.budget_hard_stop and c.budget_amount and not c.budget_override
        )
        for contract in contracts:
            total = contract.invoiced_amount + amount
            if contract._exceeds(total, contract.budget_amount):
                raise UserError(
                    self.env._(
                        "contract %(contract)s would reach %(total)s for a budget of "
                        "%(budget)s (hard stop); a manager must override the budget "
                        "first.",
                        contract=contract.name,
                        total=contract._format_money(total),
                        budget=contract._format_money(contract.budget_amount),
                    )
                )

        self._check_client_order_hard_stop(amount=amount)

    def _format_money(self, amount):
        self.ensure_one()
        return format_amount(self.env, amount, self.currency_id)

    def _exceeds(self, total, limit):
        """Whether ``total`` is above ``limit``, to the currency's cent."""
        self.ensure_one()
        return (
            float_compare(total, limit, precision_rounding=self.currency_id.rounding)
            > 0
        )

    def _get_crossed_thresholds(self, consumed, added, limit):
        """The alert thresholds (percentages of ``limit``) that ``added``
        (signed as the invoice lines: negative on a sale) made ``consumed``
        cross."""
        self.ensure_one()
        sign = -1 if self.direction == "sale" else 1
        after = 100.0 * consumed / limit
        before = 100.0 * (consumed - sign * added) / limit
        return [
            threshold
            for threshold in self._get_budget_thresholds()
            if before < threshold <= after
        ]

    def _post_amount_alert(self, message, summary):
        """Tell the account manager: a message on the contract and a warning
        activity."""
        self.ensure_one()
        self.message_post(body=message)
        self.activity_schedule(
            "mail.mail_activity_data_warning",
            summary=summary,
            note=message,
            user_id=(self.user_id or self.env.user).id,
        )

    def _check_budget_thresholds(self, moves):
        """Alert the account manager when the invoices ``moves`` made a contract
        cross one of its budget thresholds (activity + chatter message)."""
        new_amounts = defaultdict(float)
        for line in moves.invoice_line_ids:
            if line.regie_contract_id:
                new_amounts[line.regie_contract_id.id] += line.amount_currency
        contracts = self.sudo().filtered("budget_amount")
        contracts.invalidate_recordset(["invoiced_amount", "budget_consumed"])
        for contract in contracts:
            after = contract.budget_consumed
            crossed = contract._get_crossed_thresholds(
                contract.invoiced_amount,
                new_amounts[contract.id],
                contract.budget_amount,
            )
            if not crossed:
                continue
            message = self.env._(
                "Budget alert: %(percent)s%% of the budget of %(budget)s is invoiced "
                "(threshold %(threshold)s%% crossed).",
                percent=formatLang(self.env, after, digits=1),
                budget=contract._format_money(contract.budget_amount),
                threshold=formatLang(self.env, crossed[-1], digits=0),
            )
            contract._post_amount_alert(message, self.env._("Contract budget alert"))

        self._check_client_order_thresholds(moves)

    def _get_invoice_group_key(self, period, journal):
        self.ensure_one()
        start = self._get_invoicing_period_start(period.date_from)
        owner = (
            ("partner", self.partner_id.id)
            if self.invoice_grouping == "partner"
            else ("contract", self.id)
        )
        return (
            self.company_id.id,
            self.direction,
            owner,
            start,
            self.currency_id.id,
            journal.id,
            self.payment_term_id.id,
        )

    def _prepare_invoice_values(self, journal, invoice_date):
        self.ensure_one()
        vals = {
            "move_type": "out_invoice" if self.direction == "sale" else "in_invoice",
            "partner_id": self.partner_id.id,
            "journal_id": journal.id,
            "currency_id": self.currency_id.id,
            "invoice_date": invoice_date,
            "invoice_line_ids": [],
        }
        # The contract's payment term, else the partner's (per company), as
        # Odoo's invoice form takes it; without any, the invoice is due on its
        # own date (Odoo would make an invoice dated in the past due today).
        partner = self.partner_id.with_company(self.company_id)
        term = self.payment_term_id or (
            partner.property_payment_term_id
            if self.direction == "sale"
            else partner.property_supplier_payment_term_id
        )
        if term:
            vals["invoice_payment_term_id"] = term.id
        else:
            vals["invoice_date_due"] = invoice_date
        return vals

    def _get_invoice_title(self, mission):
        """What the invoice lines name after the consultant and the month: the
        contract's title when it has one, else the mission's profile, else the
        contract's reference."""
        self.ensure_one()
        return self.title or mission.profile or self.name

    def _get_billing_unit_label(self, lang_env, quantity):
        """The billing unit, singular or plural for ``quantity``, in
        ``lang_env``'s language."""
        self.ensure_one()
        one = float_compare(abs(quantity), 1.0, precision_digits=2) <= 0
        if self.billing_unit == "half_day":
            return lang_env._("half-day") if one else lang_env._("half-days")
        if self.billing_unit == "hour":
            return lang_env._("hour") if one else lang_env._("hours")
        return lang_env._("day") if one else lang_env._("days")

    def _format_billing_quantity(self, lang_env, quantity, price):
        """ "12 half-days × €350.00": a line's quantity in its unit and its unit
        price, in ``lang_env``'s language and number format."""
        self.ensure_one()
        digits = (
            0 if float_is_zero(quantity - round(quantity), precision_digits=4) else 2
        )
        return lang_env._(
            "%(quantity)s %(unit)s × %(price)s",
            quantity=formatLang(lang_env, quantity, digits=digits),
            unit=self._get_billing_unit_label(lang_env, quantity),
            price=format_amount(lang_env, price, self.currency_id),
        )

    def _get_billing_unit_factor(self):
        """Billing units in one day: 1 in days, 2 in half-days, the hours per
        day in hours."""
        self.ensure_one()
        if self.billing_unit == "half_day":
            return 2.0
        if self.billing_unit == "hour":
            return self.hours_per_day
        return 1.0

    def _get_invoicing_period_start(self, date):
        self.ensure_one()
        if self.invoicing_period == "quarterly":
            return date.replace(month=(date.month - 1) // 3 * 3 + 1, day=1)
        return date.replace(day=1)

    def _get_invoicing_period_end(self, date):
        self.ensure_one()
        months = 3 if self.invoicing_period == "quarterly" else 1
        return self._get_invoicing_period_start(date) + relativedelta(
            months=months, days=-1
        )

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

    def _check_client_order_invoiceable(self, invoice_date):
        """Refuse invoicing after the purchase order's validity (hard stop)."""
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

    def _check_client_order_hard_stop(self, amount=0.0):
        """Refuse invoicing beyond the purchase order's amount (hard stop)."""
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
            if contract._exceeds(total, contract.client_order_amount):
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

    def _check_client_order_thresholds(self, moves):
        """Alert the account manager when ``moves`` crossed a threshold of
        the purchase order or quote it after its validity."""
        new_amounts = defaultdict(float)
        for line in moves.invoice_line_ids:
            if line.regie_contract_id and line.move_id.regie_order_ref:
                new_amounts[line.regie_contract_id.id] += line.amount_currency
        contracts = self.sudo().filtered("client_order_ref")
        contracts.invalidate_recordset(["client_order_consumed"])
        for contract in contracts:
            crossed, after = [], 0.0
            if contract.client_order_amount:
                consumed = contract.client_order_consumed
                after = 100.0 * consumed / contract.client_order_amount
                crossed = contract._get_crossed_thresholds(
                    consumed, new_amounts[contract.id], contract.client_order_amount
                )
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
                contract._post_amount_alert(message, self.env._("Purchase order alert"))
