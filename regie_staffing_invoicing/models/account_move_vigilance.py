from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError


class AccountMove(models.Model):
    _inherit = "account.move"

    regie_vigilance_warning = fields.Text(
        string="Vigilance warning",
        compute="_compute_regie_vigilance_warning",
        help="The provider of this bill lacks subcontractor vigilance documents "
        "its régie purchase contract requires: the bill cannot be posted, except "
        "by a régie manager with a logged reason.",
    )
    regie_vigilance_override_reason = fields.Text(
        string="Vigilance override",
        readonly=True,
        copy=False,
        tracking=True,
        help="Why a régie manager posted this bill although vigilance documents "
        "were missing or expired.",
    )

    def _regie_vigilance_contracts(self):
        """The régie purchase contracts this bill is for."""
        self.ensure_one()
        move = self.sudo()
        contracts = move.regie_contract_id | move.invoice_line_ids.regie_contract_id
        return contracts.filtered(lambda contract: contract.direction == "purchase")

    @api.depends(
        "move_type", "state", "regie_contract_id", "invoice_line_ids.regie_contract_id"
    )
    def _compute_regie_vigilance_warning(self):
        for move in self:
            move.regie_vigilance_warning = (
                move._regie_vigilance_problem()
                if move.move_type == "in_invoice" and move.state == "draft"
                else False
            )

    def _regie_vigilance_problem(self):
        """A sentence naming what is missing, or False."""
        self.ensure_one()
        contracts = self._regie_vigilance_contracts().filtered("vigilance_required")
        problems = [
            self.env._(
                "%(contract)s: %(missing)s",
                contract=contract.display_name,
                missing=contract.vigilance_missing,
            )
            for contract in contracts
            if contract.vigilance_state == "missing"
        ]
        if not problems:
            return False
        return self.env._(
            "Subcontractor vigilance documents missing or expired (Code du travail "
            "L8222-1): %(problems)s.",
            problems="; ".join(problems),
        )

    def write(self, vals):
        if "regie_vigilance_override_reason" in vals and not (
            self.env.su or self.env.user.has_group("regie_staffing.group_manager")
        ):
            raise AccessError(
                self.env._(
                    "Only régie managers can post a bill despite missing vigilance "
                    "documents."
                )
            )
        return super().write(vals)

    def _post(self, soft=True):
        for move in self:
            if move.move_type != "in_invoice" or move.regie_vigilance_override_reason:
                continue
            problem = move._regie_vigilance_problem()
            if problem:
                raise UserError(
                    self.env._(
                        "Bill %(bill)s cannot be posted. %(problem)s Ask the "
                        "provider for the documents, or a régie manager to post it "
                        "with a reason.",
                        bill=move.display_name,
                        problem=problem,
                    )
                )
        return super()._post(soft=soft)

    def action_regie_vigilance_override(self):
        """Open the wizard posting the bill despite the missing documents."""
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Post despite vigilance"),
            "res_model": "regie.vigilance.override",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {"default_move_ids": self.ids},
        }


class RegieVigilanceOverride(models.TransientModel):
    _name = "regie.vigilance.override"
    _description = "Post bills despite missing vigilance documents"

    move_ids = fields.Many2many("account.move", string="Bills")
    reason = fields.Text(required=True)

    def action_confirm(self):
        self.ensure_one()
        if not self.env.user.has_group("regie_staffing.group_manager"):
            raise AccessError(
                self.env._(
                    "Only régie managers can post a bill despite missing vigilance "
                    "documents."
                )
            )
        reason = (self.reason or "").strip()
        if not reason:
            raise UserError(self.env._("Give the reason for posting anyway."))
        for move in self.move_ids:
            problem = move._regie_vigilance_problem() or ""
            move.regie_vigilance_override_reason = reason
            move._message_log(
                body=self.env._(
                    "Posted by %(user)s despite the vigilance documents: %(problem)s "
                    "Reason: %(reason)s",
                    user=self.env.user.name,
                    problem=problem,
                    reason=reason,
                )
            )
        self.move_ids.action_post()
        return {"type": "ir.actions.act_window_close"}
