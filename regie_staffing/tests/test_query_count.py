from datetime import date

from odoo.tests import tagged

from .common import RegieCommon

# Queries a batch may cost on top of the smaller one (none expected; a couple
# tolerated for ORM cache effects).
MAX_EXTRA_QUERIES = 3


@tagged("post_install", "-at_install")
class TestQueryCount(RegieCommon):
    """generate_periods and the validation of many months cost a number of
    queries that does not grow with the number of missions."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # One contract per year so that each month sees only its own missions.
        # 11: one month warms the caches (views, report) before measuring 10.
        cls.small = cls._setup_contract(2023, 11)
        cls.large = cls._setup_contract(2024, 100)

    @classmethod
    def _setup_contract(cls, year, size):
        contract = cls._create_contract(
            date_start=date(year, 1, 1), date_end=date(year, 12, 31)
        )
        contract.user_id = cls.lead_user
        employees = cls.env["hr.employee"].create(
            [{"name": f"Consultant {year}-{i}"} for i in range(size)]
        )
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
        cls.env["account.analytic.line"].create(
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
        return contract

    def _count_queries(self, func):
        self.env.flush_all()
        self.env.invalidate_all()
        before = self.env.cr.sql_log_count
        result = func()
        self.env.flush_all()
        return self.env.cr.sql_log_count - before, result

    def test_generate_periods_constant_queries(self):
        Period = self.env["regie.timesheet.period"].with_user(self.lead_user)
        Period.generate_periods("2023-04-01")
        small_count, small_ids = self._count_queries(
            lambda: Period.generate_periods("2023-03-01")
        )
        large_count, large_ids = self._count_queries(
            lambda: Period.generate_periods("2024-03-01")
        )
        self.assertEqual((len(small_ids), len(large_ids)), (11, 100))
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

    def test_validate_many_months_constant_queries(self):
        Period = self.env["regie.timesheet.period"]
        small = Period.search([("contract_id", "=", self.small.id)])
        warm, small = small[:1], small[1:]
        large = Period.search([("contract_id", "=", self.large.id)])
        self.assertEqual((len(small), len(large)), (10, 100))
        (warm | small | large).with_user(self.lead_user).action_submit()
        warm.with_user(self.lead_user).action_validate()
        small_count, _res = self._count_queries(
            lambda: small.with_user(self.lead_user).action_validate()
        )
        large_count, _res = self._count_queries(
            lambda: large.with_user(self.lead_user).action_validate()
        )
        self.assertEqual(set((small | large).mapped("state")), {"validated"})
        self.assertLessEqual(large_count, small_count + MAX_EXTRA_QUERIES)
