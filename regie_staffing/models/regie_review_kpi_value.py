from odoo import api, fields, models
from odoo.exceptions import ValidationError


class RegieReviewKpiValue(models.Model):
    _name = "regie.review.kpi.value"
    _description = "Régie Review KPI Value"
    _order = "review_id, id"

    review_id = fields.Many2one(
        "regie.review", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="review_id.company_id", store=True)
    kpi_id = fields.Many2one("regie.contract.kpi", string="KPI", required=True)
    target = fields.Float(related="kpi_id.target")
    comparison = fields.Selection(related="kpi_id.comparison")
    uom_label = fields.Char(related="kpi_id.uom_label")
    value = fields.Float()
    is_met = fields.Boolean(compute="_compute_is_met", store=True)

    @api.depends("value", "kpi_id.target", "kpi_id.comparison")
    def _compute_is_met(self):
        for line in self:
            if line.kpi_id.comparison == "le":
                line.is_met = line.value <= line.kpi_id.target
            else:
                line.is_met = line.value >= line.kpi_id.target

    @api.constrains("kpi_id", "review_id")
    def _check_kpi_contract(self):
        for line in self:
            if line.kpi_id.contract_id != line.review_id.contract_id:
                raise ValidationError(
                    self.env._(
                        "The KPI %(kpi)s does not belong to the contract of review "
                        "%(review)s.",
                        kpi=line.kpi_id.name,
                        review=line.review_id.name,
                    )
                )
