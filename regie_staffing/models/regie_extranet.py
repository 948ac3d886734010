"""The consultants' extranet: a consultant without an internal user (a
freelancer, a provider's consultant) logs his month in the portal.

What he enters goes through the timesheet lines' own create, write and
unlink, as the consultant himself (his user, with sudo for the access rights
a portal user lacks): the locking, the 24 hours a day, the mission's dates,
the termination and the ownership checks are those of the back end."""

import re
from datetime import timedelta

from odoo import api, models
from odoo.exceptions import MissingError, UserError
from odoo.tools import float_compare, float_is_zero, format_date
from odoo.tools.misc import formatLang


def float_repr_short(value):
    """A day count as a form value: "1", "0.5"."""
    return f"{round(value, 4):g}"


class RegieTimesheetPeriod(models.Model):
    _inherit = "regie.timesheet.period"

    @api.model
    def _extranet_domain(self, user):
        """The months of ``user``'s missions (as consultant). A back-to-back
        purchase month is not one: it follows the sale month he logs on."""
        return [
            ("user_id", "=", user.id),
            ("user_id", "!=", False),
            ("sale_period_id", "=", False),
        ]

    @api.model
    def _extranet_months(self, user):
        return self.sudo().search(
            self._extranet_domain(user), order="date_from desc, id"
        )

    @api.model
    def _extranet_get_month(self, period_id, user):
        """The month (sudo) if it is one of ``user``'s, else MissingError (a
        month of someone else is not said to exist)."""
        period = self.sudo().search(
            [*self._extranet_domain(user), ("id", "=", int(period_id))], limit=1
        )
        if not period:
            raise MissingError(
                self.env._("This monthly activity report does not exist.")
            )
        return period

    def _extranet_as_consultant(self):
        """This month as its consultant, with the rights the back end checks
        for him and sudo for the access rights a portal user has not."""
        self.ensure_one()
        return (
            self.with_user(self.sudo().user_id).sudo().with_context(regie_extranet=True)
        )

    def _extranet_unit(self):
        """What the consultant enters per day: hours when the contract counts
        hours, else days (a whole or a half day)."""
        self.ensure_one()
        return "hour" if self.sudo().contract_id.billing_unit == "hour" else "day"

    def _extranet_day_lines(self):
        """{date: lines of the consultant on this mission that day}."""
        self.ensure_one()
        lines = self.sudo().timesheet_ids.filtered(
            lambda line: line.employee_id == self.employee_id
        )
        by_day = {}
        for line in lines.sorted(lambda line: (line.date, line.id)):
            by_day.setdefault(line.date, self.env["account.analytic.line"].sudo())
            by_day[line.date] |= line
        return by_day

    def _extranet_rows(self):
        """One row per day of the month: what the grid shows and edits."""
        self.ensure_one()
        period = self.sudo()
        by_day = period._extranet_day_lines()
        holidays = set(period.public_holiday_dates or [])
        absences = set(period.absence_dates or [])
        workdays = period._get_workdays()
        hours_per_day = period.contract_id.hours_per_day or 8.0
        unit = period._extranet_unit()
        rows = []
        day = period.date_from
        while day <= period.date_to:
            lines = by_day.get(day, self.env["account.analytic.line"])
            hours = sum(lines.mapped("unit_amount"))
            if unit == "hour":
                amount = formatLang(self.env, hours, digits=2) if lines else ""
            else:
                amount = float_repr_short(hours / hours_per_day) if lines else ""
            rows.append(
                {
                    "date": day,
                    "iso": day.isoformat(),
                    "off": day.weekday() not in workdays,
                    "holiday": day.isoformat() in holidays,
                    "absence": day.isoformat() in absences,
                    "amount": amount,
                    "activity_type_id": lines[:1].regie_activity_type_id.id or False,
                    "comment": ", ".join(
                        name for name in lines.mapped("name") if name and name != "/"
                    ),
                    "several": len(lines) > 1,
                }
            )
            day += timedelta(days=1)
        return rows

    def _extranet_parse_amount(self, day, text):
        """The hours of ``text`` typed for ``day`` (hours, or days of the
        contract's hours per day); None when empty. Accepts "7.5", "7,5" and
        "7:30"."""
        self.ensure_one()
        text = (text or "").strip()
        if not text:
            return None
        unit = self._extranet_unit()
        value = None
        match = re.fullmatch(r"(\d{1,2}):([0-5]\d)", text)
        if match and unit == "hour":
            value = int(match.group(1)) + int(match.group(2)) / 60.0
        elif re.fullmatch(r"\d+([.,]\d+)?", text):
            value = float(text.replace(",", "."))
        if value is None:
            raise UserError(
                self.env._(
                    "%(date)s: “%(text)s” is not a number of %(unit)s.",
                    date=format_date(self.env, day),
                    text=text[:20],
                    unit=self.env._("hours") if unit == "hour" else self.env._("days"),
                )
            )
        if unit == "day":
            if float_compare(value, 1.0, precision_digits=2) > 0:
                raise UserError(
                    self.env._(
                        "%(date)s: at most one day a day (got %(days)s).",
                        date=format_date(self.env, day),
                        days=formatLang(self.env, value, digits=2),
                    )
                )
            value *= self.sudo().contract_id.hours_per_day or 8.0
        return value

    def _extranet_save(self, entries):
        """Save the consultant's grid: ``entries`` {date: (text, activity type
        id or False, comment)} for the days shown. A day emptied deletes its
        line; a day with several lines (typed in the back end) is left alone
        unless changed, which is refused. Runs the lines' own checks as the
        consultant; raises UserError naming the day."""
        self.ensure_one()
        period = self._extranet_as_consultant()
        Line = period.env["account.analytic.line"]
        by_day = {
            day: lines.with_env(period.env)
            for day, lines in self._extranet_day_lines().items()
        }
        to_create, to_unlink = [], Line
        for day in sorted(entries):
            if not period.date_from <= day <= period.date_to:
                continue
            text, activity_id, comment = entries[day]
            hours = self._extranet_parse_amount(day, text)
            lines = by_day.get(day, Line)
            comment = (comment or "").strip()[:500]
            activity_id = activity_id or False
            if len(lines) > 1:
                current = sum(lines.mapped("unit_amount"))
                if hours is None or float_compare(hours, current, precision_digits=2):
                    raise UserError(
                        self.env._(
                            "%(date)s has several lines, entered in the back "
                            "office: ask your project lead to change them.",
                            date=format_date(self.env, day),
                        )
                    )
                continue
            if hours is None or float_is_zero(hours, precision_digits=2):
                to_unlink |= lines
                continue
            vals = {
                "unit_amount": hours,
                "name": comment or "/",
                "regie_activity_type_id": activity_id,
            }
            if lines:
                changed = {
                    fname: value
                    for fname, value in vals.items()
                    if (
                        lines[fname].id
                        if fname == "regie_activity_type_id"
                        else lines[fname]
                    )
                    != value
                }
                if changed:
                    lines.write(changed)
                continue
            to_create.append(
                {
                    **vals,
                    "date": day,
                    "project_id": period.contract_id.project_id.id,
                    "employee_id": period.employee_id.id,
                    "regie_mission_id": period.mission_id.id,
                }
            )
        if to_unlink:
            to_unlink.unlink()
        if to_create:
            Line.create(to_create)
        return True

    def _extranet_submit(self):
        """Submit the month as its consultant."""
        self.ensure_one()
        return self._extranet_as_consultant().action_submit()

    @api.model
    def _extranet_activity_types(self):
        return (
            self.env["regie.activity.type"]
            .sudo()
            .search([("company_id", "in", (False, self.sudo().company_id.id))])
        )
