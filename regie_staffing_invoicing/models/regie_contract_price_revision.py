# Kept apart from regie_contract.py: the price revision clause is a feature of
# its own.
# pylint: disable=consider-merging-classes-inherited
import logging
from collections import defaultdict
from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL, format_amount, format_date

_logger = logging.getLogger(__name__)


class RegieContract(models.Model):
    """Price revision clause: P1 = P0 x (S1 / S0), capped, applied at each
    anniversary as new dated rates of the contract's missions."""

    _inherit = "regie.contract"

    price_revision_date = fields.Date(
        string="Last price revision",
        readonly=True,
        copy=False,
        tracking=True,
        help="Anniversary at which the price revision was last applied.",
    )

    @api.constrains("price_revision_cap", "price_index_base_value")
    def _check_price_revision_terms(self):
        for contract in self:
            if contract.price_revision_cap < 0:
                raise ValidationError(
                    self.env._(
                        "The revision cap of contract %(contract)s cannot be "
                        "negative (%(cap)s %%).",
                        contract=contract.name,
                        cap=contract.price_revision_cap,
                    )
                )
            if contract.price_index_base_value < 0:
                raise ValidationError(
                    self.env._(
                        "The index base value of contract %(contract)s cannot be "
                        "negative.",
                        contract=contract.name,
                    )
                )

    def action_apply_price_revision(self, date=False):
        """Apply the price revision clause at the last anniversary on or before
        ``date`` (a date or 'YYYY-MM-DD'; today by default): every mission in
        progress at the anniversary gets a new daily rate P0 x (S1 / S0),
        capped and rounded to the cent, from that day. The index value of the
        anniversary month becomes the base of the next revision. Applying it
        twice changes nothing; the revision is logged on the contract."""
        self.check_access("write")
        day = self._parse_date(date) or fields.Date.context_today(self)
        if self:
            # A manual run and the scheduled action must not revise twice.
            self.env.cr.execute(
                SQL(
                    "SELECT id FROM regie_contract WHERE id IN %s FOR NO KEY UPDATE",
                    tuple(self.ids),
                )
            )
            self.invalidate_recordset(["price_revision_date", "price_index_base_value"])
        errors = [
            error for error in (c._get_price_revision_error(day) for c in self) if error
        ]
        if errors:
            raise UserError("\n".join(errors))
        vals_list = []
        bodies = {}
        new_terms = defaultdict(lambda: self.browse())
        for contract in self:
            anniversary = contract._get_price_revision_anniversary(day)
            if not contract._is_price_revision_due(anniversary):
                continue
            s0 = contract.price_index_base_value
            s1 = contract.price_index_id.get_value(anniversary)
            ratio = s1 / s0
            capped = bool(
                contract.price_revision_cap
                and ratio > 1 + contract.price_revision_cap / 100
            )
            if capped:
                ratio = 1 + contract.price_revision_cap / 100
            changes = []
            for mission in contract._get_price_revision_missions(anniversary):
                old_rate = mission.get_rate(anniversary - timedelta(days=1))
                new_rate = contract.currency_id.round(old_rate * ratio)
                vals_list.append(
                    {
                        "mission_id": mission.id,
                        "date_from": anniversary,
                        "daily_rate": new_rate,
                    }
                )
                changes.append((mission, old_rate, new_rate))
            new_terms[(anniversary, s1)] |= contract
            bodies[contract.id] = contract._get_price_revision_message(
                anniversary, s0, s1, capped, changes
            )
        self.env["regie.mission.rate"].create(vals_list)
        for (anniversary, s1), contracts in new_terms.items():
            contracts.write(
                {"price_revision_date": anniversary, "price_index_base_value": s1}
            )
        if bodies:
            self.browse(bodies)._message_log_batch(bodies=bodies)
        return True

    # ------------------------------------------------------------------
    # Business helpers
    # ------------------------------------------------------------------

    def _get_price_revision_anniversary(self, day):
        """Return the first day of the anniversary month on or before ``day``."""
        self.ensure_one()
        anniversary = day.replace(month=int(self.price_revision_month), day=1)
        if anniversary > day:
            anniversary = anniversary.replace(year=anniversary.year - 1)
        return anniversary

    def _is_price_revision_due(self, anniversary):
        self.ensure_one()
        return anniversary > self.date_start and (
            not self.price_revision_date or self.price_revision_date < anniversary
        )

    def _get_price_revision_error(self, day):
        """Return why the revision clause cannot be applied on ``day``, or
        False (nothing due is not an error)."""
        self.ensure_one()
        if not (self.price_index_id and self.price_revision_month):
            return self.env._(
                "Contract %(contract)s has no price revision clause: set its "
                "index and anniversary month.",
                contract=self.name,
            )
        if self.price_revision_cap < 0:
            return self.env._(
                "The revision cap of contract %(contract)s cannot be negative.",
                contract=self.name,
            )
        anniversary = self._get_price_revision_anniversary(day)
        if not self._is_price_revision_due(anniversary):
            return False
        if self.price_index_base_value <= 0:
            return self.env._(
                "Set the index base value (S0) of contract %(contract)s.",
                contract=self.name,
            )
        if not self.price_index_id.get_value(anniversary):
            return self.env._(
                "Index %(index)s has no value for %(month)s: the price revision of "
                "contract %(contract)s cannot be computed.",
                index=self.price_index_id.name,
                month=anniversary.strftime("%m/%Y"),
                contract=self.name,
            )
        return False

    def _get_price_revision_missions(self, anniversary):
        """Missions revised at ``anniversary``: started before it and still
        running, without a rate already set from that day."""
        self.ensure_one()
        return self.mission_ids.filtered(
            lambda m: (
                m.state in ("draft", "active")
                and m.date_start < anniversary
                and (not m.date_end or m.date_end >= anniversary)
                and anniversary not in m.rate_ids.mapped("date_from")
            )
        )

    def _get_price_revision_message(self, anniversary, s0, s1, capped, changes):
        self.ensure_one()
        header = self.env._(
            "Price revision at %(date)s: index %(index)s from %(s0)s to %(s1)s "
            "(%(percent)s %%)%(cap)s.",
            date=format_date(self.env, anniversary),
            index=self.price_index_id.name,
            s0=s0,
            s1=s1,
            percent=round((s1 / s0 - 1) * 100, 2),
            cap=self.env._(", capped at %(cap)s %%", cap=self.price_revision_cap)
            if capped
            else "",
        )
        items = Markup("").join(
            Markup("<li>%s</li>")
            % self.env._(
                "%(mission)s (%(consultant)s): %(old)s → %(new)s",
                mission=mission.name,
                consultant=mission.employee_id.name,
                old=format_amount(self.env, old_rate, self.currency_id),
                new=format_amount(self.env, new_rate, self.currency_id),
            )
            for mission, old_rate, new_rate in changes
        )
        if not changes:
            items = Markup("<li>%s</li>") % self.env._("No mission to revise.")
        return Markup("<p>%s</p><ul>%s</ul>") % (header, items)

    @api.model
    def _cron_apply_price_revision(self):
        """Apply the revision clauses due today; a contract whose clause cannot
        be applied (e.g. index value not published yet) is retried next run."""
        today = fields.Date.context_today(self)
        contracts = self.search(
            [
                ("state", "=", "active"),
                ("price_index_id", "!=", False),
                ("price_revision_month", "!=", False),
            ]
        )
        due = contracts.filtered(
            lambda c: c._is_price_revision_due(c._get_price_revision_anniversary(today))
        )
        ready = self.browse()
        for contract in due:
            error = contract._get_price_revision_error(today)
            if error:
                _logger.warning("Price revision not applied: %s", error)
            else:
                ready |= contract
        ready.action_apply_price_revision(today)
        return True
