from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from odoo.addons.regie_staffing.models.regie_workflow import is_workflow, workflow

# Fields that tie an invoice line to the month it invoices: only the invoicing
# code writes them (a user could otherwise free or steal a month over RPC).
REGIE_LINK_FIELDS = ("regie_period_id", "regie_date_from")


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
    # Copied on credit notes so that refunds lower the contract's invoiced amount.
    regie_contract_id = fields.Many2one(
        "regie.contract", string="Régie contract", index="btree_not_null"
    )

    def init(self):
        res = super().init()
        # Last guard against double invoicing: a month (or the part of it at one
        # rate) is linked to one live invoice line at most. Released links
        # (cancelled or fully reversed invoices) are cleared.
        self.env.cr.execute(
            SQL(
                "CREATE UNIQUE INDEX IF NOT EXISTS account_move_line_regie_period_uniq "
                "ON account_move_line (regie_period_id, regie_date_from) "
                "WHERE regie_period_id IS NOT NULL"
            )
        )
        return res

    @api.model_create_multi
    def create(self, vals_list):
        if not is_workflow(self.env) and any(
            vals.get(name) for vals in vals_list for name in REGIE_LINK_FIELDS
        ):
            raise UserError(self._get_regie_link_error())
        return super().create(vals_list)

    def write(self, vals):
        if not is_workflow(self.env) and not set(REGIE_LINK_FIELDS).isdisjoint(vals):
            raise UserError(self._get_regie_link_error())
        return super().write(vals)

    def unlink(self):
        # Deleting the line of a draft invoice makes its month invoiceable again.
        self.filtered("regie_period_id")._regie_release_periods()
        return super().unlink()

    def _get_regie_link_error(self):
        return self.env._(
            "The link between an invoice line and a régie month is set only by "
            "the invoicing of validated months."
        )

    def _regie_release_periods(self, reason=None):
        """Give the months invoiced by these lines back to 'validated' and clear
        the links, so that they can be invoiced again."""
        lines = self.filtered("regie_period_id")
        if not lines:
            return
        periods = lines.regie_period_id.sudo()
        # A month split by rate has several lines: all of them let it go.
        siblings = (
            self.sudo()
            .search([("regie_period_id", "in", periods.ids)])
            .filtered(lambda line: line.move_id in lines.move_id)
        )
        invoiced = periods.filtered(
            lambda period: (
                period.state == "invoiced"
                and period.invoice_line_id.move_id in lines.move_id
            )
        )
        bodies = {
            period.id: reason
            or self.env._(
                "Invoice %(invoice)s was cancelled or deleted: the month can be "
                "invoiced again.",
                invoice=period.invoice_line_id.move_id.display_name,
            )
            for period in invoiced
        }
        # Technical links, written for the accountant who may not write months.
        workflow(siblings).write(dict.fromkeys(REGIE_LINK_FIELDS, False))
        if invoiced:
            invoiced._period_workflow().write(
                {"state": "validated", "invoice_line_id": False}
            )
            invoiced._message_log_batch(bodies=bodies)
