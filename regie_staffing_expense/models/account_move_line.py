from odoo import api, fields, models

from .regie_timesheet_period import EXPENSES


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

    regie_expense_charge = fields.Boolean(
        string="Régie expenses charge",
        readonly=True,
        copy=False,
        help="A flat expense allowance or the monthly cap of the expenses "
        "billed with a régie month.",
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
                if line.regie_expense_charge:
                    vals["regie_expense_charge"] = True
        return vals_list


class AccountMove(models.Model):
    _inherit = "account.move"

    def _regie_get_charge_row_name(self, key):
        if key == EXPENSES:
            return self.env._("Expenses (per the contract's rule)")
        return super()._regie_get_charge_row_name(key)

    @api.model
    def _regie_get_charge_key(self, line):
        # An expense re-invoiced by the invoicing action, or a line of an
        # expensable product on the provider's own bill.
        if (
            line.regie_expense_id
            or line.regie_expense_charge
            or line.product_id.can_be_expensed
        ):
            return EXPENSES
        return super()._regie_get_charge_key(line)
