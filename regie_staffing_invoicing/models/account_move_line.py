from odoo import api, fields, models
from odoo.exceptions import UserError

from odoo.addons.regie_staffing.models.regie_workflow import is_workflow

# Fields that tie an invoice line to the month it invoices. They are set when
# months are invoiced and carried by credit notes and by the draft copy of
# Odoo's "reverse and create a new draft" (as sale_timesheet carries its
# links); a user never rewrites them on an existing line.
REGIE_LINK_FIELDS = ("regie_period_id", "regie_date_from", "regie_unit_factor")
# Changes of a linked line that change what it bills.
REGIE_BILLING_FIELDS = frozenset(
    {"quantity", "move_id", "display_type", *REGIE_LINK_FIELDS}
)


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    regie_period_id = fields.Many2one(
        "regie.timesheet.period",
        string="Régie month",
        readonly=True,
        copy=False,
        index="btree_not_null",
        ondelete="restrict",
    )
    regie_date_from = fields.Date(
        string="Rate valid from",
        readonly=True,
        copy=False,
        help="First day of the month invoiced at this line's daily rate.",
    )
    regie_unit_factor = fields.Float(
        string="Billing units per day",
        readonly=True,
        copy=False,
        help="Quantity of this line that makes one day of the month: 1 when "
        "billed in days, 2 in half-days, the contract's hours per day in hours.",
    )
    # Copied on credit notes so that refunds lower the contract's invoiced amount.
    regie_contract_id = fields.Many2one(
        "regie.contract", string="Régie contract", index="btree_not_null"
    )

    def init(self):
        res = super().init()
        # A month keeps the links of every move that ever billed it (cancelled
        # invoices, credit notes): what it bills is their net, checked by
        # regie.timesheet.period._regie_sync_billing(), not a unique index.
        self.env.cr.execute("DROP INDEX IF EXISTS account_move_line_regie_period_uniq")
        return res

    def copy_data(self, default=None):
        vals_list = super().copy_data(default=default)
        # Credit notes and the new draft of a "reverse and create a new draft"
        # bill (or credit) the same months: they keep the links, as Odoo
        # keeps the sale links of those copies. A plain duplicate does not.
        if self.env.context.get("include_business_fields"):
            for line, vals in zip(self, vals_list, strict=True):
                if line.regie_period_id:
                    vals.update(
                        regie_period_id=line.regie_period_id.id,
                        regie_date_from=line.regie_date_from,
                        regie_unit_factor=line.regie_unit_factor,
                    )
        return vals_list

    @api.model_create_multi
    def create(self, vals_list):
        lines = super().create(vals_list)
        lines.regie_period_id._regie_sync_billing()
        return lines

    def write(self, vals):
        if not is_workflow(self.env) and not set(REGIE_LINK_FIELDS).isdisjoint(vals):
            raise UserError(self._get_regie_link_error())
        periods = self.regie_period_id
        res = super().write(vals)
        if periods and not REGIE_BILLING_FIELDS.isdisjoint(vals):
            (periods | self.regie_period_id)._regie_sync_billing()
        return res

    def unlink(self):
        periods = self.regie_period_id
        res = super().unlink()
        # Deleting the line of a draft invoice makes its month invoiceable again.
        periods._regie_sync_billing()
        return res

    def _get_regie_link_error(self):
        return self.env._(
            "The link between an invoice line and a régie month is set only by "
            "the invoicing of validated months."
        )
