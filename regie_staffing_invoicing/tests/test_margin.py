from datetime import date

from odoo.exceptions import AccessError
from odoo.tests import tagged
from odoo.tests.common import new_test_user

from .test_vendor_bill_matching import RegieBuySideCommon


@tagged("post_install", "-at_install")
class TestMarginReport(RegieBuySideCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.carol = cls.env["hr.employee"].create(
            {
                "name": "Carol Employee",
                "company_id": cls.env.company.id,
                "hourly_cost": 50.0,
            }
        )
        cls.client = cls.env["res.partner"].create(
            {"name": "Client SA", "is_company": True}
        )
        cls.sale = cls._create_contract([(cls.carol, 600.0)], "sale", cls.client)
        cls._log_days(cls.sale, cls.carol, date(2026, 1, 1), 3)
        cls._validate_months(cls.sale, date(2026, 1, 1))

    def _rows(self, **domain):
        self.env.flush_all()
        return self.env["regie.margin.report"].search(
            [(name, "=", value) for name, value in domain.items()]
        )

    def test_employee_cost_is_hourly_cost_times_hours(self):
        row = self._rows(contract_id=self.sale.id)
        self.assertEqual(len(row), 1)
        self.assertEqual(row.employee_id, self.carol)
        self.assertEqual(row.date, date(2026, 1, 1))
        self.assertEqual(row.state, "validated")
        self.assertEqual(row.days, 3.0)
        self.assertEqual(row.hours, 24.0)
        self.assertEqual(row.revenue, 1800.0)
        self.assertEqual(row.cost, 1200.0)
        self.assertEqual(row.margin, 600.0)
        self.assertFalse(row.subcontracted)

    def test_subcontracted_cost_is_purchase_rate(self):
        purchase = self._create_contract([(self.alice, 450.0)])
        sale = self._create_contract([(self.alice, 700.0)], "sale", self.client)
        sale.mission_ids.purchase_mission_id = purchase.mission_ids
        self._log_days(sale, self.alice, date(2026, 1, 1), 4)
        self.env["regie.timesheet.period"].generate_periods(date(2026, 1, 1))
        row = self._rows(contract_id=sale.id)
        self.assertEqual(row.revenue, 2800.0)
        self.assertEqual(row.cost, 1800.0)
        self.assertEqual(row.margin, 1000.0)
        self.assertTrue(row.subcontracted)
        # The purchase month is the cost of the sale-side days, not listed twice.
        self.assertFalse(self._rows(contract_id=purchase.id))

    def test_rate_change_inside_the_month(self):
        mission = self.sale.mission_ids
        self.env["regie.mission.rate"].create(
            {
                "mission_id": mission.id,
                "date_from": date(2026, 2, 16),
                "daily_rate": 660.0,
            }
        )
        self._log_days(self.sale, self.carol, date(2026, 2, 2), 2)
        self._log_days(self.sale, self.carol, date(2026, 2, 16), 2)
        row = self._rows(contract_id=self.sale.id, date=date(2026, 2, 1))
        self.assertEqual(row.days, 4.0)
        self.assertEqual(row.revenue, 2520.0)
        self.assertEqual(row.cost, 1600.0)
        self.assertEqual(row.state, "draft")

    def test_rounding_rule_applies_to_revenue(self):
        contract = self._create_contract(
            [(self.carol, 600.0)], "sale", self.client, day_rounding="half_day_up"
        )
        self._log_days(contract, self.carol, date(2026, 3, 2), 3)
        self._log_days(contract, self.carol, date(2026, 3, 9), 1, hours=2.4)
        row = self._rows(contract_id=contract.id)
        self.assertEqual(row.days, 3.5)
        self.assertEqual(row.revenue, 2100.0)

    def test_purchase_only_contract_is_a_cost(self):
        purchase = self._create_contract([(self.bob, 500.0)])
        self._log_days(purchase, self.bob, date(2026, 1, 1), 2)
        row = self._rows(contract_id=purchase.id)
        self.assertEqual(row.direction, "purchase")
        self.assertEqual(row.revenue, 0.0)
        self.assertEqual(row.cost, 1000.0)
        self.assertEqual(row.margin, -1000.0)

    def test_pivot_groups_by_contract_and_month(self):
        self._log_days(self.sale, self.carol, date(2026, 2, 2), 1)
        self.env.flush_all()
        groups = self.env["regie.margin.report"].read_group(
            [("contract_id", "=", self.sale.id)],
            ["revenue:sum", "cost:sum", "margin:sum", "days:sum"],
            ["contract_id"],
        )
        self.assertEqual(len(groups), 1)
        self.assertEqual(groups[0]["revenue"], 2400.0)
        self.assertEqual(groups[0]["margin"], 800.0)

    def test_accountant_reads_margin_consultant_does_not(self):
        accountant = new_test_user(
            self.env,
            login="h9_margin_accountant",
            groups="regie_staffing_invoicing.group_regie_accountant",
            company_id=self.env.company.id,
        )
        consultant = new_test_user(
            self.env,
            login="h9_margin_consultant",
            groups="regie_staffing.group_consultant",
            company_id=self.env.company.id,
        )
        self.env.flush_all()
        report = self.env["regie.margin.report"]
        rows = report.with_user(accountant).search([("contract_id", "=", self.sale.id)])
        self.assertEqual(rows.margin, 600.0)
        with self.assertRaises(AccessError):
            report.with_user(consultant).search([])

    def test_revenue_equals_the_invoiced_amount(self):
        mission = self.sale.mission_ids
        self.env["regie.mission.rate"].create(
            {
                "mission_id": mission.id,
                "date_from": date(2026, 2, 6),
                "daily_rate": 615.5,
            }
        )
        self._log_days(self.sale, self.carol, date(2026, 2, 2), 7)
        periods = self._validate_months(self.sale, date(2026, 2, 1))
        periods.action_create_invoice(invoice_date=date(2026, 3, 2))
        row = self._rows(period_id=periods.id)
        self.assertEqual(row.state, "invoiced")
        # 2-5 February at 600, then 6, 9 and 10 February at 615.5
        self.assertEqual(row.revenue, 4246.5)
        self.assertEqual(row.revenue, periods.invoice_id.amount_untaxed)

    def test_analysis_views_load(self):
        views = self.env["regie.margin.report"].get_views(
            [(False, "pivot"), (False, "graph"), (False, "list"), (False, "search")]
        )
        self.assertEqual(set(views["views"]), {"pivot", "graph", "list", "search"})
        action = self.env.ref("regie_staffing_invoicing.regie_margin_report_action")
        self.assertEqual(action.res_model, "regie.margin.report")

    def test_costs_converted_to_the_contract_currency(self):
        other = self.setup_other_currency("EUR", rates=[("2025-01-01", 2.0)])
        if other == self.env.company.currency_id:
            other = self.setup_other_currency("CHF", rates=[("2025-01-01", 2.0)])
        contract = self._create_contract(
            [(self.carol, 1300.0)], "sale", self.client, currency_id=other.id
        )
        self._log_days(contract, self.carol, date(2026, 4, 1), 2)
        row = self._rows(contract_id=contract.id)
        self.assertEqual(row.currency_id, other)
        self.assertEqual(row.revenue, 2600.0)
        # 16 h x 50.0 in the company's currency, 2 contract units for 1.
        self.assertEqual(row.cost, 1600.0)
        self.assertEqual(row.margin, 1000.0)

    def test_mission_daily_cost_before_the_employee_cost(self):
        self.sale.mission_ids.daily_cost = 450.0
        row = self._rows(contract_id=self.sale.id)
        self.assertEqual(row.cost, 1350.0)
        self.assertEqual(row.margin, 450.0)
        self.assertEqual(row.margin_percent, 25.0)
        self.assertFalse(row.cost_unknown)

    def test_unknown_cost_is_said_not_a_full_margin(self):
        dave = self.env["hr.employee"].create(
            {"name": "Dave Nocost", "company_id": self.env.company.id}
        )
        contract = self._create_contract([(dave, 500.0)], "sale", self.client)
        self._log_days(contract, dave, date(2026, 1, 1), 2)
        row = self._rows(contract_id=contract.id)
        self.assertEqual(row.revenue, 1000.0)
        self.assertTrue(row.cost_unknown)
        self.assertFalse(row.cost)
        self.assertFalse(row.margin)
        self.assertFalse(row.margin_percent)
        self.assertEqual(row.partner_id, self.client, "the row names the client")
        # Known, the cost gives the margin.
        self.assertEqual(self._rows(contract_id=self.sale.id).margin_percent, 33.33)

    def test_group_margin_percent_is_margin_over_revenue_of_known_cost(self):
        dave = self.env["hr.employee"].create(
            {"name": "Dave Nocost", "company_id": self.env.company.id}
        )
        self.sale.mission_ids.daily_cost = 300.0
        mission = self.env["regie.mission"].create(
            {"contract_id": self.sale.id, "employee_id": dave.id, "daily_rate": 900.0}
        )
        mission.action_start()
        self._log_days(self.sale, dave, date(2026, 1, 1), 1)
        self.env.flush_all()
        groups = self.env["regie.margin.report"].read_group(
            [("contract_id", "=", self.sale.id)],
            ["revenue:sum", "margin:sum", "margin_percent:sum"],
            ["contract_id"],
        )
        # 3 days at 600 for 300 a day (50 %); Dave's day has no cost: left out.
        self.assertEqual(groups[0]["revenue"], 2700.0)
        self.assertEqual(groups[0]["margin"], 900.0)
        self.assertEqual(groups[0]["margin_percent"], 50.0)
