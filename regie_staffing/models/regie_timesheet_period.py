import hashlib
import io
import json
import logging
import uuid
from collections import defaultdict
from datetime import date, datetime, time, timedelta

import lxml.html
import pytz
from dateutil.relativedelta import relativedelta
from markupsafe import Markup, escape

from odoo import Command, api, fields, models, tools
from odoo.exceptions import AccessError, UserError
from odoo.osv import expression
from odoo.tools import (
    SQL,
    clean_context,
    float_compare,
    float_repr,
    float_round,
    format_date,
)
from odoo.tools.mail import generate_tracking_message_id, is_html_empty
from odoo.tools.misc import formatLang, get_lang
from odoo.tools.pdf import PdfFileReader, PdfFileWriter
from odoo.tools.translate import code_translations

from odoo.addons.base.models import ir_actions_report

from .regie_workflow import WORKFLOW, is_workflow

_logger = logging.getLogger(__name__)

REPORT_XMLID = "regie_staffing.action_report_regie_timesheet_period"
# Line fields frozen by the hash of a validated month.
HASHED_LINE_FIELDS = (
    "date",
    "employee_id",
    "unit_amount",
    "name",
    "regie_activity_type_id",
    "project_id",
)
# What else a validated month bills: its own totals and the contract's terms.
HASHED_PERIOD_FIELDS = ("total_days", "billable_days")
HASHED_CONTRACT_FIELDS = ("hours_per_day", "day_rounding", "billing_unit")
# Months named in one error message; the rest are counted.
MAX_NAMED_MONTHS = 5
# Days before the validation deadline when the validator is reminded.
VALIDATION_REMINDER_DAYS = 3
REMINDER_ACTIVITY = "regie_staffing.mail_activity_type_regie_reminder"
# What the consultant is told when his month is contested, reopened or validated.
MONTH_ACTIVITY = "regie_staffing.mail_activity_type_regie_month"
# How a month is written in lists and names, whatever the language.
MONTH_FORMAT = "MM/yyyy"
FORM_VIEW = "regie_staffing.regie_timesheet_period_view_form"
# The subject and subtitles of mail.activity's assignment notification (module
# mail's terms, translated with its catalogue).
ACTIVITY_ASSIGNED_SUBJECT = '"%(activity_name)s: %(summary)s" assigned to you'
ACTIVITY_SUBTITLE = "Activity: %s"
DEADLINE_SUBTITLE = "Deadline: %s"
# {wkhtmltopdf binary: whether it renders several documents in one run}
_PDF_ENGINE_RENDERS_SEVERAL = {}
# The wkhtmltopdf binaries whose one-document batch could not be cut again by
# month in this process: their months are rendered one by one.
_PDF_ENGINE_SPLIT_FAILED = set()
# Signed reports rendered per scheduler call, in one wkhtmltopdf run: as
# several documents when the installed build renders several, else as one
# document split again by month; one by one (about 2 s each) when that fails.
RENDER_BATCH = 50
RENDER_BATCH_ONE_BY_ONE = 10
# States of a purchase month that its sale month may still move.
BACK_TO_BACK_OPEN = ("draft", "submitted", "contested", "validated")
# What a back-to-back purchase month copies of the state changes of its sale
# month (the signature stays on the sale month, whose report it is).
BACK_TO_BACK_FIELDS = (
    "state",
    "submitted_by_id",
    "submitted_date",
    "validated_by_id",
    "validated_by_partner_id",
    "validated_date",
    "contested_by_id",
    "contested_date",
    "tacit_acceptance",
    "signed_by",
    "signed_on",
    "lines_hash",
    "submit_reminder_date",
    "validation_reminder_date",
)


class RegieTimesheetPeriod(models.Model):
    _name = "regie.timesheet.period"
    _description = "Régie Monthly Activity Report"
    _inherit = ["portal.mixin", "mail.thread", "mail.activity.mixin"]
    _order = "date_from desc, id desc"
    _check_company_auto = True
    # Consultants comment on their months without the right to write them.
    _mail_post_access = "read"

    name = fields.Char(compute="_compute_name", store=True)
    mission_id = fields.Many2one(
        "regie.mission",
        required=True,
        ondelete="restrict",
        index=True,
        check_company=True,
    )
    contract_id = fields.Many2one(
        related="mission_id.contract_id", store=True, index=True
    )
    employee_id = fields.Many2one(
        related="mission_id.employee_id", store=True, index=True, string="Consultant"
    )
    user_id = fields.Many2one(related="mission_id.user_id", store=True, index=True)
    partner_id = fields.Many2one(related="mission_id.partner_id", store=True)
    company_id = fields.Many2one(
        related="mission_id.company_id", store=True, index=True
    )
    currency_id = fields.Many2one(related="mission_id.currency_id")
    direction = fields.Selection(related="mission_id.direction", store=True)
    date_from = fields.Date(string="Month", required=True, index=True)
    date_to = fields.Date(compute="_compute_date_to", store=True)
    month_label = fields.Char(
        compute="_compute_month_label", help="The month, as 11/2026."
    )
    timesheet_ids = fields.One2many(
        "account.analytic.line", "regie_period_id", string="Timesheets"
    )
    line_count = fields.Integer(compute="_compute_totals", store=True)
    total_hours = fields.Float(compute="_compute_totals", store=True)
    # Day totals are stored unrounded (as the lines' regie_days): invoicing
    # applies the contract's rounding rule, not the UoM display precision.
    total_days = fields.Float(compute="_compute_totals", store=True)
    exceptional_days = fields.Float(
        compute="_compute_totals",
        store=True,
        help="Days of exceptional activity (on-call, overtime...) after their "
        "multiplier.",
    )
    billable_days = fields.Float(
        compute="_compute_totals",
        store=True,
        help="Days to invoice, exceptional activity included, after the "
        "contract's rounding rule.",
    )
    # Not stored: time off lives in hr_holidays, which may be absent and whose
    # changes could not trigger a recomputation here.
    absence_dates = fields.Json(
        compute="_compute_absence_dates",
        help="Days of validated time off in the month (ISO dates).",
    )
    absence_days = fields.Float(
        compute="_compute_absence_days", digits="Product Unit of Measure"
    )
    # Not stored either: the working schedule and its public holidays may
    # change after the month is created.
    public_holiday_dates = fields.Json(
        compute="_compute_calendar_days",
        help="Public holidays of the consultant's working schedule in the "
        "month, on his working days (ISO dates).",
    )
    public_holiday_days = fields.Float(
        string="Public holidays", compute="_compute_calendar_days"
    )
    expected_days = fields.Float(
        string="Expected days",
        compute="_compute_calendar_days",
        help="Working days of the consultant's schedule in the month, less "
        "public holidays and approved time off.",
    )
    state = fields.Selection(
        [
            ("draft", "Draft"),
            ("submitted", "Submitted"),
            ("contested", "Contested"),
            ("validated", "Validated"),
        ],
        default="draft",
        required=True,
        readonly=True,
        tracking=True,
        index=True,
        copy=False,
    )
    submitted_by_id = fields.Many2one("res.users", readonly=True, copy=False)
    submitted_date = fields.Datetime(readonly=True, copy=False)
    validated_by_id = fields.Many2one("res.users", readonly=True, copy=False)
    validated_by_partner_id = fields.Many2one("res.partner", readonly=True, copy=False)
    validated_date = fields.Datetime(readonly=True, copy=False)
    contested_by_id = fields.Many2one("res.users", readonly=True, copy=False)
    contested_date = fields.Datetime(readonly=True, copy=False)
    tacit_acceptance = fields.Boolean(readonly=True, copy=False)
    signature = fields.Binary(attachment=True, readonly=True, copy=False)
    signed_by = fields.Char(readonly=True, copy=False)
    signed_on = fields.Datetime(readonly=True, copy=False)
    validator_partner_id = fields.Many2one(
        "res.partner",
        string="Validator",
        compute="_compute_validator_partner_id",
        store=True,
        help="Contact who validates the month: the client manager of a sale "
        "contract, the first project lead of a purchase contract.",
    )
    validation_deadline = fields.Date(
        compute="_compute_validation_deadline", store=True, index=True
    )
    lines_hash = fields.Char(readonly=True, copy=False)
    validation_code_hash = fields.Char(
        readonly=True, copy=False, groups="base.group_system"
    )
    validation_code_expiry = fields.Datetime(
        readonly=True, copy=False, groups="base.group_system"
    )
    # Wrong one-time codes in a row, and until when code entry is locked.
    validation_code_failures = fields.Integer(
        readonly=True, copy=False, groups="base.group_system"
    )
    validation_code_locked_until = fields.Datetime(
        readonly=True, copy=False, groups="base.group_system"
    )
    dispute_ids = fields.One2many(
        "regie.timesheet.dispute", "period_id", string="Disputes"
    )
    dispute_count = fields.Integer(compute="_compute_dispute_count")
    report_attachment_id = fields.Many2one(
        "ir.attachment", string="Signed Report", readonly=True, copy=False
    )
    report_pending = fields.Boolean(
        string="Signed Report Pending",
        readonly=True,
        copy=False,
        help="The signed report of this validated month is not rendered yet: "
        "a scheduled action renders it in the background.",
    )
    submit_reminder_date = fields.Date(readonly=True, copy=False)
    validation_reminder_date = fields.Date(readonly=True, copy=False)
    # Back-to-back subcontracting: the month of a purchase mission backing a
    # sale mission is the sale month's, for the provider.
    sale_period_id = fields.Many2one(
        "regie.timesheet.period",
        string="Sale month",
        readonly=True,
        copy=False,
        index="btree_not_null",
        ondelete="cascade",
        help="Back-to-back subcontracting: the client's month this purchase "
        "month follows. Its days are the sale month's lines; it is submitted, "
        "validated, contested and reopened with it.",
    )
    purchase_period_ids = fields.One2many(
        "regie.timesheet.period", "sale_period_id", string="Purchase months"
    )
    purchase_period_id = fields.Many2one(
        "regie.timesheet.period",
        string="Purchase month",
        compute="_compute_purchase_period_id",
        help="Back-to-back subcontracting: the month of the purchase mission "
        "backing this sale mission, which follows this month.",
    )

    _sql_constraints = [
        (
            "mission_month_unique",
            "UNIQUE(mission_id, date_from)",
            "A mission has one activity report per month.",
        ),
        (
            "sale_period_unique",
            "UNIQUE(sale_period_id)",
            "A sale month is followed by one purchase month.",
        ),
    ]

    @api.depends("employee_id.name", "mission_id.name", "date_from")
    def _compute_name(self):
        for period in self:
            period.name = " — ".join(
                filter(
                    None,
                    [
                        period.employee_id.name,
                        period.mission_id.name,
                        period.date_from and period.date_from.strftime("%m/%Y"),
                    ],
                )
            )

    @api.depends("date_from")
    def _compute_date_to(self):
        for period in self:
            period.date_to = period.date_from and (
                period.date_from + relativedelta(day=31)
            )

    @api.depends("date_from")
    @api.depends_context("lang")
    def _compute_month_label(self):
        for period in self:
            period.month_label = period.date_from and format_date(
                self.env, period.date_from, date_format=MONTH_FORMAT
            )

    def _compute_access_url(self):
        for period in self:
            period.access_url = f"/my/regie/months/{period.id}"

    @api.depends("purchase_period_ids")
    def _compute_purchase_period_id(self):
        for period in self:
            period.purchase_period_id = period.purchase_period_ids[:1]

    @api.depends(
        "timesheet_ids.unit_amount",
        "timesheet_ids.regie_days",
        "timesheet_ids.regie_billable_days",
        "timesheet_ids.regie_activity_type_id",
        "contract_id.day_rounding",
        "sale_period_id.timesheet_ids.unit_amount",
        "sale_period_id.timesheet_ids.regie_days",
        "sale_period_id.timesheet_ids.regie_billable_days",
        "sale_period_id.timesheet_ids.regie_activity_type_id",
    )
    def _compute_totals(self):
        # Totals count every consultant's line, whatever the reader may see;
        # a back-to-back purchase month counts its sale month's lines.
        sources = {period.id: period._get_lines_source().id for period in self}
        groups = (
            self.env["account.analytic.line"]
            .sudo()
            ._read_group(
                [("regie_period_id", "in", list(set(sources.values())))],
                ["regie_period_id", "regie_activity_type_id"],
                [
                    "__count",
                    "unit_amount:sum",
                    "regie_days:sum",
                    "regie_billable_days:sum",
                ],
            )
        )
        totals = defaultdict(lambda: defaultdict(float))
        for period, activity_type, count, hours, days, billable in groups:
            period_totals = totals[period.id]
            period_totals["count"] += count
            period_totals["hours"] += hours
            period_totals["days"] += days
            period_totals["billable"] += billable
            if activity_type:
                period_totals["exceptional"] += billable
        for period in self:
            period_totals = totals[sources[period.id]]
            period.line_count = int(period_totals["count"])
            period.total_hours = period_totals["hours"]
            period.total_days = period_totals["days"]
            period.exceptional_days = period_totals["exceptional"]
            period.billable_days = self._round_days(
                period_totals["billable"], period.contract_id.day_rounding
            )

    @api.depends("employee_id", "date_from", "date_to")
    def _compute_absence_days(self):
        leaves = self._get_validated_leaves()
        for period in self:
            period.absence_days = sum(
                self._get_leave_days_in(leave, period.date_from, period.date_to)
                for leave in (leaves[period.employee_id.id] if period.date_to else [])
            )

    @api.depends("employee_id", "date_from", "date_to")
    def _compute_absence_dates(self):
        # Computed for every month read together (a report of many months
        # makes one query): the day table shows "Absence", never its kind.
        leaves = self._get_validated_leaves()
        for period in self:
            days = set()
            for leave in leaves[period.employee_id.id] if period.date_to else []:
                day = max(leave.request_date_from, period.date_from)
                while day <= min(leave.request_date_to, period.date_to):
                    days.add(day.isoformat())
                    day += timedelta(days=1)
            period.absence_dates = sorted(days)

    @api.depends("employee_id", "date_from", "date_to")
    def _compute_calendar_days(self):
        holidays = self._get_public_holidays()
        working_days = self._get_working_days()
        for period in self:
            dates = holidays.get(period.id, [])
            period.public_holiday_dates = dates
            period.public_holiday_days = len(dates)
            period.expected_days = working_days.get(period.id, 0.0)

    def _get_workdays(self):
        """The weekdays (0 = Monday) the consultant works by his schedule,
        Monday to Friday without one."""
        self.ensure_one()
        calendar = self.sudo().employee_id.resource_calendar_id
        if not calendar or not calendar.attendance_ids:
            return {0, 1, 2, 3, 4}
        return {int(attendance.dayofweek) for attendance in calendar.attendance_ids}

    def _get_public_holidays(self):
        """{period id: [ISO dates]}: the public holidays of the months (the
        global time off of the consultant's working schedule, or of all the
        schedules of his company) that fall on his working days, in one
        query. HR data: sudo, and only dates leave this method."""
        result = {period.id: [] for period in self}
        periods = self.sudo().filtered(
            lambda period: period.employee_id and period.date_from and period.date_to
        )
        if not periods:
            return result
        calendars = periods.employee_id.resource_calendar_id
        leaves = (
            self.env["resource.calendar.leaves"]
            .sudo()
            .search_fetch(
                [
                    ("resource_id", "=", False),
                    "|",
                    ("calendar_id", "in", calendars.ids),
                    ("calendar_id", "=", False),
                    (
                        "date_from",
                        "<=",
                        datetime.combine(
                            max(periods.mapped("date_to")) + timedelta(days=1),
                            time.max,
                        ),
                    ),
                    (
                        "date_to",
                        ">=",
                        datetime.combine(
                            min(periods.mapped("date_from")) - timedelta(days=1),
                            time.min,
                        ),
                    ),
                ],
                ["calendar_id", "company_id", "date_from", "date_to"],
            )
        )
        for period in periods:
            employee = period.employee_id
            calendar = employee.resource_calendar_id
            tz = pytz.timezone(employee.tz or calendar.tz or "UTC")
            workdays = period._get_workdays()
            days = set()
            for leave in leaves:
                if leave.calendar_id and leave.calendar_id != calendar:
                    continue
                if leave.company_id and leave.company_id != employee.company_id:
                    continue
                day, last = (
                    pytz.utc.localize(moment).astimezone(tz).date()
                    for moment in (leave.date_from, leave.date_to)
                )
                day = max(day, period.date_from)
                while day <= min(last, period.date_to):
                    if day.weekday() in workdays:
                        days.add(day.isoformat())
                    day += timedelta(days=1)
            result[period.id] = sorted(days)
        return result

    def _get_validated_leaves(self):
        """{employee id: validated time off overlapping these months}, in one
        query; empty without hr_holidays. Time off is HR data the months'
        readers (portal clients included) may not access: sudo, and only
        dates and day counts leave this method."""
        by_employee = defaultdict(list)
        periods = self.filtered(lambda period: period.employee_id and period.date_from)
        if "hr.leave" not in self.env or not periods:
            return by_employee
        leaves = (
            self.env["hr.leave"]
            .sudo()
            .search_fetch(
                [
                    ("employee_id", "in", periods.employee_id.ids),
                    ("state", "=", "validate"),
                    ("request_date_from", "<=", max(periods.mapped("date_to"))),
                    ("request_date_to", ">=", min(periods.mapped("date_from"))),
                ],
                [
                    "employee_id",
                    "request_date_from",
                    "request_date_to",
                    "number_of_days",
                ],
            )
        )
        for leave in leaves:
            by_employee[leave.employee_id.id].append(leave)
        return by_employee

    @api.depends(
        "direction",
        "contract_id.client_manager_id",
        "contract_id.partner_id",
        "contract_id.project_lead_ids",
        "contract_id.user_id",
    )
    def _compute_validator_partner_id(self):
        for period in self:
            contract = period.contract_id
            if period.direction == "purchase":
                leads = contract.project_lead_ids or contract.user_id
                period.validator_partner_id = leads[:1].partner_id
            else:
                period.validator_partner_id = (
                    contract.client_manager_id or contract.partner_id
                )

    @api.depends("date_from", "contract_id.validation_deadline_day")
    def _compute_validation_deadline(self):
        for period in self:
            if not period.date_from:
                period.validation_deadline = False
                continue
            day = period.contract_id.validation_deadline_day or 5
            period.validation_deadline = period.date_from + relativedelta(
                months=1, day=day
            )

    def _compute_dispute_count(self):
        counts = dict(
            self.env["regie.timesheet.dispute"]._read_group(
                [("period_id", "in", self.ids)], ["period_id"], ["__count"]
            )
        )
        for period in self:
            period.dispute_count = counts.get(period, 0)

    @api.model_create_multi
    def create(self, vals_list):
        if not self._is_period_workflow():
            for vals in vals_list:
                self._check_free_fields(
                    vals, allowed={"mission_id", "date_from"}, creating=True
                )
        for vals in vals_list:
            if vals.get("date_from"):
                vals["date_from"] = fields.Date.to_date(vals["date_from"]).replace(
                    day=1
                )
        periods = super().create(vals_list)
        periods._subscribe_consultants()
        periods._sync_back_to_back_periods()
        return periods

    def write(self, vals):
        if not self._is_period_workflow():
            self._check_free_fields(vals)
        res = super().write(vals)
        if "state" in vals:
            self._mirror_back_to_back(vals)
        return res

    @api.ondelete(at_uninstall=False)
    def _unlink_except_not_draft(self):
        # Lines keep their month (the database refuses it otherwise).
        with_lines = self.filtered(
            lambda period: period.state != "draft" or period.sudo().timesheet_ids
        )
        if with_lines:
            raise UserError(
                self.env._(
                    "%(months)s cannot be deleted: only draft monthly activity "
                    "reports without timesheet lines can be deleted.",
                    months=with_lines._get_names_for_error(),
                )
            )

    # ------------------------------------------------------------------
    # Public API
    # ------------------------------------------------------------------

    @api.model
    def generate_periods(self, date):
        """Create the missing monthly reports of every active mission overlapping
        the month of ``date`` (a date or 'YYYY-MM-DD'). Idempotent.

        :return: ids of all the reports of that month (list)
        """
        if not (self.env.su or self.env.user.has_group("regie_staffing.group_lead")):
            raise AccessError(
                self.env._(
                    "Only project leads and régie managers can generate monthly "
                    "activity reports."
                )
            )
        date_from = self._parse_month(date)
        missions = self.env["regie.mission"].search(
            self._get_generation_mission_domain(date_from)
        )
        # Existing months may be outside the caller's rules; creating them twice
        # would only hit the unique constraint.
        existing = self.sudo().search_fetch(
            [("mission_id", "in", missions.ids), ("date_from", "=", date_from)],
            ["mission_id"],
        )
        missing = missions - existing.mission_id
        created = self.create(
            [{"mission_id": mission.id, "date_from": date_from} for mission in missing]
        )
        return existing.ids + created.ids

    def action_submit(self):
        """Submit draft months to their validator. Allowed to the month's
        consultant, a project lead of the contract or a régie manager."""
        self.check_access("write")
        self._lock_for_update()
        user = self.env.user
        is_manager = user.has_group("regie_staffing.group_manager")
        self._check_not_back_to_back()
        for period in self:
            if period.state != "draft":
                raise UserError(
                    self.env._(
                        "Only draft months can be submitted (%(month)s is %(state)s).",
                        month=period.name,
                        state=period._get_state_label(),
                    )
                )
            if not (
                self.env.su
                or is_manager
                or period.user_id == user
                or period._is_contract_lead(user)
            ):
                raise AccessError(
                    self.env._(
                        "You can only submit your own months (%(month)s).",
                        month=period.name,
                    )
                )
        self._period_workflow().write(
            {
                "state": "submitted",
                "submitted_by_id": user.id,
                "submitted_date": fields.Datetime.now(),
                "validation_reminder_date": False,
            }
        )
        self._message_log_batch(
            bodies=dict.fromkeys(
                self.ids,
                self.env._("Month submitted by %(user)s.", user=user.name),
            )
        )
        self._clear_reminders()
        self._notify_validators()
        return True

    @api.model
    def action_generate_periods(self):
        """The list's "Generate this month" button: the months of the current
        month, many of them in the background."""
        today = fields.Date.context_today(self)
        if not (self.env.su or self.env.user.has_group("regie_staffing.group_lead")):
            # The same refusal as generate_periods, before anything is queued.
            return self.generate_periods(today)
        batch = self._enqueue_generation(today)
        if batch:
            return batch._get_queued_action()
        self.generate_periods(today)
        return {"type": "ir.actions.client", "tag": "soft_reload"}

    def action_confirm_submit(self):
        """Submit the months, after a confirmation naming what looks early or
        incomplete (a month not over, fewer days logged than working days)
        when there is any. From a list, many months are submitted in the
        background."""
        self.check_access("write")
        self._check_not_back_to_back()
        queued = self._enqueue_close_batch("submit")
        if queued:
            return queued
        if not any(self._get_submit_warnings().values()):
            return self.action_submit()
        return self._action_open_submit_wizard()

    @api.model
    def action_open_my_month(self):
        """Open the logged-in consultant's month: the form of the month of his
        mission, a list when he works on several missions, his months with a
        notice when no mission of his covers the month. The month is the
        current one, or the previous one while it is not submitted yet."""
        periods = self._get_my_months()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "regie_staffing.regie_timesheet_period_action"
        )
        action["name"] = self.env._("My month")
        action["context"] = {"create": False}
        if len(periods) == 1:
            action.update(
                res_id=periods.id,
                view_mode="form",
                views=[(self.env.ref(FORM_VIEW).id, "form")],
            )
            return action
        if periods:
            action["domain"] = [("id", "in", periods.ids)]
            return action
        action["domain"] = [("user_id", "=", self.env.uid)]
        action["help"] = Markup(
            '<p class="o_view_nocontent_smiling_face">%s</p><p>%s</p>'
        ) % (
            self.env._("No régie month for you"),
            self.env._(
                "Your months appear here once a project lead puts you on a "
                "mission of a régie contract and you log time on its project."
            ),
        )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "warning",
                "title": self.env._("No mission this month"),
                "message": self._get_no_month_message(),
                "next": action,
            },
        }

    def action_validate(self):
        """Validate submitted months: freeze their lines (hash), keep the signed
        report and rotate the portal link. Allowed to a project lead of the
        contract or a régie manager, never to the month's own consultant.
        From a list, many months are validated in the background."""
        self._check_not_back_to_back()
        queued = self._enqueue_close_batch("validate")
        if queued:
            return queued
        self._check_can_validate()
        typed = self._check_typed_by_validator()
        self._lock_for_update()
        self._check_state("submitted", self.env._("validated"))
        self._do_validate()
        if typed:
            self.browse([period.id for period in typed])._message_log_batch(
                bodies={
                    period.id: self.env._(
                        "Validated internally by %(user)s, who typed %(count)s of "
                        "its lines.",
                        user=self.env.user.name,
                        count=count,
                    )
                    for period, count in typed.items()
                }
            )
        return True

    def _check_typed_by_validator(self):
        """On a sale contract the client validates: a month whose lines were
        typed by the user validating it is refused, unless the contract allows
        internal validation. Returns {month: lines typed by the user} for the
        months validated anyway, to be noted on them."""
        typed = {}
        if self.env.su:
            return typed
        user = self.env.user
        for period in self:
            if period.direction != "sale":
                continue
            count = len(
                period.sudo().timesheet_ids.filtered(
                    lambda line: line.create_uid == user
                )
            )
            if not count:
                continue
            if not period.contract_id.sudo().allow_internal_validation:
                raise UserError(
                    self.env._(
                        "You typed lines of %(month)s yourself: on a sale contract "
                        "the client validates them, not the person who typed them "
                        "(contract %(contract)s does not allow internal "
                        "validation).",
                        month=period.name,
                        contract=period.contract_id.sudo().display_name,
                    )
                )
            typed[period] = count
        return typed

    def action_contest(self, reason, line_ids=None, requested_correction=None):
        """Contest submitted months with a ``reason``, optionally pointing at
        some of their lines (``line_ids`` or the ``regie_dispute_line_ids``
        context key) and a requested correction: opens a dispute."""
        if not (reason or "").strip():
            raise UserError(self.env._("Give a reason to contest the month."))
        self._check_can_validate()
        self._lock_for_update()
        self._check_state("submitted", self.env._("contested"))
        self._do_contest(
            reason,
            line_ids or self.env.context.get("regie_dispute_line_ids"),
            requested_correction,
        )
        return True

    def action_reset_to_draft(self):
        """Re-open submitted, contested or validated months for correction
        (régie managers only; never once invoiced)."""
        if not (self.env.su or self.env.user.has_group("regie_staffing.group_manager")):
            raise AccessError(
                self.env._("Only régie managers can reset a month to draft.")
            )
        self.check_access("write")
        self._check_not_back_to_back()
        self._lock_for_update()
        for period in self:
            if period.state == "invoiced":
                raise UserError(
                    self.env._(
                        "The month %(month)s is invoiced: cancel or reverse its "
                        "invoice before re-opening it.",
                        month=period.name,
                    )
                )
            if period.state not in ("submitted", "contested", "validated"):
                raise UserError(
                    self.env._(
                        "Only submitted, contested or validated months can be reset "
                        "to draft (%(month)s is %(state)s).",
                        month=period.name,
                        state=period._get_state_label(),
                    )
                )
        self._period_workflow()._reset_to_draft_values()
        self._message_log_batch(
            bodies=dict.fromkeys(
                self.ids,
                self.env._(
                    "Month reset to draft by %(user)s.", user=self.env.user.name
                ),
            )
        )
        return True

    # ------------------------------------------------------------------
    # Portal hooks (called by the portal controller after its own checks)
    # ------------------------------------------------------------------

    def _portal_validate(self, partner, signature=None, signed_by=None):
        """Validate the month as ``partner`` (client contact or designated
        validator) with the portal signature. The caller checked the token and
        the one-time code or the logged-in user."""
        self.ensure_one()
        period = self.sudo()
        period._check_portal_partner(partner)
        period._lock_for_update()
        period._check_state("submitted", self.env._("validated"))
        period._do_validate(
            partner=partner, signature=signature, signed_by=signed_by or partner.name
        )
        period.message_post(
            body=self.env._(
                "Month validated online by %(name)s.", name=signed_by or partner.name
            ),
            author_id=partner.id,
            message_type="comment",
            subtype_xmlid="mail.mt_note",
        )
        return True

    def _portal_contest(
        self, partner, reason, line_ids=None, requested_correction=None
    ):
        """Contest the month as ``partner`` from the portal."""
        self.ensure_one()
        if not (reason or "").strip():
            raise UserError(self.env._("Give a reason to contest the month."))
        period = self.sudo()
        period._check_portal_partner(partner)
        period._lock_for_update()
        period._check_state("submitted", self.env._("contested"))
        period._do_contest(reason, line_ids, requested_correction, partner=partner)
        return True

    def _portal_ensure_token(self):
        return super(
            RegieTimesheetPeriod, self._period_workflow()
        )._portal_ensure_token()

    # ------------------------------------------------------------------
    # Business helpers
    # ------------------------------------------------------------------

    def _check_hash(self):
        """Return True when the stored hash of every month still matches its
        lines as they are in the database."""
        hashes = self._get_lines_hashes()
        return all(
            period.lines_hash and period.lines_hash == hashes[period.id]
            for period in self
        )

    def _get_lines_hashes(self):
        """Return {period id: sha256 of what the month bills}: its lines, its
        day totals and the contract's hours per day, rounding and billing
        unit, with one query per model for the batch."""
        line_model = self.env["account.analytic.line"]
        fnames = [name for name in HASHED_LINE_FIELDS if name in line_model._fields]
        self.env.flush_all()
        # Hashing needs every line of the month, whoever logged it (a
        # back-to-back purchase month: its sale month's).
        sources = {period.id: period._get_lines_source().id for period in self}
        lines = line_model.sudo().search_fetch(
            [("regie_period_id", "in", list(set(sources.values())))],
            ["regie_period_id", *fnames],
            order="id",
        )
        rows = defaultdict(list)
        for line in lines:
            rows[line.regie_period_id.id].append(
                [line.id, *self._get_hash_values(line, fnames)]
            )
        periods = self.sudo()
        periods.fetch([*HASHED_PERIOD_FIELDS, "contract_id"])
        periods.contract_id.fetch(list(HASHED_CONTRACT_FIELDS))
        return {
            period.id: hashlib.sha256(
                json.dumps(
                    [
                        self._get_hash_values(period, HASHED_PERIOD_FIELDS)
                        + self._get_hash_values(
                            period.contract_id, HASHED_CONTRACT_FIELDS
                        ),
                        rows[sources[period.id]],
                    ]
                ).encode()
            ).hexdigest()
            for period in periods
        }

    @api.model
    def _get_hash_values(self, record, fnames):
        values = []
        for name in fnames:
            value = record[name]
            if isinstance(value, models.BaseModel):
                value = value.id
            elif isinstance(value, float):
                value = float_repr(value, 6)
            values.append(str(value) if value is not False else "")
        return values

    @api.model
    def _get_frozen_months(self, domain):
        """Months matching ``domain`` that are no longer draft: what they bill,
        and to whom, may not change any more (one query)."""
        # Every consultant's months count, whatever the writer may read.
        return self.sudo().search_fetch(
            expression.AND([domain, [("state", "!=", "draft")]]),
            ["name", "mission_id", "contract_id", "date_to"],
            order="date_from, id",
        )

    def _get_names_for_error(self):
        names = [period.name for period in self[:MAX_NAMED_MONTHS]]
        if len(self) > MAX_NAMED_MONTHS:
            names.append(
                self.env._("and %(count)s more", count=len(self) - MAX_NAMED_MONTHS)
            )
        return "; ".join(names)

    @api.model
    def _raise_frozen_fields(self, record, fnames, months):
        """Refuse to change ``fnames`` of ``record`` (a contract or mission)
        while ``months`` depending on them are no longer draft."""
        raise UserError(
            self.env._(
                "You cannot change %(fields)s of %(record)s: months already "
                "submitted depend on it (%(months)s). Reset these months to draft "
                "first.",
                fields=", ".join(
                    record._fields[fname]._description_string(self.env)
                    for fname in fnames
                ),
                record=record.display_name,
                months=months._get_names_for_error(),
            )
        )

    def _do_validate(self, partner=None, signature=None, signed_by=None, tacit=False):
        self._check_not_back_to_back()
        now = fields.Datetime.now()
        user = self.env.user
        internal = not (tacit or partner)
        common = {
            "state": "validated",
            "validated_date": now,
            "tacit_acceptance": tacit,
            "validated_by_id": user.id if internal else False,
            "validated_by_partner_id": (
                partner.id if partner else internal and user.partner_id.id
            ),
            "validation_code_hash": False,
            "validation_code_expiry": False,
        }
        if partner:
            portal_user = partner.user_ids[:1]
            if portal_user and portal_user == user:
                common["validated_by_id"] = user.id
            common.update(
                signature=signature or False,
                signed_by=signed_by or partner.name,
                signed_on=now,
            )
        hashes = self._get_lines_hashes()
        # Access was checked by the callers; sudo writes group the per-month
        # values in one UPDATE instead of one access check per month: the ORM
        # flushes per-record values of the same fields as one UPDATE ... FROM
        # (VALUES ...) (measured: 10 and 100 months cost the same queries, see
        # test_query_count), so no raw SQL, and tracking and computed fields
        # stay the ORM's.
        periods = self.sudo()._period_workflow()
        periods.write(common)
        for period in periods:
            period.write(
                {"lines_hash": hashes[period.id], "access_token": str(uuid.uuid4())}
            )
        periods._clear_reminders()
        periods._notify_consultants("validated")
        # The signed PDF is rendered in the background, from the frozen month.
        periods._mark_reports_pending(delay=timedelta())
        if not partner:
            if tacit:
                body = self.env._(
                    "Month validated by tacit acceptance: no answer within the "
                    "contract's delay."
                )
            else:
                body = self.env._("Month validated by %(user)s.", user=user.name)
            self._message_log_batch(bodies=dict.fromkeys(self.ids, body))
        return True

    def _do_contest(self, reason, line_ids, requested_correction, partner=None):
        self._check_not_back_to_back()
        if isinstance(line_ids, int) and not isinstance(line_ids, bool):
            line_ids = [line_ids]
        if line_ids and (
            not isinstance(line_ids, (list, tuple))
            or not all(
                isinstance(line_id, int) and not isinstance(line_id, bool)
                for line_id in line_ids
            )
        ):
            raise UserError(
                self.env._(
                    "%(field)s of the dispute on %(months)s: a list of timesheet "
                    "line ids is expected, not %(value)s.",
                    field=self.env["regie.timesheet.dispute"]
                    ._fields["line_ids"]
                    ._description_string(self.env),
                    months=self._get_names_for_error(),
                    value=repr(line_ids),
                )
            )
        lines = self.env["account.analytic.line"].sudo().browse(line_ids or [])
        if lines and (
            len(lines.exists()) != len(lines) or lines.regie_period_id - self
        ):
            raise UserError(
                self.env._("The contested lines must belong to the contested month.")
            )
        user = self.env.user
        if partner and partner.user_ids[:1] != user:
            user = user.browse()  # contested with a code, not logged in
        self._clear_reminders()
        self._period_workflow().write(
            {
                "state": "contested",
                "contested_by_id": user.id,
                "contested_date": fields.Datetime.now(),
            }
        )
        self.env["regie.timesheet.dispute"].with_context(
            regie_period_workflow=WORKFLOW
        ).create(
            [
                {
                    "period_id": period.id,
                    "reason": reason,
                    "requested_correction": requested_correction or False,
                    "line_ids": [
                        Command.set(
                            lines.filtered(
                                lambda line, p=period: line.regie_period_id == p
                            ).ids
                        )
                    ],
                }
                for period in self
            ]
        )
        author = partner.name if partner else self.env.user.name
        body = Markup("<p>%s</p><p>%s</p>") % (
            self.env._("Month contested by %(name)s:", name=author),
            reason,
        )
        if partner:
            for period in self:
                period.message_post(
                    body=body,
                    author_id=partner.id,
                    message_type="comment",
                    subtype_xmlid="mail.mt_comment",
                )
        else:
            self._message_log_batch(bodies=dict.fromkeys(self.ids, body))
        self._notify_consultants("contested", note=Markup("<p>%s</p>") % reason)
        return True

    def _reset_to_draft_values(self):
        self.write(
            {
                "state": "draft",
                "submitted_by_id": False,
                "submitted_date": False,
                "validated_by_id": False,
                "validated_by_partner_id": False,
                "validated_date": False,
                "tacit_acceptance": False,
                "signature": False,
                "signed_by": False,
                "signed_on": False,
                "lines_hash": False,
                "report_attachment_id": False,
                "report_pending": False,
                "submit_reminder_date": False,
                "validation_reminder_date": False,
            }
        )
        self._notify_consultants("reopened")
        return True

    def _message_track(self, fields_iter, initial_values_dict):
        # mail.thread logs the tracking of each month in its own INSERTs (and
        # looks up the reply-to address each time): the messages are collected
        # (see _message_log) and created together, with the same content.
        pending = []
        tracking = super(
            RegieTimesheetPeriod, self.with_context(regie_pending_logs=pending)
        )._message_track(fields_iter, initial_values_dict)
        self._message_log_pending(pending)
        return tracking

    def _message_log(
        self,
        *,
        body="",
        subject=False,
        author_id=None,
        email_from=None,
        message_type="notification",
        partner_ids=False,
        attachment_ids=False,
        tracking_value_ids=False,
    ):
        pending = self.env.context.get("regie_pending_logs")
        if pending is None or subject or partner_ids or attachment_ids:
            return super()._message_log(
                body=body,
                subject=subject,
                author_id=author_id,
                email_from=email_from,
                message_type=message_type,
                partner_ids=partner_ids,
                attachment_ids=attachment_ids,
                tracking_value_ids=tracking_value_ids,
            )
        self.ensure_one()
        pending.append(
            (self.id, body, author_id, email_from, message_type, tracking_value_ids)
        )
        return self.env["mail.message"]

    def _message_log_pending(self, pending):
        """Create the logs collected by _message_log in one INSERT, with the
        values _message_log_batch gives each."""
        if not pending:
            return
        note_id = self.env["ir.model.data"]._xmlid_to_res_id("mail.mt_note")
        authors, reply_tos, values_list = {}, {}, []
        for res_id, body, author_id, email_from, message_type, _tracking in pending:
            if (author_id, email_from) not in authors:
                authors[author_id, email_from] = self._message_compute_author(
                    author_id, email_from, raise_on_email=False
                )
            author_id, email_from = authors[author_id, email_from]
            if email_from not in reply_tos:
                reply_tos[email_from] = self.env["mail.thread"]._notify_get_reply_to(
                    default=email_from
                )[False]
            values_list.append(
                {
                    "author_id": author_id,
                    "email_from": email_from,
                    "model": self._name,
                    "res_id": res_id,
                    "record_alias_domain_id": False,
                    "record_company_id": False,
                    "record_name": False,
                    "attachment_ids": False,
                    "message_type": message_type,
                    "is_internal": True,
                    "subject": False,
                    "subtype_id": note_id,
                    "email_add_signature": False,
                    "message_id": generate_tracking_message_id("message-notify"),
                    "partner_ids": False,
                    "reply_to": reply_tos[email_from],
                    "body": escape(body or ""),
                }
            )
        messages = self.sudo()._message_create(values_list)
        # Tracking values created apart, in one INSERT (as commands of each
        # message, the ORM reads them back message by message).
        self.env["mail.tracking.value"].sudo().create(
            [
                dict(command[2], mail_message_id=message.id)
                for message, (*_values, tracking) in zip(messages, pending, strict=True)
                for command in tracking or []
            ]
        )

    def _clear_reminders(self):
        # Reminders of a step that is over; the caller's rights were checked.
        self.sudo().activity_unlink([REMINDER_ACTIVITY, MONTH_ACTIVITY])
        return True

    def _notify_validators(self):
        """Ask for the validation of submitted months: an e-mail with the portal
        link to the client's validator on a sale contract, an activity for the
        project lead on a purchase contract.

        In batch, as Odoo's mass mail composer: one rendering of the template
        per language, one INSERT of the chatter messages, of the e-mails
        (queued) and of their notifications, one INSERT of the activities."""
        # The submitting consultant may read neither the mail template nor the
        # validator's contact; the notice is about the month they just sent.
        periods = self.sudo()
        purchases = periods.filtered(lambda period: period.direction == "purchase")
        activity_type = self.env.ref(REMINDER_ACTIVITY)
        model_id = self.env["ir.model"]._get_id(self._name)
        summary = self.env._("Validate the monthly activity report")
        activity_vals = []
        for period in purchases:
            lead = (period.contract_id.project_lead_ids or period.contract_id.user_id)[
                :1
            ]
            if lead:
                activity_vals.append(
                    {
                        "activity_type_id": activity_type.id,
                        "summary": summary,
                        "automated": True,
                        "note": activity_type.default_note,
                        "date_deadline": period.validation_deadline,
                        "res_model_id": model_id,
                        "res_id": period.id,
                        "user_id": lead.id,
                    }
                )
        self._create_activities(activity_vals)
        template = self.env.ref(
            "regie_staffing.mail_template_regie_period_to_validate",
            raise_if_not_found=False,
        )
        sales = (periods - purchases).filtered("validator_partner_id")
        if not (template and sales):
            return True
        # The mailed link carries the month's token: created here for the
        # batch (the template would create them one month at a time).
        sales._ensure_access_tokens()
        # The composer renders the template for all the months, one pass per
        # language (as message_post_with_source does for one month), then
        # the messages are posted and mailed together.
        composer = (
            self.env["mail.compose.message"]
            .sudo()
            .with_context(
                default_composition_mode="comment",
                default_model=self._name,
                default_res_ids=sales.ids,
                default_template_id=template.id,
            )
            .create(
                {
                    "message_type": "notification",
                    "subtype_id": self.env["ir.model.data"]._xmlid_to_res_id(
                        "mail.mt_comment"
                    ),
                    "partner_ids": [Command.set(sales.validator_partner_id.ids)],
                }
            )
        )
        values = composer._prepare_mail_values(sales.ids)
        for period in sales:
            period_values = values[period.id]
            period_values["partner_ids"] = list(
                dict.fromkeys(
                    [
                        *period_values.get("partner_ids", []),
                        period.validator_partner_id.id,
                    ]
                )
            )
            if period_values.pop("attachments", None) or period_values.get(
                "attachment_ids"
            ):
                raise UserError(
                    self.env._("The validation request template may not attach files.")
                )
            period_values.pop("attachment_ids", None)
        sales._message_post_batch(values)
        return True

    def _ensure_access_tokens(self):
        """Give the months without portal token one, in one UPDATE (the ORM
        flush groups the per-month values)."""
        for period in self.filtered(lambda period: not period.access_token):
            period._period_workflow().write({"access_token": str(uuid.uuid4())})

    def _create_activities(self, vals_list):
        """Create mail.activity records in one INSERT and tell their assignees
        as mail.activity does (action_notify), in batch: the assignees follow
        the months (one INSERT) and are e-mailed together, each in his
        language."""
        if not vals_list:
            return self.env["mail.activity"]
        periods = self.browse([vals["res_id"] for vals in vals_list]).sudo()
        users = (
            self.env["res.users"]
            .sudo()
            .browse([vals["user_id"] for vals in vals_list if vals.get("user_id")])
        )
        pairs = {
            (vals["res_id"], user.partner_id.id)
            for vals in vals_list
            for user in users.browse(vals.get("user_id") or [])
        }
        periods._add_followers(pairs)
        activities = (
            self.env["mail.activity"]
            .sudo()
            .with_context(
                mail_activity_quick_update=True, regie_followed=frozenset(pairs)
            )
            .create(vals_list)
        )
        to_notify = activities.filtered(
            lambda activity: activity.user_id and activity.user_id != self.env.user
        )
        if to_notify:
            self._notify_activities_assigned(to_notify)
        return activities

    def _notify_activities_assigned(self, activities):
        """The notification mail.activity.action_notify sends to the assignee
        of each activity (same body, subject, layout and language), posted
        for all of them at once."""
        model_description = {}
        values = {}
        for activity in activities:
            lang = activity.user_id.lang or self.env.lang
            activity = activity.with_context(lang=lang)
            if lang not in model_description:
                model_description[lang] = (
                    activity.env["ir.model"]._get(self._name).display_name
                )
            # As in action_notify, the subject and subtitles are in the
            # caller's language, the body and the date format in the
            # assignee's.
            translations = code_translations.get_python_translations(
                "mail", self.env.lang or "en_US"
            )
            body = activity.env["ir.qweb"]._render(
                "mail.message_activity_assigned",
                {
                    "activity": activity,
                    "model_description": model_description[lang],
                    "is_html_empty": is_html_empty,
                },
                minimal_qcontext=True,
            )
            values[activity.id] = {
                "body": body,
                "partner_ids": activity.user_id.partner_id.ids,
                "record_name": activity.res_name,
                "model_description": model_description[lang],
                "email_layout_xmlid": "mail.mail_notification_layout",
                "subject": translations.get(
                    ACTIVITY_ASSIGNED_SUBJECT, ACTIVITY_ASSIGNED_SUBJECT
                )
                % {
                    "activity_name": activity.res_name,
                    "summary": activity.summary or activity.activity_type_id.name,
                },
                "subtitles": [
                    translations.get(ACTIVITY_SUBTITLE, ACTIVITY_SUBTITLE)
                    % activity.activity_type_id.name,
                    translations.get(DEADLINE_SUBTITLE, DEADLINE_SUBTITLE)
                    % activity.date_deadline.strftime(
                        get_lang(activity.env, lang).date_format
                    ),
                ],
                "message_type": "user_notification",
                "force_email_lang": lang,
            }
        # One message per month and batch: a month with several activities
        # (none in the workflow) gets them in successive batches.
        batches = []
        for activity in activities:
            batch = next(
                (batch for batch in batches if activity.res_id not in batch), None
            )
            if batch is None:
                batch = {}
                batches.append(batch)
            batch[activity.res_id] = values[activity.id]
        for batch in batches:
            self.browse(list(batch)).sudo()._message_post_batch(batch)

    def _add_followers(self, pairs):
        """Make partners follow months with their default subtypes, as
        message_subscribe does, for ``pairs`` {(month id, partner id)}: one
        search and one INSERT for the batch."""
        if not pairs:
            return
        followers = self.env["mail.followers"].sudo()
        existing = {
            (follower.res_id, follower.partner_id.id)
            for follower in followers.search(
                [
                    ("res_model", "=", self._name),
                    ("res_id", "in", list({res_id for res_id, _p in pairs})),
                    ("partner_id", "in", list({pid for _r, pid in pairs})),
                ]
            )
        }
        missing = sorted(pairs - existing)
        if not missing:
            return
        subtypes, _internal, external = self.env[
            "mail.message.subtype"
        ].default_subtypes(self._name)
        partners = self.env["res.partner"].sudo().browse([pid for _r, pid in missing])
        followers.create(
            [
                {
                    "res_model": self._name,
                    "res_id": res_id,
                    "partner_id": partner.id,
                    "subtype_ids": [
                        Command.set(
                            (external if partner.partner_share else subtypes).ids
                        )
                    ],
                }
                for (res_id, _pid), partner in zip(missing, partners, strict=True)
            ]
        )

    def message_subscribe(self, partner_ids=None, subtype_ids=None):
        # mail.activity subscribes each assignee to his records one user at a
        # time; _create_activities made them follow in one batch already.
        followed = self.env.context.get("regie_followed")
        if (
            followed
            and not subtype_ids
            and all(
                (res_id, pid) in followed
                for res_id in self.ids
                for pid in partner_ids or []
            )
        ):
            return True
        return super().message_subscribe(
            partner_ids=partner_ids, subtype_ids=subtype_ids
        )

    def _message_post_batch(self, values_by_id):
        """Post one message on each month and notify its recipients as
        message_post (message_notify for ``user_notification`` messages) does,
        for the whole batch: one INSERT of the messages, one recipients query
        per set of partners, one INSERT of the e-mails and one of their
        notifications. The e-mails are queued (the mail queue sends them at
        once in the background) instead of being sent one by one after the
        commit.

        :param dict values_by_id: {month id: message values (body, subject,
            partner_ids, message_type, subtype_id, author_id, email_from, ...)
            and notification parameters (force_email_lang, model_description,
            subtitles, mail_auto_delete, email_layout_xmlid) as message_post
            takes them}
        :return: the messages, in the order of ``values_by_id``
        """
        Message = self.env["mail.message"]
        if not values_by_id:
            return Message
        records = self.browse(list(values_by_id))
        companies = records._mail_get_companies(default=self.env.company)
        alias_domains = records.sudo()._mail_get_alias_domains(
            default_company=self.env.company
        )
        note_id = self.env["ir.model.data"]._xmlid_to_res_id("mail.mt_note")
        # Threads are flat: a posted message answers the month's first one.
        first_messages = dict(
            self.env["mail.message"]
            .sudo()
            ._read_group(
                [
                    ("model", "=", self._name),
                    ("res_id", "in", records.ids),
                    ("message_type", "!=", "user_notification"),
                ],
                ["res_id"],
                ["id:min"],
            )
        )
        authors = {}
        msg_values_list, notify_params = [], []
        for record in records:
            values = dict(values_by_id[record.id])
            params = {
                key: values.pop(key)
                for key in list(values)
                if key not in Message._fields
            }
            params.pop("force_send", None)
            params.pop("scheduled_date", None)
            key = (values.get("author_id"), values.get("email_from"))
            if key not in authors:
                authors[key] = self._message_compute_author(*key, raise_on_email=False)
            author_id, email_from = authors[key]
            notify = values.get("message_type") == "user_notification"
            values.update(
                author_id=author_id,
                email_from=email_from,
                model=self._name,
                res_id=record.id,
                body=escape(values.get("body") or ""),
                subject=values.get("subject") or False,
                subtype_id=values.get("subtype_id") or note_id,
                partner_ids=list(values.get("partner_ids") or []),
                email_add_signature=values.get("email_add_signature", True),
            )
            values.setdefault("message_type", "notification")
            # No tracking: the e-mail layout need not look for any.
            values.setdefault("tracking_value_ids", [])
            values.setdefault("record_alias_domain_id", alias_domains[record.id].id)
            values.setdefault("record_company_id", companies[record.id].id)
            if notify:
                values.update(
                    is_internal=True,
                    message_id=generate_tracking_message_id("message-notify"),
                )
                values.setdefault("record_name", False)
            else:
                if not values.get("record_name"):
                    values["record_name"] = record.sudo().display_name
                if not values.get("parent_id"):
                    values["parent_id"] = first_messages.get(record.id, False)
            msg_values_list.append(values)
            notify_params.append(params)
        # Reply-to: the months' alias, else the author's address.
        by_email_from = defaultdict(list)
        for values in msg_values_list:
            if "reply_to" not in values:
                by_email_from[values["email_from"]].append(values)
        for email_from, values_list in by_email_from.items():
            reply_to = self.browse(
                [values["res_id"] for values in values_list]
            )._notify_get_reply_to(default=email_from)
            for values in values_list:
                values["reply_to"] = reply_to[values["res_id"]]
        messages = self._message_create(msg_values_list)
        self._notify_messages_batch(messages, msg_values_list, notify_params)
        return messages

    def _notify_messages_batch(self, messages, msg_values_list, notify_params):
        """The notification part of message_post for messages of these months
        (see _message_post_batch): inbox and web push as Odoo does (one
        message at a time, only for users notified in Odoo), e-mails and
        their notifications created in one INSERT each."""
        # Recipients: one query per message type, subtype and set of partners
        # (usually one per validator), the followers of each month included.
        # Notifications to users (activities) name a partner per month: one
        # query for all, each month keeping its own partners.
        groups = defaultdict(list)
        for values in msg_values_list:
            notify = values["message_type"] == "user_notification"
            key = (
                values["message_type"],
                values["subtype_id"],
                () if notify else tuple(sorted(values["partner_ids"])),
            )
            groups[key].append(values)
        recipients_by_id = {}
        for (message_type, subtype_id, pids), group in groups.items():
            res_ids = [values["res_id"] for values in group]
            if pids or message_type != "user_notification":
                data = self.env["mail.followers"]._get_recipient_data(
                    self.browse(res_ids), message_type, subtype_id, list(pids)
                )
                recipients_by_id.update({res_id: data[res_id] for res_id in res_ids})
                continue
            all_pids = {pid for values in group for pid in values["partner_ids"]}
            data = self.env["mail.followers"]._get_recipient_data(
                self.browse(res_ids), message_type, subtype_id, list(all_pids)
            )
            any_record = {
                pid: dict(pdata, is_follower=False)
                for res_data in data.values()
                for pid, pdata in res_data.items()
            }
            for values in group:
                own = data[values["res_id"]]
                recipients_by_id[values["res_id"]] = {
                    pid: own.get(pid) or any_record[pid]
                    for pid in values["partner_ids"]
                    if pid in own or pid in any_record
                }
        real_author_id = self.env.user.active and self.env.user.partner_id.id
        ancestors = self._get_mail_ancestors(messages)
        mail_values_list, notif_recipients = [], []
        for message, values, params in zip(
            messages, msg_values_list, notify_params, strict=True
        ):
            record = self.browse(values["res_id"]).with_context(
                lang=params.get("force_email_lang") or self.env.lang
            )
            author_id = real_author_id or values["author_id"]
            recipients = [
                data
                for pid, data in recipients_by_id[record.id].items()
                if data["active"] is not False and not (pid and pid == author_id)
            ]
            for data in recipients:
                if data["uid"]:
                    user = self.env["res.users"].browse(data["uid"])
                    self.env.cache.insert_missing(
                        user, user._fields["partner_id"], [data["id"]]
                    )
            inbox = [data for data in recipients if data["notif"] == "inbox"]
            if inbox:
                record._notify_thread_by_inbox(message, inbox, msg_vals=values)
                record._notify_thread_by_web_push(message, inbox, values)
            emails = [data for data in recipients if data["notif"] == "email"]
            if not emails:
                continue
            base_values = record._get_mail_base_values(
                message,
                ancestors[message.id],
                auto_delete=params.get("mail_auto_delete", True),
            )
            for (
                _lang,
                render_values,
                group,
            ) in record._notify_get_classified_recipients_iterator(
                message,
                emails,
                msg_vals=values,
                model_description=params.get("model_description"),
                force_email_lang=params.get("force_email_lang"),
                subtitles=params.get("subtitles"),
            ):
                body = record._notify_by_email_render_layout(
                    message, group, msg_vals=values, render_values=render_values
                )
                recipient_ids = group.pop("recipients")
                if not recipient_ids:
                    continue
                mail_values_list.append(
                    record._notify_by_email_get_final_mail_values(
                        recipient_ids,
                        base_values,
                        additional_values={"body_html": body},
                    )
                )
                notif_recipients.append((message, recipient_ids))
        if not mail_values_list:
            return
        # As mail.thread: no default_* key of the caller reaches the e-mails.
        # pylint: disable=context-overridden
        context = clean_context(self.env.context)
        mails = (
            self.env["mail.mail"].sudo().with_context(context).create(mail_values_list)
        )
        self.env["mail.notification"].sudo().with_context(context).create(
            [
                {
                    "author_id": message.author_id.id,
                    "is_read": True,
                    "mail_mail_id": mail.id,
                    "mail_message_id": message.id,
                    "notification_status": "ready",
                    "notification_type": "email",
                    "res_partner_id": pid,
                }
                for mail, (message, recipient_ids) in zip(
                    mails, notif_recipients, strict=True
                )
                for pid in recipient_ids
            ]
        )
        cron = self.env.ref(
            "mail.ir_cron_mail_scheduler_action", raise_if_not_found=False
        )
        if cron:
            cron.sudo()._trigger()

    def _get_mail_ancestors(self, messages):
        """{message id: earlier messages of its month e-mails refer to}: the
        same messages as mail.thread's per-message search (the last 32 with
        a subtype and a Message-Id), in one query."""
        found = (
            self.env["mail.message"]
            .sudo()
            .search(
                [
                    ("model", "=", self._name),
                    ("res_id", "in", list(set(messages.mapped("res_id")))),
                    ("id", "not in", messages.ids),
                    ("subtype_id", "!=", False),
                    ("message_id", "!=", False),
                ],
                order="id DESC",
            )
        )
        by_res_id = defaultdict(list)
        for message in found:
            by_res_id[message.res_id].append(message)
        outgoing_types = ("comment", "auto_comment", "email", "email_outgoing")
        result = {}
        for message in messages:
            # Messages of the same batch posted on the month before this one
            # count as in mail.thread, where they exist already.
            earlier = [
                other
                for other in messages
                if other.res_id == message.res_id and other.id < message.id
            ]
            candidates = (
                sorted(earlier, key=lambda m: -m.id) + by_res_id[message.res_id]
            )
            history = sorted(
                candidates[:32],
                key=lambda m: (
                    not m.is_internal and not m.subtype_id.internal,
                    m.message_type in outgoing_types,
                    m.message_type != "user_notification",
                ),
                reverse=True,
            )
            result[message.id] = sorted(history[:3], key=lambda m: m.id)
        return result

    def _get_mail_base_values(self, message, ancestors, auto_delete=True):
        """mail.thread._notify_by_email_get_base_mail_values with the
        ancestors found for the batch (see _get_mail_ancestors)."""
        subject = message.subject or self.display_name or message.record_name
        if subject:
            subject = " ".join(subject.splitlines())
        message_sudo = message.sudo()
        values = {
            "mail_message_id": message.id,
            "references": " ".join(m.message_id for m in [*ancestors, message_sudo]),
            "auto_delete": auto_delete,
        }
        if subject != message.subject:
            values["subject"] = subject
        headers = {}
        if message_sudo.record_alias_domain_id.bounce_email:
            headers["Return-Path"] = message_sudo.record_alias_domain_id.bounce_email
        headers = self._notify_by_email_get_headers(headers=headers)
        if headers:
            values["headers"] = repr(headers)
        return values

    def _get_my_months(self):
        """The months the logged-in user works on, one per mission of his
        employees: the previous month while it has time logged and is not
        submitted yet (draft or contested), else the current month, created
        as a draft when missing."""
        employees = self.env.user.employee_ids
        if not employees:
            return self.browse()
        today = fields.Date.context_today(self)
        current = today.replace(day=1)
        previous = current - relativedelta(months=1)
        # Missions and months are read for the consultant's own employees.
        missions = (
            self.env["regie.mission"]
            .sudo()
            .search(
                [
                    ("employee_id", "in", employees.ids),
                    ("state", "!=", "cancelled"),
                    # A purchase mission backing a sale one has no month
                    # of its own to fill.
                    ("sale_mission_ids", "=", False),
                    ("date_start", "<=", current + relativedelta(day=31)),
                    "|",
                    ("date_end", "=", False),
                    ("date_end", ">=", previous),
                ]
            )
        )
        previous_months = {
            period.mission_id: period
            for period in self.sudo().search(
                [("mission_id", "in", missions.ids), ("date_from", "=", previous)]
            )
        }
        keys, picked = set(), []
        for mission in missions:
            period = previous_months.get(mission)
            if period and period.state in ("draft", "contested") and period.line_count:
                picked.append(period.id)
            elif mission.state != "done" and (
                not mission.date_end or mission.date_end >= current
            ):
                keys.add((mission.id, current))
        picked += [period.id for period in self._get_or_create_periods(keys).values()]
        return self.search([("id", "in", picked)])

    def _get_no_month_message(self):
        if not self.env.user.employee_ids:
            return self.env._(
                "Your user is not linked to an employee: ask your HR officer to "
                "link it, then your régie months appear here."
            )
        return self.env._(
            "No régie mission of yours covers this month. Here are your months."
        )

    def _get_working_days(self):
        """{period id: working days of its consultant in the month}: the
        employee's working schedule without public holidays and time off, or
        the weekdays without time off when he has no schedule."""
        result = {}
        for period in self.sudo():
            employee = period.employee_id
            if not (employee and period.date_from):
                result[period.id] = 0.0
                continue
            calendar = employee.resource_calendar_id
            if calendar:
                tz = pytz.timezone(employee.tz or calendar.tz or "UTC")
                start = tz.localize(datetime.combine(period.date_from, time.min))
                stop = tz.localize(datetime.combine(period.date_to, time.max))
                result[period.id] = employee._get_work_days_data_batch(
                    start, stop, calendar=calendar
                )[employee.id]["days"]
            else:
                result[period.id] = max(
                    self._count_weekdays(period.date_from, period.date_to)
                    - period.absence_days,
                    0.0,
                )
        return result

    def _get_submit_warnings(self):
        """{period id: [what looks early or incomplete in the month]}."""
        today = fields.Date.context_today(self)
        working_days = self._get_working_days()
        calendar_warnings = self._get_calendar_warnings()
        warnings = {}
        for period in self:
            messages = []
            if period.date_to and period.date_to >= today:
                messages.append(
                    self.env._(
                        "the month is not over (it ends on %(date)s)",
                        date=format_date(self.env, period.date_to),
                    )
                )
            expected = working_days.get(period.id, 0.0)
            if float_compare(period.total_days, expected, precision_digits=2) < 0:
                messages.append(
                    self.env._(
                        "%(logged)s days logged for %(expected)s working days",
                        logged=formatLang(self.env, period.total_days, digits=2),
                        expected=formatLang(self.env, expected, digits=2),
                    )
                )
            messages += calendar_warnings[period.id]
            warnings[period.id] = messages
        return warnings

    def _get_calendar_warnings(self):
        """{period id: [messages]} about the days of the months against the
        consultant's working calendar: time logged on a public holiday, a day
        off of his schedule (the weekend) or a day of approved time off
        without an exceptional activity type; days above the contract's hours
        per day by more than its tolerance; working days without time logged
        so far."""
        today = fields.Date.context_today(self)
        holidays = self._get_public_holidays()
        lines_by_period = self.sudo().timesheet_ids.grouped("regie_period_id")
        result = {}
        for period in self:
            result[period.id] = messages = []
            if not (period.date_from and period.date_to):
                continue
            contract = period.sudo().contract_id
            lines = lines_by_period.get(
                period.sudo(), self.env["account.analytic.line"]
            )
            hours_by_day = defaultdict(float)
            plain_days = set()
            for line in lines:
                hours_by_day[line.date] += line.unit_amount
                if line.unit_amount > 0 and not line.regie_activity_type_id:
                    plain_days.add(line.date)
            holiday_days = {date.fromisoformat(day) for day in holidays[period.id]}
            absent_days = {
                date.fromisoformat(day) for day in period.absence_dates or []
            }
            workdays = period._get_workdays()
            off_days = {
                day for day in plain_days if day.weekday() not in workdays
            } - holiday_days
            for days, message in (
                (
                    plain_days & holiday_days,
                    self.env._(
                        "time logged on public holidays without an exceptional "
                        "activity type: %(dates)s"
                    ),
                ),
                (
                    off_days,
                    self.env._(
                        "time logged on days off of the working schedule (weekends) "
                        "without an exceptional activity type: %(dates)s"
                    ),
                ),
                (
                    (plain_days & absent_days) - holiday_days,
                    self.env._(
                        "time logged on days of approved time off without an "
                        "exceptional activity type: %(dates)s"
                    ),
                ),
            ):
                if days:
                    messages.append(message % {"dates": self._format_dates(days)})
            limit = contract.hours_per_day + (contract.hours_per_day_margin or 0.0)
            long_days = {
                day
                for day, hours in hours_by_day.items()
                if float_compare(hours, limit, precision_digits=2) > 0
            }
            if long_days:
                messages.append(
                    self.env._(
                        "more than %(hours)s hours logged on %(dates)s (the contract "
                        "counts %(per_day)s hours a day)",
                        hours=formatLang(self.env, limit, digits=2),
                        dates=self._format_dates(long_days),
                        per_day=formatLang(self.env, contract.hours_per_day, digits=2),
                    )
                )
            missing = []
            day = period.date_from
            while day <= min(period.date_to, today - timedelta(days=1)):
                if (
                    day.weekday() in workdays
                    and day not in hours_by_day
                    and day not in holiday_days
                    and day not in absent_days
                ):
                    missing.append(day)
                day += timedelta(days=1)
            if missing:
                messages.append(
                    self.env._(
                        "no time logged on %(count)s working days: %(dates)s",
                        count=len(missing),
                        dates=self._format_dates(missing),
                    )
                )
        return result

    def _format_dates(self, days, limit=10):
        """The days in the user's date format, the first ``limit`` of them."""
        days = sorted(days)
        text = ", ".join(format_date(self.env, day) for day in days[:limit])
        return f"{text}, …" if len(days) > limit else text

    def _action_open_submit_wizard(self):
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Submit the month"),
            "res_model": "regie.timesheet.period.submit",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {"default_period_ids": self.ids},
        }

    def _enqueue_close_batch(self, operation, **vals):
        """From a months list (context key ``regie_close_batch``, set by its
        buttons), queue a selection larger than the threshold as a background
        batch and return the notification to show. Return None when the
        action is to run now: small selections, calls from code."""
        if not self.env.context.get("regie_close_batch"):
            return None
        batches = self.env["regie.close.batch"]
        if not batches._is_large(len(self)):
            return None
        self._check_close_batch_access(operation)
        return batches._enqueue(operation, self, **vals)._get_queued_action()

    def _check_close_batch_access(self, operation):
        """Hook: refuse at once to queue months the user may not act on (the
        batch checks each month again with his rights)."""
        self.check_access("write")

    def _subscribe_consultants(self):
        """Each consultant follows his own months: one search and one insert
        for the batch, whoever creates them."""
        periods = self.sudo().filtered(lambda period: period.user_id.partner_id)
        if not periods:
            return
        followers = self.env["mail.followers"].sudo()
        existing = {
            (follower.res_id, follower.partner_id.id)
            for follower in followers.search(
                [("res_model", "=", self._name), ("res_id", "in", periods.ids)]
            )
        }
        subtypes = self.env["mail.message.subtype"].default_subtypes(self._name)[0]
        followers.create(
            [
                {
                    "res_model": self._name,
                    "res_id": period.id,
                    "partner_id": period.user_id.partner_id.id,
                    "subtype_ids": [Command.set(subtypes.ids)],
                }
                for period in periods
                if (period.id, period.user_id.partner_id.id) not in existing
            ]
        )

    def _notify_consultants(self, event, note=False):
        """Tell the consultant of each month, by an activity assigned to his
        user, that it was ``event`` (contested, reopened or validated); the
        activity of the previous step goes. Written in his language."""
        periods = self.sudo().filtered("user_id")
        periods.activity_unlink([MONTH_ACTIVITY])
        activity_type = self.env.ref(MONTH_ACTIVITY, raise_if_not_found=False)
        if not (periods and activity_type):
            return
        today = fields.Date.context_today(self)
        model_id = self.env["ir.model"]._get_id(self._name)
        self._create_activities(
            [
                {
                    "res_model_id": model_id,
                    "res_id": period.id,
                    "activity_type_id": activity_type.id,
                    "summary": period.with_context(
                        lang=period.user_id.lang
                    )._get_consultant_summary(event),
                    "note": note,
                    "user_id": period.user_id.id,
                    "date_deadline": today,
                    "automated": True,
                }
                for period in periods
            ]
        )

    def _get_consultant_summary(self, event):
        self.ensure_one()
        month = self.month_label
        if event == "contested":
            return self.env._("Your month %(month)s is contested", month=month)
        if event == "reopened":
            return self.env._(
                "Your month %(month)s is re-opened: correct it and submit it again",
                month=month,
            )
        return self.env._("Your month %(month)s is validated", month=month)

    def _get_reopen_hint(self):
        """Who can re-open the month, for the errors of its locked lines."""
        self.ensure_one()
        period = self.sudo()
        contract = period.contract_id
        people = contract.user_id | contract.project_lead_ids
        if period.state in ("draft", "submitted", "contested"):
            if not people:
                return self.env._("Ask a régie manager to re-open it.")
            return self.env._(
                "Ask %(people)s (account manager or project lead of %(contract)s) "
                "or a régie manager to re-open it.",
                people=", ".join(people.mapped("name")),
                contract=contract.display_name,
            )
        managers = people.filtered(
            lambda user: user.has_group("regie_staffing.group_manager")
        )
        if not managers:
            return self.env._("Only a régie manager can re-open it.")
        return self.env._(
            "Only a régie manager can re-open it: ask %(people)s.",
            people=", ".join(managers.mapped("name")),
        )

    def _keep_signed_reports(self):
        """Render the CRA of the validated months that have none yet and keep
        it as attachment, when the report exists (one rendering for the batch;
        a report already kept is never rendered again).

        A failed rendering never undoes the validation: the months stay
        validated and frozen, say that their report is pending, and the
        scheduled action renders it again later. When the batch fails, each
        month is tried alone, so that one month does not hold the others."""
        report = self.env.ref(REPORT_XMLID, raise_if_not_found=False)
        kept = self.filtered("report_attachment_id")
        kept.filtered("report_pending").write({"report_pending": False})
        periods = self - kept
        if not report or not periods:
            return
        if not self.env.registry.ready:
            # Months validated by data files while modules load: no server
            # answers yet for the report's styles; the scheduled action renders
            # them once one does.
            periods._mark_reports_pending(delay=timedelta())
            return
        self.env.flush_all()
        # One fetch of all the lines for the batch: the template reads them
        # month by month, which would fetch them month by month.
        lines = periods.timesheet_ids
        lines.fetch(
            [name for name, field in lines._fields.items() if field.prefetch is True]
        )
        lines.regie_activity_type_id.mapped("name")
        rendered = periods._render_and_store_reports(report)
        if rendered is None and len(periods) > 1:
            rendered = set()
            for period in periods:
                rendered |= period._render_and_store_reports(report) or set()
        periods.filtered(
            lambda period: period.id not in (rendered or ())
        )._mark_reports_pending()

    def _render_and_store_reports(self, report):
        """Render and keep the reports of the months in a savepoint; return
        the ids rendered, None when the rendering failed."""
        try:
            with self.env.cr.savepoint():
                contents = self._render_reports(report)
                self._store_signed_reports(contents)
        except Exception:  # noqa: BLE001 - the month stays validated, pending
            _logger.warning(
                "The signed activity reports of %s could not be rendered; "
                "they will be rendered again by the scheduled action.",
                self,
                exc_info=True,
            )
            return None
        return set(contents)

    def _get_signed_report(self):
        """The signed report of the month, rendered now when it is still
        pending (a client downloads it right after validating online). A
        back-to-back purchase month's is its sale month's, signed by the
        client."""
        self.ensure_one()
        period = self.sudo()
        if period.sale_period_id:
            return period.sale_period_id._get_signed_report()
        if period.report_pending and not period.report_attachment_id:
            period._period_workflow()._keep_signed_reports()
        return period.report_attachment_id

    def _mark_reports_pending(self, delay=timedelta(minutes=10)):
        """Say that the signed report of the months is to be rendered, and
        wake the scheduled action that renders it up after ``delay``."""
        if not self or not self.env.ref(REPORT_XMLID, raise_if_not_found=False):
            return
        self.write({"report_pending": True})
        cron = self.env.ref(
            "regie_staffing.regie_timesheet_period_cron_render_reports",
            raise_if_not_found=False,
        )
        if cron:
            cron.sudo()._trigger(fields.Datetime.now() + delay)

    def _store_signed_reports(self, contents):
        attachments = (
            self.env["ir.attachment"]
            .sudo()
            .create(
                [
                    {
                        "name": f"{period._get_report_base_filename()}.{ext}",
                        "raw": raw,
                        "mimetype": mimetype,
                        "res_model": self._name,
                        "res_id": period.id,
                        "type": "binary",
                    }
                    for period in self
                    if period.id in contents
                    for raw, ext, mimetype in [contents[period.id]]
                ]
            )
        )
        by_period = {attachment.res_id: attachment for attachment in attachments}
        for period in self:
            if period.id in by_period:
                period.write(
                    {
                        "report_attachment_id": by_period[period.id].id,
                        "report_pending": False,
                    }
                )

    @api.model
    def _cron_render_pending_reports(self, batch_size=None):
        """Render the signed reports of the validated months, a batch per
        call: RENDER_BATCH months in one wkhtmltopdf run (as one document cut
        again by month on builds that render one document per run), or a few
        months one by one where that cutting failed. The scheduler
        commits each batch and calls again while the previous one made
        progress."""
        domain = [
            ("report_pending", "=", True),
            ("state", "not in", ("draft", "submitted", "contested")),
        ]
        remaining = self.search_count(domain)
        if not remaining:
            return True
        if not batch_size:
            batch_size = RENDER_BATCH
            if (
                not self._is_html_report_mode()
                and ir_actions_report._get_wkhtmltopdf_bin() in _PDF_ENGINE_SPLIT_FAILED
            ):
                batch_size = RENDER_BATCH_ONE_BY_ONE
        # A month whose rendering failed is marked pending again (written
        # later): the others go first.
        periods = self.search(domain, limit=batch_size, order="write_date, id")
        periods.sudo()._period_workflow()._keep_signed_reports()
        done = len(periods.filtered(lambda period: not period.report_pending))
        self.env["ir.cron"]._notify_progress(done=done, remaining=remaining - done)
        return True

    def _render_reports(self, report):
        """Return {period id: (content, extension, mimetype)}.

        Some builds of wkhtmltopdf (Debian's, with an unpatched Qt) render one
        document per run only: several documents give an empty file. That is
        detected once per process, and the months are then rendered one by
        one."""
        # The validator may not read every line of the month; the report shows
        # the month they are entitled to validate.
        report_model = self.env["ir.actions.report"].sudo()
        ids = self.ids
        test_mode = tools.config["test_enable"] or tools.config["test_file"]
        if self._is_html_report_mode():
            if not test_mode:
                _logger.warning("wkhtmltopdf missing: the signed CRA is not kept.")
                return {}
            html = report_model._render_qweb_html(report.id, ids)[0]
            bodies = self._split_report_html(html)
            if set(bodies) == set(ids):
                return {
                    res_id: (body, "html", "text/html")
                    for res_id, body in bodies.items()
                }
            return {
                res_id: (
                    report_model._render_qweb_html(report.id, [res_id])[0],
                    "html",
                    "text/html",
                )
                for res_id in ids
            }
        batches = [ids]
        if len(ids) > 1 and not self._pdf_engine_renders_several(report_model):
            result = None
            if ir_actions_report._get_wkhtmltopdf_bin() not in _PDF_ENGINE_SPLIT_FAILED:
                result = self._render_reports_as_one_document(report_model, report)
            if result is not None:
                return result
            batches = [[res_id] for res_id in ids]
        result = {}
        for batch in batches:
            streams = report_model.with_context(
                report_pdf_no_attachment=True
            )._render_qweb_pdf_prepare_streams(report.id, {}, res_ids=batch)
            for res_id in batch:
                stream = streams.get(res_id, {}).get("stream")
                content = stream.getvalue() if stream else b""
                if not content:
                    content = report_model._render_qweb_pdf(report.id, [res_id])[0]
                if not content:
                    raise UserError(
                        self.env._(
                            "The PDF engine returned an empty document for %(month)s.",
                            month=self.browse(res_id).display_name,
                        )
                    )
                result[res_id] = (content, "pdf", "application/pdf")
        return result

    def _render_reports_as_one_document(self, report_model, report):
        """Render the frozen months' reports in one wkhtmltopdf run on a build
        that renders one document per run: the months' bodies go into one
        document, a page break before each, and the PDF is cut again after
        the last page that links to each month online (its lines
        fingerprint, the last block of its report). Return {period id:
        (content, "pdf", mimetype)}, or None when the months cannot be told
        apart (they are then rendered one by one)."""
        if not all(self.mapped("lines_hash")):
            return None
        data = {"report_type": "pdf", "debug": False}
        report_model = report_model.with_context(debug=False)
        html = report_model._render_qweb_html(report.id, self.ids, data=data)[0]
        bodies, html_ids, header, footer, paperformat_args = report_model._prepare_html(
            html, report_model=self._name
        )
        if html_ids != self.ids:
            return None
        result = {}
        for group in self._group_report_bodies(bodies):
            content = report_model._run_wkhtmltopdf(
                [self._merge_report_bodies([body for _res_id, body in group])],
                report_ref=report.id,
                header=header,
                footer=footer,
                landscape=self.env.context.get("landscape"),
                specific_paperformat_args=paperformat_args,
                set_viewport_size=self.env.context.get("set_viewport_size"),
            )
            periods = self.browse([res_id for res_id, _body in group])
            parts = self._split_report_pdf(
                content,
                [period.get_base_url() + period.access_url for period in periods],
            )
            if parts is None:
                _PDF_ENGINE_SPLIT_FAILED.add(ir_actions_report._get_wkhtmltopdf_bin())
                _logger.warning(
                    "The reports of %s rendered as one document could not be "
                    "told apart: rendered one by one.",
                    periods,
                )
                return None
            result.update(
                (period.id, (part, "pdf", "application/pdf"))
                for period, part in zip(periods, parts, strict=True)
            )
        return result

    def _group_report_bodies(self, bodies):
        """[[(period id, body)]]: the consecutive bodies that share their page
        (document head, language, direction) go into one document."""
        groups, key = [], None
        for res_id, body in zip(self.ids, bodies, strict=True):
            root = lxml.html.fromstring(body)
            head = root.find("head")
            body_key = (
                tuple(sorted(root.attrib.items())),
                tuple(sorted(root.find("body").attrib.items())),
                lxml.html.tostring(head) if head is not None else b"",
            )
            if not groups or body_key != key:
                groups.append([])
                key = body_key
            groups[-1].append((res_id, body))
        return groups

    @api.model
    def _merge_report_bodies(self, bodies):
        """One HTML document of ``bodies`` (sharing their head): each body's
        content after a page break."""
        root = lxml.html.fromstring(bodies[0])
        merged = root.find("body")
        for body in bodies[1:]:
            # The top margin a body gives its first page, kept after the break.
            page = lxml.html.Element(
                "div", style="page-break-before: always; margin-top: inherit;"
            )
            page.extend(lxml.html.fromstring(body).find("body"))
            merged.append(page)
        return lxml.html.tostring(root, encoding="unicode", doctype="<!DOCTYPE html>")

    @api.model
    def _split_report_pdf(self, content, links):
        """Cut ``content`` into a PDF per link of ``links``, each ending with
        the last page that holds that link (read from the pages' link
        annotations, not their text: the report's fonts may be drawn as
        shapes). None when a link is missing, comes out of order, or pages
        are left after the last one."""
        if not content:
            return None
        reader = PdfFileReader(io.BytesIO(content))
        order = {link: index for index, link in enumerate(links)}
        last_pages = {}
        for number, page in enumerate(reader.pages):
            annotations = page.get("/Annots")
            for annotation in annotations.get_object() if annotations else ():
                action = annotation.get_object().get("/A") or {}
                index = order.get(action.get("/URI"))
                if index is None:
                    continue
                if any(seen > index for seen in last_pages):
                    return None
                last_pages[index] = number
        ends = [last_pages.get(index) for index in range(len(links))]
        if None in ends or ends != sorted(ends) or ends[-1] != len(reader.pages) - 1:
            return None
        parts, start = [], 0
        for end in ends:
            if end < start:
                return None
            writer = PdfFileWriter()
            for number in range(start, end + 1):
                writer.add_page(reader.pages[number])
            stream = io.BytesIO()
            writer.write(stream)
            parts.append(stream.getvalue())
            start = end + 1
        return parts

    @api.model
    def _is_html_report_mode(self):
        """Reports are kept as HTML in tests (unless ``force_report_rendering``)
        and not kept when wkhtmltopdf is missing."""
        test_mode = tools.config["test_enable"] or tools.config["test_file"]
        return bool(
            test_mode and not self.env.context.get("force_report_rendering")
        ) or (self.env["ir.actions.report"].sudo().get_wkhtmltopdf_state() == "install")

    @api.model
    def _pdf_engine_renders_several(self, report_model):
        """Whether wkhtmltopdf renders several documents in one run here:
        asked once per process and binary, with two one-line documents."""
        binary = ir_actions_report._get_wkhtmltopdf_bin()
        if binary not in _PDF_ENGINE_RENDERS_SEVERAL:
            body = (
                "<!DOCTYPE html><html><head><meta charset='utf-8'/></head>"
                "<body><p>%s</p></body></html>"
            )
            try:
                content = report_model._run_wkhtmltopdf([body % 1, body % 2])
                several = (
                    bool(content) and len(PdfFileReader(io.BytesIO(content)).pages) == 2
                )
            except Exception:  # noqa: BLE001 - any failure means "one by one"
                several = False
            _logger.info(
                "wkhtmltopdf %s renders %s",
                binary,
                "several documents per run" if several else "one document per run",
            )
            _PDF_ENGINE_RENDERS_SEVERAL[binary] = several
        return _PDF_ENGINE_RENDERS_SEVERAL[binary]

    def _split_report_html(self, html):
        """Return {period id: its article} from the HTML of a batch, as
        ``_prepare_html`` splits it for wkhtmltopdf, without re-rendering a
        layout per month."""
        root = lxml.html.fromstring(html)
        return {
            int(node.get("data-oe-id")): lxml.html.tostring(node)
            for node in root.xpath(
                "//div[contains(concat(' ', normalize-space(@class), ' '), "
                "' article ')][@data-oe-model=$model][@data-oe-id]",
                model=self._name,
            )
        }

    def _get_report_base_filename(self):
        self.ensure_one()
        return self.env._(
            "Activity report %(name)s", name=(self.name or "").replace("/", "-")
        )

    def _check_state(self, state, action_label):
        self._check_not_back_to_back()
        for period in self:
            if period.state != state:
                raise UserError(
                    self.env._(
                        "The month %(month)s cannot be %(action)s: it is "
                        "%(state)s, not submitted.",
                        month=period.name,
                        action=action_label,
                        state=period._get_state_label(),
                    )
                )

    def _check_can_validate(self):
        """Validators: a project lead or the account manager of the contract, or
        a régie manager; never the month's own consultant, whatever their group.
        Superuser calls (portal controller, crons) checked their caller already.
        """
        user = self.env.user
        is_manager = user.has_group("regie_staffing.group_manager")
        if not self.env.su:
            self.check_access("write")
        for period in self:
            if period._is_own_month(user):
                raise UserError(
                    self.env._(
                        "You cannot validate or contest your own month (%(month)s).",
                        month=period.name,
                    )
                )
            if not (self.env.su or is_manager or period._is_contract_lead(user)):
                raise AccessError(
                    self.env._(
                        "Only a project lead of contract %(contract)s or a régie "
                        "manager can validate or contest %(month)s.",
                        contract=period.contract_id.name,
                        month=period.name,
                    )
                )

    def _check_portal_partner(self, partner):
        for period in self:
            consultant_partners = (
                period.user_id.partner_id | period.employee_id.work_contact_id
            )
            commercial = period.contract_id.partner_id.commercial_partner_id
            allowed = partner and (
                partner == period.validator_partner_id
                or (
                    period.direction == "sale"
                    and partner.commercial_partner_id == commercial
                )
            )
            if not allowed or partner in consultant_partners:
                raise AccessError(
                    self.env._(
                        "You are not allowed to validate or contest the month "
                        "%(month)s.",
                        month=period.name,
                    )
                )

    def _is_own_month(self, user):
        self.ensure_one()
        return bool(
            (self.user_id and self.user_id == user)
            or (self.employee_id and self.employee_id in user.sudo().employee_ids)
        )

    def _is_contract_lead(self, user):
        self.ensure_one()
        contract = self.contract_id
        return user in (contract.user_id | contract.project_lead_ids)

    def _lock_for_update(self):
        """Lock the rows so that two validators cannot act on the same month at
        once; the second one sees the new state."""
        if not self:
            return
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "SELECT id FROM %s WHERE id IN %s FOR UPDATE",
                SQL.identifier(self._table),
                tuple(self.ids),
            )
        )
        self.invalidate_recordset(["state"])

    def _get_state_label(self):
        self.ensure_one()
        return dict(self._fields["state"]._description_selection(self.env)).get(
            self.state, self.state
        )

    def _check_free_fields(self, vals, allowed=(), creating=False):
        free = set(allowed) | self._get_free_fields()
        forbidden = [name for name in vals if name not in free]
        if creating and vals.get("state", "draft") == "draft":
            forbidden = [name for name in forbidden if name != "state"]
        if forbidden:
            raise UserError(
                self.env._(
                    "%(fields)s of a monthly activity report can only be set by its "
                    "action buttons (or their public methods), not written directly.",
                    fields=", ".join(
                        self._fields[name]._description_string(self.env)
                        if name in self._fields
                        else name
                        for name in forbidden
                    ),
                )
            )

    def _get_free_fields(self):
        """Hook: fields any user with write access may write directly. All the
        others (states, who/when, signature, hash, links) are workflow fields."""
        return {
            name
            for name in self._fields
            if name.startswith(("message_", "activity_"))
            or name == "website_message_ids"
        }

    def _period_workflow(self):
        return self.with_context(regie_period_workflow=WORKFLOW)

    def _is_period_workflow(self):
        """The key is honoured only when it is the in-process marker, which no
        RPC payload can carry (a plain value is refused, even in sudo)."""
        key = self.env.context.get("regie_period_workflow")
        return key is WORKFLOW or is_workflow(self.env)

    @api.model
    def _parse_month(self, date):
        try:
            day = fields.Date.to_date(date)
        except (TypeError, ValueError):
            day = None
        if not day:
            raise UserError(
                self.env._(
                    "%(date)s is not a valid date (expected YYYY-MM-DD).", date=date
                )
            )
        return day.replace(day=1)

    @api.model
    def _round_days(self, days, rule):
        if rule == "half_day":
            return float_round(days * 2, precision_digits=0) / 2
        if rule == "half_day_up":
            return float_round(days * 2, precision_digits=0, rounding_method="UP") / 2
        if rule == "day":
            return float_round(days, precision_digits=0)
        return days

    @api.model
    def _get_leave_days_in(self, leave, date_from, date_to):
        start = max(leave.request_date_from, date_from)
        end = min(leave.request_date_to, date_to)
        if start > end:
            return 0.0
        leave_days = self._count_weekdays(
            leave.request_date_from, leave.request_date_to
        )
        if not leave_days:
            return 0.0
        return leave.number_of_days * self._count_weekdays(start, end) / leave_days

    @api.model
    def _count_weekdays(self, start, end):
        return sum(
            1
            for offset in range((end - start).days + 1)
            if (start + timedelta(days=offset)).weekday() < 5
        )

    def _get_or_create_periods(self, keys):
        """Return {(mission_id, date_from): period} for ``keys``, creating the
        missing periods in one batch. ``date_from`` is the first day of a month.
        """
        keys = set(keys)
        if not keys:
            return {}
        # Timesheet users may not read or create months: linking is technical.
        periods = self.sudo().search(
            [
                ("mission_id", "in", list({mission for mission, _d in keys})),
                ("date_from", "in", list({date for _m, date in keys})),
            ]
        )
        found = {(p.mission_id.id, p.date_from): p for p in periods}
        missing = [key for key in keys if key not in found]
        if missing:
            created = self.sudo().create(
                [
                    {"mission_id": mission, "date_from": date}
                    for mission, date in missing
                ]
            )
            found.update({(p.mission_id.id, p.date_from): p for p in created})
        return {key: found[key] for key in keys}

    # ------------------------------------------------------------------
    # Back-to-back subcontracting
    # ------------------------------------------------------------------

    def action_view_timesheets(self):
        """Open the timesheet lines of the month: for a back-to-back purchase
        month, its sale month's lines (read only: they are logged and
        corrected on the client's side)."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "regie_staffing.regie_timesheet_period_action_timesheets"
        )
        action["domain"] = [("regie_period_id", "=", self._get_lines_source().id)]
        context = {"create": False}
        if self.sale_period_id:
            context.update({"edit": False, "delete": False})
        action["context"] = context
        return action

    def _get_day_lines(self):
        """The timesheet lines that are the month's days, by date: a
        back-to-back purchase month's are its sale month's (read as the
        month's own days by whoever may read the month)."""
        self.ensure_one()
        source = self._get_lines_source()
        lines = source.sudo().timesheet_ids if source != self else self.timesheet_ids
        return lines.sorted(lambda line: (line.date, line.id))

    def _get_lines_source(self):
        """The month whose timesheet lines are this month's days: the sale
        month of a back-to-back purchase month, else the month itself."""
        self.ensure_one()
        return self.sale_period_id or self

    def _check_not_back_to_back(self):
        """A back-to-back purchase month follows its sale month: nobody
        submits, validates, contests or reopens it on its own."""
        if self.env.context.get("regie_back_to_back_sync"):
            return
        mirrors = self.sudo().filtered("sale_period_id")
        if mirrors:
            raise UserError(
                self.env._(
                    "%(months)s follow the client's months %(sale)s (back-to-back "
                    "subcontracting): they are submitted, validated, contested and "
                    "reopened with them. Act on the sale months instead.",
                    months=mirrors._get_names_for_error(),
                    sale=mirrors.sale_period_id._get_names_for_error(),
                )
            )

    def _sync_back_to_back_periods(self):
        """Give each sale month of a mission backed by a purchase mission its
        purchase month: the purchase mission's month of the same month, linked
        when it exists (draft, without lines of its own), created otherwise,
        in the sale month's state. Returns the purchase months linked."""
        sales = self.sudo().filtered(
            lambda period: (
                period.direction == "sale"
                and period.mission_id.purchase_mission_id
                and period.mission_id.purchase_mission_id.state != "cancelled"
                and not period.purchase_period_ids
            )
        )
        if not sales:
            return self.browse()
        periods = self.sudo()._period_workflow()
        existing = {
            (period.mission_id.id, period.date_from): period
            for period in periods.search(
                [
                    ("mission_id", "in", sales.mission_id.purchase_mission_id.ids),
                    ("date_from", "in", list(set(sales.mapped("date_from")))),
                ]
            )
        }
        linked, to_create = periods.browse(), []
        for sale in sales:
            key = (sale.mission_id.purchase_mission_id.id, sale.date_from)
            purchase = existing.get(key)
            if not purchase:
                to_create.append(
                    {
                        "mission_id": key[0],
                        "date_from": key[1],
                        "sale_period_id": sale.id,
                    }
                )
            elif (
                not purchase.sale_period_id
                and purchase.state == "draft"
                and not purchase.timesheet_ids
            ):
                purchase.sale_period_id = sale
                linked |= purchase
            else:
                _logger.warning(
                    "Back-to-back: %s is not linked to %s (it has its own days, "
                    "state or sale month).",
                    purchase.name,
                    sale.name,
                )
        linked |= periods.create(to_create)
        linked._message_log_batch(
            bodies={
                purchase.id: self.env._(
                    "Back-to-back subcontracting: this month follows the "
                    "client's month %(month)s.",
                    month=purchase.sale_period_id.name,
                )
                for purchase in linked
            }
        )
        # Linked to a month already submitted or validated: the same state.
        for sale in linked.sale_period_id.filtered(lambda p: p.state != "draft"):
            vals = {
                fname: sale._fields[fname].convert_to_write(sale[fname], sale)
                for fname in BACK_TO_BACK_FIELDS
            }
            if vals["state"] not in BACK_TO_BACK_OPEN:
                vals["state"] = "validated"  # invoiced to the client
            sale._mirror_back_to_back(vals)
        return linked

    def _mirror_back_to_back(self, vals):
        """Apply a state change of sale months to their back-to-back purchase
        months: the same state, who and when. Invoicing either side does not
        move the other; reopening a sale month whose purchase month is billed
        is refused."""
        state = vals.get("state")
        if state not in ("draft", "submitted", "contested", "validated"):
            return
        mirrors = self.sudo().purchase_period_ids
        if not mirrors:
            return
        if state == "validated":
            # A sale month validated again after its invoice is cancelled:
            # the purchase side keeps its own billing.
            mirrors = mirrors.filtered(
                lambda p: p.state in ("draft", "submitted", "contested")
            )
        else:
            billed = mirrors.filtered(lambda p: p.state not in BACK_TO_BACK_OPEN)
            if billed:
                raise UserError(
                    self.env._(
                        "The purchase months %(months)s are billed by the "
                        "provider: cancel or reverse their bills before "
                        "reopening the client's months %(sale)s.",
                        months=billed._get_names_for_error(),
                        sale=billed.sale_period_id._get_names_for_error(),
                    )
                )
        if not mirrors:
            return
        mirror_vals = {
            fname: value
            for fname, value in vals.items()
            if fname in BACK_TO_BACK_FIELDS and fname != "lines_hash"
        }
        mirrors = mirrors.with_context(regie_back_to_back_sync=True)._period_workflow()
        mirrors.write(mirror_vals)
        if state == "validated":
            hashes = mirrors._get_lines_hashes()
            for mirror in mirrors:
                mirror.write(
                    {
                        "lines_hash": hashes[mirror.id],
                        "access_token": str(uuid.uuid4()),
                    }
                )
        elif state == "draft":
            mirrors.write({"lines_hash": False})

    # ------------------------------------------------------------------
    # Crons
    # ------------------------------------------------------------------

    @api.model
    def _cron_generate_periods(self):
        """Generate the months of the current month; many are created in a
        background batch, a chunk per transaction."""
        today = fields.Date.context_today(self)
        if not self._enqueue_generation(today):
            self.generate_periods(today)
        return True

    @api.model
    def _enqueue_generation(self, date):
        """Queue the generation of the month of ``date`` when it creates more
        months than the threshold; return the batch (None when small)."""
        date_from = self._parse_month(date)
        missions = self.env["regie.mission"].search(
            self._get_generation_mission_domain(date_from)
        )
        existing = self.sudo().search_fetch(
            [("mission_id", "in", missions.ids), ("date_from", "=", date_from)],
            ["mission_id"],
        )
        batches = self.env["regie.close.batch"]
        queued = batches._get_queued_ids("generate", date=date_from)
        missing = (missions - existing.mission_id).filtered(
            lambda mission: mission.id not in queued
        )
        if not batches._is_large(len(missing)):
            return None
        return batches._enqueue("generate", missing, date=date_from)

    @api.model
    def _get_generation_mission_domain(self, date_from):
        """The missions that get a month starting on ``date_from``."""
        return [
            ("state", "=", "active"),
            ("date_start", "<=", date_from + relativedelta(day=31)),
            "|",
            ("date_end", "=", False),
            ("date_end", ">=", date_from),
        ]

    @api.model
    def _cron_tacit_acceptance(self):
        now = fields.Datetime.now()
        candidates = self.search(
            [
                ("state", "=", "submitted"),
                ("contract_id.tacit_acceptance_days", ">", 0),
                ("submitted_date", "!=", False),
                ("sale_period_id", "=", False),
            ]
        )
        due = candidates.filtered(
            lambda p: (
                p.submitted_date + timedelta(days=p.contract_id.tacit_acceptance_days)
                <= now
            )
        )
        batches = self.env["regie.close.batch"]
        if batches._is_large(len(due)):
            # Many months: validated in the background, a chunk per transaction.
            queued = batches._get_queued_ids("validate", tacit_acceptance=True)
            due = due.filtered(lambda p: p.id not in queued)
            if due:
                batches._enqueue("validate", due, tacit_acceptance=True)
            return True
        if due:
            due._lock_for_update()
            due.filtered(lambda p: p.state == "submitted")._do_validate(tacit=True)
        return True

    @api.model
    def _cron_send_reminders(self):
        today = fields.Date.context_today(self)
        workflow_self = self._period_workflow()
        to_submit = self.search(
            [
                ("state", "=", "draft"),
                ("date_to", "<", today),
                ("submit_reminder_date", "=", False),
                ("user_id", "!=", False),
                ("sale_period_id", "=", False),
            ]
        )
        template = self.env.ref(
            "regie_staffing.mail_template_regie_period_submit_reminder",
            raise_if_not_found=False,
        )
        for period in to_submit:
            period.activity_schedule(
                REMINDER_ACTIVITY,
                date_deadline=today,
                summary=self.env._("Submit your monthly activity report"),
                user_id=period.user_id.id,
            )
            if template:
                period.message_post_with_source(
                    template,
                    subtype_xmlid="mail.mt_comment",
                    partner_ids=period.user_id.partner_id.ids,
                )
        workflow_self.browse(to_submit.ids).write({"submit_reminder_date": today})

        to_validate = self.search(
            [
                ("state", "=", "submitted"),
                (
                    "validation_deadline",
                    "<=",
                    today + timedelta(days=VALIDATION_REMINDER_DAYS),
                ),
                ("validation_reminder_date", "=", False),
                ("sale_period_id", "=", False),
            ]
        )
        template = self.env.ref(
            "regie_staffing.mail_template_regie_period_validation_reminder",
            raise_if_not_found=False,
        )
        for period in to_validate:
            contract = period.contract_id
            lead = (contract.project_lead_ids or contract.user_id)[:1]
            if lead and not period.activity_ids.filtered(
                lambda activity, user=lead: activity.user_id == user
            ):
                period.activity_schedule(
                    REMINDER_ACTIVITY,
                    date_deadline=max(period.validation_deadline, today),
                    summary=self.env._("Validate the monthly activity report"),
                    user_id=lead.id,
                )
            if template and period.validator_partner_id:
                period.message_post_with_source(
                    template,
                    subtype_xmlid="mail.mt_comment",
                    partner_ids=period.validator_partner_id.ids,
                )
        workflow_self.browse(to_validate.ids).write({"validation_reminder_date": today})
        return True
