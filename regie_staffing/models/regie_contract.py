from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import format_date, formatLang

from .regie_frozen import check_frozen_fields
from .regie_input import check_number_values, check_record_bounds, check_relation_ids
from .regie_vigilance_document import VIGILANCE_THRESHOLD
from .regie_workflow import WORKFLOW, check_workflow_fields, workflow

REVIEW_FREQUENCY_MONTHS = {
    "monthly": 1,
    "quarterly": 3,
    "semiannual": 6,
    "yearly": 12,
}


class RegieContract(models.Model):
    _name = "regie.contract"
    _description = "Régie Contract"
    # A contract is looked up by its reference, its title or its client's name.
    _rec_names_search = ["name", "title", "partner_id.complete_name"]
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date_start desc, id desc"
    _check_company_auto = True

    # Days before the notice deadline when the account manager gets a reminder.
    _NOTICE_REMINDER_DAYS = 30

    # Empty (or "/") until saved: the contract's sequence gives the reference.
    name = fields.Char(string="Reference", copy=False, tracking=True)
    title = fields.Char(
        tracking=True,
        help="What the contract is about, e.g. 'ERP roll-out: development "
        "team'. It names the contract's project and its invoice lines.",
    )
    direction = fields.Selection(
        [("sale", "Sale"), ("purchase", "Purchase")],
        required=True,
        default="sale",
        tracking=True,
    )
    partner_id = fields.Many2one(
        "res.partner",
        tracking=True,
        check_company=True,
        help="The client on a sale contract, the provider on a purchase contract.",
    )
    client_manager_id = fields.Many2one(
        "res.partner",
        check_company=True,
        help="Contact who validates the monthly activity reports by default.",
    )
    user_id = fields.Many2one(
        "res.users",
        string="Account manager",
        default=lambda self: self.env.user,
        tracking=True,
    )
    project_lead_ids = fields.Many2many(
        "res.users",
        "regie_contract_project_lead_rel",
        "contract_id",
        "user_id",
        string="Project leads",
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(
        "res.currency",
        compute="_compute_currency_id",
        store=True,
        readonly=False,
        precompute=True,
        required=True,
        help="The currency of the rates and invoices: the client's (its price "
        "list's) or the provider's purchase currency when it has one, else the "
        "company's.",
    )
    project_id = fields.Many2one(
        "project.project", check_company=True, copy=False, tracking=True
    )
    analytic_account_id = fields.Many2one(
        related="project_id.account_id", string="Analytic Account"
    )
    date_start = fields.Date(
        string="Start Date",
        required=True,
        default=fields.Date.context_today,
        tracking=True,
    )
    date_end = fields.Date(
        string="End Date", tracking=True, help="Leave empty for an open-ended contract."
    )
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("active", "Active"),
            ("terminated", "Terminated"),
            ("expired", "Expired"),
            ("cancelled", "Cancelled"),
        ],
        default="draft",
        required=True,
        readonly=True,
        copy=False,
        tracking=True,
        index=True,
        group_expand="_expand_states",
    )
    renewal_type = fields.Selection(
        [
            ("none", "No renewal"),
            ("tacit", "Tacit renewal"),
            ("explicit", "Explicit renewal"),
        ],
        default="none",
        required=True,
        tracking=True,
    )
    renewal_period_months = fields.Integer(string="Renewal Period (months)", default=12)
    notice_period_days = fields.Integer(string="Notice Period (days)", default=30)
    notice_deadline = fields.Date(
        compute="_compute_notice_deadline",
        store=True,
        help="Last day to give notice before the end of the current term.",
    )
    termination_notice_date = fields.Date(copy=False, tracking=True)
    termination_date = fields.Date(copy=False, tracking=True)
    termination_reason = fields.Text(copy=False, tracking=True)
    hours_per_day = fields.Float(default=8.0)
    hours_per_day_margin = fields.Float(
        string="Tolerance above hours per day",
        default=2.0,
        help="At submission, the consultant is warned about the days logged "
        "above the hours per day by more than this many hours.",
    )
    billing_unit = fields.Selection(
        [("day", "Day"), ("half_day", "Half-day"), ("hour", "Hour")],
        default="day",
        required=True,
    )
    day_rounding = fields.Selection(
        [
            ("none", "No rounding"),
            ("half_day", "Nearest half-day"),
            ("half_day_up", "Half-day, rounded up"),
            ("day", "Nearest day"),
        ],
        default="none",
        required=True,
    )
    validation_deadline_day = fields.Integer(
        default=5, help="Day of the following month by which the month is validated."
    )
    tacit_acceptance_days = fields.Integer(
        default=0,
        help="Days without answer after which a submitted month is accepted "
        "(0: no tacit acceptance).",
    )
    reporting_obligation = fields.Html()
    time_tracking_tool_ids = fields.Many2many(
        "regie.collaboration.tool",
        "regie_contract_time_tracking_tool_rel",
        "contract_id",
        "tool_id",
        string="Time Tracking Tools",
        domain=[("category", "=", "time_tracking")],
    )
    dispute_process = fields.Html()
    dispute_answer_days = fields.Integer(default=10)
    ip_owner = fields.Selection(
        [("client", "Client"), ("provider", "Provider"), ("shared", "Shared")],
        string="Intellectual Property Owner",
        default="client",
    )
    ip_transfer_terms = fields.Html(string="IP Transfer Terms")
    confidentiality_years = fields.Integer(default=5)
    confidentiality_text = fields.Html()
    knowledge_transfer_plan = fields.Html()
    review_frequency = fields.Selection(
        [
            ("none", "None"),
            ("monthly", "Monthly"),
            ("quarterly", "Quarterly"),
            ("semiannual", "Every six months"),
            ("yearly", "Yearly"),
        ],
        default="quarterly",
        required=True,
    )
    kpi_ids = fields.One2many("regie.contract.kpi", "contract_id", string="KPIs")
    escalation_process = fields.Html()
    exit_conditions = fields.Html()
    handover_terms = fields.Html()
    budget_days = fields.Float(digits="Product Unit of Measure")
    collaboration_tool_ids = fields.Many2many(
        "regie.collaboration.tool",
        "regie_contract_collaboration_tool_rel",
        "contract_id",
        "tool_id",
        string="Collaboration Tools",
    )
    clause_ids = fields.One2many(
        "regie.contract.clause", "contract_id", string="Clauses", copy=True
    )
    mission_ids = fields.One2many("regie.mission", "contract_id", string="Missions")
    mission_count = fields.Integer(compute="_compute_mission_count")
    review_ids = fields.One2many("regie.review", "contract_id", string="Reviews")
    review_count = fields.Integer(compute="_compute_review_count")
    period_count = fields.Integer(
        string="Months", compute="_compute_period_dispute_counts"
    )
    dispute_count = fields.Integer(
        string="Disputes", compute="_compute_period_dispute_counts"
    )
    next_review_date = fields.Date(compute="_compute_next_review_date", store=True)
    consumed_days = fields.Float(
        compute="_compute_timesheet_totals", digits="Product Unit of Measure"
    )
    allow_internal_validation = fields.Boolean(
        help="On a sale contract the client validates the months: by default "
        "nobody validates a month whose lines they typed themselves. Tick to let "
        "them; who typed which lines is then noted on the month.",
    )
    days_alert_sent = fields.Boolean(
        readonly=True,
        copy=False,
        help="The time logged went beyond the days budget and the account "
        "manager was alerted (again when it goes beyond after a new budget).",
    )
    remaining_budget_days = fields.Float(
        compute="_compute_timesheet_totals", digits="Product Unit of Measure"
    )
    timesheet_count = fields.Integer(compute="_compute_timesheet_totals")

    def _expand_states(self, states, domain):
        # The kanban's columns in lifecycle order, empty ones included.
        return [key for key, _label in self._fields["state"].selection]

    @api.depends("partner_id", "direction", "company_id")
    def _compute_currency_id(self):
        for contract in self:
            if contract.currency_id and contract.state != "draft":
                continue
            contract.currency_id = (
                contract.partner_id._regie_currency(contract.direction)
                or contract.company_id.currency_id
                or self.env.company.currency_id
            )

    @api.depends("name", "title")
    def _compute_display_name(self):
        for contract in self:
            contract.display_name = " - ".join(
                part for part in (contract.name, contract.title) if part
            )

    @api.depends("date_end", "notice_period_days", "state")
    def _compute_notice_deadline(self):
        for contract in self:
            if contract.date_end and contract.state in ("draft", "active"):
                contract.notice_deadline = contract.date_end - timedelta(
                    days=contract.notice_period_days or 0
                )
            else:
                contract.notice_deadline = False

    @api.depends("mission_ids")
    def _compute_mission_count(self):
        counts = self._count_by_contract("regie.mission")
        for contract in self:
            contract.mission_count = counts.get(contract, 0)

    @api.depends("review_ids")
    def _compute_review_count(self):
        counts = self._count_by_contract("regie.review")
        for contract in self:
            contract.review_count = counts.get(contract, 0)

    def _compute_period_dispute_counts(self):
        periods = self._count_by_contract("regie.timesheet.period")
        disputes = self._count_by_contract("regie.timesheet.dispute")
        for contract in self:
            contract.period_count = periods.get(contract, 0)
            contract.dispute_count = disputes.get(contract, 0)

    @api.depends(
        "date_start", "review_frequency", "review_ids.state", "review_ids.date"
    )
    def _compute_next_review_date(self):
        for contract in self:
            planned = contract.review_ids.filtered(lambda r: r.state == "planned")
            if planned:
                contract.next_review_date = min(planned.mapped("date"))
            else:
                contract.next_review_date = contract._get_next_review_date()

    def _compute_timesheet_totals(self):
        # The budget and the counter cover every consultant's lines, not only the
        # reader's: a narrow aggregate the form needs; the lines stay protected.
        totals = {
            contract: (days, count)
            for contract, days, count in self.env["account.analytic.line"]
            .sudo()
            ._read_group(
                [("regie_contract_id", "in", self.ids)],
                ["regie_contract_id"],
                ["regie_days:sum", "__count"],
            )
        }
        for contract in self:
            days, count = totals.get(contract, (0.0, 0))
            contract.consumed_days = days
            contract.remaining_budget_days = contract.budget_days - days
            contract.timesheet_count = count

    @api.constrains("date_start", "date_end")
    def _check_dates(self):
        for contract in self:
            if contract.date_end and contract.date_end < contract.date_start:
                raise ValidationError(
                    self.env._(
                        "The end date of contract %(name)s cannot be before its "
                        "start date.",
                        name=contract.name,
                    )
                )
        self.mission_ids._check_dates()

    @api.constrains("hours_per_day_margin")
    def _check_hours_per_day_margin(self):
        for contract in self:
            if not 0 <= contract.hours_per_day_margin <= 24:
                raise ValidationError(
                    self.env._(
                        "The tolerance above hours per day of contract %(name)s "
                        "must be between 0 and 24 hours (got %(hours)s).",
                        name=contract.name,
                        hours=formatLang(self.env, contract.hours_per_day_margin),
                    )
                )

    @api.constrains("hours_per_day")
    def _check_hours_per_day(self):
        for contract in self:
            if not 0 < contract.hours_per_day <= 24:
                raise ValidationError(
                    self.env._(
                        "The hours per day of contract %(name)s must be more than 0 "
                        "and at most 24 (got %(hours)s).",
                        name=contract.name,
                        hours=formatLang(self.env, contract.hours_per_day),
                    )
                )

    @api.constrains("notice_period_days")
    def _check_notice_period_days(self):
        for contract in self:
            if contract.notice_period_days < 0:
                raise ValidationError(
                    self.env._(
                        "The notice period of contract %(name)s cannot be negative.",
                        name=contract.name,
                    )
                )

    @api.constrains("validation_deadline_day")
    def _check_validation_deadline_day(self):
        for contract in self:
            if not 1 <= contract.validation_deadline_day <= 28:
                raise ValidationError(
                    self.env._(
                        "The validation deadline day of contract %(name)s must be "
                        "between 1 and 28.",
                        name=contract.name,
                    )
                )

    @api.constrains("renewal_type", "renewal_period_months")
    def _check_renewal_period_months(self):
        for contract in self:
            if contract.renewal_type != "none" and contract.renewal_period_months <= 0:
                raise ValidationError(
                    self.env._(
                        "The renewal period of contract %(name)s must be at least "
                        "one month.",
                        name=contract.name,
                    )
                )

    @api.constrains("client_manager_id", "partner_id", "direction")
    def _check_client_manager(self):
        # The months of a sale contract are validated by the client: its
        # validator is one of the client's contacts. Purchase months are
        # validated by the company's project leads (client_manager_id unused).
        for contract in self.filtered(lambda c: c.direction == "sale"):
            manager = contract.client_manager_id
            if not manager:
                continue
            client = contract.partner_id.commercial_partner_id
            if manager.commercial_partner_id != client:
                raise ValidationError(
                    self.env._(
                        "The validator %(contact)s of contract %(name)s is not a "
                        "contact of the client %(client)s: choose one of the "
                        "client's contacts.",
                        contact=manager.display_name,
                        name=contract.display_name,
                        client=client.display_name or self.env._("(no client set)"),
                    )
                )

    @api.constrains("tacit_acceptance_days", "dispute_answer_days")
    def _check_positive_delays(self):
        for contract in self:
            if contract.tacit_acceptance_days < 0 or contract.dispute_answer_days < 0:
                raise ValidationError(
                    self.env._(
                        "The tacit acceptance and dispute answer delays of contract "
                        "%(name)s cannot be negative.",
                        name=contract.name,
                    )
                )

    @api.model
    def _get_input_bounds(self):
        """Hook: {field: (min, max)} of the numbers of a contract; values
        outside are refused with a message naming the field."""
        return {
            "notice_period_days": (0, 3650),
            "renewal_period_months": (0, 120),
            "tacit_acceptance_days": (0, 365),
            "dispute_answer_days": (0, 365),
            "confidentiality_years": (0, 100),
            "hours_per_day": (0, 24),
            "budget_days": (0, 1e6),
        }

    def _check_input(self, vals_list):
        """Refuse numbers out of bounds and unknown ids sent by a caller,
        naming the field, before they reach the database."""
        check_number_values(self, vals_list, self._get_input_bounds())
        check_relation_ids(self, vals_list)

    @api.constrains(
        "notice_period_days",
        "renewal_period_months",
        "tacit_acceptance_days",
        "dispute_answer_days",
        "confidentiality_years",
        "budget_days",
    )
    def _check_input_bounds(self):
        check_record_bounds(self, self._get_input_bounds())

    @api.model_create_multi
    def create(self, vals_list):
        self._check_input(vals_list)
        check_workflow_fields(
            self,
            vals_list,
            ("state", "termination_notice_date", "termination_date"),
            {"state": "draft"},
        )
        for vals in vals_list:
            if vals.get("name", "/") in ("/", False, ""):
                company = self.env["res.company"].browse(
                    vals.get("company_id") or self.env.company.id
                )
                vals["name"] = (
                    self.env["ir.sequence"]
                    .with_company(company)
                    .next_by_code("regie.contract")
                    or "/"
                )
        contracts = super().create(vals_list)
        contracts.filtered("project_id")._link_project()
        return contracts

    def write(self, vals):
        self._check_input([vals])
        check_workflow_fields(
            self, [vals], ("state", "termination_notice_date", "termination_date")
        )
        self._check_frozen_fields(vals)
        if "project_id" in vals:
            old_projects = self.project_id
        res = super().write(vals)
        if "project_id" in vals:
            # Only the back-link of projects this contract no longer uses.
            (old_projects - self.project_id).sudo().filtered(
                lambda p: p.regie_contract_id in self
            ).regie_contract_id = False
            self._link_project()
        return res

    @api.ondelete(at_uninstall=False)
    def _unlink_except_draft_or_cancelled(self):
        if any(c.state not in ("draft", "cancelled") for c in self):
            raise UserError(
                self.env._("Only draft or cancelled contracts can be deleted.")
            )
        with_missions = self.sudo().filtered("mission_ids")
        if with_missions:
            raise UserError(
                self.env._(
                    "Contract %(contract)s has missions (%(missions)s): delete them "
                    "first.",
                    contract=with_missions[0].display_name,
                    missions=", ".join(with_missions[0].mission_ids.mapped("name")),
                )
            )

    def action_activate(self):
        """Activate draft contracts: create their project when missing, link it,
        start their draft missions and log it in the chatter."""
        self.check_access("write")
        for contract in self:
            if contract.state != "draft":
                raise UserError(
                    self.env._(
                        "Only draft contracts can be activated (%(name)s is "
                        "%(state)s).",
                        name=contract.name,
                        state=contract._get_state_label(),
                    )
                )
            if not contract.partner_id:
                raise UserError(
                    self.env._(
                        "Set the partner of contract %(name)s before activating it.",
                        name=contract.name,
                    )
                )
        without_project = self.filtered(lambda c: not c.project_id)
        if without_project:
            # Leads may lack project creation rights: the project is created for
            # the contract they are allowed to write (checked above).
            projects = (
                self.env["project.project"]
                .sudo()
                .create([c._prepare_project_values() for c in without_project])
            )
            for contract, project in zip(without_project, projects, strict=True):
                contract.project_id = project.id
        self._link_project()
        workflow(self).write({"state": "active"})
        self.mission_ids.filtered(lambda m: m.state == "draft").with_context(
            regie_workflow=WORKFLOW
        ).write({"state": "active"})
        for contract in self:
            contract.message_post(
                body=self.env._(
                    "Contract activated; time is logged on project %(project)s.",
                    project=contract.project_id.display_name,
                )
            )
        return True

    def action_terminate(self, termination_date=False, reason=False, force=False):
        """Give notice on active contracts.

        The termination date defaults to today + the notice period and may not be
        earlier unless ``force`` is set, which only régie managers may do. A date
        today or in the past terminates the contract at once; otherwise the
        contract stays active until the termination cron reaches that date. The
        knowledge-transfer and handover tasks are planned in the project.
        """
        self.check_access("write")
        if force and not self.env.user.has_group("regie_staffing.group_manager"):
            raise AccessError(
                self.env._(
                    "Only régie managers can terminate a contract before the end of "
                    "its notice period."
                )
            )
        today = fields.Date.context_today(self)
        termination_date = self._parse_date(termination_date)
        for contract in self:
            if contract.state != "active":
                raise UserError(
                    self.env._(
                        "Only active contracts can be terminated (%(name)s is "
                        "%(state)s).",
                        name=contract.name,
                        state=contract._get_state_label(),
                    )
                )
            earliest = today + timedelta(days=contract.notice_period_days)
            date = termination_date or earliest
            if date < earliest and not force:
                raise UserError(
                    self.env._(
                        "Contract %(name)s has a notice period of %(days)s days: it "
                        "cannot end before %(date)s.",
                        name=contract.name,
                        days=contract.notice_period_days,
                        date=format_date(self.env, earliest),
                    )
                )
            if date < contract.date_start:
                raise UserError(
                    self.env._(
                        "Contract %(name)s cannot end before its start date.",
                        name=contract.name,
                    )
                )
            workflow(contract).write(
                {
                    "termination_notice_date": today,
                    "termination_date": date,
                    "termination_reason": reason or False,
                }
            )
            contract.message_post(
                body=self.env._(
                    "Notice of termination given on %(notice)s; the contract ends on "
                    "%(date)s. Reason: %(reason)s",
                    notice=format_date(self.env, today),
                    date=format_date(self.env, date),
                    reason=reason or self.env._("none given"),
                )
            )
        self._create_exit_tasks()
        self.mission_ids._sync_back_to_back_termination()
        self.filtered(lambda c: c.termination_date <= today)._terminate()
        return True

    def action_renew(self):
        """Extend the end date of active fixed-term contracts by their renewal
        period, and log it."""
        self.check_access("write")
        for contract in self:
            if contract.state != "active":
                raise UserError(
                    self.env._(
                        "Only active contracts can be renewed (%(name)s is %(state)s).",
                        name=contract.name,
                        state=contract._get_state_label(),
                    )
                )
            if not contract.date_end:
                raise UserError(
                    self.env._(
                        "Contract %(name)s is open-ended: there is nothing to renew.",
                        name=contract.name,
                    )
                )
            if contract.renewal_type == "none":
                raise UserError(
                    self.env._(
                        "Contract %(name)s has no renewal clause.", name=contract.name
                    )
                )
            if contract.termination_notice_date:
                raise UserError(
                    self.env._(
                        "Notice has been given on contract %(name)s: it cannot be "
                        "renewed.",
                        name=contract.name,
                    )
                )
        self._renew()
        return True

    def action_cancel(self):
        """Cancel draft contracts (active ones are terminated instead)."""
        self.check_access("write")
        if any(c.state != "draft" for c in self):
            raise UserError(
                self.env._(
                    "Only draft contracts can be cancelled; terminate an active one."
                )
            )
        workflow(self).write({"state": "cancelled"})
        self.mission_ids.filtered(lambda m: m.state == "draft").with_context(
            regie_workflow=WORKFLOW
        ).write({"state": "cancelled"})
        return True

    def action_reset_to_draft(self):
        """Bring cancelled contracts back to draft."""
        self.check_access("write")
        if any(c.state != "cancelled" for c in self):
            raise UserError(
                self.env._("Only cancelled contracts can be reset to draft.")
            )
        workflow(self).write({"state": "draft"})
        self.mission_ids.filtered(lambda m: m.state == "cancelled").with_context(
            regie_workflow=WORKFLOW
        ).write({"state": "draft"})
        return True

    def action_load_clause_templates(self):
        """Copy the applicable active clause templates into the contract clauses,
        in order and in the partner's language; templates already loaded are
        skipped, so loading twice adds nothing."""
        self.check_access("write")
        for contract in self:
            if contract.state not in ("draft", "active"):
                raise UserError(
                    self.env._(
                        "Clauses can only be loaded on draft or active contracts."
                    )
                )
        vals_list = []
        for contract in self:
            lang = contract.partner_id.lang or self.env.lang
            templates = (
                self.env["regie.clause.template"]
                .with_context(lang=lang)
                .search(contract._get_clause_template_domain())
            )
            templates -= contract.clause_ids.template_id
            sequence = max(contract.clause_ids.mapped("sequence"), default=0)
            for template in templates:
                sequence += 10
                vals_list.append(contract._prepare_clause_values(template, sequence))
        self.env["regie.contract.clause"].create(vals_list)
        return True

    def action_view_missions(self):
        """Open the missions of the contract."""
        return self._get_related_action(
            "regie_staffing.regie_mission_action",
            [("contract_id", "=", self.id)],
            {"default_contract_id": self.id},
        )

    def action_view_reviews(self):
        """Open the governance reviews of the contract."""
        return self._get_related_action(
            "regie_staffing.regie_review_action",
            [("contract_id", "=", self.id)],
            {"default_contract_id": self.id},
        )

    def action_view_periods(self):
        """Open the monthly activity reports of the contract."""
        return self._get_related_action(
            "regie_staffing.regie_timesheet_period_action",
            [("contract_id", "=", self.id)],
            {"search_default_group_by_employee": 1},
        )

    def action_view_disputes(self):
        """Open the disputes raised on the contract's months."""
        return self._get_related_action(
            "regie_staffing.regie_timesheet_dispute_action",
            [("contract_id", "=", self.id)],
            {},
        )

    def action_view_timesheets(self):
        """Open the timesheet lines linked to the contract."""
        return self._get_related_action(
            "hr_timesheet.timesheet_action_all",
            [("regie_contract_id", "=", self.id)],
            {
                "default_project_id": self.project_id.id,
                "search_default_groupby_employee": 1,
            },
        )

    def action_open_termination_wizard(self):
        """Open the termination wizard for the contract."""
        self.ensure_one()
        self.check_access("write")
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Terminate Contract"),
            "res_model": "regie.contract.termination",
            "view_mode": "form",
            "target": "new",
            "context": {"default_contract_id": self.id},
        }

    def _count_by_contract(self, model):
        return dict(
            self.env[model]._read_group(
                [("contract_id", "in", self.ids)], ["contract_id"], ["__count"]
            )
        )

    def _get_related_action(self, xmlid, domain, context):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(xmlid)
        action["domain"] = domain
        action["context"] = context
        return action

    def _prepare_clause_values(self, template, sequence):
        self.ensure_one()
        return {
            "contract_id": self.id,
            "sequence": sequence,
            "category": template.category,
            "name": template.name,
            "body": template.body,
            "template_id": template.id,
        }

    def _prepare_project_values(self):
        self.ensure_one()
        return {
            # Named for the people who log time on it: the client and the subject.
            "name": " - ".join(
                part
                for part in (
                    self.partner_id.commercial_partner_id.name,
                    self.title or self.name,
                )
                if part
            ),
            "partner_id": self.partner_id.id,
            "company_id": self.company_id.id,
            "allow_timesheets": True,
            "user_id": self.user_id.id,
        }

    def _prepare_exit_task_values(self, kind):
        self.ensure_one()
        if kind == "knowledge_transfer":
            name = self.env._("Knowledge transfer - %(name)s", name=self.name)
            description = self.knowledge_transfer_plan
        else:
            name = self.env._("Handover - %(name)s", name=self.name)
            description = self.handover_terms
        return {
            "name": name,
            "project_id": self.project_id.id,
            "company_id": self.company_id.id,
            "description": description or False,
            "date_deadline": self.termination_date,
            "user_ids": [Command.set(self.user_id.ids)],
            "regie_task_kind": kind,
        }

    @api.model
    def _parse_date(self, value, label=None):
        """A date from a date, a 'YYYY-MM-DD' string (XML-RPC) or False;
        ``label``: the field or parameter named in the error."""
        try:
            return fields.Date.to_date(value)
        except (TypeError, ValueError, OverflowError) as error:
            if label:
                raise UserError(
                    self.env._(
                        "%(field)s: %(value)s is not a valid date: use the "
                        "YYYY-MM-DD format.",
                        field=label,
                        value=repr(value),
                    )
                ) from error
            raise UserError(
                self.env._(
                    "%(value)s is not a valid date: use the YYYY-MM-DD format.",
                    value=value,
                )
            ) from error

    def _get_state_label(self):
        return dict(self._fields["state"]._description_selection(self.env))[self.state]

    def _get_review_months(self):
        return REVIEW_FREQUENCY_MONTHS.get(self.review_frequency, 0)

    def _get_next_review_date(self):
        """Date of the next review after the last held one (or the start)."""
        self.ensure_one()
        months = self._get_review_months()
        if not months or not self.date_start:
            return False
        done = self.review_ids.filtered(lambda r: r.state == "done")
        base = max(done.mapped("date")) if done else self.date_start
        return base + relativedelta(months=months)

    def _get_frozen_fields(self):
        """Hook: fields deciding what months bill or to whom, frozen as soon
        as a month of one of the contract's missions is submitted."""
        return {
            "hours_per_day",
            "day_rounding",
            "billing_unit",
            "currency_id",
            "partner_id",
            "direction",
        }

    def _check_frozen_fields(self, vals):
        check_frozen_fields(self, vals, "contract_id")

    def _get_clause_template_domain(self):
        self.ensure_one()
        return [
            ("company_id", "in", [False, self.company_id.id]),
            ("direction", "in", ["both", self.direction]),
        ]

    def _get_reminder_activity_type(self):
        return self.env.ref(
            "regie_staffing.mail_activity_type_regie_reminder",
            raise_if_not_found=False,
        ) or self.env.ref("mail.mail_activity_data_todo")

    def _link_project(self):
        # The lead may not write projects; only the back-link is set here.
        linked = self.env["project.project"]
        for contract in self:
            # A project belongs to one régie contract: taking another
            # contract's project would move its consultants' time (sudo: the
            # other contract may be out of the user's reach).
            other = contract.project_id.sudo().regie_contract_id
            if other and other != contract:
                raise UserError(
                    self.env._(
                        "Project %(project)s already belongs to contract "
                        "%(other)s: contract %(name)s needs a project of its own.",
                        project=contract.project_id.sudo().display_name,
                        other=other.display_name,
                        name=contract.display_name,
                    )
                )
            if contract.project_id.regie_contract_id != contract:
                contract.project_id.sudo().regie_contract_id = contract.id
                linked |= contract.project_id
        if linked:
            self.env["account.analytic.line"]._regie_link_orphan_lines(linked)

    def _create_exit_tasks(self):
        """Plan the knowledge-transfer and handover tasks once per contract."""
        contracts = self.filtered("project_id")
        if not contracts:
            return
        # Leads may not manage tasks in the project: creation is done for them.
        tasks = (
            self.env["project.task"]
            .sudo()
            .with_context(active_test=False)
            .search(
                [
                    ("project_id", "in", contracts.project_id.ids),
                    ("regie_task_kind", "!=", False),
                ]
            )
        )
        existing = {(t.project_id.id, t.regie_task_kind) for t in tasks}
        vals_list = [
            contract._prepare_exit_task_values(kind)
            for contract in contracts
            for kind in ("knowledge_transfer", "handover")
            if (contract.project_id.id, kind) not in existing
        ]
        self.env["project.task"].sudo().create(vals_list)

    def _terminate(self):
        workflow(self).write({"state": "terminated"})
        self.mission_ids.filtered(
            lambda m: m.state in ("draft", "active")
        ).with_context(regie_workflow=WORKFLOW).write({"state": "done"})
        for contract in self:
            contract.message_post(
                body=self.env._(
                    "Contract terminated on %(date)s.",
                    date=format_date(self.env, contract.termination_date),
                )
            )

    def _renew(self, until=False):
        """Extend each contract by its renewal period (repeatedly up to ``until``)."""
        for contract in self:
            old_end = contract.date_end
            new_end = old_end
            months = contract.renewal_period_months
            while True:
                new_end = old_end + relativedelta(months=months)
                if not until or new_end >= until:
                    break
                months += contract.renewal_period_months
            contract.date_end = new_end
            # Missions running to the end of the term follow the renewal.
            contract.mission_ids.filtered(
                lambda m, end=old_end: (
                    m.state in ("draft", "active") and m.date_end == end
                )
            ).date_end = new_end
            contract.message_post(
                body=self.env._(
                    "Contract renewed: the end date moves from %(old)s to %(new)s.",
                    old=format_date(self.env, old_end),
                    new=format_date(self.env, new_end),
                )
            )

    def _expire(self):
        workflow(self).write({"state": "expired"})
        self.mission_ids.filtered(
            lambda m: m.state in ("draft", "active")
        ).with_context(regie_workflow=WORKFLOW).write({"state": "done"})
        for contract in self:
            contract.message_post(
                body=self.env._(
                    "Contract expired on %(date)s.",
                    date=format_date(self.env, contract.date_end),
                )
            )

    def _cron_notice_reminders(self):
        """Remind account managers that a notice deadline approaches (renew, let
        renew or give notice); one activity per contract and deadline."""
        today = fields.Date.context_today(self)
        contracts = self.search(
            [
                ("state", "=", "active"),
                ("termination_notice_date", "=", False),
                ("notice_deadline", "!=", False),
                (
                    "notice_deadline",
                    "<=",
                    today + timedelta(days=self._NOTICE_REMINDER_DAYS),
                ),
                ("date_end", ">=", today),
            ]
        )
        if not contracts:
            return True
        activity_type = self._get_reminder_activity_type()
        existing = self.env["mail.activity"].search(
            [
                ("res_model", "=", self._name),
                ("res_id", "in", contracts.ids),
                ("activity_type_id", "=", activity_type.id),
            ]
        )
        done_keys = {(a.res_id, a.date_deadline) for a in existing}
        model_id = self.env["ir.model"]._get_id(self._name)
        vals_list = []
        for contract in contracts:
            if (contract.id, contract.notice_deadline) in done_keys:
                continue
            user = contract.user_id or self.env.user
            # In the account manager's language: the scheduled action writes it.
            env = self.with_context(lang=user.lang).env
            if contract.renewal_type == "tacit":
                summary = env._("Tacit renewal: give notice or let it renew")
            elif contract.renewal_type == "explicit":
                summary = env._("Renewal decision due")
            else:
                summary = env._("Contract end approaching")
            vals_list.append(
                {
                    "res_model_id": model_id,
                    "res_id": contract.id,
                    "activity_type_id": activity_type.id,
                    "summary": summary,
                    "note": env._(
                        "Notice deadline %(deadline)s, end of term %(end)s.",
                        deadline=format_date(env, contract.notice_deadline),
                        end=format_date(env, contract.date_end),
                    ),
                    "date_deadline": contract.notice_deadline,
                    "user_id": user.id,
                }
            )
        self.env["mail.activity"].create(vals_list)
        return True

    def _cron_renew_or_expire(self):
        """Terminate contracts whose termination date is reached, renew tacit
        contracts past their term and expire the others."""
        today = fields.Date.context_today(self)
        self.search(
            [("state", "=", "active"), ("termination_date", "<=", today)]
        )._terminate()
        ended = self.search(
            [
                ("state", "=", "active"),
                ("date_end", "!=", False),
                ("date_end", "<", today),
            ]
        )
        tacit = ended.filtered(
            lambda c: (
                c.renewal_type == "tacit"
                and c.renewal_period_months > 0
                and not c.termination_notice_date
            )
        )
        tacit._renew(until=today)
        (ended - tacit)._expire()
        return True

    def _cron_plan_reviews(self):
        """Plan the next steering review of active contracts that have a review
        frequency and no planned review."""
        today = fields.Date.context_today(self)
        contracts = self.search(
            [("state", "=", "active"), ("review_frequency", "!=", "none")]
        )
        planned = self.env["regie.review"]._read_group(
            [("contract_id", "in", contracts.ids), ("state", "=", "planned")],
            ["contract_id"],
        )
        contracts -= self.browse([c.id for (c,) in planned])
        vals_list = []
        for contract in contracts:
            date = contract._get_next_review_date()
            months = contract._get_review_months()
            while date < today:
                date += relativedelta(months=months)
            if contract.date_end and date > contract.date_end:
                continue
            vals_list.append(
                self.env["regie.review"]._prepare_next_review_values(contract, date)
            )
        self.env["regie.review"].create(vals_list)
        return True

    vigilance_required = fields.Boolean(
        compute="_compute_vigilance",
        help="Purchase contract of a French company, of 5,000 € a year or more "
        "(excluding tax): the "
        "provider's vigilance documents are required at signature and every six "
        "months until the end (Code du travail L8222-1).",
    )
    vigilance_state = fields.Selection(
        [
            ("not_required", "Not required"),
            ("compliant", "Compliant"),
            ("missing", "Documents missing or expired"),
        ],
        compute="_compute_vigilance",
    )
    vigilance_missing = fields.Char(
        string="Missing documents", compute="_compute_vigilance"
    )

    @api.depends(
        "direction",
        "partner_id",
        "mission_ids.daily_rate",
        "mission_ids.estimated_days",
        "state",
    )
    def _compute_vigilance(self):
        purchase = self.filtered(
            lambda contract: (
                contract.direction == "purchase"
                and contract.partner_id
                and contract.state not in ("cancelled", "expired", "terminated")
            )
        )
        missing = purchase.partner_id._regie_vigilance_missing()
        for contract in self:
            required = contract in purchase and contract._regie_vigilance_applies()
            labels = missing.get(contract.partner_id, []) if required else []
            contract.vigilance_required = required
            contract.vigilance_state = (
                "not_required" if not required else "missing" if labels else "compliant"
            )
            contract.vigilance_missing = ", ".join(labels) or False

    def _regie_vigilance_applies(self):
        """Whether the obligation applies: a French company (the Code du
        travail's), and a yearly amount reaching the threshold: the missions'
        daily rates × estimated days, over a year (unknown → it applies)."""
        self.ensure_one()
        if self.company_id.country_id.code != "FR":
            return False
        missions = self.sudo().mission_ids.filtered(
            lambda mission: mission.state != "cancelled"
        )
        if not missions or not all(missions.mapped("estimated_days")):
            return True
        amount = sum(
            mission.daily_rate * mission.estimated_days for mission in missions
        )
        start, end = self.date_start, self.date_end
        if start and end and end > start:
            years = max((end - start).days / 365.0, 1.0)
            amount /= years
        return amount >= VIGILANCE_THRESHOLD

    expense_policy = fields.Selection(
        [
            ("none", "Not re-invoiced"),
            ("at_cost", "At cost, on receipts"),
            ("at_cost_capped", "At cost, capped per month"),
            ("flat_per_day", "Flat allowance per day worked"),
        ],
        string="Expenses",
        default="none",
        required=True,
        tracking=True,
        help="How the consultant's expenses (travel, accommodation...) are "
        "re-invoiced with the month. With Odoo's Expenses app, the expenses of the "
        "month are shown on its activity report and invoiced with it; without "
        "it, the report says they are handled outside.",
    )
    expense_cap = fields.Monetary(
        string="Expenses cap per month",
        currency_field="currency_id",
        help="At most this amount of expenses re-invoiced per consultant and month.",
    )
    expense_flat_amount = fields.Monetary(
        string="Flat allowance per day",
        currency_field="currency_id",
        help="Invoiced for each billable day of the month, whatever the receipts.",
    )

    @api.constrains("expense_policy", "expense_cap", "expense_flat_amount")
    def _check_expense_terms(self):
        for contract in self:
            for fname in ("expense_cap", "expense_flat_amount"):
                amount = contract[fname]
                if amount < 0 or amount != amount or amount > 1e9:
                    raise ValidationError(
                        self.env._(
                            "%(field)s of contract %(contract)s must be zero or "
                            "positive (got %(amount)s).",
                            field=self._fields[fname].get_description(self.env)[
                                "string"
                            ],
                            contract=contract.display_name,
                            amount=formatLang(self.env, amount),
                        )
                    )
            if contract.expense_policy == "at_cost_capped" and not contract.expense_cap:
                raise ValidationError(
                    self.env._(
                        "Contract %(contract)s re-invoices expenses with a cap per "
                        "month: give the cap.",
                        contract=contract.display_name,
                    )
                )
            if (
                contract.expense_policy == "flat_per_day"
                and not contract.expense_flat_amount
            ):
                raise ValidationError(
                    self.env._(
                        "Contract %(contract)s re-invoices expenses as a flat "
                        "allowance per day: give the amount per day.",
                        contract=contract.display_name,
                    )
                )
