# account.move and account.move.line are extended by feature: invoicing in
# account_move.py / account_move_line.py, the matching of provider bills here.
# pylint: disable=consider-merging-classes-inherited
from collections import defaultdict

from dateutil.relativedelta import relativedelta
from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import float_compare, float_round, format_amount, formatLang

from odoo.addons.regie_staffing.models.regie_workflow import is_workflow, workflow

# Days are compared to the hundredth, as timesheets are entered.
DAYS_DIGITS = 2
MATCHED_STATES = ("validated", "invoiced")
OVERRIDE_FIELDS = ("regie_match_override", "regie_match_override_difference")
# Row of the lines of a matched bill that charge no consultant's days.
OTHER_CHARGES = "other"


class AccountMove(models.Model):
    """Matching of a provider's vendor bill against the validated months of
    its purchase contract."""

    _inherit = "account.move"

    regie_contract_id = fields.Many2one(
        "regie.contract",
        string="Régie contract",
        domain="[('direction', '=', 'purchase'), ('company_id', '=', company_id)]",
        check_company=True,
        copy=False,
        index="btree_not_null",
        tracking=True,
        help="Purchase contract whose validated months this vendor bill charges: "
        "days and amounts per consultant are compared before posting.",
    )
    regie_match_date_from = fields.Date(
        string="Months from",
        compute="_compute_regie_match_dates",
        store=True,
        readonly=False,
        copy=False,
        help="First month of activity charged by the bill.",
    )
    regie_match_date_to = fields.Date(
        string="Months to",
        compute="_compute_regie_match_dates",
        store=True,
        readonly=False,
        copy=False,
        help="Last month of activity charged by the bill.",
    )
    regie_match_state = fields.Selection(
        [
            ("none", "Not matched"),
            ("equal", "Matches the validated months"),
            ("over", "Charges more than validated"),
            ("under", "Charges less than validated"),
        ],
        string="Matching",
        compute="_compute_regie_match",
    )
    regie_match_difference = fields.Monetary(
        string="Difference with validated months",
        compute="_compute_regie_match",
        currency_field="currency_id",
        help="Amount billed minus amount validated and not billed yet (positive: "
        "the provider charges more than validated).",
    )
    regie_match_html = fields.Html(
        string="Comparison with validated months",
        compute="_compute_regie_match",
        sanitize=False,
    )
    regie_match_override = fields.Boolean(
        string="Difference overridden",
        readonly=True,
        copy=False,
        tracking=True,
        help="Set by an authorised accountant to post the bill despite a "
        "difference with the validated months.",
    )
    regie_match_override_difference = fields.Monetary(
        string="Overridden difference",
        currency_field="currency_id",
        readonly=True,
        copy=False,
    )

    @api.depends("regie_contract_id", "invoice_date")
    def _compute_regie_match_dates(self):
        for move in self:
            if not move.regie_contract_id:
                move.regie_match_date_from = move.regie_match_date_to = False
                continue
            # A provider invoices a month early in the month after.
            day = move.invoice_date or fields.Date.context_today(move)
            month = day + relativedelta(months=-1, day=1)
            move.regie_match_date_from = month
            move.regie_match_date_to = month + relativedelta(day=31)

    @api.depends(
        "regie_contract_id",
        "regie_match_date_from",
        "regie_match_date_to",
        "invoice_line_ids.quantity",
        "invoice_line_ids.price_subtotal",
        "invoice_line_ids.product_id",
        "invoice_line_ids.product_uom_id",
        "invoice_line_ids.regie_employee_id",
        "currency_id",
    )
    def _compute_regie_match(self):
        data = self._regie_get_match_data()
        for move in self:
            move_data = data.get(move.id)
            if not move_data:
                move.regie_match_state = "none"
                move.regie_match_difference = 0.0
                move.regie_match_html = False
                continue
            move.regie_match_state = move_data["state"]
            move.regie_match_difference = move_data["difference"]
            move.regie_match_html = move._regie_render_match(move_data)

    @api.onchange("partner_id")
    def _onchange_partner_id_regie_contract(self):
        if self.move_type not in ("in_invoice", "in_refund") or self.state != "draft":
            return
        # Odoo's Invoicing rights alone read no régie contract: nothing to
        # propose to those accountants.
        if not self.env["regie.contract"].has_access("read"):
            return
        provider = self.partner_id.commercial_partner_id
        if self.regie_contract_id.partner_id.commercial_partner_id == provider:
            return
        contracts = provider and self.env["regie.contract"].search(
            [
                ("direction", "=", "purchase"),
                ("state", "=", "active"),
                ("company_id", "=", self.company_id.id),
                ("partner_id", "child_of", provider.id),
            ],
            limit=2,
        )
        # Only an unambiguous contract is proposed; the accountant picks otherwise.
        self.regie_contract_id = contracts if len(contracts or ()) == 1 else False

    @api.constrains("regie_contract_id", "partner_id", "move_type")
    def _check_regie_contract(self):
        for move in self.filtered("regie_contract_id"):
            contract = move.regie_contract_id
            if contract.direction != "purchase" or move.move_type not in (
                "in_invoice",
                "in_refund",
            ):
                raise ValidationError(
                    self.env._(
                        "Only vendor bills can be matched, and only against a "
                        "purchase contract (%(contract)s).",
                        contract=contract.name,
                    )
                )
            provider = contract.partner_id.commercial_partner_id
            if (
                provider
                and move.partner_id
                and (move.partner_id.commercial_partner_id != provider)
            ):
                raise ValidationError(
                    self.env._(
                        "The bill of %(partner)s cannot be matched against contract "
                        "%(contract)s of %(provider)s.",
                        partner=move.partner_id.display_name,
                        contract=contract.name,
                        provider=provider.display_name,
                    )
                )

    @api.constrains("regie_match_date_from", "regie_match_date_to")
    def _check_regie_match_dates(self):
        for move in self:
            if (
                move.regie_match_date_from
                and move.regie_match_date_to
                and move.regie_match_date_to < move.regie_match_date_from
            ):
                raise ValidationError(
                    self.env._(
                        "The last month charged by bill %(bill)s cannot be before "
                        "its first month.",
                        bill=move.display_name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        if not is_workflow(self.env):
            for vals in vals_list:
                self._regie_check_override_fields(vals)
        return super().create(vals_list)

    def write(self, vals):
        if not is_workflow(self.env):
            self._regie_check_override_fields(vals)
        before = self._regie_get_matched_periods()
        res = super().write(vals)
        if not {
            "state",
            "regie_contract_id",
            "regie_match_date_from",
            "regie_match_date_to",
        }.isdisjoint(vals):
            (before | self._regie_get_matched_periods())._regie_sync_billing()
        return res

    def _post(self, soft=True):
        self._regie_check_match_before_post()
        # The lines of a matched bill count in its contract's invoiced amount
        # and budget, like the lines the invoicing action makes.
        for move in self.filtered("regie_contract_id"):
            move.invoice_line_ids.filtered(
                lambda line: (
                    line.display_type == "product" and not line.regie_contract_id
                )
            ).regie_contract_id = move.regie_contract_id
        posted = super()._post(soft=soft)
        # A posted provider's bill claims the months it matches (and a credit
        # note of it gives them back, once it reverses it fully).
        posted._regie_get_matched_periods()._regie_sync_billing()
        return posted

    def _reverse_moves(self, default_values_list=None, cancel=False):
        # A credit note of a matched bill is matched against the same months:
        # what it credits is no longer billed for them.
        default_values_list = default_values_list or [{} for _move in self]
        for move, defaults in zip(self, default_values_list, strict=True):
            if move.regie_contract_id and move.move_type == "in_invoice":
                defaults.setdefault("regie_contract_id", move.regie_contract_id.id)
                defaults.setdefault("regie_match_date_from", move.regie_match_date_from)
                defaults.setdefault("regie_match_date_to", move.regie_match_date_to)
        return super()._reverse_moves(
            default_values_list=default_values_list, cancel=cancel
        )

    def action_regie_override_match(self):
        """Allow posting vendor bills that charge more than the validated months
        of their contract, as they are now (a later change of the bill needs a
        new override). Reserved to the group "Override vendor bill matching";
        logged in the bill's chatter."""
        if not (
            self.env.su
            or self.env.user.has_group("regie_staffing_invoicing.group_bill_override")
        ):
            raise AccessError(
                self.env._(
                    "Only accountants allowed to override vendor bill matching can "
                    "post a bill that differs from the validated months."
                )
            )
        self.check_access("write")
        for move in self:
            if move.state != "draft" or not move.regie_contract_id:
                raise UserError(
                    self.env._(
                        "Only draft vendor bills matched against a régie contract "
                        "can be overridden (%(bill)s).",
                        bill=move.display_name,
                    )
                )
        for move in self:
            workflow(move).write(
                {
                    "regie_match_override": True,
                    "regie_match_override_difference": move.regie_match_difference,
                }
            )
        self._message_log_batch(
            bodies={
                move.id: self.env._(
                    "Difference of %(amount)s with the validated months of "
                    "%(contract)s overridden by %(user)s.",
                    amount=format_amount(
                        self.env, move.regie_match_difference, move.currency_id
                    ),
                    contract=move.regie_contract_id.name,
                    user=self.env.user.name,
                )
                for move in self
            }
        )
        return True

    # ------------------------------------------------------------------
    # Business helpers
    # ------------------------------------------------------------------

    def _regie_get_matched_periods(self):
        """The validated or invoiced months that these vendor bills (and the
        bills these credit notes reverse) are matched against, in one search."""
        bills = (self | self.reversed_entry_id).filtered(
            lambda move: (
                move.regie_contract_id
                and move.regie_match_date_from
                and move.regie_match_date_to
            )
        )
        if not bills:
            return self.env["regie.timesheet.period"]
        periods = (
            self.env["regie.timesheet.period"]
            .sudo()
            .search(
                [
                    ("contract_id", "in", bills.regie_contract_id.ids),
                    ("state", "in", MATCHED_STATES),
                    (
                        "date_from",
                        ">=",
                        min(bills.mapped("regie_match_date_from"))
                        + relativedelta(day=1),
                    ),
                    ("date_from", "<=", max(bills.mapped("regie_match_date_to"))),
                ]
            )
        )
        return periods.filtered(
            lambda period: any(
                bill.regie_contract_id == period.contract_id
                and bill.regie_match_date_from + relativedelta(day=1)
                <= period.date_from
                <= bill.regie_match_date_to
                for bill in bills
            )
        )

    def _regie_check_override_fields(self, vals):
        if any(name in vals for name in OVERRIDE_FIELDS):
            raise UserError(
                self.env._(
                    "The override of a vendor bill's matching is set only with the "
                    "button Override difference, not written directly."
                )
            )

    def _regie_check_match_before_post(self):
        moves = self.filtered(
            lambda m: m.regie_contract_id and m.move_type == "in_invoice"
        )
        if not moves:
            return
        data = moves._regie_get_match_data()
        overridden = {}
        for move in moves:
            move_data = data.get(move.id)
            if not move_data or move_data["state"] != "over":
                continue
            if move.regie_match_override and not move.currency_id.compare_amounts(
                move.regie_match_override_difference, move_data["difference"]
            ):
                overridden[move.id] = self.env._(
                    "Posted with a difference of %(amount)s with the validated "
                    "months (overridden).",
                    amount=format_amount(
                        self.env, move_data["difference"], move.currency_id
                    ),
                )
                continue
            details = "\n".join(
                self.env._(
                    "- %(consultant)s: %(billed_days)s days / %(billed)s billed, "
                    "%(due_days)s days / %(due)s validated and not billed yet",
                    consultant=row["name"],
                    billed_days=row["billed_days"],
                    billed=format_amount(
                        self.env, row["billed_amount"], move.currency_id
                    ),
                    due_days=row["due_days"],
                    due=format_amount(self.env, row["due_amount"], move.currency_id),
                )
                for row in move_data["rows"]
                if row["over"]
            )
            raise UserError(
                self.env._(
                    "Bill %(bill)s charges more than the validated months of "
                    "contract %(contract)s:\n%(details)s\nCorrect the bill, or ask "
                    "an authorised accountant to override the difference.",
                    bill=move.display_name,
                    contract=move.regie_contract_id.name,
                    details=details,
                )
            )
        if overridden:
            self.browse(overridden)._message_log_batch(bodies=overridden)

    def _regie_get_match_data(self):
        """Compare the bills with the validated months of their contract.

        :return: {move id: {"rows": [per consultant dict], "state",
            "difference"}} for the moves linked to a contract, with queries
            per batch of moves, not per line or month.
        """
        moves = self.filtered(
            lambda m: (
                m.regie_contract_id
                and m.regie_match_date_from
                and m.regie_match_date_to
            )
        )
        if not moves:
            return {}
        contracts = moves.regie_contract_id
        # Accountants may read a contract but not every consultant's timesheet;
        # the comparison only shows day counts and amounts of readable contracts.
        contracts.check_access("read")
        date_from = min(moves.mapped("regie_match_date_from"))
        date_to = max(moves.mapped("regie_match_date_to"))
        periods = (
            self.env["regie.timesheet.period"]
            .sudo()
            .search(
                [
                    ("contract_id", "in", contracts.ids),
                    ("state", "in", MATCHED_STATES),
                    ("date_from", ">=", date_from + relativedelta(day=1)),
                    ("date_from", "<=", date_to),
                ]
            )
        )
        period_amounts = self._regie_get_period_amounts(periods)
        charges = periods._get_matching_charges()
        already = moves._regie_get_already_billed(periods, period_amounts, charges)
        billed = moves._regie_get_billed(self._regie_get_single_consultants(contracts))
        result = {}
        for move in moves:
            contract = move.regie_contract_id
            currency = move.currency_id
            first = move.regie_match_date_from + relativedelta(day=1)
            rows = defaultdict(lambda: defaultdict(float))
            for period in periods:
                if period.contract_id != contract or not (
                    first <= period.date_from <= move.regie_match_date_to
                ):
                    continue
                days, amount = period_amounts[period.id]
                row = rows[period.employee_id]
                row["validated_days"] += days
                row["validated_amount"] += move._regie_convert(
                    amount, contract.currency_id
                )
                for key, charge in charges.get(period.id, {}).items():
                    rows[key]["validated_amount"] += move._regie_convert(
                        charge, contract.currency_id
                    )
            for employee, days, amount in already.get(move.id, []):
                rows[employee]["already_days"] += days
                rows[employee]["already_amount"] += amount
            for employee, days, amount in billed.get(move.id, []):
                rows[employee]["billed_days"] += days
                rows[employee]["billed_amount"] += amount
            result[move.id] = move._regie_summarize(rows, currency)
        return result

    def _regie_summarize(self, rows, currency):
        self.ensure_one()
        summary = []

        def sort_key(item):
            employee = item[0]
            if isinstance(employee, str):  # charges: OTHER_CHARGES last
                return (3 if employee == OTHER_CHARGES else 2, employee)
            return (0 if employee else 1, employee.name or "")

        for employee, values in sorted(rows.items(), key=sort_key):
            due_days = values["validated_days"] - values["already_days"]
            due_amount = values["validated_amount"] - values["already_amount"]
            if isinstance(employee, str):  # charges
                name = self._regie_get_charge_row_name(employee)
            else:
                name = employee.name if employee else self.env._("No consultant")
            row = {
                "name": name,
                "validated_days": float_round(
                    values["validated_days"], precision_digits=DAYS_DIGITS
                ),
                "validated_amount": currency.round(values["validated_amount"]),
                "already_days": float_round(
                    values["already_days"], precision_digits=DAYS_DIGITS
                ),
                "already_amount": currency.round(values["already_amount"]),
                "due_days": float_round(due_days, precision_digits=DAYS_DIGITS),
                "due_amount": currency.round(due_amount),
                "billed_days": float_round(
                    values["billed_days"], precision_digits=DAYS_DIGITS
                ),
                "billed_amount": currency.round(values["billed_amount"]),
            }
            row["diff_days"] = float_round(
                row["billed_days"] - row["due_days"], precision_digits=DAYS_DIGITS
            )
            row["diff_amount"] = currency.round(
                row["billed_amount"] - row["due_amount"]
            )
            row["over"] = (
                float_compare(row["diff_days"], 0.0, precision_digits=DAYS_DIGITS) > 0
                or currency.compare_amounts(row["diff_amount"], 0.0) > 0
            )
            row["under"] = not row["over"] and (
                float_compare(row["diff_days"], 0.0, precision_digits=DAYS_DIGITS) < 0
                or currency.compare_amounts(row["diff_amount"], 0.0) < 0
            )
            summary.append(row)
        if any(row["over"] for row in summary):
            state = "over"
        elif any(row["under"] for row in summary):
            state = "under"
        else:
            state = "equal"
        return {
            "rows": summary,
            "state": state,
            "difference": currency.round(sum(row["diff_amount"] for row in summary)),
        }

    def _regie_get_charge_row_name(self, key):
        """Label of the row of a matched bill's charges ``key`` (hook: the
        rows of charges beside the days, e.g. expenses)."""
        return self.env._("Other charges (no consultant's days)")

    @api.model
    def _regie_get_charge_key(self, line):
        """The row of charges a bill line without consultant's days counts
        in (hook), None for other charges."""
        return None

    def _regie_get_already_billed(self, periods, period_amounts, charges=None):
        """Return {move id: [(employee, days, amount)]} billed by other posted
        bills for the same months: bills matched against the same contract and
        months, and bills created from the months by the invoicing action."""
        result = defaultdict(list)
        date_from = min(self.mapped("regie_match_date_from"))
        date_to = max(self.mapped("regie_match_date_to"))
        other_moves = self.search(
            [
                ("regie_contract_id", "in", self.regie_contract_id.ids),
                ("state", "=", "posted"),
                ("id", "not in", self._origin.ids),
                ("regie_match_date_from", "<=", date_to),
                ("regie_match_date_to", ">=", date_from),
            ]
        )
        other_billed = other_moves._regie_get_billed(
            self._regie_get_single_consultants(other_moves.regie_contract_id)
        )
        for other in other_moves:
            contract = other.regie_contract_id
            billed = other_billed.get(other.id, [])
            for move in self:
                if move.regie_contract_id == contract and (
                    other.regie_match_date_from <= move.regie_match_date_to
                    and other.regie_match_date_to >= move.regie_match_date_from
                ):
                    result[move.id].extend(
                        (employee, days, move._regie_convert(amount, other.currency_id))
                        for employee, days, amount in billed
                    )
        # Months invoiced by the invoicing action into a posted bill that is
        # not matched itself (a matched one is counted above).
        for period in periods.filtered("invoice_line_id"):
            invoice = period.invoice_line_id.move_id
            if (
                invoice in self._origin
                or invoice.state != "posted"
                or invoice.regie_contract_id
            ):
                continue
            days, amount = period_amounts[period.id]
            for move in self:
                if move.regie_contract_id == period.contract_id and (
                    move.regie_match_date_from
                    <= period.date_from
                    <= move.regie_match_date_to
                ):
                    currency = period.contract_id.currency_id
                    result[move.id].append(
                        (
                            period.employee_id,
                            days,
                            move._regie_convert(amount, currency),
                        )
                    )
                    result[move.id].extend(
                        (key, 0.0, move._regie_convert(charge, currency))
                        for key, charge in (charges or {}).get(period.id, {}).items()
                    )
        return result

    @api.model
    def _regie_get_period_amounts(self, periods):
        """Return {period id: (billable days, amount)}: the month's days per
        daily rate, as the invoicing action splits them."""
        segments = periods._get_rate_segments()
        return {
            period.id: (
                period.billable_days,
                sum(
                    period.contract_id.currency_id.round(
                        days * period.mission_id._get_rate(start)
                    )
                    for start, days in segments[period.id]
                ),
            )
            for period in periods
        }

    @api.model
    def _regie_get_single_consultants(self, contracts):
        """Return {contract id: employee} for contracts with one consultant,
        to whom bill lines without a consultant are attributed."""
        missions = (
            self.env["regie.mission"]
            .sudo()
            .search_fetch(
                [("contract_id", "in", contracts.ids)], ["contract_id", "employee_id"]
            )
        )
        employees = defaultdict(set)
        for mission in missions:
            employees[mission.contract_id.id].add(mission.employee_id)
        return {
            contract_id: next(iter(found))
            for contract_id, found in employees.items()
            if len(found) == 1
        }

    def _regie_get_billed(self, default_employees):
        """Return {move id: [(consultant, days, amount)]} for the régie lines
        of the bills, refunds negative. A line charges its consultant, else,
        when it sells the contract's (or the régie day) product, the contract's
        only consultant or none; other lines (expenses...) are not régie days.

        :param default_employees: {contract id: its only consultant}
        """
        day_uom = self.env.ref("uom.product_uom_day")
        hour_uom = self.env.ref("uom.product_uom_hour")
        day_product = (
            self.env.ref(
                "regie_staffing_invoicing.product_product_regie_day",
                raise_if_not_found=False,
            )
            or self.env["product.product"]
        )
        no_employee = self.env["hr.employee"]
        result = defaultdict(list)
        for move in self:
            contract = move.regie_contract_id
            products = contract.product_id | day_product
            sign = -1 if move.move_type == "in_refund" else 1
            for line in move.invoice_line_ids:
                if line.display_type != "product":
                    continue
                employee = line.regie_employee_id or line.regie_period_id.employee_id
                if line.regie_rounding:
                    # A rounding line of the invoicing action: an amount, no days.
                    result[move.id].append((employee, 0.0, sign * line.price_subtotal))
                    continue
                if not line.regie_period_id and (
                    key := self._regie_get_charge_key(line)
                ):
                    # Charges beside the days (expenses...): an amount, no days.
                    result[move.id].append((key, 0.0, sign * line.price_subtotal))
                    continue
                if not employee:
                    if not line.product_id or line.product_id not in products:
                        # Every line of a matched bill is compared: other
                        # charges are billed beyond the validated months,
                        # posted only with an override.
                        result[move.id].append(
                            (OTHER_CHARGES, 0.0, sign * line.price_subtotal)
                        )
                        continue
                    employee = default_employees.get(contract.id, no_employee)
                uom, days = line.product_uom_id, line.quantity
                if uom == hour_uom:
                    days /= contract.hours_per_day or 8.0
                elif uom and uom != day_uom and uom.category_id == day_uom.category_id:
                    days = uom._compute_quantity(days, day_uom, round=False)
                result[move.id].append(
                    (employee, sign * days, sign * line.price_subtotal)
                )
        return result

    def _regie_convert(self, amount, currency):
        self.ensure_one()
        if currency == self.currency_id or not amount:
            return amount
        return currency._convert(
            amount,
            self.currency_id,
            self.company_id,
            self.invoice_date or fields.Date.context_today(self),
            round=False,
        )

    def _regie_render_match(self, data):
        self.ensure_one()
        currency = self.currency_id

        def money(value):
            return format_amount(self.env, value, currency)

        def days(value):
            return formatLang(self.env, value, digits=DAYS_DIGITS)

        headers = [
            self.env._("Consultant"),
            self.env._("Validated days"),
            self.env._("Validated amount"),
            self.env._("Already billed days"),
            self.env._("Already billed amount"),
            self.env._("Billed days"),
            self.env._("Billed amount"),
            self.env._("Difference (days)"),
            self.env._("Difference"),
        ]
        head = Markup("").join(
            Markup('<th class="text-end">%s</th>') % header for header in headers[1:]
        )
        body = Markup("")
        for row in data["rows"]:
            css = (
                "text-danger" if row["over"] else "text-warning" if row["under"] else ""
            )
            cells = [
                days(row["validated_days"]),
                money(row["validated_amount"]),
                days(row["already_days"]),
                money(row["already_amount"]),
                days(row["billed_days"]),
                money(row["billed_amount"]),
                days(row["diff_days"]),
                money(row["diff_amount"]),
            ]
            body += Markup('<tr class="%s"><td>%s</td>%s</tr>') % (
                css,
                row["name"],
                Markup("").join(
                    Markup('<td class="text-end">%s</td>') % cell for cell in cells
                ),
            )
        return Markup(
            '<table class="table table-sm o_regie_match"><thead><tr><th>%s</th>%s'
            "</tr></thead><tbody>%s</tbody></table>"
        ) % (headers[0], head, body)


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    regie_employee_id = fields.Many2one(
        "hr.employee",
        string="Régie consultant",
        copy=False,
        help="Consultant whose validated days this vendor bill line charges.",
    )
    regie_rounding = fields.Boolean(
        string="Régie rounding",
        readonly=True,
        help="Brings a month billed in half-days or hours to its days × daily "
        "rate, to the cent.",
    )
