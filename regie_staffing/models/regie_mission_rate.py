from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import format_date

from .regie_frozen import get_changed_fields
from .regie_input import check_number_values, check_relation_ids
from .regie_mission import MONEY_GROUPS


class RegieMissionRate(models.Model):
    _name = "regie.mission.rate"
    _description = "Régie Mission Daily Rate"
    _order = "mission_id, date_from desc, id desc"
    _rec_name = "date_from"

    mission_id = fields.Many2one(
        "regie.mission", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="mission_id.company_id", store=True)
    date_from = fields.Date(string="Valid From", required=True)
    daily_rate = fields.Monetary(
        string="Daily Rate (TJM)",
        currency_field="currency_id",
        required=True,
        groups=MONEY_GROUPS,
    )
    currency_id = fields.Many2one(related="mission_id.currency_id")

    _sql_constraints = [
        (
            "mission_date_unique",
            "UNIQUE(mission_id, date_from)",
            "A mission cannot have two daily rates starting on the same date.",
        ),
        (
            "daily_rate_positive",
            "CHECK(daily_rate > 0)",
            "The daily rate (TJM) must be positive.",
        ),
    ]

    @api.constrains("daily_rate")
    def _check_daily_rate(self):
        for rate in self:
            if rate.daily_rate <= 0:
                raise ValidationError(
                    self.env._(
                        "The daily rate (TJM) of mission %(name)s from %(date)s must "
                        "be positive.",
                        name=rate.mission_id.name,
                        date=format_date(self.env, rate.date_from),
                    )
                )

    @api.constrains("date_from", "mission_id")
    def _check_date_in_mission(self):
        for rate in self:
            mission = rate.mission_id
            if rate.date_from < mission.date_start or (
                mission.date_end and rate.date_from > mission.date_end
            ):
                raise ValidationError(
                    self.env._(
                        "%(field)s of the daily rate of mission %(mission)s: "
                        "%(date)s is outside the mission (%(start)s - %(end)s).",
                        field=self._fields["date_from"]._description_string(self.env),
                        mission=mission.display_name,
                        date=format_date(self.env, rate.date_from),
                        start=format_date(self.env, mission.date_start),
                        end=format_date(self.env, mission.date_end) or "...",
                    )
                )

    def _check_input(self, vals_list):
        """Refuse rates that are not sensible numbers, unknown missions and
        impossible dates, naming the field, before they reach the database."""
        check_number_values(self, vals_list, {"daily_rate": (None, 1e9)})
        check_relation_ids(self, vals_list)
        for vals in vals_list:
            if vals.get("date_from"):
                vals["date_from"] = self.env["regie.contract"]._parse_date(
                    vals["date_from"],
                    self._fields["date_from"]._description_string(self.env),
                )

    @api.model_create_multi
    def create(self, vals_list):
        self._check_input(vals_list)
        rates = super().create(vals_list)
        self._check_frozen_months(
            [(rate.mission_id.id, rate.date_from) for rate in rates]
        )
        return rates

    def write(self, vals):
        self._check_input([vals])
        changed = get_changed_fields(
            self, vals, ("mission_id", "date_from", "daily_rate")
        )
        if changed:
            mission_id = vals.get("mission_id")
            date_from = vals.get("date_from") and fields.Date.to_date(vals["date_from"])
            self._check_frozen_months(
                [(rate.mission_id.id, rate.date_from) for rate in changed]
                + [
                    (mission_id or rate.mission_id.id, date_from or rate.date_from)
                    for rate in changed
                ]
            )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_frozen_months(self):
        self._check_frozen_months(
            [(rate.mission_id.id, rate.date_from) for rate in self]
        )

    @api.model
    def _check_frozen_months(self, starts):
        """Refuse a rate added, changed or removed from a date (``starts``:
        (mission id, date) pairs) when a month of that mission ending on or
        after it is no longer draft: a rate applies from its date until the
        next one, so it may reach that month (one query for the batch)."""
        starts = [(mission_id, day) for mission_id, day in starts if mission_id and day]
        if not starts:
            return
        Period = self.env["regie.timesheet.period"]
        months = Period._get_frozen_months(
            [("mission_id", "in", list({mission_id for mission_id, _d in starts}))]
        )
        by_mission = defaultdict(lambda: Period.browse())
        for month in months:
            by_mission[month.mission_id.id] |= month
        for mission_id, day in sorted(starts, key=lambda start: start[1]):
            reached = by_mission[mission_id].filtered(
                lambda month, day=day: month.date_to >= day
            )
            if reached:
                raise UserError(
                    self.env._(
                        "You cannot add, change or delete a daily rate of mission "
                        "%(mission)s from %(date)s: it applies to months already "
                        "submitted (%(months)s). Reset these months to draft first.",
                        mission=reached[0].mission_id.display_name,
                        date=format_date(self.env, day),
                        months=reached._get_names_for_error(),
                    )
                )
