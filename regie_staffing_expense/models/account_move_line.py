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

    def copy_data(self, default=None):
        vals_list = super().copy_data(default=default)
        # Credit notes and "reverse and create" drafts re-invoice or refund the
        # same expenses (as they keep the months' links); a plain duplicate
        # does not.
        if self.env.context.get("include_business_fields"):
            for line, vals in zip(self, vals_list, strict=True):
                if line.regie_expense_id:
                    vals["regie_expense_id"] = line.regie_expense_id.id
        return vals_list
