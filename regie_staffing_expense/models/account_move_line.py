from odoo import fields, models


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    regie_expense_id = fields.Many2one(
        "hr.expense",
        string="Re-invoiced expense",
        readonly=True,
        index="btree_not_null",
        copy=False,
        ondelete="set null",
    )
