import logging
from datetime import date

from odoo import Command
from odoo.tests import tagged

from .common import RegieCommon

_logger = logging.getLogger(__name__)

# Queries a batch may cost on top of the smaller one (none expected; a couple
# tolerated for ORM cache effects).
MAX_EXTRA_QUERIES = 3
# Months of each size: a third of purchase months, the rest sale months
# validated by an English-speaking and a French-speaking client.
SMALL, LARGE = 10, 100


@tagged("post_install", "-at_install")
class TestQueryCount(RegieCommon):
    """Generating, submitting, validating and contesting many months cost a
    number of queries that does not grow with the number of months: 10 and
    100 months cost the same (INSERTs are batched)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("fr_FR")
        users = cls.env["res.users"].create(
            [
                {
                    "name": f"Consultant {i}",
                    "login": f"regie_qc_{i}",
                    "email": f"consultant{i}@example.com",
                    "groups_id": [
                        Command.set(cls.env.ref("regie_staffing.group_consultant").ids)
                    ],
                }
                for i in range(LARGE)
            ]
        )
        cls.consultants = cls.env["hr.employee"].create(
            [{"name": user.name, "user_id": user.id} for user in users]
        )
        cls.provider = cls.env["res.partner"].create(
            {"name": "Provider SARL", "is_company": True, "email": "p@example.com"}
        )
        cls.client.email = "client@example.com"
        cls.validators = cls.env["res.partner"].create(
            [
                {
                    "name": name,
                    "parent_id": cls.client.id,
                    "email": f"{name.lower()}@example.com",
                    "lang": lang,
                }
                for name, lang in (("Vera", "en_US"), ("Valentin", "fr_FR"))
            ]
        )
        # One set of contracts per year, so that each month sees only its own
        # missions; 2022 warms the caches (views, templates, report).
        cls.warm = cls._setup_months(2022, 3)
        cls.small = cls._setup_months(2023, SMALL)
        cls.large = cls._setup_months(2024, LARGE)

    @classmethod
    def _setup_months(cls, year, size):
        """February months of ``size`` consultants on three contracts of
        ``year``: purchase, sale validated in English, sale validated in
        French. Returns the months."""
        third = size // 3
        slices = {
            "purchase": cls.consultants[:third],
            "en": cls.consultants[third : size - third],
            "fr": cls.consultants[size - third : size],
        }
        periods = cls.env["regie.timesheet.period"]
        for kind, employees in slices.items():
            vals = {
                "date_start": date(year, 1, 1),
                "date_end": date(year, 12, 31),
            }
            if kind == "purchase":
                vals.update(direction="purchase", partner_id=cls.provider.id)
            else:
                vals["client_manager_id"] = cls.validators[kind == "fr"].id
            contract = cls._create_contract(**vals)
            cls._set_leads(contract, cls.lead_user)
            cls.env["regie.mission"].create(
                [
                    {
                        "contract_id": contract.id,
                        "employee_id": employee.id,
                        "daily_rate": 500.0,
                    }
                    for employee in employees
                ]
            )
            contract.with_user(cls.lead_user).action_activate()
            lines = cls.env["account.analytic.line"].create(
                [
                    {
                        "name": "Work",
                        "project_id": contract.project_id.id,
                        "employee_id": employee.id,
                        "date": date(year, 2, day),
                        "unit_amount": 7.0,
                    }
                    for employee in employees
                    for day in (3, 4)
                ]
            )
            periods |= lines.regie_period_id
        return periods

    def _count_queries(self, func):
        """Queries of ``func``, the tracking messages written at commit
        included."""
        self.env.flush_all()
        self.env.cr.flush()
        self.env.invalidate_all()
        before = self.env.cr.sql_log_count
        result = func()
        self.env.flush_all()
        self.env.cr.flush()
        return self.env.cr.sql_log_count - before, result

    def _assert_flat(self, action, counts):
        small_count, large_count = counts
        _logger.info(
            "%s: %s queries for %s months, %s for %s",
            action,
            small_count,
            SMALL,
            large_count,
            LARGE,
        )
        self.assertLessEqual(
            large_count,
            small_count + MAX_EXTRA_QUERIES,
            f"{action}: {small_count} queries for {SMALL} months, {large_count} "
            f"for {LARGE}",
        )

    def _submit(self, periods):
        periods.with_user(self.lead_user).action_submit()

    def test_generate_periods_constant_queries(self):
        Period = self.env["regie.timesheet.period"].with_user(self.lead_user)
        Period.generate_periods("2023-04-01")
        small_count, small_ids = self._count_queries(
            lambda: Period.generate_periods("2023-03-01")
        )
        large_count, large_ids = self._count_queries(
            lambda: Period.generate_periods("2024-03-01")
        )
        self.assertEqual((len(small_ids), len(large_ids)), (SMALL, LARGE))
        self.assertLessEqual(large_count, small_count + MAX_EXTRA_QUERIES)
        # Idempotent runs too.
        again_small, _ids = self._count_queries(
            lambda: Period.generate_periods("2023-03-01")
        )
        again_large, ids = self._count_queries(
            lambda: Period.generate_periods("2024-03-01")
        )
        self.assertEqual(sorted(ids), sorted(large_ids))
        self.assertLessEqual(again_large, again_small + MAX_EXTRA_QUERIES)

    def test_submit_many_months_constant_queries(self):
        self.assertEqual((len(self.small), len(self.large)), (SMALL, LARGE))
        self._submit(self.warm)
        counts = [
            self._count_queries(lambda periods=periods: self._submit(periods))[0]
            for periods in (self.small, self.large)
        ]
        self.assertEqual(set((self.small | self.large).mapped("state")), {"submitted"})
        self._assert_flat("action_submit", counts)

    def test_validate_many_months_constant_queries(self):
        (self.warm | self.small | self.large).with_user(self.lead_user).action_submit()
        self.warm.with_user(self.lead_user).action_validate()
        counts = [
            self._count_queries(
                lambda periods=periods: periods.with_user(
                    self.lead_user
                ).action_validate()
            )[0]
            for periods in (self.small, self.large)
        ]
        self.assertEqual(set((self.small | self.large).mapped("state")), {"validated"})
        self._assert_flat("action_validate", counts)

    def test_contest_many_months_constant_queries(self):
        (self.warm | self.small | self.large).with_user(self.lead_user).action_submit()
        self.warm.with_user(self.lead_user).action_contest("Warm")
        counts = [
            self._count_queries(
                lambda periods=periods: periods.with_user(
                    self.lead_user
                ).action_contest("Too many hours")
            )[0]
            for periods in (self.small, self.large)
        ]
        self.assertEqual(set((self.small | self.large).mapped("state")), {"contested"})
        self._assert_flat("action_contest", counts)

    def test_portal_validate_constant_queries(self):
        """A month signed online costs the same whatever the number of months
        of its contract."""
        sales = (self.warm | self.small | self.large).filtered(
            lambda period: period.direction == "sale"
        )
        self._submit(sales)
        counts = []
        for periods in (self.warm, self.small, self.large):
            period = periods.filtered(lambda p: p.direction == "sale")[:1]
            partner = period.validator_partner_id
            count, _res = self._count_queries(
                lambda period=period, partner=partner: period.sudo()._portal_validate(
                    partner, b"c2lnbmF0dXJl", partner.name
                )
            )
            counts.append(count)
        self._assert_flat("_portal_validate", counts[1:])
