from datetime import date, datetime, time, timedelta

import pytz
from dateutil.easter import easter

from odoo import api, fields, models


class ResourceCalendar(models.Model):
    _inherit = "resource.calendar"

    def _regie_get_french_public_holidays(self, year):
        """[(date, name)] of the French public holidays (jours fériés) of
        ``year``, named in the calendar's company language."""
        lang = (self.company_id.partner_id.lang or "fr_FR") if self else "fr_FR"
        env = self.with_context(lang=lang).env
        sunday = easter(year)
        return [
            (date(year, 1, 1), env._("New Year's Day")),
            (sunday + timedelta(days=1), env._("Easter Monday")),
            (date(year, 5, 1), env._("Labour Day")),
            (date(year, 5, 8), env._("Victory in Europe Day")),
            (sunday + timedelta(days=39), env._("Ascension Day")),
            (sunday + timedelta(days=50), env._("Whit Monday")),
            (date(year, 7, 14), env._("Bastille Day")),
            (date(year, 8, 15), env._("Assumption of Mary")),
            (date(year, 11, 1), env._("All Saints' Day")),
            (date(year, 11, 11), env._("Armistice Day")),
            (date(year, 12, 25), env._("Christmas Day")),
        ]

    @api.model
    def _regie_add_french_public_holidays(self, years=None, calendars=None):
        """Add the French public holidays of ``years`` (this year and the next
        by default) to ``calendars`` (the working schedules of the French
        companies by default) as global time off, the days Odoo's schedules
        and the monthly activity reports leave out. Days a calendar already
        has time off on are left alone.

        :return: the time off created
        """
        if calendars is None:
            companies = (
                self.env["res.company"]
                .sudo()
                .search([("partner_id.country_id.code", "=", "FR")])
            )
            calendars = companies.resource_calendar_id
        if years is None:
            this_year = fields.Date.context_today(self).year
            years = [this_year, this_year + 1]
        calendars = calendars.sudo()
        if not calendars or not years:
            return self.env["resource.calendar.leaves"]
        existing = (
            self.env["resource.calendar.leaves"]
            .sudo()
            .search_fetch(
                [
                    ("resource_id", "=", False),
                    ("calendar_id", "in", calendars.ids),
                    ("date_from", "<=", datetime(max(years), 12, 31, 23, 59, 59)),
                    ("date_to", ">=", datetime(min(years), 1, 1) - timedelta(days=1)),
                ],
                ["calendar_id", "date_from", "date_to"],
            )
        )
        vals_list = []
        for calendar in calendars:
            tz = pytz.timezone(calendar.tz or "Europe/Paris")
            taken = existing.filtered(lambda leave, c=calendar: leave.calendar_id == c)
            for year in years:
                for day, name in calendar._regie_get_french_public_holidays(year):
                    start = tz.localize(datetime.combine(day, time.min))
                    stop = tz.localize(datetime.combine(day, time.max))
                    start, stop = (
                        moment.astimezone(pytz.utc).replace(tzinfo=None, microsecond=0)
                        for moment in (start, stop)
                    )
                    if any(
                        leave.date_from <= stop and leave.date_to >= start
                        for leave in taken
                    ):
                        continue
                    vals_list.append(
                        {
                            "name": name,
                            "calendar_id": calendar.id,
                            "company_id": calendar.company_id.id,
                            "date_from": start,
                            "date_to": stop,
                            "time_type": "leave",
                        }
                    )
        return self.env["resource.calendar.leaves"].sudo().create(vals_list)
