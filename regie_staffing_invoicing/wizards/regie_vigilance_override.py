from odoo import fields, models
from odoo.exceptions import AccessError, UserError


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
