import math
from collections import defaultdict

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import float_compare, format_date

# Lines named in one error message; the rest are counted.
MAX_NAMED_LINES = 5
# Hours one employee may log on one day, all lines included; the tolerance
# absorbs float sums such as 240 x 0.1 h.
MAX_DAILY_HOURS = 24.0
DAILY_HOURS_TOLERANCE = 0.001


class AccountAnalyticLine(models.Model):
    _inherit = "account.analytic.line"

    # Fields that may still be written on a line of a locked (non-draft) month:
    # technical links only (plus message_*/activity_* fields, should a module
    # make lines a mail thread). An allow-list, so that a field added later by
    # any module is locked by default.
    _regie_locked_writable_fields = frozenset(
        {
            "regie_period_id",  # only with regie_period_sync, see write()
            "timesheet_invoice_id",
            "timesheet_invoice_type",
        }
    )
    # Many2one fields whose ids are checked before create/write (an unknown id
    # would otherwise end in a raw foreign key error).
    _regie_input_many2one_fields = (
        "employee_id",
        "project_id",
        "task_id",
        "regie_mission_id",
        "regie_activity_type_id",
    )
    # Fields whose change may move a line to another mission or month.
    _regie_link_fields = frozenset(
        {"project_id", "task_id", "employee_id", "date", "regie_mission_id"}
    )

    regie_mission_id = fields.Many2one(
        "regie.mission",
        string="Régie Mission",
        compute="_compute_regie_mission_id",
        store=True,
        readonly=False,
        index="btree_not_null",
    )
    regie_contract_id = fields.Many2one(
        "regie.contract",
        string="Régie Contract",
        compute="_compute_regie_contract_id",
        store=True,
        index="btree_not_null",
    )
    regie_period_id = fields.Many2one(
        "regie.timesheet.period",
        string="Régie Month",
        readonly=True,
        index="btree_not_null",
        ondelete="restrict",
        copy=False,
    )
    # Not rounded to the UoM precision: sums of thirds of days must stay exact.
    regie_days = fields.Float(string="Days", compute="_compute_regie_days", store=True)
    regie_external_ref = fields.Char(
        string="External Reference",
        index="btree_not_null",
        copy=False,
        help="Identifier of the line in the external time-tracking tool that "
        "pushed it: pushing the same reference again returns the existing line.",
    )
    regie_activity_type_id = fields.Many2one(
        "regie.activity.type",
        string="Exceptional Activity",
        check_company=True,
        help="On-call, overtime, weekend work...: leave empty for normal work.",
    )
    regie_billable_days = fields.Float(
        string="Billable Days",
        compute="_compute_regie_billable_days",
        store=True,
    )

    _sql_constraints = [
        (
            "regie_external_ref_company_uniq",
            "UNIQUE(company_id, regie_external_ref)",
            "An external reference is unique per company.",
        ),
    ]

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------

    @api.depends("project_id", "employee_id", "date")
    def _compute_regie_mission_id(self):
        lines = self.filtered(lambda line: line.project_id and line.employee_id)
        (self - lines).regie_mission_id = False
        if not lines:
            return
        missions = self._regie_missions_by_key(
            lines.project_id.ids, lines.employee_id.ids
        )
        for line in lines:
            line.regie_mission_id = self._regie_pick_mission(
                missions, line.project_id.id, line.employee_id.id, line.date
            )

    @api.model
    def _regie_missions_by_key(self, project_ids, employee_ids):
        """{(project id, employee id): missions} in one search for a batch."""
        # Timesheet users may not read missions: matching is technical.
        missions = (
            self.env["regie.mission"]
            .sudo()
            .search(
                [
                    ("contract_id.project_id", "in", list(project_ids)),
                    ("employee_id", "in", list(employee_ids)),
                    ("state", "!=", "cancelled"),
                ],
                order="date_start, id",
            )
        )
        by_key = defaultdict(list)
        for mission in missions:
            by_key[(mission.contract_id.project_id.id, mission.employee_id.id)].append(
                mission
            )
        return by_key

    @api.model
    def _regie_pick_mission(self, missions_by_key, project_id, employee_id, day):
        """The first mission of that consultant on that project covering
        ``day``, or an empty recordset."""
        return next(
            (
                mission
                for mission in missions_by_key.get((project_id, employee_id), ())
                if self._regie_mission_covers(mission, day)
            ),
            self.env["regie.mission"],
        )

    @api.model
    def _regie_mission_covers(self, mission, day):
        return mission.date_start <= day and (
            not mission.date_end or day <= mission.date_end
        )

    @api.depends("regie_mission_id", "project_id.regie_contract_id")
    def _compute_regie_contract_id(self):
        for line in self:
            line.regie_contract_id = (
                line.regie_mission_id.contract_id or line.project_id.regie_contract_id
            )

    @api.depends("unit_amount", "regie_contract_id.hours_per_day")
    def _compute_regie_days(self):
        for line in self:
            hours_per_day = line.regie_contract_id.hours_per_day
            line.regie_days = line.unit_amount / hours_per_day if hours_per_day else 0.0

    # Deliberately not depending on the type's unit/multiplier: changing an
    # activity type applies to lines logged or edited afterwards and never
    # silently changes the days of a month already submitted or validated.
    @api.depends("regie_days", "regie_activity_type_id")
    def _compute_regie_billable_days(self):
        for line in self:
            activity = line.regie_activity_type_id
            if not activity:
                line.regie_billable_days = line.regie_days
            elif activity.unit == "flat":
                line.regie_billable_days = (
                    activity.multiplier if line.regie_contract_id else 0.0
                )
            else:
                line.regie_billable_days = line.regie_days * activity.multiplier

    @api.depends("task_id.project_id")
    def _compute_project_id(self):
        # Moving a task must not carry the lines of a locked month along.
        return super(
            AccountAnalyticLine, self.filtered(lambda line: not line._regie_is_locked())
        )._compute_project_id()

    # ------------------------------------------------------------------
    # Timesheet screens integration
    # ------------------------------------------------------------------

    def _regie_is_locked(self):
        self.ensure_one()
        # Months are technical for timesheet users; only their state is read.
        state = self.sudo().regie_period_id.state
        return bool(state) and state != "draft"

    def _is_readonly(self):
        return super()._is_readonly() or self._regie_is_locked()

    def _is_updatable_timesheet(self):
        return super()._is_updatable_timesheet() and not any(
            line._regie_is_locked() for line in self
        )

    def _check_can_write(self, values):
        # Called first thing by hr_timesheet's write(), under sudo as well.
        self._regie_check_locked(values)
        if "regie_period_id" in values and not self.env.context.get(
            "regie_period_sync"
        ):
            raise UserError(
                self.env._(
                    "The month of a timesheet line is set automatically from its "
                    "mission and date; it cannot be written."
                )
            )
        if not all(
            fname in self._regie_locked_writable_fields
            or fname.startswith(("message_", "activity_"))
            for fname in values
        ):
            # Technical links (invoicing, months) are written by whoever
            # runs the flow; everything else only by those who may log.
            self._regie_check_ownership()
        return super()._check_can_write(values)

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        # Positions (0-based) where the caller chose the mission himself.
        chosen_missions = set()
        missing = self._regie_missing_ids(vals_list)
        for position, vals in enumerate(vals_list):
            self._regie_check_input(vals, position + 1, missing)
            # Set from the mission and the date below, never by the caller.
            vals.pop("regie_period_id", None)
            if vals.get("regie_mission_id"):
                chosen_missions.add(position)
            else:
                vals.pop("regie_mission_id", None)
            if "regie_external_ref" in vals:
                vals["regie_external_ref"] = self._regie_clean_ref(
                    vals["regie_external_ref"]
                )
        # {position: existing line id} and {position: earlier position} for a
        # reference already pushed, or repeated in this batch.
        existing, repeated = self._regie_find_pushed_lines(vals_list)
        to_create = [
            position
            for position in range(len(vals_list))
            if position not in existing and position not in repeated
        ]
        self._regie_prepare_links(
            [vals_list[position] for position in to_create],
            [position + 1 for position in to_create],
        )
        new_lines = (
            super().create([vals_list[position] for position in to_create])
            if to_create
            else self.browse()
        )
        created = dict(zip(to_create, new_lines.ids, strict=True))
        positions = {line_id: position + 1 for position, line_id in created.items()}
        new_lines._regie_check_ownership()
        new_lines._regie_validate(
            positions,
            chosen=new_lines.browse(
                [created[p] for p in chosen_missions if p in created]
            ),
        )
        new_lines._regie_sync_periods(positions)
        new_lines.regie_mission_id._alert_days_beyond_budget()
        if new_lines.regie_period_id:
            # Compute the lines' pending fields now: otherwise the months'
            # totals, recomputed first at flush, flush the lines half-computed
            # and every line is updated twice (measured: +20 % on 4,000 lines).
            new_lines._recompute_recordset()
        if not existing and not repeated:
            return new_lines
        return self.browse(
            [
                existing.get(position) or created[repeated.get(position, position)]
                for position in range(len(vals_list))
            ]
        )

    @api.model
    def _regie_prepare_links(self, vals_list, positions):
        """Put the mission and the month in the values of the lines whose
        project, employee and date are given (external pushes, the timesheet
        screens), so that they are inserted linked: one mission search and
        one month lookup for the batch. The others are linked after insert by
        _regie_sync_periods()."""
        default_employee = self.env.context.get("default_employee_id")
        todo = []
        for vals, position in zip(vals_list, positions, strict=True):
            employee_id = vals.get("employee_id", default_employee)
            if (
                vals.get("project_id")
                and employee_id
                and vals.get("date")
                and "regie_mission_id" not in vals
            ):
                todo.append(
                    (vals, employee_id, fields.Date.to_date(vals["date"]), position)
                )
        if not todo:
            return
        missions = self._regie_missions_by_key(
            {vals["project_id"] for vals, _e, _d, _p in todo},
            {employee_id for _v, employee_id, _d, _p in todo},
        )
        linked = []
        for vals, employee_id, day, position in todo:
            mission = self._regie_pick_mission(
                missions, vals["project_id"], employee_id, day
            )
            # Given, the field is not computed again after insert.
            vals["regie_mission_id"] = mission.id
            if mission:
                linked.append((vals, (mission.id, day.replace(day=1)), position))
        periods = self.env["regie.timesheet.period"]._get_or_create_periods(
            {key for _vals, key, _p in linked}
        )
        locked = []
        for vals, key, position in linked:
            period = periods[key]
            vals["regie_period_id"] = period.id
            if period.state != "draft":
                locked.append(
                    self._regie_format_line(
                        position,
                        period.employee_id.name,
                        fields.Date.to_date(vals["date"]),
                        vals.get("regie_external_ref"),
                    )
                )
        if locked:
            self._regie_raise_locked_target(locked)

    def write(self, vals):
        vals = dict(vals)
        self._regie_check_input(vals)
        if "regie_external_ref" in vals:
            vals = dict(
                vals,
                regie_external_ref=self._regie_clean_ref(vals["regie_external_ref"]),
            )
        res = super().write(vals)
        if "regie_period_id" in vals:
            # Even with the context key (which RPC callers can forge), a line
            # only ever points to the month of its own mission and date.
            self._regie_check_period_consistency()
        relink = not self._regie_link_fields.isdisjoint(vals)
        if relink or "unit_amount" in vals:
            self._regie_check_ownership()
            self._regie_validate(
                chosen=self if "regie_mission_id" in vals else self.browse()
            )
        if relink:
            self._regie_sync_periods()
        if relink or "unit_amount" in vals:
            self.regie_mission_id._alert_days_beyond_budget()
        return res

    @api.ondelete(at_uninstall=False)
    def _unlink_except_regie_locked(self):
        self._regie_check_locked()
        self._regie_check_ownership()

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_regie_submit_months(self):
        """Submit, after confirmation, the months of the selected lines, or
        the logged-in consultant's month (see "My month") when none is
        selected. Only draft months are submitted."""
        periods = self.env["regie.timesheet.period"]
        if self:
            # The lines' months are technical for a timesheet user: only the
            # ones he may submit are kept (his own, or as lead or manager).
            periods = self.sudo().regie_period_id.with_env(self.env)
            periods = periods._filtered_access("write")
        else:
            periods = periods._get_my_months()
        periods = periods.filtered(lambda period: period.state == "draft")
        if not periods and self:
            raise UserError(
                self.env._(
                    "There is no draft régie month to submit in the selected "
                    "lines: their months are already submitted, or they are not "
                    "logged on a régie contract."
                )
            )
        if not periods:
            raise UserError(self.env._("You have no draft régie month to submit."))
        return periods._action_open_submit_wizard()

    # ------------------------------------------------------------------
    # External pushes
    # ------------------------------------------------------------------

    @api.model
    def _regie_clean_ref(self, ref):
        return (ref or "").strip() or False

    @api.model
    def _regie_find_pushed_lines(self, vals_list):
        """Return ``(existing, repeated)``: {position: line id} for the entries
        of ``vals_list`` whose external reference already exists in their
        company, and {position: first position} for a reference repeated in
        the batch itself."""
        refs = {
            vals["regie_external_ref"]
            for vals in vals_list
            if vals.get("regie_external_ref")
        }
        if not refs:
            return {}, {}
        # The existing line must be found whoever pushed it: narrow id lookup.
        found = {
            (line.company_id.id, line.regie_external_ref): line.id
            for line in self.sudo().search([("regie_external_ref", "in", list(refs))])
        }
        projects = (
            self.env["project.project"]
            .sudo()
            .browse(
                [vals["project_id"] for vals in vals_list if vals.get("project_id")]
            )
        )
        tasks = (
            self.env["project.task"]
            .sudo()
            .browse([vals["task_id"] for vals in vals_list if vals.get("task_id")])
        )
        existing, repeated, first = {}, {}, {}
        for position, vals in enumerate(vals_list):
            ref = vals.get("regie_external_ref")
            if not ref:
                continue
            # The company hr_timesheet's create() will give the line.
            key = (
                tasks.browse(vals.get("task_id")).company_id.id
                or projects.browse(vals.get("project_id")).company_id.id
                or vals.get("company_id")
                or self.env.company.id,
                ref,
            )
            if key in found:
                self._regie_check_same_push(
                    self.sudo().browse(found[key]), vals, position + 1
                )
                existing[position] = found[key]
            elif key in first:
                self._regie_check_repeated_push(
                    vals_list[first[key]], first[key] + 1, vals, position + 1
                )
                repeated[position] = first[key]
            else:
                first[key] = position
        return existing, repeated

    @api.model
    def _regie_push_key(self, vals):
        """(employee id, date, hours, project id) of pushed values, with the
        defaults the line would get; the employee is None when not given."""
        employee_id = vals.get("employee_id") or self.env.context.get(
            "default_employee_id"
        )
        project_id = vals.get("project_id")
        if not project_id and vals.get("task_id"):
            project_id = (
                self.env["project.task"].sudo().browse(vals["task_id"]).project_id.id
            )
        day = vals.get("date") or fields.Date.context_today(self)
        return (
            employee_id or None,
            fields.Date.to_date(day),
            float(vals.get("unit_amount") or 0.0),
            project_id or False,
        )

    @api.model
    def _regie_same_hours(self, hours, other_hours):
        digits = self._fields["unit_amount"].get_digits(self.env)
        return not float_compare(
            hours, other_hours, precision_digits=digits[1] if digits else 6
        )

    @api.model
    def _regie_check_same_push(self, existing, vals, position):
        """A reference pushed again is idempotent only for the same employee,
        date, hours and project, and only for a caller who may read the
        existing line: its id is never disclosed to anybody else."""
        employee_id, day, hours, project_id = self._regie_push_key(vals)
        same = (
            (
                existing.employee_id.id == employee_id
                if employee_id
                else existing.employee_id.user_id == self.env.user
            )
            and existing.date == day
            and self._regie_same_hours(existing.unit_amount, hours)
            and (not project_id or existing.project_id.id == project_id)
        )
        readable = existing.with_env(self.env).has_access("read")
        if same and readable:
            return
        ref = vals.get("regie_external_ref")
        if not readable:
            raise UserError(
                self.env._(
                    "The external reference %(ref)s of line %(position)s is already "
                    "used.",
                    ref=ref,
                    position=position,
                )
            )
        raise UserError(
            self.env._(
                "The external reference %(ref)s of line %(position)s is already used "
                "by %(line)s, with another employee, date or number of hours. Use a "
                "new reference, or change the existing line.",
                ref=ref,
                position=position,
                line=existing._regie_describe(),
            )
        )

    @api.model
    def _regie_check_repeated_push(self, first_vals, first_position, vals, position):
        first_key = self._regie_push_key(first_vals)
        key = self._regie_push_key(vals)
        if first_key[:2] == key[:2] and first_key[3] == key[3]:
            if self._regie_same_hours(first_key[2], key[2]):
                return
        raise UserError(
            self.env._(
                "Lines %(first)s and %(position)s are pushed with the same external "
                "reference %(ref)s but another employee, date or number of hours.",
                first=first_position,
                position=position,
                ref=vals.get("regie_external_ref"),
            )
        )

    # ------------------------------------------------------------------
    # Checks
    # ------------------------------------------------------------------

    @api.model
    def _regie_missing_ids(self, vals_list):
        """{field name: ids given in ``vals_list`` that are not ids of existing
        records} for the checked many2one fields, one query per field."""
        missing = {}
        for fname in self._regie_input_many2one_fields:
            ids = {
                value
                for vals in vals_list
                if isinstance(value := vals.get(fname), int)
                and not isinstance(value, bool)
            }
            if ids:
                comodel = self.env[self._fields[fname].comodel_name].sudo()
                missing[fname] = ids - set(comodel.browse(ids).exists().ids)
        return missing

    def _regie_check_input(self, vals, position=None, missing=None):
        """Refuse, with a message naming the field and the line, the values an
        RPC caller may send that would otherwise end in a raw Python or SQL
        error: hours that are not a finite number, impossible or empty dates,
        ids of records that do not exist. Normalizes ``vals`` in place.
        ``position`` is the 1-based position of ``vals`` in a created batch;
        without it ``self`` are the lines written."""

        def line_name():
            if position is None:
                return self._regie_describe_all()
            return self._regie_input_line_name(vals, position)

        def label(fname):
            return self._fields[fname]._description_string(self.env)

        if missing is None:
            missing = self._regie_missing_ids([vals])
        for fname in self._regie_input_many2one_fields:
            value = vals.get(fname)
            if not value:
                continue
            if (
                isinstance(value, bool)
                or not isinstance(value, int)
                or value in missing.get(fname, ())
            ):
                raise ValidationError(
                    self.env._(
                        "The %(field)s given for %(line)s does not exist (%(value)s).",
                        field=label(fname),
                        line=line_name(),
                        value=repr(value),
                    )
                )
        if "unit_amount" in vals and vals["unit_amount"] not in (None, False):
            value = vals["unit_amount"]
            try:
                if isinstance(value, (list, tuple, dict, set)):
                    raise TypeError(value)
                hours = float(value.strip() if isinstance(value, str) else value)
            except (TypeError, ValueError):
                hours = None
            if hours is None or not math.isfinite(hours):
                raise ValidationError(
                    self.env._(
                        "The %(field)s of %(line)s must be a number of hours, "
                        "not %(value)s.",
                        field=label("unit_amount"),
                        line=line_name(),
                        value=repr(value),
                    )
                )
            vals["unit_amount"] = hours
        if "date" in vals:
            value = vals["date"]
            try:
                day = fields.Date.to_date(value) if value else None
            except (TypeError, ValueError, OverflowError):
                raise ValidationError(
                    self.env._(
                        "The %(field)s of %(line)s is not a valid date: %(value)s "
                        "(expected format: YYYY-MM-DD).",
                        field=label("date"),
                        line=line_name(),
                        value=repr(value),
                    )
                ) from None
            if not day:
                raise ValidationError(
                    self.env._(
                        "The %(field)s of %(line)s is required.",
                        field=label("date"),
                        line=line_name(),
                    )
                )
            vals["date"] = day

    @api.model
    def _regie_input_line_name(self, vals, position):
        """Name a line being created from its raw values, whatever they are."""
        employee_id = vals.get("employee_id") or self.env.context.get(
            "default_employee_id"
        )
        employee = self.env["hr.employee"].sudo()
        if isinstance(employee_id, int) and not isinstance(employee_id, bool):
            employee = employee.browse(employee_id).exists()
        try:
            day = fields.Date.to_date(vals.get("date")) or None
        except (TypeError, ValueError, OverflowError):
            day = None
        ref = vals.get("regie_external_ref")
        return self._regie_format_line(
            position,
            employee.name or self.env.user.name,
            day,
            ref if isinstance(ref, str) else None,
        )

    def _regie_describe(self, positions=None):
        """Name the line in an error: its position in the pushed batch when
        known, its employee, date and external reference."""
        self.ensure_one()
        line = self.sudo()
        return self._regie_format_line(
            (positions or {}).get(self.id),
            line.employee_id.name,
            line.date,
            line.regie_external_ref,
        )

    @api.model
    def _regie_format_line(self, position, employee_name, day, ref):
        details = ", ".join(
            filter(
                None,
                [
                    employee_name,
                    day and format_date(self.env, day),
                    ref and self.env._("ref. %(ref)s", ref=ref),
                ],
            )
        )
        if position:
            return self.env._(
                "line %(position)s (%(details)s)", position=position, details=details
            )
        return self.env._("line “%(details)s”", details=details)

    def _regie_describe_all(self, positions=None):
        names = [line._regie_describe(positions) for line in self[:MAX_NAMED_LINES]]
        if len(self) > MAX_NAMED_LINES:
            names.append(
                self.env._("and %(count)s more", count=len(self) - MAX_NAMED_LINES)
            )
        return "; ".join(names)

    def _regie_lines(self):
        """The lines of ``self`` logged on a régie contract's project."""
        # Reading the project's link is technical (timesheet users may not
        # read every project); the lines themselves are not sudo'ed.
        regie_project_ids = set(
            self.sudo().project_id.filtered("regie_contract_id").ids
        )
        return self.filtered(
            lambda line: (
                line.project_id.id in regie_project_ids or line.regie_mission_id
            )
        )

    def _regie_check_ownership(self):
        """On a régie contract's project, a consultant's lines are logged,
        changed or deleted only by the consultant himself (the user of his
        employee), the contract's account manager and project leads, or a
        régie manager; whatever the timesheet or accounting rights (new users
        get the timesheet administrator group by default)."""
        # The extranet writes as the consultant, with sudo for the access
        # rights a portal user has not: who he is still counts.
        if not self or (self.env.su and not self.env.context.get("regie_extranet")):
            return
        user = self.env.user
        if user.has_group("regie_staffing.group_manager"):
            return
        lines = self._regie_lines()
        if not lines:
            return
        others = lines.filtered(
            lambda line: (
                line.sudo().employee_id.user_id != user
                and user not in line._regie_contract_leads()
            )
        )
        if others:
            line = others[0].sudo()
            contract = line.regie_contract_id or line.project_id.regie_contract_id
            raise AccessError(
                self.env._(
                    "Only the consultant %(consultant)s, the account manager and "
                    "project leads of contract %(contract)s or a régie manager can "
                    "log, change or delete this time: %(lines)s.",
                    consultant=line.employee_id.name or "-",
                    contract=contract.display_name,
                    lines=others._regie_describe_all(),
                )
            )

    def _regie_contract_leads(self):
        """The account manager and project leads of the line's contract."""
        self.ensure_one()
        line = self.sudo()
        contract = line.regie_contract_id or line.project_id.regie_contract_id
        return contract.user_id | contract.project_lead_ids

    def _regie_check_locked(self, fnames=None):
        """Refuse to write ``fnames`` on, or (``fnames`` None) to delete, a
        line of a month that is not draft, whoever asks (sudo included);
        only the allow-listed technical fields may still be written."""
        if fnames is not None and all(
            fname in self._regie_locked_writable_fields
            or fname.startswith(("message_", "activity_"))
            for fname in fnames
        ):
            return
        # Fast path, e.g. hr_timesheet writing the cost of each new line.
        periods = self.sudo().regie_period_id
        if not periods or all(state == "draft" for state in periods.mapped("state")):
            return
        locked = self.filtered(lambda line: line._regie_is_locked())
        if fnames is None:
            message = self.env._(
                "You cannot delete %(lines)s: its month is %(state)s. %(reopen)s",
                lines=locked._regie_describe_all(),
                state=locked[0]._regie_period_state_label(),
                reopen=locked[0].sudo().regie_period_id._get_reopen_hint(),
            )
        else:
            message = self.env._(
                "You cannot change %(lines)s: its month is %(state)s. %(reopen)s",
                lines=locked._regie_describe_all(),
                state=locked[0]._regie_period_state_label(),
                reopen=locked[0].sudo().regie_period_id._get_reopen_hint(),
            )
        raise UserError(message)

    def _regie_period_state_label(self):
        period = self.sudo().regie_period_id
        return dict(period._fields["state"]._description_selection(self.env)).get(
            period.state, period.state
        )

    def _regie_validate(self, positions=None, chosen=None):
        """Bad input on régie projects, checked for the whole batch at once;
        ``positions`` maps line ids to their 1-based position in a push,
        ``chosen`` are the lines whose mission was given by the caller."""
        lines = self._regie_lines()
        if not lines:
            return
        negative = lines.filtered(lambda line: line.unit_amount < 0)
        if negative:
            raise ValidationError(
                self.env._(
                    "Hours cannot be negative: %(lines)s.",
                    lines=negative._regie_describe_all(positions),
                )
            )
        end_of_month = fields.Date.context_today(self) + relativedelta(day=31)
        future = lines.filtered(lambda line: line.date > end_of_month)
        if future:
            raise ValidationError(
                self.env._(
                    "Time cannot be logged beyond the current month (%(date)s): "
                    "%(lines)s.",
                    date=format_date(self.env, end_of_month),
                    lines=future._regie_describe_all(positions),
                )
            )
        no_mission = lines.filtered(lambda line: not line.regie_mission_id)
        if no_mission:
            raise ValidationError(
                self.env._(
                    "No mission of this consultant on the contract's project covers "
                    "this date: %(lines)s. Check the mission's dates or log the "
                    "time on another project.",
                    lines=no_mission._regie_describe_all(positions),
                )
            )
        # regie_mission_id is writable: a chosen mission must match the line.
        mismatch = (lines & chosen if chosen else self.browse()).filtered(
            lambda line: (
                (mission := line.regie_mission_id.sudo()).employee_id
                != line.employee_id
                or mission.contract_id.project_id != line.project_id
                or mission.state == "cancelled"
                or not self._regie_mission_covers(mission, line.date)
            )
        )
        if mismatch:
            raise ValidationError(
                self.env._(
                    "The mission does not match the line's consultant, project "
                    "or date: %(lines)s.",
                    lines=mismatch._regie_describe_all(positions),
                )
            )
        closed = lines.filtered(
            lambda line: line.regie_mission_id.sudo().state in ("done", "cancelled")
        )
        if closed:
            raise ValidationError(
                self.env._(
                    "Time cannot be logged on a mission that is done or cancelled: "
                    "%(lines)s.",
                    lines=closed._regie_describe_all(positions),
                )
            )
        ended = lines.filtered(lambda line: self._regie_contract_ended(line))
        if ended:
            raise ValidationError(
                self.env._(
                    "Time cannot be logged after the end or termination date of the "
                    "contract: %(lines)s.",
                    lines=ended._regie_describe_all(positions),
                )
            )
        self._regie_check_daily_hours(lines, positions)

    @api.model
    def _regie_contract_ended(self, line):
        contract = line.regie_mission_id.sudo().contract_id
        return any(
            end and line.date > end
            for end in (contract.date_end, contract.termination_date)
        )

    @api.model
    def _regie_check_daily_hours(self, lines, positions=None):
        """No employee works more than 24 h a day, across all their lines
        (one grouped query for the batch)."""
        keys = {(line.employee_id.id, line.date) for line in lines}
        # Totals include lines of other projects the user may not read.
        groups = self.sudo()._read_group(
            [
                ("employee_id", "in", list({e for e, _d in keys})),
                ("date", "in", list({d for _e, d in keys})),
                ("project_id", "!=", False),
            ],
            ["employee_id", "date:day"],
            ["unit_amount:sum"],
            having=[("unit_amount:sum", ">", MAX_DAILY_HOURS + DAILY_HOURS_TOLERANCE)],
        )
        excess = {
            (employee.id, fields.Date.to_date(day)) for employee, day, _hours in groups
        } & keys
        if excess:
            offending = lines.filtered(
                lambda line: (line.employee_id.id, line.date) in excess
            )
            raise ValidationError(
                self.env._(
                    "One employee cannot log more than 24 hours on one day (all "
                    "their timesheets included): %(lines)s.",
                    lines=offending._regie_describe_all(positions),
                )
            )

    # ------------------------------------------------------------------
    # Months
    # ------------------------------------------------------------------

    def _regie_sync_periods(self, positions=None):
        """Link each line to the month of its mission (created on the fly, in
        one batch) and refuse a line in a month that is not draft."""
        expected = {}
        for line in self:
            if line.regie_mission_id and line.date:
                expected[line.id] = (line.regie_mission_id.id, line.date.replace(day=1))
        periods = self.env["regie.timesheet.period"]._get_or_create_periods(
            set(expected.values())
        )
        to_link = defaultdict(list)
        locked = self.browse()
        for line in self:
            key = expected.get(line.id)
            period_id = periods[key].id if key else False
            if period_id and periods[key].state != "draft":
                locked |= line
            if period_id != line.regie_period_id.id:
                to_link[period_id].append(line.id)
        if locked:
            self._regie_raise_locked_target(
                [line._regie_describe(positions) for line in locked]
            )
        for period_id, line_ids in to_link.items():
            # Technical link, whoever logged the line (see _check_can_write).
            self.browse(line_ids).sudo().with_context(regie_period_sync=True).write(
                {"regie_period_id": period_id}
            )

    @api.model
    def _regie_raise_locked_target(self, names):
        if len(names) > MAX_NAMED_LINES:
            count = len(names) - MAX_NAMED_LINES
            names = names[:MAX_NAMED_LINES]
            names.append(self.env._("and %(count)s more", count=count))
        raise UserError(
            self.env._(
                "You cannot add or move %(lines)s to a month that is already "
                "submitted or validated. The month must be reset to draft first.",
                lines="; ".join(names),
            )
        )

    def _regie_check_period_consistency(self):
        wrong = self.filtered(
            lambda line: (
                line.regie_period_id
                and (
                    line.regie_period_id.sudo().mission_id != line.regie_mission_id
                    or line.regie_period_id.sudo().date_from != line.date.replace(day=1)
                )
                or (line.regie_mission_id and not line.regie_period_id)
            )
        )
        if wrong:
            raise UserError(
                self.env._(
                    "A timesheet line belongs to the month of its own mission and "
                    "date: %(lines)s.",
                    lines=wrong._regie_describe_all(),
                )
            )

    @api.model
    def _regie_link_orphan_lines(self, projects):
        """Link the lines of ``projects`` not yet tied to a mission, after a
        mission was created or a project linked to a contract later than them."""
        # Lines of every consultant of the project, whoever created the mission.
        lines = self.sudo().search(
            [
                ("project_id", "in", projects.ids),
                ("employee_id", "!=", False),
                ("regie_mission_id", "=", False),
            ]
        )
        if lines:
            self.env.add_to_compute(self._fields["regie_mission_id"], lines)
            lines._regie_sync_periods()
