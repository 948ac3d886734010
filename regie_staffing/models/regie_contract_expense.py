from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools.misc import formatLang


class RegieContract(models.Model):
    _inherit = "regie.contract"

    expense_policy = fields.Selection(
        [
            ("none", "Not re-invoiced"),
            ("at_cost", "At cost, on receipts"),
            ("at_cost_capped", "At cost, capped per month"),
            ("flat_per_day", "Flat allowance per day worked"),
        ],
        string="Expenses",
        default="none",
        required=True,
        tracking=True,
        help="How the consultant's expenses (travel, accommodation...) are "
        "re-invoiced with the month. With Odoo's Expenses app, the expenses of the "
        "month are shown on its activity report and invoiced with it; without "
        "it, the report says they are handled outside.",
    )
    expense_cap = fields.Monetary(
        string="Expenses cap per month",
        currency_field="currency_id",
        help="At most this amount of expenses re-invoiced per consultant and month.",
    )
    expense_flat_amount = fields.Monetary(
        string="Flat allowance per day",
        currency_field="currency_id",
        help="Invoiced for each billable day of the month, whatever the receipts.",
    )

    @api.constrains("expense_policy", "expense_cap", "expense_flat_amount")
    def _check_expense_terms(self):
        for contract in self:
            for fname in ("expense_cap", "expense_flat_amount"):
                amount = contract[fname]
                if amount < 0 or amount != amount or amount > 1e9:
                    raise ValidationError(
                        self.env._(
                            "%(field)s of contract %(contract)s must be zero or "
                            "positive (got %(amount)s).",
                            field=self._fields[fname].get_description(self.env)[
                                "string"
                            ],
                            contract=contract.display_name,
                            amount=formatLang(self.env, amount),
                        )
                    )
            if contract.expense_policy == "at_cost_capped" and not contract.expense_cap:
                raise ValidationError(
                    self.env._(
                        "Contract %(contract)s re-invoices expenses with a cap per "
                        "month: give the cap.",
                        contract=contract.display_name,
                    )
                )
            if (
                contract.expense_policy == "flat_per_day"
                and not contract.expense_flat_amount
            ):
                raise ValidationError(
                    self.env._(
                        "Contract %(contract)s re-invoices expenses as a flat "
                        "allowance per day: give the amount per day.",
                        contract=contract.display_name,
                    )
                )
