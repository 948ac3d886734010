from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import float_compare, format_date, formatLang

from .regie_frozen import check_frozen_fields
from .regie_input import check_number_values, check_record_bounds, check_relation_ids
from .regie_workflow import check_workflow_fields, workflow

# Who may read the rates and amounts of a contract (the invoicing addon adds
# the accountants).
MONEY_GROUPS = "regie_staffing.group_lead"


class RegieMission(models.Model):
    _name = "regie.mission"
    _description = "Régie Mission Sheet"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date_start desc, id desc"
    _check_company_auto = True

    name = fields.Char(required=True, default="/", copy=False, tracking=True)
    # No check_company: the company is the contract's (a company domain on a
    # new record, whose company is still empty, would hide every contract).
    contract_id = fields.Many2one(
        "regie.contract",
        required=True,
        ondelete="restrict",
        index=True,
        tracking=True,
    )
    direction = fields.Selection(related="contract_id.direction", store=True)
    partner_id = fields.Many2one(related="contract_id.partner_id", store=True)
    company_id = fields.Many2one(
        related="contract_id.company_id", store=True, index=True
    )
    currency_id = fields.Many2one(related="contract_id.currency_id")
    employee_id = fields.Many2one(
        "hr.employee",
        string="Consultant",
        required=True,
        check_company=True,
        tracking=True,
        index=True,
    )
    user_id = fields.Many2one(
        related="employee_id.user_id", store=True, string="User", index=True
    )
    profile = fields.Char()
    seniority = fields.Selection(
        [
            ("junior", "Junior"),
            ("confirmed", "Confirmed"),
            ("senior", "Senior"),
            ("expert", "Expert"),
        ]
    )
    # Need to know: the rates sold (or bought) are for the contract's leads
    # and managers (accountants too, with the invoicing addon); consultants
    # see their days. Code needing a rate reads it with _get_rate().
    daily_rate = fields.Monetary(
        string="Daily Rate (TJM)",
        currency_field="currency_id",
        required=True,
        tracking=True,
        groups=MONEY_GROUPS,
    )
    rate_ids = fields.One2many(
        "regie.mission.rate",
        "mission_id",
        string="Rate History",
        copy=True,
        groups=MONEY_GROUPS,
    )
    current_rate = fields.Monetary(
        compute="_compute_current_rate",
        currency_field="currency_id",
        groups=MONEY_GROUPS,
    )
    # A freelancer reads what he is paid, never what the client is charged:
    # the rate of a purchase mission, for whoever may read the mission.
    purchase_rate = fields.Monetary(
        string="Purchase Rate (TJM)",
        compute="_compute_purchase_rate",
        currency_field="currency_id",
        help="On a purchase mission, the daily rate paid to the provider today.",
    )
    date_start = fields.Date(
        string="Start Date",
        required=True,
        compute="_compute_dates",
        store=True,
        readonly=False,
        precompute=True,
    )
    date_end = fields.Date(
        string="End Date",
        compute="_compute_dates",
        store=True,
        readonly=False,
        precompute=True,
    )
    estimated_days = fields.Float(digits="Product Unit of Measure")
    expected_tasks = fields.Html()
    adjustment_terms = fields.Html()
    deliverable_ids = fields.One2many(
        "regie.mission.deliverable", "mission_id", string="Deliverables"
    )
    consumed_days = fields.Float(
        compute="_compute_consumed_days", digits="Product Unit of Measure"
    )
    days_alert_sent = fields.Boolean(
        readonly=True,
        copy=False,
        help="The time logged went beyond the estimated days and the account "
        "manager was alerted (again when it goes beyond after a new estimate).",
    )
    remaining_days = fields.Float(
        compute="_compute_consumed_days", digits="Product Unit of Measure"
    )
    period_count = fields.Integer(string="Months", compute="_compute_smart_counts")
    timesheet_count = fields.Integer(
        string="Timesheets", compute="_compute_smart_counts"
    )
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("active", "In progress"),
            ("done", "Done"),
            ("cancelled", "Cancelled"),
        ],
        default="draft",
        required=True,
        readonly=True,
        copy=False,
        tracking=True,
        index=True,
    )
    purchase_mission_id = fields.Many2one(
        "regie.mission",
        domain="[('direction', '=', 'purchase'), ('employee_id', '=', employee_id)]",
        check_company=True,
        help="The buy-side mission (freelancer) covering this sale-side mission.",
    )
    sale_mission_ids = fields.One2many(
        "regie.mission", "purchase_mission_id", string="Sale Missions"
    )

    @api.depends("rate_ids.date_from", "rate_ids.daily_rate", "daily_rate")
    def _compute_current_rate(self):
        today = fields.Date.context_today(self)
        for mission in self:
            mission.current_rate = mission._get_rate(today)

    @api.depends("direction", "rate_ids.date_from", "rate_ids.daily_rate", "daily_rate")
    def _compute_purchase_rate(self):
        today = fields.Date.context_today(self)
        for mission in self:
            mission.purchase_rate = (
                mission._get_rate(today) if mission.direction == "purchase" else 0.0
            )

    @api.depends("contract_id")
    def _compute_dates(self):
        for mission in self:
            if not mission.date_start:
                mission.date_start = mission.contract_id.date_start
            if not mission.date_end:
                mission.date_end = mission.contract_id.date_end

    def _compute_smart_counts(self):
        # Counted as the reader may see them (the buttons open what he may read).
        periods = dict(
            self.env["regie.timesheet.period"]._read_group(
                [("mission_id", "in", self.ids)], ["mission_id"], ["__count"]
            )
        )
        lines = dict(
            self.env["account.analytic.line"]._read_group(
                [("regie_mission_id", "in", self.ids)],
                ["regie_mission_id"],
                ["__count"],
            )
        )
        for mission in self:
            mission.period_count = periods.get(mission, 0)
            mission.timesheet_count = lines.get(mission, 0)

    def action_view_periods(self):
        """Open the monthly activity reports of the mission."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "regie_staffing.regie_timesheet_period_action"
        )
        action["domain"] = [("mission_id", "=", self.id)]
        action["context"] = {}
        return action

    def action_view_timesheets(self):
        """Open the timesheet lines logged on the mission."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "hr_timesheet.timesheet_action_all"
        )
        action["domain"] = [("regie_mission_id", "=", self.id)]
        action["context"] = {
            "default_project_id": self.contract_id.project_id.id,
            "default_employee_id": self.employee_id.id,
        }
        return action

    def _compute_consumed_days(self):
        # Aggregate over all lines of the mission, whoever logged them.
        days = dict(
            self.env["account.analytic.line"]
            .sudo()
            ._read_group(
                [("regie_mission_id", "in", self.ids)],
                ["regie_mission_id"],
                ["regie_days:sum"],
            )
        )
        for mission in self:
            mission.consumed_days = days.get(mission, 0.0)
            mission.remaining_days = mission.estimated_days - mission.consumed_days

    @api.constrains("date_start", "date_end", "contract_id")
    def _check_dates(self):
        for mission in self:
            contract = mission.contract_id
            if mission.date_end and mission.date_end < mission.date_start:
                raise ValidationError(
                    self.env._(
                        "The end date of mission %(name)s cannot be before its start "
                        "date.",
                        name=mission.name,
                    )
                )
            if (
                mission.date_start < contract.date_start
                or (contract.date_end and mission.date_start > contract.date_end)
                or (
                    contract.date_end
                    and mission.date_end
                    and mission.date_end > contract.date_end
                )
            ):
                raise ValidationError(
                    self.env._(
                        "Mission %(name)s (%(start)s - %(end)s) must lie within the "
                        "dates of contract %(contract)s (%(cstart)s - %(cend)s).",
                        name=mission.name,
                        start=format_date(self.env, mission.date_start),
                        end=format_date(self.env, mission.date_end) or "...",
                        contract=contract.name,
                        cstart=format_date(self.env, contract.date_start),
                        cend=format_date(self.env, contract.date_end) or "...",
                    )
                )

    @api.constrains("daily_rate")
    def _check_daily_rate(self):
        for mission in self:
            if mission.daily_rate <= 0:
                raise ValidationError(
                    self.env._(
                        "The daily rate (TJM) of mission %(name)s must be positive.",
                        name=mission.name,
                    )
                )

    @api.model
    def _get_input_bounds(self):
        """Hook: {field: (min, max)} of the numbers of a mission; values
        outside are refused with a message naming the field."""
        return {
            "daily_rate": (None, 1e9),
            "estimated_days": (0, 1e6),
        }

    def _check_input(self, vals_list):
        """Refuse numbers out of bounds and unknown ids sent by a caller,
        naming the field, before they reach the database."""
        check_number_values(self, vals_list, self._get_input_bounds())
        check_relation_ids(self, vals_list)

    @api.constrains("estimated_days")
    def _check_input_bounds(self):
        check_record_bounds(self, self._get_input_bounds())

    @api.ondelete(at_uninstall=False)
    def _unlink_except_with_time(self):
        """A mission with months or time logged is closed or cancelled, not
        deleted: its history would go (or the database refuse it)."""
        Period = self.env["regie.timesheet.period"].sudo()
        Line = self.env["account.analytic.line"].sudo()
        with_months = {
            mission.id
            for (mission,) in Period._read_group(
                [("mission_id", "in", self.ids)], ["mission_id"]
            )
        }
        with_lines = {
            mission.id
            for (mission,) in Line._read_group(
                [("regie_mission_id", "in", self.ids)], ["regie_mission_id"]
            )
        }
        for mission in self:
            if mission.id in with_months or mission.id in with_lines:
                raise UserError(
                    self.env._(
                        "Mission %(mission)s cannot be deleted: time was logged on "
                        "it or it has monthly activity reports. Close or cancel it "
                        "instead.",
                        mission=mission.display_name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        self._check_input(vals_list)
        check_workflow_fields(self, vals_list, ("state",), {"state": "draft"})
        contracts = self.env["regie.contract"].browse(
            [vals["contract_id"] for vals in vals_list if vals.get("contract_id")]
        )
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                contract = contracts.browse(vals.get("contract_id"))
                vals["name"] = (
                    self.env["ir.sequence"]
                    .with_company(contract.company_id or self.env.company)
                    .next_by_code("regie.mission")
                    or "/"
                )
        missions = super().create(vals_list)
        missions._create_initial_rates()
        self.env["account.analytic.line"]._regie_link_orphan_lines(
            missions.contract_id.project_id
        )
        return missions

    def write(self, vals):
        self._check_input([vals])
        check_workflow_fields(self, [vals], ("state",))
        self._check_frozen_fields(vals)
        if "purchase_mission_id" in vals:
            self._unlink_back_to_back_periods(vals["purchase_mission_id"])
        res = super().write(vals)
        if "daily_rate" in vals or "date_start" in vals:
            self._sync_initial_rate()
        if "purchase_mission_id" in vals:
            periods = self.env["regie.timesheet.period"].sudo()
            periods.search(
                [("mission_id", "in", self.ids)]
            )._sync_back_to_back_periods()
        if "date_end" in vals:
            self._sync_back_to_back_end()
        if vals.get("state") in ("done", "cancelled"):
            self._propose_back_to_back_close()
        return res

    def action_start(self):
        """Start draft missions of active contracts."""
        self.check_access("write")
        for mission in self:
            if mission.state != "draft":
                raise UserError(
                    self.env._(
                        "Only draft missions can be started (%(name)s).",
                        name=mission.name,
                    )
                )
            if mission.contract_id.state != "active":
                raise UserError(
                    self.env._(
                        "Activate contract %(contract)s before starting mission "
                        "%(name)s.",
                        contract=mission.contract_id.name,
                        name=mission.name,
                    )
                )
        workflow(self).write({"state": "active"})
        return True

    def action_done(self):
        """Close missions in progress."""
        self.check_access("write")
        if any(m.state != "active" for m in self):
            raise UserError(self.env._("Only missions in progress can be closed."))
        workflow(self).write({"state": "done"})
        return True

    def action_cancel(self):
        """Cancel draft or in-progress missions."""
        self.check_access("write")
        if any(m.state not in ("draft", "active") for m in self):
            raise UserError(
                self.env._("Only draft or in-progress missions can be cancelled.")
            )
        workflow(self).write({"state": "cancelled"})
        return True

    def get_rate(self, date):
        """Return the daily rate in force on ``date`` (a date or 'YYYY-MM-DD'):
        the latest dated rate starting on or before it, else the mission's
        daily rate. Public API: the caller must be allowed to read the
        mission and its rates (need to know: leads, managers, accountants)."""
        self.ensure_one()
        if not self.env.su:
            self.check_access("read")
            self.check_field_access_rights("read", ["daily_rate"])
        return self._get_rate(date)

    def _get_rate(self, date):
        """The rate in force on ``date``, whoever asks: internal callers (the
        amounts of the months, invoices, margins) need it for everyone."""
        self.ensure_one()
        date = self.env["regie.contract"]._parse_date(date)
        date = date or fields.Date.context_today(self)
        mission = self.sudo()
        rates = mission.rate_ids.filtered(lambda r: r.date_from <= date)
        if not rates:
            return float(mission.daily_rate)
        return float(max(rates, key=lambda r: (r.date_from, r.id)).daily_rate)

    def _get_frozen_fields(self):
        """Hook: fields deciding to whom the mission's months belong, frozen
        as soon as one of them is submitted (rates: see regie.mission.rate)."""
        return {"employee_id", "contract_id"}

    def _check_frozen_fields(self, vals):
        check_frozen_fields(self, vals, "mission_id")

    # ------------------------------------------------------------------
    # Back-to-back subcontracting
    # ------------------------------------------------------------------

    def _unlink_back_to_back_periods(self, purchase_mission_id):
        """Before a sale mission changes its purchase mission: its months'
        purchase months of the former one are removed while still draft,
        else the change is refused (they are the provider's months)."""
        periods = (
            self.env["regie.timesheet.period"]
            .sudo()
            .search(
                [
                    ("sale_period_id.mission_id", "in", self.ids),
                    ("mission_id", "!=", purchase_mission_id or False),
                ]
            )
        )
        if not periods:
            return
        frozen = periods.filtered(lambda period: period.state != "draft")
        if frozen:
            raise UserError(
                self.env._(
                    "You cannot change the purchase mission of %(missions)s: "
                    "the back-to-back purchase months %(months)s are submitted or "
                    "validated. Reset their sale months to draft first.",
                    missions=", ".join(frozen.sale_period_id.mission_id.mapped("name")),
                    months=frozen._get_names_for_error(),
                )
            )
        periods.unlink()

    def _get_back_to_back_missions(self):
        """The purchase missions backing these sale missions, still open."""
        return self.sudo().purchase_mission_id.filtered(
            lambda mission: mission.state in ("draft", "active")
        )

    def _sync_back_to_back_end(self):
        """A back-to-back purchase mission ends with the sale missions it
        backs: the latest of their end dates (open-ended when one is). When
        its purchase contract ends earlier, the date is not changed and the
        purchase contract's account manager gets an activity to extend it."""
        for purchase in self._get_back_to_back_missions():
            sales = purchase.sale_mission_ids.filtered(
                lambda mission: mission.state != "cancelled"
            )
            ends = sales.mapped("date_end")
            end = False if not all(ends) else max(ends)
            if end == purchase.date_end:
                continue
            contract = purchase.contract_id
            if end and end < purchase.date_start:
                end = purchase.date_start
            if contract.date_end and (not end or end > contract.date_end):
                purchase._schedule_back_to_back_activity(
                    self.env._(
                        "Back-to-back: the client's mission %(sale)s now runs until "
                        "%(date)s, after the end of purchase contract %(contract)s "
                        "(%(end)s). Renew or extend the purchase contract, then "
                        "the end date of purchase mission %(mission)s.",
                        sale=", ".join(sales.mapped("name")),
                        date=format_date(self.env, end) if end else "...",
                        contract=contract.display_name,
                        end=format_date(self.env, contract.date_end),
                        mission=purchase.name,
                    )
                )
                continue
            old = purchase.date_end
            purchase.date_end = end
            purchase.message_post(
                body=self.env._(
                    "Back-to-back: end date moved from %(old)s to %(new)s with the "
                    "client's mission %(sale)s.",
                    old=format_date(self.env, old) if old else "...",
                    new=format_date(self.env, end) if end else "...",
                    sale=", ".join(sales.mapped("name")),
                )
            )

    def _propose_back_to_back_close(self):
        """A sale mission closed or cancelled (its contract terminated or
        ended): the purchase mission backing it is not closed behind the
        provider's back (his contract has its own notice), its account
        manager gets an activity to close it and give notice."""
        for purchase in self._get_back_to_back_missions():
            if any(
                mission.state in ("draft", "active")
                for mission in purchase.sale_mission_ids
            ):
                continue
            sales = purchase.sale_mission_ids & self
            purchase._schedule_back_to_back_activity(
                self.env._(
                    "Back-to-back: the client's mission %(sale)s is %(state)s. "
                    "Close purchase mission %(mission)s and give notice on "
                    "purchase contract %(contract)s as its terms require.",
                    sale=", ".join(sales.mapped("name")),
                    state=sales[:1]._get_state_label(),
                    mission=purchase.name,
                    contract=purchase.contract_id.display_name,
                )
            )

    def _schedule_back_to_back_activity(self, note):
        self.ensure_one()
        contract = self.contract_id
        self.message_post(body=note)
        self.activity_schedule(
            "mail.mail_activity_data_todo",
            summary=self.env._("Back-to-back: align the purchase mission"),
            note=note,
            user_id=(contract.user_id or self.env.user).id,
        )

    def _sync_back_to_back_termination(self):
        """Notice given on the sale contract of these missions: the purchase
        missions backing them end on its termination date (when earlier) and
        their account manager gets an activity to give notice on the
        purchase contract, whose own notice period applies."""
        for purchase in self._get_back_to_back_missions():
            sales = purchase.sale_mission_ids & self
            end = max(sales.contract_id.mapped("termination_date"))
            others = purchase.sale_mission_ids - self
            if any(m.state in ("draft", "active") for m in others) or not end:
                continue
            contract = purchase.contract_id
            if (not purchase.date_end or purchase.date_end > end) and (
                end >= purchase.date_start
            ):
                purchase.date_end = end
            purchase._schedule_back_to_back_activity(
                self.env._(
                    "Back-to-back: the client's contract %(sale)s ends on %(date)s "
                    "(notice given). Purchase mission %(mission)s now ends on "
                    "%(end)s; give notice on purchase contract %(contract)s "
                    "(notice period: %(days)s days).",
                    sale=", ".join(sales.contract_id.mapped("display_name")),
                    date=format_date(self.env, end),
                    mission=purchase.name,
                    end=format_date(self.env, purchase.date_end),
                    contract=contract.display_name,
                    days=contract.notice_period_days,
                )
            )

    def _get_state_label(self):
        self.ensure_one()
        return dict(self._fields["state"]._description_selection(self.env)).get(
            self.state, self.state
        )

    def _create_initial_rates(self):
        """Give each mission a rate line at its start date carrying its TJM."""
        vals_list = [
            {
                "mission_id": mission.id,
                "date_from": mission.date_start,
                "daily_rate": mission.daily_rate,
            }
            for mission in self
            if mission.date_start not in mission.rate_ids.mapped("date_from")
        ]
        self.env["regie.mission.rate"].create(vals_list)

    def _sync_initial_rate(self):
        """While a mission has a single rate line, it follows the TJM and start."""
        for mission in self:
            if len(mission.rate_ids) == 1:
                mission.rate_ids.write(
                    {"date_from": mission.date_start, "daily_rate": mission.daily_rate}
                )

    def _alert_days_beyond_budget(self):
        """Alert the account manager, once, when the time logged goes beyond
        the estimated days of these missions or the days budget of their
        contracts: at the moment the time is logged, whoever logs it."""
        missions = self.sudo().filtered("estimated_days")
        contracts = self.contract_id.sudo().filtered("budget_days")
        if not missions and not contracts:
            return True
        (missions | contracts.mission_ids).invalidate_recordset(["consumed_days"])
        contracts.invalidate_recordset(["consumed_days"])
        for record, budget, label in [
            (mission, mission.estimated_days, self.env._("estimated days"))
            for mission in missions
        ] + [
            (contract, contract.budget_days, self.env._("days budget"))
            for contract in contracts
        ]:
            over = float_compare(record.consumed_days, budget, precision_digits=2) > 0
            if over == record.days_alert_sent:
                continue
            record.days_alert_sent = over
            if not over:
                continue
            message = self.env._(
                "%(record)s: %(consumed)s days logged for %(budget)s %(label)s.",
                record=record.display_name,
                consumed=formatLang(self.env, record.consumed_days, digits=2),
                budget=formatLang(self.env, budget, digits=2),
                label=label,
            )
            contract = record.contract_id if record._name == "regie.mission" else record
            record.message_post(body=message)
            record.activity_schedule(
                "mail.mail_activity_data_warning",
                summary=self.env._("Days beyond the budget"),
                note=message,
                user_id=(contract.user_id or self.env.user).id,
            )
        return True
