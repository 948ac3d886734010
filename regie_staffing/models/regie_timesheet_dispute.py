from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools.misc import format_date

from .regie_workflow import WORKFLOW, is_workflow

# Written only by action_contest / action_accept / action_reject.
DISPUTE_WORKFLOW_FIELDS = frozenset(
    {
        "period_id",
        "state",
        "resolution",
        "resolved_by_id",
        "resolved_date",
        "answer_deadline",
    }
)
# The client's statement, written once by the contest (action_contest or the
# portal) and read-only afterwards for everyone.
DISPUTE_STATEMENT_FIELDS = frozenset({"reason", "line_ids", "requested_correction"})


class RegieTimesheetDispute(models.Model):
    _name = "regie.timesheet.dispute"
    _description = "Régie Monthly Activity Report Dispute"
    _inherit = ["mail.thread"]
    _order = "create_date desc, id desc"
    _check_company_auto = True
    _mail_post_access = "read"

    name = fields.Char(compute="_compute_name", store=True)
    period_id = fields.Many2one(
        "regie.timesheet.period",
        string="Month",
        required=True,
        ondelete="cascade",
        index=True,
        check_company=True,
    )
    contract_id = fields.Many2one(
        related="period_id.contract_id", store=True, index=True
    )
    company_id = fields.Many2one(related="period_id.company_id", store=True, index=True)
    employee_id = fields.Many2one(related="period_id.employee_id")
    reason = fields.Text(required=True)
    line_ids = fields.Many2many(
        "account.analytic.line",
        "regie_timesheet_dispute_line_rel",
        "dispute_id",
        "line_id",
        string="Contested Lines",
    )
    requested_correction = fields.Text()
    answer = fields.Text(
        tracking=True,
        help="The provider's answer to the client's statement, kept apart "
        "from it and tracked in the chatter.",
    )
    answer_deadline = fields.Date(
        compute="_compute_answer_deadline", store=True, readonly=True
    )
    state = fields.Selection(
        [("open", "Open"), ("accepted", "Accepted"), ("rejected", "Rejected")],
        default="open",
        required=True,
        readonly=True,
        tracking=True,
        index=True,
        copy=False,
    )
    resolution = fields.Text(readonly=True, copy=False)
    resolved_by_id = fields.Many2one("res.users", readonly=True, copy=False)
    resolved_date = fields.Datetime(readonly=True, copy=False)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_raised(self):
        # The client's statement is evidence: it stays with its month.
        if self:
            raise UserError(
                self.env._(
                    "A dispute cannot be deleted (%(disputes)s): answer it, accept or "
                    "reject it; it stays on its month as the client raised it.",
                    disputes=", ".join(self.mapped("display_name")),
                )
            )

    @api.depends("period_id.name")
    def _compute_name(self):
        for dispute in self:
            dispute.name = self.env._(
                "Dispute on %(month)s", month=dispute.period_id.name or ""
            )

    @api.depends("create_date", "contract_id.dispute_answer_days")
    def _compute_answer_deadline(self):
        today = fields.Date.context_today(self)
        for dispute in self:
            start = (
                fields.Date.context_today(self, dispute.create_date)
                if dispute.create_date
                else today
            )
            dispute.answer_deadline = start + timedelta(
                days=dispute.contract_id.dispute_answer_days or 0
            )

    @api.model_create_multi
    def create(self, vals_list):
        if not self._is_dispute_workflow():
            raise UserError(
                self.env._(
                    "A dispute is opened by contesting the month (Contest button "
                    "or action_contest), not created directly."
                )
            )
        return super().create(vals_list)

    def write(self, vals):
        forbidden = DISPUTE_WORKFLOW_FIELDS.intersection(vals)
        if forbidden and not self._is_dispute_workflow():
            raise UserError(
                self.env._(
                    "%(fields)s of a dispute can only be changed with its Accept "
                    "and Reject buttons (or their public methods).",
                    fields=", ".join(
                        self._fields[name]._description_string(self.env)
                        for name in sorted(forbidden)
                    ),
                )
            )
        if not self._is_dispute_workflow():
            statement = DISPUTE_STATEMENT_FIELDS.intersection(vals)
            if statement:
                raise UserError(
                    self.env._(
                        "%(fields)s of a dispute are the client's statement: they "
                        "cannot be changed once the month is contested. Answer in "
                        "the Answer field or the chatter.",
                        fields=", ".join(
                            self._fields[name]._description_string(self.env)
                            for name in sorted(statement)
                        ),
                    )
                )
            if "answer" in vals and any(d.state != "open" for d in self):
                raise UserError(self.env._("A closed dispute cannot be changed."))
        return super().write(vals)

    @api.constrains("line_ids", "period_id")
    def _check_line_ids(self):
        for dispute in self:
            # sudo: the lines are checked whoever may read them.
            foreign = dispute.sudo().line_ids.filtered(
                lambda line, p=dispute.period_id: line.regie_period_id != p
            )
            if foreign:
                raise ValidationError(
                    self.env._(
                        "The contested lines of %(dispute)s must belong to its "
                        "month %(month)s (not the line of %(date)s).",
                        dispute=dispute.display_name,
                        month=dispute.period_id.display_name,
                        date=format_date(self.env, foreign[:1].date),
                    )
                )

    def action_accept(self, resolution=False):
        """Accept open disputes: their months go back to draft so that the
        consultant corrects and resubmits them."""
        self._check_can_answer()
        now = fields.Datetime.now()
        self._dispute_workflow().write(
            {
                "state": "accepted",
                "resolution": resolution or False,
                "resolved_by_id": self.env.uid,
                "resolved_date": now,
            }
        )
        periods = self.period_id
        periods._period_workflow()._reset_to_draft_values()
        periods._message_log_batch(
            bodies={
                dispute.period_id.id: Markup("<p>%s</p><p>%s</p>")
                % (
                    self.env._(
                        "Dispute accepted by %(user)s: the month is back to draft "
                        "for correction.",
                        user=self.env.user.name,
                    ),
                    resolution or "",
                )
                for dispute in self
            }
        )
        self._message_log_batch(
            bodies={
                dispute.id: self.env._("Accepted by %(user)s.", user=self.env.user.name)
                for dispute in self
            }
        )
        return True

    def action_reject(self, justification):
        """Reject open disputes with a justification: their months go back to
        the validator (submitted)."""
        if not (justification or "").strip():
            raise UserError(self.env._("Give a justification to reject the dispute."))
        self._check_can_answer()
        now = fields.Datetime.now()
        self._dispute_workflow().write(
            {
                "state": "rejected",
                "resolution": justification,
                "resolved_by_id": self.env.uid,
                "resolved_date": now,
            }
        )
        self.period_id._period_workflow().write(
            {
                "state": "submitted",
                "submitted_date": now,
                "validation_reminder_date": False,
            }
        )
        self.period_id._message_log_batch(
            bodies={
                dispute.period_id.id: Markup("<p>%s</p><p>%s</p>")
                % (
                    self.env._(
                        "Dispute rejected by %(user)s: the month goes back to the "
                        "validator.",
                        user=self.env.user.name,
                    ),
                    justification,
                )
                for dispute in self
            }
        )
        self._message_log_batch(
            bodies={
                dispute.id: self.env._("Rejected by %(user)s.", user=self.env.user.name)
                for dispute in self
            }
        )
        return True

    def _check_can_answer(self):
        """The provider side answers: the contract's account manager, one of its
        project leads, or a régie manager; only open disputes of contested
        months."""
        self.check_access("write")
        is_manager = self.env.user.has_group("regie_staffing.group_manager")
        for dispute in self:
            if dispute.state != "open":
                raise UserError(
                    self.env._(
                        "The dispute %(name)s is already closed.", name=dispute.name
                    )
                )
            if dispute.period_id.state != "contested":
                raise UserError(
                    self.env._(
                        "The month %(month)s is not contested any more.",
                        month=dispute.period_id.name,
                    )
                )
            contract = dispute.contract_id
            if not (
                self.env.su
                or is_manager
                or self.env.user in contract.user_id | contract.project_lead_ids
            ):
                raise AccessError(
                    self.env._(
                        "Only the account manager, a project lead of contract "
                        "%(contract)s or a régie manager can answer this dispute.",
                        contract=contract.name,
                    )
                )

    def _dispute_workflow(self):
        return self.with_context(regie_period_workflow=WORKFLOW)

    def _is_dispute_workflow(self):
        key = self.env.context.get("regie_period_workflow")
        return key is WORKFLOW or is_workflow(self.env)
