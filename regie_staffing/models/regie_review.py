from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import Command, api, fields, models
from odoo.exceptions import UserError
from odoo.tools.misc import format_date


class RegieReview(models.Model):
    _name = "regie.review"
    _description = "Régie Governance Review"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date desc, id desc"
    _check_company_auto = True

    # Days before a planned review when the organiser is asked to prepare it.
    _PREPARATION_DAYS = 7

    # No check_company: the company is the contract's (a company domain on a
    # new record, whose company is still empty, would hide every contract).
    contract_id = fields.Many2one(
        "regie.contract",
        required=True,
        ondelete="cascade",
        index=True,
    )
    company_id = fields.Many2one(
        related="contract_id.company_id", store=True, index=True
    )
    name = fields.Char(
        compute="_compute_name", store=True, readonly=False, precompute=True
    )
    review_type = fields.Selection(
        [
            ("steering", "Steering committee"),
            ("operational", "Operational review"),
            ("escalation", "Escalation"),
        ],
        default="steering",
        required=True,
    )
    date = fields.Date(required=True, tracking=True)
    user_id = fields.Many2one(
        "res.users",
        string="Organiser",
        compute="_compute_user_id",
        store=True,
        readonly=False,
        tracking=True,
    )
    attendee_ids = fields.Many2many("res.partner", string="Attendees")
    kpi_value_ids = fields.One2many(
        "regie.review.kpi.value",
        "review_id",
        string="KPI Values",
        compute="_compute_kpi_value_ids",
        store=True,
        readonly=False,
        precompute=True,
    )
    decisions = fields.Html()
    state = fields.Selection(
        [("planned", "Planned"), ("done", "Done"), ("cancelled", "Cancelled")],
        default="planned",
        required=True,
        readonly=True,
        copy=False,
        tracking=True,
        index=True,
    )

    @api.depends("review_type", "date", "contract_id.name")
    def _compute_name(self):
        """Type, contract and date, in the language and date format of the user
        who plans the review; recomputed when one of them changes."""
        types = dict(self._fields["review_type"]._description_selection(self.env))
        for review in self:
            review.name = " - ".join(
                part
                for part in (
                    types.get(review.review_type),
                    review.contract_id.name,
                    review.date and format_date(self.env, review.date),
                )
                if part
            )

    @api.depends("contract_id")
    def _compute_kpi_value_ids(self):
        """A new review lists the contract's KPIs with their targets, ready for
        their values."""
        for review in self:
            kpis = review.contract_id.kpi_ids
            if review.kpi_value_ids.kpi_id == kpis:
                continue
            review.kpi_value_ids = [Command.clear()] + [
                Command.create({"kpi_id": kpi.id}) for kpi in kpis
            ]

    @api.depends("contract_id")
    def _compute_user_id(self):
        for review in self:
            if not review.user_id:
                review.user_id = review.contract_id.user_id

    @api.model_create_multi
    def create(self, vals_list):
        reviews = super().create(vals_list)
        reviews.filtered(lambda r: r.state == "planned")._schedule_preparation()
        return reviews

    def write(self, vals):
        res = super().write(vals)
        if "date" in vals or "user_id" in vals:
            self.filtered(lambda r: r.state == "planned")._schedule_preparation()
        return res

    def action_done(self):
        """Close planned reviews and plan the next steering review from the
        contract's review frequency (unless a later review is already planned)."""
        self.check_access("write")
        if any(r.state != "planned" for r in self):
            raise UserError(self.env._("Only planned reviews can be marked as done."))
        self.write({"state": "done"})
        self.activity_ids.filtered(
            lambda a: a.activity_type_id == self._get_activity_type()
        ).unlink()
        self._plan_next_reviews()
        return True

    def action_cancel(self):
        """Cancel planned reviews."""
        self.check_access("write")
        if any(r.state != "planned" for r in self):
            raise UserError(self.env._("Only planned reviews can be cancelled."))
        self.write({"state": "cancelled"})
        self.activity_ids.filtered(
            lambda a: a.activity_type_id == self._get_activity_type()
        ).unlink()
        return True

    @api.model
    def _prepare_next_review_values(self, contract, date):
        return {
            "contract_id": contract.id,
            "review_type": "steering",
            "date": date,
            "user_id": contract.user_id.id,
        }

    def _get_activity_type(self):
        return self.env["regie.contract"]._get_reminder_activity_type()

    def _plan_next_reviews(self):
        contracts = self.contract_id.filtered(
            lambda c: c.review_frequency != "none" and c.state in ("draft", "active")
        )
        later = self.search(
            [("contract_id", "in", contracts.ids), ("state", "=", "planned")]
        )
        vals_list = []
        for contract in contracts:
            last = max(
                self.filtered(lambda r, c=contract: r.contract_id == c).mapped("date")
            )
            if later.filtered(
                lambda r, c=contract, d=last: r.contract_id == c and r.date > d
            ):
                continue
            date = last + relativedelta(months=contract._get_review_months())
            if contract.date_end and date > contract.date_end:
                continue
            vals_list.append(self._prepare_next_review_values(contract, date))
        self.create(vals_list)

    def _schedule_preparation(self):
        """One preparation activity per planned review, for its organiser,
        due a week before; moved when the review moves."""
        if not self:
            return
        activity_type = self._get_activity_type()
        activities = self.env["mail.activity"].search(
            [
                ("res_model", "=", self._name),
                ("res_id", "in", self.ids),
                ("activity_type_id", "=", activity_type.id),
            ]
        )
        by_review = {a.res_id: a for a in activities}
        model_id = self.env["ir.model"]._get_id(self._name)
        vals_list = []
        for review in self:
            user = review.user_id or review.contract_id.user_id or self.env.user
            # Written in the organiser's language, whoever plans the review.
            user_env = self.with_context(lang=user.lang).env
            deadline = review.date - timedelta(days=self._PREPARATION_DAYS)
            activity = by_review.get(review.id)
            if activity:
                if (activity.date_deadline, activity.user_id) != (deadline, user):
                    activity.write({"date_deadline": deadline, "user_id": user.id})
                continue
            vals_list.append(
                {
                    "res_model_id": model_id,
                    "res_id": review.id,
                    "activity_type_id": activity_type.id,
                    "summary": user_env._(
                        "Prepare the review of %(date)s",
                        date=format_date(user_env, review.date),
                    ),
                    "date_deadline": deadline,
                    "user_id": user.id,
                }
            )
        self.env["mail.activity"].create(vals_list)
