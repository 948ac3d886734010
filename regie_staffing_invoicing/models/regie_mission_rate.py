from odoo import fields, models

from .regie_contract import MONEY_GROUPS


class RegieMissionRate(models.Model):
    _inherit = "regie.mission.rate"

    # The régie accountants read the rates they invoice.
    daily_rate = fields.Monetary(groups=MONEY_GROUPS)
