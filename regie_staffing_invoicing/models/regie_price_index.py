from odoo import api, fields, models
from odoo.exceptions import UserError

from odoo.addons.regie_staffing.models.regie_input import (
    check_number_values,
    check_relation_ids,
)


class RegiePriceIndex(models.Model):
    _name = "regie.price.index"
    _description = "Price revision index"
    _order = "name"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(help="Short code of the index, e.g. SYNTEC.")
    active = fields.Boolean(default=True)
    value_ids = fields.One2many("regie.price.index.value", "index_id", string="Values")
    last_value = fields.Float(compute="_compute_last_value", digits=(16, 4))
    last_value_date = fields.Date(compute="_compute_last_value")

    _sql_constraints = [
        ("code_unique", "UNIQUE(code)", "An index with this code already exists."),
    ]

    @api.depends("value_ids.date", "value_ids.value")
    def _compute_last_value(self):
        for index in self:
            last = index.value_ids.sorted("date")[-1:]
            index.last_value = last.value
            index.last_value_date = last.date

    def get_value(self, date):
        """Return the last value of the index published at or before ``date``
        (a date or 'YYYY-MM-DD'): the value of its month, else of the latest
        month before it. Returns 0.0 when no value is published yet."""
        self.ensure_one()
        day = self.env["regie.contract"]._parse_date(date, self.env._("Date"))
        if not day:
            raise UserError(
                self.env._(
                    "Date: give the date of the value of index %(index)s (YYYY-MM-DD).",
                    index=self.display_name,
                )
            )
        values = self.value_ids.filtered(lambda v: v.date <= day)
        return max(values, key=lambda v: v.date).value if values else 0.0


class RegiePriceIndexValue(models.Model):
    _name = "regie.price.index.value"
    _description = "Monthly value of a price revision index"
    _order = "date desc"
    _rec_name = "date"

    index_id = fields.Many2one(
        "regie.price.index", required=True, ondelete="cascade", index=True
    )
    date = fields.Date(required=True, help="First day of the month of the value.")
    value = fields.Float(required=True, digits=(16, 4))

    _sql_constraints = [
        (
            "index_month_unique",
            "UNIQUE(index_id, date)",
            "An index has one value per month.",
        ),
        ("value_positive", "CHECK(value > 0)", "An index value must be positive."),
    ]

    def _check_input(self, vals_list):
        """Refuse values that are not sensible numbers, unknown indexes and
        impossible dates, naming the field; dates move to the 1st."""
        check_number_values(self, vals_list, {"value": (None, 1e9)})
        check_relation_ids(self, vals_list)
        label = self._fields["date"]._description_string(self.env)
        for vals in vals_list:
            if vals.get("date"):
                day = self.env["regie.contract"]._parse_date(vals["date"], label)
                vals["date"] = day.replace(day=1)

    @api.model_create_multi
    def create(self, vals_list):
        self._check_input(vals_list)
        return super().create(vals_list)

    def write(self, vals):
        self._check_input([vals])
        return super().write(vals)
