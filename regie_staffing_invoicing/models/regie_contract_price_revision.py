# Kept apart from regie_contract.py: the price revision clause is a feature of
# its own.
# pylint: disable=consider-merging-classes-inherited
import logging
from collections import defaultdict
from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL, format_amount, format_date, formatLang

_logger = logging.getLogger(__name__)


class RegieContract(models.Model):
    """Price revision clause: P1 = P0 x (a + (1 - a) x S1 / S0), capped,
    applied at each anniversary as new dated rates of the contract's missions,
    never on days of months already submitted, validated or invoiced."""

    _inherit = "regie.contract"

    price_revision_date = fields.Date(
        string="Last price revision",
        readonly=True,
        copy=False,
        tracking=True,
        help="Anniversary at which the price revision was last applied.",
    )
    price_revision_fixed_part = fields.Float(
        string="Revision fixed part",
        digits=(16, 4),
        default=0.0,
        tracking=True,
        help="Part of the price the index does not revise (a, between 0 and 1): "
        "P1 = P0 × (a + (1 − a) × S1 / S0). 0 revises the whole price.",
    )

    @api.constrains(
        "price_revision_cap", "price_index_base_value", "price_revision_fixed_part"
    )
    def _check_price_revision_terms(self):
        for contract in self:
            if not 0 <= contract.price_revision_fixed_part <= 1:
                raise ValidationError(
                    self.env._(
                        'The field "%(field)s" of contract %(contract)s must be '
                        "between 0 and 1, not %(value)s.",
                        field=self._fields[
                            "price_revision_fixed_part"
                        ]._description_string(self.env),
                        contract=contract.name,
                        value=contract._format_revision_number(
                            contract.price_revision_fixed_part, 4
                        ),
                    )
                )
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
        progress at the anniversary gets a new daily rate
        P0 x (a + (1 - a) x S1 / S0), capped and rounded to the cent, S1 being
        the last index value published at or before the anniversary. The new
        rate starts at the anniversary, or after the mission's last month that
        is no longer a draft (billed days never change). S1 becomes the base
        of the next revision. A contract whose index has no value yet is
        skipped with a note. Applying it twice changes nothing; the revision
        is logged on the contract."""
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
        due = self.filtered(
            lambda c: c._is_price_revision_due(c._get_price_revision_anniversary(day))
        )
        frozen_until = self._get_price_revision_frozen_until(due.mission_ids)
        vals_list = []
        bodies = {}
        new_terms = defaultdict(lambda: self.browse())
        for contract in due:
            anniversary = contract._get_price_revision_anniversary(day)
            s1 = contract.price_index_id.get_value(anniversary)
            if not s1:
                bodies[contract.id] = Markup("<p>%s</p>") % (
                    contract._get_price_revision_unpublished_message(anniversary)
                )
                continue
            s0 = contract.price_index_base_value
            ratio, capped = contract._get_price_revision_ratio(s0, s1)
            changes = []
            for mission in contract._get_price_revision_missions(anniversary):
                last_frozen = frozen_until.get(mission.id)
                date_from = anniversary
                if last_frozen and last_frozen >= anniversary:
                    date_from = last_frozen + timedelta(days=1)
                if any(
                    anniversary <= rate_date <= date_from
                    for rate_date in mission.rate_ids.mapped("date_from")
                ):
                    # A rate set by hand for the revised period is kept.
                    continue
                old_rate = mission._get_rate(anniversary - timedelta(days=1))
                if mission.date_end and date_from > mission.date_end:
                    changes.append((mission, old_rate, False, date_from))
                    continue
                new_rate = contract.currency_id.round(old_rate * ratio)
                vals_list.append(
                    {
                        "mission_id": mission.id,
                        "date_from": date_from,
                        "daily_rate": new_rate,
                    }
                )
                changes.append((mission, old_rate, new_rate, date_from))
            new_terms[(anniversary, s1)] |= contract
            bodies[contract.id] = contract._get_price_revision_message(
                anniversary, s0, s1, ratio, capped, changes
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
        return False

    def _get_price_revision_unpublished_message(self, anniversary):
        self.ensure_one()
        return self.env._(
            "Price revision of contract %(contract)s at %(date)s not applied: "
            "index %(index)s has no value published on or before that date.",
            contract=self.name,
            date=format_date(self.env, anniversary),
            index=self.price_index_id.name,
        )

    def _get_price_revision_ratio(self, s0, s1):
        """Return (coefficient applied to the rates, whether it was capped)."""
        self.ensure_one()
        fixed = self.price_revision_fixed_part
        ratio = fixed + (1 - fixed) * s1 / s0
        cap = self.price_revision_cap
        if cap and ratio > 1 + cap / 100:
            return 1 + cap / 100, True
        return ratio, False

    @api.model
    def _get_price_revision_frozen_until(self, missions):
        """Return {mission id: last day of its last month that is no longer a
        draft}: a revision never changes the rate of those days."""
        # Frozen months bind whoever applies the revision, including months
        # of other consultants the user may not read.
        groups = (
            self.env["regie.timesheet.period"]
            .sudo()
            ._read_group(
                [("mission_id", "in", missions.ids), ("state", "!=", "draft")],
                ["mission_id"],
                ["date_to:max"],
            )
        )
        return {mission.id: date_to for mission, date_to in groups}

    def _get_price_revision_missions(self, anniversary):
        """Missions revised at ``anniversary``: started before it and still
        running."""
        self.ensure_one()
        return self.mission_ids.filtered(
            lambda m: (
                m.state in ("draft", "active")
                and m.date_start < anniversary
                and (not m.date_end or m.date_end >= anniversary)
            )
        )

    def _format_revision_number(self, value, digits):
        """``value`` in the user's language, with at most ``digits`` decimals."""
        decimals = f"{value:.{digits}f}".rstrip("0").partition(".")[2]
        return formatLang(self.env, value, digits=len(decimals))

    def _get_price_revision_message(self, anniversary, s0, s1, ratio, capped, changes):
        """Chatter note of a revision; ``changes`` holds (mission, old rate,
        new rate or False when not revised, first day of the new rate)."""
        self.ensure_one()
        terms = ""
        if self.price_revision_fixed_part:
            terms = self.env._(
                ", fixed part %(fixed)s: coefficient %(coefficient)s",
                fixed=self._format_revision_number(self.price_revision_fixed_part, 4),
                coefficient=self._format_revision_number(ratio, 6),
            )
        if capped:
            terms += self.env._(
                ", capped at %(cap)s %%",
                cap=formatLang(self.env, self.price_revision_cap),
            )
        header = self.env._(
            "Price revision at %(date)s: index %(index)s from %(s0)s to %(s1)s "
            "(%(percent)s %%)%(cap)s.",
            date=format_date(self.env, anniversary),
            index=self.price_index_id.name,
            s0=self._format_revision_number(s0, 4),
            s1=self._format_revision_number(s1, 4),
            percent=formatLang(self.env, (s1 / s0 - 1) * 100),
            cap=terms,
        )
        items = Markup("").join(
            Markup("<li>%s</li>")
            % self._get_price_revision_change_message(anniversary, *change)
            for change in changes
        )
        if not changes:
            items = Markup("<li>%s</li>") % self.env._("No mission to revise.")
        return Markup("<p>%s</p><ul>%s</ul>") % (header, items)

    def _get_price_revision_change_message(
        self, anniversary, mission, old_rate, new_rate, date_from
    ):
        self.ensure_one()
        values = {
            "mission": mission.name,
            "consultant": mission.employee_id.name,
            "old": format_amount(self.env, old_rate, self.currency_id),
            "new": new_rate and format_amount(self.env, new_rate, self.currency_id),
            "date": format_date(self.env, date_from),
            "last_day": format_date(self.env, date_from - timedelta(days=1)),
        }
        if not new_rate:
            return self.env._(
                "%(mission)s (%(consultant)s): not revised, all its months up to "
                "its end on %(end)s are already submitted, contested, validated or "
                "invoiced and keep their rate.",
                end=format_date(self.env, mission.date_end),
                **values,
            )
        if date_from > anniversary:
            return self.env._(
                "%(mission)s (%(consultant)s): %(old)s → %(new)s from %(date)s: its "
                "months up to %(last_day)s are already submitted, contested, "
                "validated or invoiced and keep their rate.",
                **values,
            )
        return self.env._("%(mission)s (%(consultant)s): %(old)s → %(new)s", **values)

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
            anniversary = contract._get_price_revision_anniversary(today)
            if not error and not contract.price_index_id.get_value(anniversary):
                error = contract._get_price_revision_unpublished_message(anniversary)
            if error:
                _logger.warning("Price revision not applied: %s", error)
            else:
                ready |= contract
        ready.action_apply_price_revision(today)
        return True
