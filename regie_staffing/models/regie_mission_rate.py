from odoo import api, fields, models
from odoo.exceptions import ValidationError


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
        string="Daily Rate (TJM)", currency_field="currency_id", required=True
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
                        date=fields.Date.to_string(rate.date_from),
                    )
                )
