from odoo import fields, models


class RegieActivityType(models.Model):
    _name = "regie.activity.type"
    _description = "Régie Exceptional Activity Type"
    _order = "sequence, name, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Char()
    unit = fields.Selection(
        [("hour", "Hours x multiplier"), ("flat", "Flat days per line")],
        required=True,
        default="hour",
        help="Hours x multiplier: the line's days are multiplied. "
        "Flat days per line: each line counts the multiplier in days, "
        "whatever its hours.",
    )
    multiplier = fields.Float(required=True, default=1.0, digits=(16, 4))
    active = fields.Boolean(default=True)
    sequence = fields.Integer(default=10)
    company_id = fields.Many2one("res.company", index=True)

    _sql_constraints = [
        (
            "multiplier_positive",
            "CHECK(multiplier > 0)",
            "The multiplier of an activity type must be strictly positive.",
        ),
    ]
