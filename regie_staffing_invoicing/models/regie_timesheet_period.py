import logging
from collections import defaultdict

from markupsafe import Markup
from psycopg2.errors import LockNotAvailable, SerializationFailure

from odoo import Command, api, fields, models, tools
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL, float_compare, float_is_zero, float_round

from odoo.addons.regie_staffing.models.regie_workflow import workflow

from .regie_contract import INVOICE_GROUPS, REGIE_ACCOUNTANT

_logger = logging.getLogger(__name__)

MATCHED_STATES = ("validated", "invoiced")


class RegieInvoicingError(UserError):
    """A contract that cannot be invoiced in this run (reason in args[0])."""


class RegieTimesheetPeriod(models.Model):
    _inherit = "regie.timesheet.period"

    state = fields.Selection(
        selection_add=[("invoiced", "Invoiced")],
        ondelete={
            "invoiced": lambda periods: periods._period_workflow().write(
                {"state": "validated"}
            )
        },
    )
    invoice_line_id = fields.Many2one(
        "account.move.line",
        readonly=True,
        copy=False,
        index="btree_not_null",
        ondelete="set null",
        groups=INVOICE_GROUPS,
    )
    vendor_bill_id = fields.Many2one(
        "account.move",
        string="Provider's bill",
        readonly=True,
        copy=False,
        index="btree_not_null",
        groups=INVOICE_GROUPS,
        help="Posted bill of the provider, matched against the purchase "
        "contract, that bills this month.",
    )
    invoice_id = fields.Many2one(
        related="invoice_line_id.move_id",
        store=True,
        index="btree_not_null",
        string="Invoice",
        groups=INVOICE_GROUPS,
    )
    amount_to_invoice = fields.Monetary(
        string="Amount to invoice",
        compute="_compute_amount_to_invoice",
        currency_field="currency_id",
        groups=REGIE_ACCOUNTANT + ",regie_staffing.group_manager",
        help="Validated days not invoiced yet times the daily rate in force on "
        "them (a month whose rate changes inside it is valued per rate), in the "
        "contract's currency.",
    )

    @api.depends("state", "billable_days", "mission_id.rate_ids", "invoice_line_id")
    def _compute_amount_to_invoice(self):
        """What invoicing the month would bill now: its remaining days per
        rate segment at their daily rate, computed for the batch at once."""
        periods = self.sudo()
        to_value = periods.filtered(
            lambda period: period.id and period.state == "validated"
        )
        segments = to_value._get_remaining_segments() if to_value else {}
        for period, sudo_period in zip(self, periods, strict=True):
            currency = sudo_period.contract_id.currency_id
            period.amount_to_invoice = sum(
                currency.round(days * sudo_period.mission_id._get_rate(start))
                for start, days in segments.get(period.id, [])
            )

    def action_create_invoice(self, invoice_date=None):
        """Invoice validated months: customer invoices for sale contracts, draft
        vendor bills for purchase contracts, one per contract (or partner) and
        invoicing period, one line per consultant-month at the TJM in force.

        A contract that cannot be invoiced gets no invoice and is listed with
        its reason in the summary; the others are invoiced. When nothing could
        be invoiced, the reasons are raised as an error.

        From a list, many months are invoiced in the background (a
        notification is returned instead).

        :param invoice_date: date of the invoices (default: today)
        :return: an action opening the created invoices; its context carries
            ``regie_invoicing_summary`` (created ids, skipped contracts)
        """
        queued = self._enqueue_close_batch("invoice", invoice_date=invoice_date)
        if queued:
            return queued
        self._check_can_invoice()
        invoice_date = self._check_invoice_preconditions(invoice_date)
        moves, skipped = self._create_invoices(invoice_date=invoice_date)
        if not moves and skipped:
            raise UserError(
                "\n".join(
                    [self.env._("Nothing was invoiced:")]
                    + [reason for _contract, reason in skipped]
                )
            )
        return self._get_invoicing_action(moves, skipped)

    def action_view_invoice(self):
        """Open the invoice of the month."""
        self.ensure_one()
        return self.invoice_id._get_records_action(context={})

    def action_view_vendor_bill(self):
        """Open the provider's bill matched against the month."""
        self.ensure_one()
        if not self.vendor_bill_id:
            raise UserError(
                self.env._(
                    "%(month)s is not billed by a provider's bill.", month=self.name
                )
            )
        return self.vendor_bill_id._get_records_action(context={})

    # ------------------------------------------------------------------
    # Invoicing
    # ------------------------------------------------------------------

    def _check_can_invoice(self):
        # The régie accountants invoice; a régie manager too when he also has
        # Invoicing rights. Invoicing rights alone (or with the Project lead
        # group) do not invoice the months.
        user = self.env.user
        if not (
            self.env.su
            or user.has_group(REGIE_ACCOUNTANT)
            or (
                user.has_group("regie_staffing.group_manager")
                and user.has_group("account.group_account_invoice")
            )
        ):
            raise AccessError(
                self.env._(
                    "Only the régie accountants (or régie managers with Invoicing "
                    "rights) can invoice months."
                )
            )
        self.check_access("read")

    def _check_invoice_preconditions(self, invoice_date):
        """What invoicing refuses for the whole selection, checked before any
        work (also before queuing a background batch): months not validated,
        a wrong invoice date, months without a day to invoice.

        :return: the invoice date (default: today)
        """
        # The invoice link is an accounting field: read for every month.
        not_invoiceable = self.sudo().filtered(
            lambda period: period.state != "validated"
        )
        if not_invoiceable:
            raise UserError(self._get_not_invoiceable_message(not_invoiceable))
        invoice_date = self._check_invoice_date(invoice_date)
        empty = self.sudo().filtered(
            lambda period: float_is_zero(period.billable_days, precision_digits=4)
        )
        if empty:
            raise UserError(
                "\n".join(
                    [self.env._("These months cannot be invoiced:")]
                    + [
                        self.env._(
                            "%(month)s has no validated day to invoice.",
                            month=period.name,
                        )
                        for period in empty
                    ]
                )
            )
        return invoice_date

    def _check_invoice_date(self, invoice_date):
        """The invoice date given as a date (default: today); refused,
        naming it, when it is no date or lies before the months it invoices or
        more than a year ahead."""
        label = (
            self.env["account.move"]
            ._fields["invoice_date"]
            ._description_string(self.env)
        )
        today = fields.Date.context_today(self)
        if not invoice_date:
            return today
        day = self.env["regie.contract"]._parse_date(invoice_date, label)
        first = min(self.mapped("date_from"), default=day)
        if day < first:
            raise UserError(
                self.env._(
                    "%(field)s: %(date)s is before the months invoiced (from "
                    "%(start)s).",
                    field=label,
                    date=tools.format_date(self.env, day),
                    start=tools.format_date(self.env, first),
                )
            )
        if day > fields.Date.add(today, years=1):
            raise UserError(
                self.env._(
                    "%(field)s: %(date)s is more than a year ahead.",
                    field=label,
                    date=tools.format_date(self.env, day),
                )
            )
        return day

    def _get_not_invoiceable_message(self, periods):
        lines = []
        for period in periods.sudo():
            if period.state == "invoiced":
                lines.append(
                    self.env._(
                        "%(month)s is already invoiced (%(invoice)s).",
                        month=period.name,
                        invoice=(
                            period.invoice_id or period.vendor_bill_id
                        ).display_name,
                    )
                )
            else:
                lines.append(
                    self.env._(
                        "%(month)s is not validated (%(state)s).",
                        month=period.name,
                        state=period._get_state_label(),
                    )
                )
        return "\n".join([self.env._("These months cannot be invoiced:"), *lines])

    def _create_invoices(self, invoice_date=None):
        """Invoice the months of ``self`` that are still validated and not
        invoiced, contract by contract. Access was checked by the caller.

        :return: (created moves, [(contract, reason)] of skipped contracts)
        """
        invoice_date = fields.Date.to_date(invoice_date) or fields.Date.context_today(
            self
        )
        periods = self.sudo()
        skipped = []
        locked = periods._regie_lock()
        for contract in (periods - locked).contract_id:
            skipped.append(
                (
                    contract,
                    self.env._(
                        "%(contract)s: its months are being invoiced by someone "
                        "else right now; try again in a moment.",
                        contract=contract.name,
                    ),
                )
            )
        # The lock made the states current: months invoiced meanwhile drop out.
        periods = locked.filtered(lambda period: period.state == "validated")
        lost_months = locked - periods
        for contract, lost in lost_months.grouped("contract_id").items():
            skipped.append(
                (
                    contract,
                    self.env._(
                        "%(contract)s: %(months)s was invoiced by someone else "
                        "meanwhile.",
                        contract=contract.name,
                        months=", ".join(lost.mapped("name")),
                    ),
                )
            )
        periods = periods.filtered(
            lambda period: period.contract_id not in lost_months.contract_id
        )
        values, errors = periods._prepare_invoice_values_by_group(invoice_date)
        skipped += errors
        moves = self.env["account.move"]
        if values:
            moves, errors = self._create_invoice_moves(values)
            skipped += errors
        if skipped:
            for contract, reason in skipped:
                contract.sudo().message_post(
                    body=self.env._("Not invoiced: %(reason)s", reason=reason)
                )
        if moves:
            invoiced = periods.filtered(lambda period: period.invoice_id in moves)
            invoiced._attach_reports_to_invoices()
            invoiced._message_log_batch(
                bodies={
                    period.id: self.env._(
                        "Invoiced in %(invoice)s.",
                        invoice=period.invoice_id.display_name,
                    )
                    for period in invoiced
                }
            )
            invoiced.contract_id._check_budget_thresholds(moves)
        return moves, skipped

    def _regie_lock(self):
        """Lock the months against a concurrent invoicing (NOWAIT). Returns the
        months locked; contracts whose months another transaction holds are left
        out (all-or-nothing per contract)."""
        if not self:
            return self
        self.flush_model()
        if self._regie_try_lock(self.ids):
            return self
        locked = self.browse()
        for periods in self.grouped("contract_id").values():
            if self._regie_try_lock(periods.ids):
                locked |= periods
        return locked

    def _regie_try_lock(self, ids):
        try:
            with self.env.cr.savepoint(flush=False):
                # A held lock is an expected outcome, not an error to log.
                self.env.cr.execute(
                    SQL(
                        "SELECT id FROM regie_timesheet_period WHERE id IN %s "
                        "FOR NO KEY UPDATE NOWAIT",
                        tuple(ids),
                    ),
                    log_exceptions=False,
                )
        except (LockNotAvailable, SerializationFailure):
            return False
        self.browse(ids).invalidate_recordset(["state", "invoice_line_id"])
        return True

    def _prepare_invoice_values_by_group(self, invoice_date):
        """Check each contract and prepare the invoices.

        :return: ({group key: {"vals": move values, "periods": months,
            "contracts": contracts}}, [(contract, reason)])
        """
        errors = []
        hashes = self._get_lines_hashes()
        segments = self._get_remaining_segments()
        journals = {}
        groups = {}
        # Labels formatted once per language, unit, quantity and price for the
        # batch (many months share them).
        formats = {}
        for contract, periods in self.grouped("contract_id").items():
            try:
                journal = contract._get_invoice_journal(journals)
                contract._check_invoiceable(journal, invoice_date)
                periods._check_invoice_hashes(hashes)
                lines = [
                    (
                        period,
                        period._prepare_invoice_line_values(
                            segments[period.id], formats=formats
                        ),
                    )
                    for period in periods.sorted(
                        lambda p: (p.date_from, p.employee_id.name or "", p.id)
                    )
                ]
                contract._check_budget_hard_stop(
                    amount=sum(
                        vals["quantity"] * vals["price_unit"]
                        for _period, vals_list in lines
                        for vals in vals_list
                    )
                )
            except UserError as error:
                errors.append((contract, self._get_failure_reason(contract, error)))
                continue
            for period, vals_list in lines:
                key = contract._get_invoice_group_key(period, journal)
                group = groups.setdefault(
                    key,
                    {
                        "vals": contract._prepare_invoice_values(journal, invoice_date),
                        "periods": self.browse(),
                        "contracts": contract.browse(),
                    },
                )
                group["vals"]["invoice_line_ids"] += [
                    Command.create(vals) for vals in vals_list
                ]
                group["periods"] |= period
                group["contracts"] |= contract
        for group in groups.values():
            group["vals"].update(self._prepare_invoice_group_values(group))
            self._add_invoice_line_amounts(group)
        return groups, errors

    @api.model
    def _add_invoice_line_amounts(self, group):
        """Give the lines of a move in its company's currency the journal
        amounts they bill (its untaxed amount, signed as the move's lines),
        which Odoo would otherwise write on each line once the move is
        created, line by line, when it computes its taxes. Odoo still computes
        them and corrects a line whose amount differs (a tax included in the
        price); a line of another currency is left to Odoo."""
        vals = group["vals"]
        company = group["contracts"][:1].company_id
        currency = company.currency_id
        if vals["currency_id"] != currency.id or vals["move_type"] not in (
            "out_invoice",
            "in_invoice",
        ):
            return
        sign = -1 if vals["move_type"] == "out_invoice" else 1
        for command in vals["invoice_line_ids"]:
            line = command[2]
            if line.get("discount") or not {"quantity", "price_unit"} <= line.keys():
                continue
            amount = sign * currency.round(line["quantity"] * line["price_unit"])
            line.setdefault("amount_currency", amount)
            line.setdefault("balance", amount)

    @api.model
    def _prepare_invoice_group_values(self, group):
        """Values of a move that depend on all its contracts and months: the
        origin, the client's purchase order references (the customer
        reference of an invoice, as Odoo's sale orders give it), and for a
        bill of one purchase contract, its matching against the months it
        bills (shown on the bill as for a provider's own bill)."""
        contracts = group["contracts"]
        periods = group["periods"]
        vals = {"invoice_origin": ", ".join(contracts.mapped("name"))}
        order_refs = ", ".join(
            dict.fromkeys(
                contracts.filtered("client_order_ref").mapped("client_order_ref")
            )
        )
        if order_refs and group["vals"]["move_type"] == "out_invoice":
            vals["ref"] = order_refs
        elif order_refs:
            # A bill's reference is the provider's invoice number: the order
            # number it answers goes with the origin, as purchase orders do.
            vals["invoice_origin"] = f"{vals['invoice_origin']}, {order_refs}"
        if group["vals"]["move_type"] == "in_invoice" and len(contracts) == 1:
            vals.update(
                {
                    "regie_contract_id": contracts.id,
                    "regie_match_date_from": min(periods.mapped("date_from")),
                    "regie_match_date_to": max(periods.mapped("date_to")),
                }
            )
        vals.update(self._prepare_invoice_reference_values(group))
        return vals

    @api.model
    def _prepare_invoice_reference_values(self, group):
        """What a move states of what it bills: the service period (first and
        last day of the months), the purchase order it consumes, and where Odoo's French
        e-invoicing has them (Chorus Pro), the contract reference (BT-12), the
        purchase order (BT-13) and the public client's service code (BT-10)."""
        vals = {}
        contracts = group["contracts"].sudo()
        periods = group["periods"]
        vals["regie_service_date_from"] = min(periods.mapped("date_from"))
        vals["regie_service_date_to"] = max(periods.mapped("date_to"))
        orders = list(
            dict.fromkeys(
                contracts.filtered("client_order_ref").mapped("client_order_ref")
            )
        )
        if len(orders) == 1:
            vals["regie_order_ref"] = orders[0]
        move_fields = self.env["account.move"]._fields
        if "contract_reference" in move_fields:
            vals["contract_reference"] = ", ".join(contracts.mapped("name"))
        if group["vals"]["move_type"] != "out_invoice":
            return vals
        if "purchase_order_reference" in move_fields and orders:
            vals["purchase_order_reference"] = ", ".join(orders)
        codes = list(
            dict.fromkeys(
                contracts.filtered("client_service_code").mapped("client_service_code")
            )
        )
        if "buyer_reference" in move_fields and codes:
            vals["buyer_reference"] = ", ".join(codes)
        return vals

    def _check_invoice_hashes(self, hashes):
        for period in self:
            if not period.lines_hash or period.lines_hash != hashes[period.id]:
                raise RegieInvoicingError(
                    self.env._(
                        "%(month)s: its timesheet lines changed after validation "
                        "(frozen hash mismatch); re-open and validate it again.",
                        month=period.name,
                    )
                )

    def _get_provider_portal_values(self):
        """What the provider's portal contact sees of these validated purchase
        months, to bill exactly them: {period id: {"rates": purchase daily
        rates in force, "days_amount", "expense_amount", "amount" (untaxed, in
        the contract's currency), "billed": billed by a bill (his matched bill
        or the one made for him), "bill_ref": his invoice number}}. Nothing of
        the sale side: a back-to-back month's days are valued at the purchase
        mission's rates."""
        periods = self.sudo().filtered(
            lambda period: (
                period.direction == "purchase" and period.state in MATCHED_STATES
            )
        )
        segments = periods._get_rate_segments()
        expenses = periods._get_provider_expense_amounts()
        result = {}
        for period in periods:
            currency = period.contract_id.currency_id
            rates, days_amount = [], 0.0
            for start, days in segments.get(period.id, []):
                rate = period.mission_id._get_rate(start)
                rates.append(rate)
                days_amount += currency.round(days * rate)
            expense_amount = expenses.get(period.id, 0.0)
            result[period.id] = {
                "rates": list(dict.fromkeys(rates)),
                "days_amount": days_amount,
                "expense_amount": expense_amount,
                "amount": currency.round(days_amount + expense_amount),
                "billed": period.state == "invoiced",
                "bill_ref": period.vendor_bill_id.ref or "",
            }
        return result

    def _get_matching_charges(self):
        """Hook: {period id: {charge row key: amount}} that a provider's bill
        matched against these purchase months may charge beside the days
        (e.g. expenses per the purchase contract's rule), in the contract's
        currency."""
        return {}

    def _get_provider_expense_amounts(self):
        """Hook: {period id: untaxed expenses the provider bills with these
        purchase months, per the purchase contract's rule} (none here)."""
        return {}

    def _get_rate_segments(self):
        """Return {period id: [(first day, days)]}: the month's billable days per
        daily rate. A month is split only when a rate of its mission starts
        inside it, from the days of its lines (one query for the batch)."""
        segments = {}
        split = self.browse()
        for period in self:
            starts = sorted(
                rate.date_from
                for rate in period.mission_id.rate_ids
                if period.date_from < rate.date_from <= period.date_to
            )
            if starts:
                split |= period
            else:
                segments[period.id] = [(period.date_from, period.billable_days)]
        if not split:
            return segments
        days_by_period = defaultdict(lambda: defaultdict(float))
        # A back-to-back purchase month's days are its sale month's lines
        # (both months may be invoiced together).
        sources = defaultdict(list)
        for period in split:
            sources[period._get_lines_source().id].append(period)
        for source, day, days in (
            self.env["account.analytic.line"]
            .sudo()
            ._read_group(
                [("regie_period_id", "in", list(sources))],
                ["regie_period_id", "date:day"],
                ["regie_billable_days:sum"],
            )
        ):
            for period in sources[source.id]:
                start = max(
                    [period.date_from]
                    + [
                        rate.date_from
                        for rate in period.mission_id.rate_ids
                        if period.date_from < rate.date_from <= fields.Date.to_date(day)
                    ]
                )
                days_by_period[period.id][start] += days
        for period in split:
            parts = sorted(
                (start, days)
                for start, days in days_by_period[period.id].items()
                if not float_is_zero(days, precision_digits=6)
            )
            # The contract's rounding applies to the month: the last part
            # carries the difference.
            if parts:
                head = sum(days for _start, days in parts[:-1])
                parts[-1] = (parts[-1][0], period.billable_days - head)
            segments[period.id] = parts or [(period.date_from, period.billable_days)]
        return segments

    def _get_remaining_segments(self):
        """Return {period id: [(first day, days)]}: the validated days of each
        rate segment not billed yet by a live move (a month partly credited
        bills the rest)."""
        billed = self._get_billed_days()
        return {
            period_id: [
                (start, days - billed[period_id][start]["live"])
                for start, days in parts
                if float_compare(
                    days, billed[period_id][start]["live"], precision_digits=4
                )
                > 0
            ]
            for period_id, parts in self._get_rate_segments().items()
        }

    def _prepare_invoice_line_values(self, segments, formats=None):
        """Return the invoice line values of the month, one per daily rate.

        A line reads "Consultant — Month 11/2026 — contract title" and states
        its quantity in its unit ("12 half-days × €350.00"), in the partner's
        language as Odoo writes invoice lines.

        In half-days or hours, the unit price is the daily rate divided and
        rounded to the price precision: a rounding line then brings the month
        to its days × daily rate, to the cent.

        :param formats: a dict shared by the months invoiced together, where
            the formatted quantities and month names are kept (they depend on
            the language, unit, currency, quantity and price only)
        """
        self.ensure_one()
        formats = {} if formats is None else formats
        contract = self.contract_id
        currency = contract.currency_id
        uom = contract._get_billing_uom()
        analytic = contract.analytic_account_id
        precision = self.env["decimal.precision"].precision_get
        qty_digits = precision("Product Unit of Measure")
        price_digits = precision("Product Price")
        distribution = analytic and {str(analytic.id): 100.0} or False
        factor = contract._get_billing_unit_factor()
        lang_env = self.with_context(
            lang=contract.partner_id.lang or self.env.user.lang
        ).env
        label = self._get_invoice_line_label(lang_env, formats=formats)
        vals_list = []
        for start, days in segments:
            rate = self.mission_id._get_rate(start)
            quantity = float_round(days * factor, precision_digits=qty_digits)
            price = float_round(rate / factor, precision_digits=price_digits)
            name = label
            if len(segments) > 1:
                name = lang_env._(
                    "%(label)s (rate from %(date)s)",
                    label=label,
                    date=tools.format_date(lang_env, start),
                )
            common = {
                "product_id": contract.product_id.id,
                "product_uom_id": uom.id,
                "analytic_distribution": distribution,
                "regie_contract_id": contract.id,
            }
            vals_list.append(
                {
                    **common,
                    "name": "\n".join(
                        [
                            name,
                            self._get_cached_format(
                                formats,
                                (
                                    "quantity",
                                    lang_env.lang,
                                    contract.billing_unit,
                                    currency.id,
                                    quantity,
                                    price,
                                ),
                                lambda quantity=quantity, price=price: (
                                    contract._format_billing_quantity(
                                        lang_env, quantity, price
                                    )
                                ),
                            ),
                        ]
                    ),
                    "quantity": quantity,
                    "price_unit": price,
                    "regie_period_id": self.id,
                    "regie_date_from": start,
                    "regie_unit_factor": factor,
                }
            )
            difference = currency.round(days * rate) - currency.round(quantity * price)
            if not currency.is_zero(difference):
                vals_list.append(
                    {
                        **common,
                        "name": lang_env._(
                            "%(month)s: rounding to %(days)s day(s) at %(rate)s a day",
                            month=name,
                            days=tools.formatLang(lang_env, days, digits=2),
                            rate=tools.format_amount(lang_env, rate, currency),
                        ),
                        "quantity": 1.0,
                        "price_unit": difference,
                        "regie_rounding": True,
                        "regie_employee_id": self.employee_id.id,
                    }
                )
        return vals_list

    def _get_invoice_line_label(self, lang_env, formats=None):
        """ "Consultant — Month 11/2026 — contract title" in ``lang_env``'s
        language: what an invoice line of the month says it bills."""
        self.ensure_one()
        month = self.date_from.strftime("%m/%Y")
        return " — ".join(
            filter(
                None,
                [
                    self.employee_id.name,
                    self._get_cached_format(
                        {} if formats is None else formats,
                        ("month", lang_env.lang, month),
                        lambda: lang_env._("Month %(month)s", month=month),
                    ),
                    self.contract_id._get_invoice_title(self.mission_id),
                ],
            )
        )

    @api.model
    def _get_cached_format(self, formats, key, make):
        """``formats[key]``, made by ``make()`` the first time."""
        if key not in formats:
            formats[key] = make()
        return formats[key]

    def _create_invoice_moves(self, groups):
        """Create the invoices and claim their months. All groups at once when
        possible; if that fails, group by group so that one bad contract does
        not stop the others.

        :return: (moves, [(contract, reason)])
        """
        try:
            return self._create_and_claim(list(groups.values())), []
        except UserError as error:
            if len(groups) == 1:
                group = next(iter(groups.values()))
                return self.env["account.move"], [
                    (contract, self._get_failure_reason(contract, error))
                    for contract in group["contracts"]
                ]
        moves = self.env["account.move"]
        errors = []
        for group in groups.values():
            try:
                moves |= self._create_and_claim([group])
            except UserError as error:
                errors += [
                    (contract, self._get_failure_reason(contract, error))
                    for contract in group["contracts"]
                ]
        return moves, errors

    def _get_failure_reason(self, contract, error):
        return self.env._(
            "%(contract)s: %(reason)s", contract=contract.name, reason=error.args[0]
        )

    def _create_and_claim(self, groups):
        """In a savepoint: create the moves; creating their lines claims their
        months (``_regie_sync_billing``), which refuses a month billed twice
        and undoes it all."""
        with self.env.cr.savepoint():
            by_company = defaultdict(list)
            for group in groups:
                by_company[group["contracts"][:1].company_id].append(group)
            moves = self.env["account.move"]
            for company, company_groups in by_company.items():
                moves |= (
                    workflow(self.env["account.move"])
                    .with_company(company)
                    .with_context(default_company_id=company.id, mail_create_nolog=True)
                    .create([group["vals"] for group in company_groups])
                )
            moves = self.env["account.move"].browse(moves.ids)
            self._log_moves_creation(moves)
            return moves

    @api.model
    def _log_moves_creation(self, moves):
        """The "Invoice Created" message of each move, as mail.thread writes
        it when a record is created, in one batch instead of one message_post
        per invoice: the creation subtype of invoices is hidden and not a
        default one, so no follower of a new move is notified of it either
        way."""
        author = self.env.user.partner_id.id
        # The subtype and message depend on the move type only.
        for subtype_moves in moves.grouped("move_type").values():
            subtype = subtype_moves[:1]._creation_subtype()
            # An invoice's creation message depends on its type only.
            message = subtype_moves[:1]._creation_message()
            body = (
                Markup('<div summary="o_mail_notification"><p>%s</p></div>') % message
                if subtype
                else message
            )
            bodies = dict.fromkeys(subtype_moves.ids, body)
            messages = subtype_moves._message_log_batch(bodies=bodies, author_id=author)
            if subtype:
                messages.write({"subtype_id": subtype.id, "is_internal": False})

    # ------------------------------------------------------------------
    # What the moves bill: the invariant
    # ------------------------------------------------------------------

    def _get_billed_days(self):
        """Days billed for each month and rate segment by the moves linked to
        it, net of credit notes, in one query:
        {period id: {segment start: {"live": days, "posted": days}}}.

        *live* counts the invoices (or bills) in draft or posted and the posted
        credit notes: what the month is billed for, or about to be; *posted*
        only what is posted."""
        billed = defaultdict(lambda: defaultdict(lambda: {"live": 0.0, "posted": 0.0}))
        if not self.ids:
            return billed
        self.env["account.move.line"].flush_model()
        self.env["account.move"].flush_model(["state", "move_type"])
        self.env.cr.execute(
            SQL(
                """
                SELECT line.regie_period_id, line.regie_date_from, move.state,
                       SUM(CASE WHEN move.move_type IN ('out_refund', 'in_refund')
                                THEN -1 ELSE 1 END
                           * line.quantity
                           / COALESCE(NULLIF(line.regie_unit_factor, 0), 1))
                  FROM account_move_line line
                  JOIN account_move move ON move.id = line.move_id
                 WHERE line.regie_period_id IN %(ids)s
                   AND line.display_type = 'product'
                   AND (move.state = 'posted'
                        OR (move.state = 'draft'
                            AND move.move_type IN ('out_invoice', 'in_invoice')))
              GROUP BY line.regie_period_id, line.regie_date_from, move.state
                """,
                ids=tuple(self.ids),
            )
        )
        for period_id, start, state, days in self.env.cr.fetchall():
            billed[period_id][start]["live"] += days
            if state == "posted":
                billed[period_id][start]["posted"] += days
        return billed

    def _regie_sync_billing(self):
        """Make the months say what their moves bill, and refuse what would
        bill a month beyond its validated days.

        Called after every change of the moves linked to months (creation,
        posting, reset to draft, cancellation, credit notes, deletion, edited
        quantities) and of the provider's bills matched against them: a month
        is *invoiced* when its live moves bill all its validated days (or a
        posted matched bill of the provider covers it), *validated* (and
        invoiceable for the rest) otherwise.
        """
        periods = self.sudo().exists()
        if not periods:
            return True
        # Serialise with any other transaction billing the same months.
        self.env.cr.execute(
            SQL(
                "SELECT id FROM regie_timesheet_period "
                "WHERE id IN %s FOR NO KEY UPDATE",
                tuple(periods.ids),
            )
        )
        periods.invalidate_recordset(["state", "invoice_line_id", "vendor_bill_id"])
        billed = periods._get_billed_days()
        live = {
            period.id: sum(part["live"] for part in billed[period.id].values())
            for period in periods
        }
        claims = periods._get_matched_bill_claims()
        errors = [
            error
            for period in periods
            if (error := period._get_billing_error(live[period.id], claims))
        ]
        if errors:
            raise UserError("\n".join(errors))
        periods._apply_billing(live, claims)
        return True

    def _get_billing_error(self, live, claims):
        """Why the month cannot be billed as its moves now bill it, or None."""
        self.ensure_one()
        if self.state not in MATCHED_STATES:
            if not live:
                return None
            return self.env._(
                "%(month)s is not validated (%(state)s): it cannot be invoiced.",
                month=self.name,
                state=self._get_state_label(),
            )
        if self.id in claims and live:
            return self.env._(
                "%(month)s is billed by the provider's own bill %(bill)s: it "
                "cannot be billed again. Cancel the other bill first.",
                month=self.name,
                bill=claims[self.id].display_name,
            )
        if float_compare(live, self.billable_days, precision_digits=4) > 0:
            return self._get_billed_twice_message(live)
        return None

    def _apply_billing(self, live, claims):
        """Write the state, invoice line and provider's bill of the months
        from what their moves bill (checked)."""
        to_invoiced, to_validated = self.browse(), self.browse()
        for period in self.filtered(lambda period: period.state in MATCHED_STATES):
            full = period.id in claims or (
                float_compare(live[period.id], period.billable_days, precision_digits=4)
                >= 0
                and live[period.id] > 0
            )
            if full and period.state == "validated":
                to_invoiced |= period
            elif not full and period.state == "invoiced":
                to_validated |= period
        live_lines = self._get_live_invoice_lines()
        matched = self.browse()
        for period in self:
            invoiced = period in to_invoiced or (
                period.state == "invoiced" and period not in to_validated
            )
            values = {
                "vendor_bill_id": claims.get(period.id, self.env["account.move"]).id,
                "invoice_line_id": invoiced
                and live_lines.get(period.id, self.env["account.move.line"]).id,
            }
            changed = {
                name: value
                for name, value in values.items()
                if period[name].id != (value or False)
            }
            if changed:
                if changed.get("vendor_bill_id"):
                    matched |= period
                period._period_workflow().write(changed)
        matched._attach_reports_to_vendor_bills()
        if to_invoiced:
            to_invoiced._period_workflow().write({"state": "invoiced"})
        if to_validated:
            to_validated._period_workflow().write({"state": "validated"})
            to_validated._message_log_batch(
                bodies={
                    period.id: self.env._(
                        "Its invoice was cancelled, deleted or credited: the month "
                        "can be invoiced again (%(days)s day(s) to invoice).",
                        days=period._format_days(
                            period.billable_days - live[period.id]
                        ),
                    )
                    for period in to_validated
                }
            )

    def _attach_reports_to_vendor_bills(self):
        """Attach the signed CRA of each month to the provider's bill now
        matched against it: the month's own or, for a back-to-back purchase
        month, its sale month's, signed by the client. Once per bill; a month
        whose report is not rendered yet is skipped."""
        vals_list = []
        for period in self.sudo():
            report = (
                period.report_attachment_id
                or period.sale_period_id.report_attachment_id
            )
            bill = period.vendor_bill_id
            if not report or not bill:
                continue
            already = (
                self.env["ir.attachment"]
                .sudo()
                .search_count(
                    [
                        ("res_model", "=", "account.move"),
                        ("res_id", "=", bill.id),
                        ("name", "=", report.name),
                    ]
                )
            )
            if not already:
                vals_list.append(
                    {
                        "name": report.name,
                        "raw": report.raw,
                        "mimetype": report.mimetype,
                        "res_model": "account.move",
                        "res_id": bill.id,
                    }
                )
        if vals_list:
            self.env["ir.attachment"].sudo().create(vals_list)
        return True

    def _get_matched_bill_claims(self):
        """{period id: the provider's posted bill, matched against the
        purchase contract, that covers the month} (not fully credited)."""
        purchase = self.filtered(lambda period: period.direction == "purchase")
        if not purchase:
            return {}
        bills = (
            self.env["account.move"]
            .sudo()
            .search(
                [
                    ("regie_contract_id", "in", purchase.contract_id.ids),
                    ("move_type", "=", "in_invoice"),
                    ("state", "=", "posted"),
                    ("payment_state", "!=", "reversed"),
                    ("regie_match_date_from", "<=", max(purchase.mapped("date_to"))),
                    ("regie_match_date_to", ">=", min(purchase.mapped("date_from"))),
                ],
                order="id",
            )
        )
        # A bill made by the invoicing action and matched afterwards bills
        # its months through its own linked lines.
        bills = bills.filtered(lambda bill: not bill.invoice_line_ids.regie_period_id)
        claims = {}
        for period in purchase:
            for bill in bills:
                if (
                    bill.regie_contract_id == period.contract_id
                    and bill.regie_match_date_from.replace(day=1)
                    <= period.date_from
                    <= bill.regie_match_date_to
                ):
                    claims.setdefault(period.id, bill)
        return claims

    def _get_live_invoice_lines(self):
        """{period id: the first line of its most recent invoice (or bill) in
        draft or posted}."""
        lines = (
            self.env["account.move.line"]
            .sudo()
            .search(
                [
                    ("regie_period_id", "in", self.ids),
                    ("display_type", "=", "product"),
                    ("parent_state", "in", ("draft", "posted")),
                    ("move_id.move_type", "in", ("out_invoice", "in_invoice")),
                ],
                order="id",
            )
        )
        result = {}
        for line in lines.sorted(
            lambda line: (-line.move_id.id, line.regie_date_from, line.id)
        ):
            result.setdefault(line.regie_period_id.id, line)
        return result

    def _get_billed_twice_message(self, live):
        moves = (
            self.env["account.move.line"]
            .sudo()
            .search(
                [
                    ("regie_period_id", "=", self.id),
                    ("parent_state", "in", ("draft", "posted")),
                ]
            )
            .move_id
        )
        return self.env._(
            "%(month)s would be billed %(billed)s day(s) for %(validated)s validated "
            "(%(moves)s): a month is billed once. Cancel or credit the other "
            "invoice first.",
            month=self.name,
            billed=self._format_days(live),
            validated=self._format_days(self.billable_days),
            moves=", ".join(moves.mapped("display_name")),
        )

    def _format_days(self, days):
        return tools.formatLang(self.env, days, digits=2)

    def _attach_reports_to_invoices(self):
        """Attach the signed CRA of each month to its invoice, in one batch.
        A month that kept none gets it rendered now (and attached to the
        invoice by ``_store_signed_reports``); when the PDF cannot be rendered
        now, the invoice is made all the same and the month's report, pending,
        joins it once the scheduled action renders it."""
        periods = self.sudo()
        missing = periods.filtered(lambda period: not period.report_attachment_id)
        kept = periods - missing
        missing._period_workflow()._keep_signed_reports()
        # The accountant may not create attachments on months they only read;
        # these belong to the invoices they just created.
        kept._copy_reports_to_invoices()

    def _store_signed_reports(self, contents):
        res = super()._store_signed_reports(contents)
        # A report rendered late joins the invoice its month is already on.
        self.filtered(
            lambda period: period.invoice_id and period.id in contents
        )._copy_reports_to_invoices()
        return res

    def _check_close_batch_access(self, operation):
        if operation == "invoice":
            self._check_can_invoice()
            return
        super()._check_close_batch_access(operation)

    def _copy_reports_to_invoices(self):
        self.env["ir.attachment"].sudo().create(
            [
                {
                    "name": period.report_attachment_id.name,
                    "raw": period.report_attachment_id.raw,
                    "mimetype": period.report_attachment_id.mimetype,
                    "res_model": "account.move",
                    "res_id": period.invoice_id.id,
                }
                for period in self
            ]
        )
        return True

    def _get_invoicing_action(self, moves, skipped):
        summary = {
            "created": moves.ids,
            "skipped": [
                {"contract_id": contract.id, "reason": reason}
                for contract, reason in skipped
            ],
        }
        if skipped:
            self.env.user._bus_send(
                "simple_notification",
                {
                    "type": "warning",
                    "sticky": True,
                    "title": self.env._("Some contracts were not invoiced"),
                    "message": "\n".join(reason for _contract, reason in skipped),
                },
            )
        move_types = set(moves.mapped("move_type"))
        action_ref = (
            "account.action_move_in_invoice_type"
            if move_types == {"in_invoice"}
            else "account.action_move_out_invoice_type"
        )
        action = self.env["ir.actions.act_window"]._for_xml_id(action_ref)
        action.update(
            {
                "domain": [("id", "in", moves.ids)],
                "context": {"regie_invoicing_summary": summary, "create": False},
            }
        )
        if len(moves) == 1:
            action.update(
                {
                    "views": [(self.env.ref("account.view_move_form").id, "form")],
                    "view_mode": "form",
                    "res_id": moves.id,
                }
            )
        return action

    @api.model
    def _cron_auto_invoice(self):
        """Invoice (in draft) the validated months of contracts with automatic
        invoicing whose invoicing period is over. Idempotent."""
        today = fields.Date.context_today(self)
        contracts = self.env["regie.contract"].search(
            [
                ("auto_invoice", "=", True),
                ("state", "in", ("active", "terminated", "expired")),
            ]
        )
        periods = self.search(
            [
                ("contract_id", "in", contracts.ids),
                ("state", "=", "validated"),
                ("invoice_line_id", "=", False),
                ("date_to", "<", today.replace(day=1)),
            ]
        )
        periods = periods.filtered(
            lambda period: (
                period.contract_id._get_invoicing_period_end(period.date_from) < today
            )
        )
        batches = self.env["regie.close.batch"]
        if batches._is_large(len(periods)):
            # Many months: invoiced in the background, a chunk per transaction.
            queued = batches._get_queued_ids("invoice")
            periods = periods.filtered(lambda period: period.id not in queued)
            if periods:
                batches._enqueue("invoice", periods)
            return True
        moves, skipped = periods._create_invoices()
        _logger.info(
            "Régie automatic invoicing: %s invoice(s) created, %s contract(s) skipped.",
            len(moves),
            len(skipped),
        )
        return True
