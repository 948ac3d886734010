from odoo import fields, models
from odoo.exceptions import UserError


class RegieMissionDeliverable(models.Model):
    _name = "regie.mission.deliverable"
    _description = "Régie Mission Deliverable"
    _order = "due_date, id"

    mission_id = fields.Many2one(
        "regie.mission", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="mission_id.company_id", store=True)
    name = fields.Char(required=True)
    description = fields.Html()
    due_date = fields.Date()
    acceptance_criteria = fields.Html()
    state = fields.Selection(
        [
            ("planned", "Planned"),
            ("delivered", "Delivered"),
            ("accepted", "Accepted"),
            ("rejected", "Rejected"),
        ],
        default="planned",
        required=True,
        readonly=True,
        copy=False,
    )
    delivered_date = fields.Date(copy=False)
    accepted_by_id = fields.Many2one("res.users", copy=False)
    accepted_date = fields.Datetime(copy=False)
    rejection_reason = fields.Text(copy=False)

    def action_deliver(self):
        """Mark planned (or rejected, once corrected) deliverables as delivered."""
        self.check_access("write")
        if any(d.state not in ("planned", "rejected") for d in self):
            raise UserError(
                self.env._("Only planned or rejected deliverables can be delivered.")
            )
        self.write(
            {
                "state": "delivered",
                "delivered_date": fields.Date.context_today(self),
                "rejection_reason": False,
            }
        )
        return True

    def action_accept(self):
        """Accept delivered deliverables, recording who accepted them and when."""
        self.check_access("write")
        if any(d.state != "delivered" for d in self):
            raise UserError(self.env._("Only delivered deliverables can be accepted."))
        self.write(
            {
                "state": "accepted",
                "accepted_by_id": self.env.user.id,
                "accepted_date": fields.Datetime.now(),
            }
        )
        return True

    def action_reject(self, reason=False):
        """Reject delivered deliverables. A reason is required: the ``reason``
        argument, else the rejection reason already filled on each record."""
        self.check_access("write")
        if any(d.state != "delivered" for d in self):
            raise UserError(self.env._("Only delivered deliverables can be rejected."))
        for deliverable in self:
            text = reason or deliverable.rejection_reason
            if not text or not str(text).strip():
                raise UserError(
                    self.env._(
                        "Give a reason to reject the deliverable %(name)s.",
                        name=deliverable.name,
                    )
                )
            deliverable.write({"state": "rejected", "rejection_reason": text})
        return True

    def action_reset(self):
        """Put deliverables back to planned."""
        self.check_access("write")
        self.write(
            {
                "state": "planned",
                "delivered_date": False,
                "accepted_by_id": False,
                "accepted_date": False,
                "rejection_reason": False,
            }
        )
        return True
