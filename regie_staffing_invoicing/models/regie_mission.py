from odoo import fields, models


class RegieMission(models.Model):
    _inherit = "regie.mission"

    daily_cost = fields.Monetary(
        string="Daily cost",
        currency_field="currency_id",
        groups="account.group_account_invoice,account.group_account_readonly,"
        "regie_staffing.group_manager",
        help="What a day of the consultant costs on this mission, in the "
        "contract's currency. The margin analysis uses it, else the employee's "
        "hourly cost times the hours worked (a subcontracted consultant costs "
        "the purchase mission's daily rate).",
    )
