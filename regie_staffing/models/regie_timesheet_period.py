from dateutil.relativedelta import relativedelta

from odoo import api, fields, models

# Skeleton laid out by the lead so that timesheet lines can link to months;
# the period helper completes the workflow in this file.


class RegieTimesheetPeriod(models.Model):
    _name = "regie.timesheet.period"
    _description = "Régie Monthly Activity Report"
    _inherit = ["portal.mixin", "mail.thread", "mail.activity.mixin"]
    _order = "date_from desc, id desc"
    _check_company_auto = True

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
    timesheet_ids = fields.One2many(
        "account.analytic.line", "regie_period_id", string="Timesheets"
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

    _sql_constraints = [
        (
            "mission_month_unique",
            "UNIQUE(mission_id, date_from)",
            "A mission has one activity report per month.",
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

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("date_from"):
                vals["date_from"] = fields.Date.to_date(vals["date_from"]).replace(
                    day=1
                )
        return super().create(vals_list)

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
