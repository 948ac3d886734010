from odoo import api, fields, models
from odoo.exceptions import UserError

# What a frozen month's expense may still change: its report, approval and
# payment, none of what is re-invoiced.
FROZEN_FIELDS = (
    "employee_id",
    "date",
    "total_amount",
    "total_amount_currency",
    "tax_ids",
    "quantity",
    "price_unit",
    "product_id",
    "currency_id",
    "analytic_distribution",
    "regie_period_id",
)


class HrExpense(models.Model):
    _inherit = "hr.expense"

    regie_period_id = fields.Many2one(
        "regie.timesheet.period",
        string="Régie month",
        compute="_compute_regie_period_id",
        store=True,
        readonly=False,
        index="btree_not_null",
        help="The month of the consultant's régie mission this expense belongs "
        "to: shown on its activity report and re-invoiced with it per the "
        "contract's rule. Found from the mission's analytic account, else from "
        "the consultant's only mission that day.",
    )

    @api.depends("employee_id", "date", "analytic_distribution")
    def _compute_regie_period_id(self):
        # One search of the consultants' missions for all the expenses.
        dated = self.filtered(lambda expense: expense.employee_id and expense.date)
        missions = self.env["regie.mission"].browse()
        if dated:
            missions = (
                self.env["regie.mission"]
                .sudo()
                .search(
                    [
                        ("employee_id", "in", dated.employee_id.ids),
                        ("state", "in", ("active", "done")),
                        ("date_start", "<=", max(dated.mapped("date"))),
                        "|",
                        ("date_end", "=", False),
                        ("date_end", ">=", min(dated.mapped("date"))),
                    ]
                )
            )
        chosen_by_expense = {}
        for expense in dated:
            if expense.regie_period_id and expense.regie_period_id.state != "draft":
                continue
            candidates = missions.filtered(
                lambda mission, e=expense: (
                    mission.employee_id == e.employee_id
                    and mission.date_start <= e.date
                    and (not mission.date_end or mission.date_end >= e.date)
                )
            )
            # Back to back, the consultant's purchase mission backs his sale
            # mission: his expenses belong to the client's month (the
            # purchase month shows them).
            candidates -= candidates.purchase_mission_id
            accounts = {
                int(account_id)
                for key in (expense.analytic_distribution or {})
                for account_id in key.split(",")
            }
            chosen = candidates.filtered(
                lambda mission, a=accounts: (
                    mission.contract_id.analytic_account_id.id in a
                )
            )
            if not chosen and len(candidates) == 1:
                chosen = candidates
            if chosen:
                chosen_by_expense[expense] = (
                    chosen[:1].id,
                    expense.date.replace(day=1),
                )
        periods = (
            self.env["regie.timesheet.period"]
            .sudo()
            ._get_or_create_periods(set(chosen_by_expense.values()))
        )
        for expense in self:
            if expense in dated and (
                expense.regie_period_id and expense.regie_period_id.state != "draft"
            ):
                continue
            period = periods.get(chosen_by_expense.get(expense))
            # A month already sent to the client does not take new expenses.
            expense.regie_period_id = (
                period if period and period.state == "draft" else False
            )

    def write(self, vals):
        frozen = [fname for fname in FROZEN_FIELDS if fname in vals]
        if frozen:
            self._regie_check_frozen()
        if vals.get("regie_period_id"):
            target = (
                self.env["regie.timesheet.period"]
                .sudo()
                .browse(vals["regie_period_id"])
            )
            if target.sale_period_id:
                raise UserError(
                    self.env._(
                        "Month %(month)s follows the client's month %(sale)s "
                        "(back-to-back subcontracting): the expense joins the "
                        "client's month, and shows on both.",
                        month=target.name,
                        sale=target.sale_period_id.name,
                    )
                )
            if target.state != "draft":
                raise UserError(
                    self.env._(
                        "Month %(month)s is %(state)s: an expense can only join a "
                        "draft month.",
                        month=target.name,
                        state=target._get_state_label(),
                    )
                )
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_regie_frozen(self):
        self._regie_check_frozen()

    def _regie_check_frozen(self):
        locked = self.filtered(
            lambda expense: expense.sudo().regie_period_id.state not in (False, "draft")
        )
        if locked:
            period = locked[0].sudo().regie_period_id
            raise UserError(
                self.env._(
                    "Expense %(expense)s belongs to month %(month)s, which is "
                    "%(state)s: it is part of what the client validates. %(hint)s",
                    expense=locked[0].name,
                    month=period.name,
                    state=period._get_state_label(),
                    hint=period._get_reopen_hint(),
                )
            )
