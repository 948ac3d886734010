from odoo import api, fields, models
from odoo.exceptions import ValidationError


class RegieContractKpi(models.Model):
    _name = "regie.contract.kpi"
    _description = "Régie Contract KPI"
    _order = "sequence, id"

    contract_id = fields.Many2one("regie.contract", required=True, ondelete="cascade")
    company_id = fields.Many2one(related="contract_id.company_id", store=True)
    name = fields.Char(required=True)
    target = fields.Float(required=True)
    comparison = fields.Selection(
        [("ge", "At least"), ("le", "At most")], default="ge", required=True
    )
    uom_label = fields.Char(string="Unit", help="For example %, h or days.")
    sequence = fields.Integer(default=10)

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._check_target_given(vals)
        return super().create(vals_list)

    def write(self, vals):
        if "target" in vals:
            self._check_target_given(vals)
        return super().write(vals)

    def _check_target_given(self, vals):
        # Float fields store False as 0.0: refuse it before it silently becomes 0.
        target = vals.get("target")
        if target is None or target is False:
            raise ValidationError(
                self.env._(
                    "The KPI %(name)s needs a target value.",
                    name=vals.get("name") or self[:1].name or "",
                )
            )
