from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import fields
from odoo.tests import tagged
from odoo.tests.common import new_test_user
from odoo.tools import format_amount

from odoo.addons.regie_staffing.tests.common_tour import RegieTourCase

from .common import RegieMoneyAssertions


@tagged("post_install", "-at_install")
class TestInvoicingTours(RegieMoneyAssertions, RegieTourCase):
    """The accountant's journeys in the browser, from the Invoicing app's
    menus: the client's validated months invoiced in a batch, a provider's
    validated month billed by a vendor bill that shows its matching."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        company = env.company
        cls.accountant = new_test_user(
            env,
            login="tour_accountant",
            name="Tour Accountant",
            groups="regie_staffing_invoicing.group_regie_accountant",
            company_id=company.id,
            company_ids=company.ids,
        )
        today = fields.Date.context_today(env.user)
        cls.month = today.replace(day=1) - relativedelta(months=1)
        cls.client = env["res.partner"].create(
            {"name": "Tour Client SA", "is_company": True, "lang": "en_US"}
        )
        cls.provider = env["res.partner"].create(
            {"name": "Tour Freelance SARL", "is_company": True}
        )
        cls.employee_a = env["hr.employee"].create({"name": "Tour Consultant A"})
        cls.employee_b = env["hr.employee"].create({"name": "Tour Consultant B"})
        cls.employee_c = env["hr.employee"].create({"name": "Tour Freelancer C"})
        start = cls.month - relativedelta(months=6)
        cls.sale = cls._contract(
            partner_id=cls.client.id,
            date_start=start,
            title="Tour ERP roll-out",
            billing_unit="half_day",
            client_order_ref="PO-TOUR-42",
        )
        cls.purchase = cls._contract(
            direction="purchase",
            partner_id=cls.provider.id,
            date_start=start,
            title="Tour data platform",
        )
        cls.month_a = cls._validated_month(cls.sale, cls.employee_a, 700.0, 6)
        cls.month_b = cls._validated_month(cls.sale, cls.employee_b, 600.0, 4)
        cls.month_c = cls._validated_month(cls.purchase, cls.employee_c, 450.0, 5)

    @classmethod
    def _contract(cls, **vals):
        contract = cls.env["regie.contract"].create(
            {"review_frequency": "none", "date_end": False, **vals}
        )
        contract.action_activate()
        return contract

    @classmethod
    def _validated_month(cls, contract, employee, rate, days):
        mission = cls.env["regie.mission"].create(
            {
                "contract_id": contract.id,
                "employee_id": employee.id,
                "daily_rate": rate,
            }
        )
        mission.action_start()
        vals_list = []
        day = cls.month
        while len(vals_list) < days:
            if day.weekday() < 5:
                vals_list.append(
                    {
                        "name": "Tour work",
                        "project_id": contract.project_id.id,
                        "employee_id": employee.id,
                        "date": day,
                        "unit_amount": contract.hours_per_day,
                    }
                )
            day += timedelta(days=1)
        period = cls.env["account.analytic.line"].create(vals_list).regie_period_id
        period.action_submit()
        period.action_validate()
        return period

    def _money(self, amount, currency):
        return format_amount(self.env, amount, currency)

    # ------------------------------------------------------------------
    # Customer side
    # ------------------------------------------------------------------

    def test_accountant_invoice_months_en(self):
        self._accountant_invoice_months("en_US")

    def test_accountant_invoice_months_fr(self):
        self._accountant_invoice_months("fr_FR")

    def _accountant_invoice_months(self, lang):
        months = self.month_a | self.month_b
        self.assertEqual(set(months.mapped("state")), {"validated"})
        self.assertEqual(
            months.sudo().mapped("amount_to_invoice"), [6 * 700.0, 4 * 600.0]
        )
        self.start_regie_tour(
            "/odoo", "regie_accountant_invoice_months", self.accountant, lang
        )
        months.invalidate_recordset()
        self.assertEqual(set(months.mapped("state")), {"invoiced"})
        invoice = months.sudo().invoice_id
        self.assertEqual(len(invoice), 1, "one invoice for the contract's month")
        self.assertEqual(invoice.move_type, "out_invoice")
        self.assertEqual(invoice.partner_id, self.client)
        self.assertEqual(invoice.ref, "PO-TOUR-42")
        self.assertEqual(invoice.create_uid, self.accountant)
        currency = invoice.currency_id
        month = self.month.strftime("%m/%Y")
        lines = invoice.invoice_line_ids.sorted(
            lambda line: line.regie_period_id.employee_id.name
        )
        half_day = self.env.ref("regie_staffing_invoicing.uom_uom_half_day")
        self.assertEqual(
            [
                (line.quantity, line.price_unit, line.product_uom_id, line.name)
                for line in lines
            ],
            [
                (
                    12.0,
                    350.0,
                    half_day,
                    f"Tour Consultant A — Month {month} — Tour ERP roll-out\n"
                    f"12 half-days × {self._money(350.0, currency)}",
                ),
                (
                    8.0,
                    300.0,
                    half_day,
                    f"Tour Consultant B — Month {month} — Tour ERP roll-out\n"
                    f"8 half-days × {self._money(300.0, currency)}",
                ),
            ],
        )
        self.assertEqual(lines.regie_period_id, months)
        self.assertEqual(invoice.amount_untaxed, 6 * 700.0 + 4 * 600.0)
        self.assertBilledOnce(months)
        self.assertFalse(months.sudo().mapped("amount_to_invoice")[0])
        # The provider's month is not on the client's screen: still to bill.
        self.assertEqual(self.month_c.state, "validated")

    # ------------------------------------------------------------------
    # Vendor side
    # ------------------------------------------------------------------

    def test_accountant_bill_provider_month_en(self):
        self._accountant_bill_provider_month("en_US")

    def test_accountant_bill_provider_month_fr(self):
        self._accountant_bill_provider_month("fr_FR")

    def _accountant_bill_provider_month(self, lang):
        self.start_regie_tour(
            "/odoo", "regie_accountant_bill_provider_month", self.accountant, lang
        )
        month = self.month_c
        month.invalidate_recordset()
        self.assertEqual(month.state, "invoiced")
        bill = month.sudo().invoice_id
        self.assertEqual(len(bill), 1)
        self.assertEqual(bill.move_type, "in_invoice")
        self.assertEqual(bill.state, "posted")
        self.assertEqual(bill.partner_id, self.provider)
        # The bill made from the month shows its matching, as the provider's
        # own bill would: its contract, its months, no difference.
        self.assertEqual(bill.regie_contract_id, self.purchase)
        self.assertEqual(bill.regie_match_date_from, self.month)
        self.assertEqual(bill.regie_match_date_to, self.month + relativedelta(day=31))
        self.assertEqual(bill.regie_match_state, "equal")
        self.assertFalse(bill.regie_match_difference)
        line = bill.invoice_line_ids
        self.assertEqual((line.quantity, line.price_unit), (5.0, 450.0))
        self.assertEqual(line.product_uom_id, self.env.ref("uom.product_uom_day"))
        self.assertTrue(line.name.startswith("Tour Freelancer C — Month "))
        self.assertBilledOnce(month)
        # The client's months were not billed by the vendor-side screen.
        self.assertEqual(
            set((self.month_a | self.month_b).mapped("state")), {"validated"}
        )
