from datetime import date

from odoo import Command
from odoo.tests import tagged
from odoo.tests.common import new_test_user

from odoo.addons.regie_staffing.tests.common_tour import RegieTourCase

from .common import RegieMoneyAssertions

MAY = date(2026, 5, 1)
SALE_RATE = 600.0
PURCHASE_RATE = 450.0


@tagged("post_install", "-at_install")
class TestBackToBackTours(RegieMoneyAssertions, RegieTourCase):
    """Back-to-back subcontracting in the browser, one user after the other:
    the freelancer (a portal user only) logs and submits his month in the
    extranet, the client's contact signs it in the portal, and the ESN's
    accountant invoices the client and posts the freelancer's own bill,
    matched against the same validated days."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        company = env.company
        cls.freelancer = new_test_user(
            env,
            login="b2b_tour_freelancer",
            name="Fanny Freelance",
            groups="base.group_portal",
        )
        cls.employee = env["hr.employee"].create(
            {
                "name": "Fanny Freelance",
                "user_id": cls.freelancer.id,
                "employee_type": "freelance",
                "company_id": company.id,
            }
        )
        cls.client = env["res.partner"].create(
            {"name": "B2B Tour Client SA", "is_company": True}
        )
        cls.validator = new_test_user(
            env,
            login="b2b_tour_validator",
            name="Victor Validator",
            email="b2b_tour_validator@example.com",
            groups="base.group_portal",
        )
        cls.validator.partner_id.parent_id = cls.client
        cls.provider = env["res.partner"].create(
            {"name": "Fanny Freelance EURL", "is_company": True}
        )
        cls.accountant = new_test_user(
            env,
            login="b2b_tour_accountant",
            name="B2B Tour Accountant",
            groups="regie_staffing_invoicing.group_regie_accountant",
            company_id=company.id,
            company_ids=company.ids,
        )
        Contract = env["regie.contract"]
        common = {
            "date_start": date(2026, 1, 1),
            "date_end": date(2026, 12, 31),
            "review_frequency": "none",
            "company_id": company.id,
        }
        cls.purchase = Contract.create(
            {
                **common,
                "title": "B2B tour subcontracting",
                "direction": "purchase",
                "partner_id": cls.provider.id,
            }
        )
        cls.sale = Contract.create(
            {
                **common,
                "title": "B2B tour ERP roll-out",
                "partner_id": cls.client.id,
                "client_manager_id": cls.validator.partner_id.id,
            }
        )
        (cls.purchase | cls.sale).action_activate()
        Mission = env["regie.mission"]
        cls.purchase_mission = Mission.create(
            {
                "contract_id": cls.purchase.id,
                "employee_id": cls.employee.id,
                "daily_rate": PURCHASE_RATE,
            }
        )
        cls.sale_mission = Mission.create(
            {
                "contract_id": cls.sale.id,
                "employee_id": cls.employee.id,
                "daily_rate": SALE_RATE,
                "purchase_mission_id": cls.purchase_mission.id,
            }
        )
        (cls.purchase_mission | cls.sale_mission).filtered(
            lambda mission: mission.state == "draft"
        ).action_start()
        Period = env["regie.timesheet.period"]
        Period.generate_periods(MAY)
        cls.sale_month = Period.search(
            [("mission_id", "=", cls.sale_mission.id), ("date_from", "=", MAY)]
        )
        cls.purchase_month = cls.sale_month.purchase_period_id

    def _freelancer_bill(self):
        """The freelancer's own bill for May, as received: 2 days at his rate."""
        return self.env["account.move"].create(
            {
                "move_type": "in_invoice",
                "partner_id": self.provider.id,
                "invoice_date": date(2026, 6, 2),
                "ref": "FF-2026-05",
                "regie_contract_id": self.purchase.id,
                "invoice_line_ids": [
                    Command.create(
                        {
                            "name": "Fanny Freelance, May 2026",
                            "product_id": self.purchase.product_id.id,
                            "quantity": 2.0,
                            "price_unit": PURCHASE_RATE,
                            "regie_employee_id": self.employee.id,
                            "tax_ids": [Command.clear()],
                        }
                    )
                ],
            }
        )

    def test_back_to_back_month_en(self):
        self._back_to_back_month("en_US")

    def test_back_to_back_month_fr(self):
        self._back_to_back_month("fr_FR")

    def _back_to_back_month(self, lang):
        sale, purchase = self.sale_month, self.purchase_month
        self.assertEqual(purchase.mission_id, self.purchase_mission)
        # The freelancer's extranet shows his client month only: the purchase
        # month follows it.
        Period = self.env["regie.timesheet.period"]
        self.assertEqual(Period._extranet_months(self.freelancer), sale)

        # 1. The freelancer logs two days and submits, from /my.
        self.start_regie_tour(
            "/my", "regie_back_to_back_freelancer", self.freelancer, lang
        )
        (sale | purchase).invalidate_recordset()
        self.assertEqual(sale.state, "submitted")
        self.assertEqual(sale.submitted_by_id, self.freelancer)
        self.assertEqual(purchase.state, "submitted")
        self.assertEqual(sale.timesheet_ids.project_id, self.sale.project_id)
        self.assertFalse(purchase.timesheet_ids, "logged once, on the client side")
        self.assertEqual((sale.total_days, purchase.total_days), (2.0, 2.0))

        # 2. The client's contact signs it in the portal, from /my.
        self.start_regie_tour("/my", "regie_back_to_back_client", self.validator, lang)
        (sale | purchase).invalidate_recordset()
        self.assertEqual(sale.state, "validated")
        self.assertEqual(sale.validated_by_partner_id, self.validator.partner_id)
        self.assertTrue(sale.signature)
        self.assertEqual(purchase.state, "validated")
        self.assertEqual(purchase.billable_days, 2.0)

        # 3. The accountant invoices the client and posts the freelancer's
        # bill, from the Invoicing app.
        bill = self._freelancer_bill()
        self.assertEqual(bill.regie_match_state, "equal")
        self.start_regie_tour(
            "/odoo", "regie_back_to_back_accountant", self.accountant, lang
        )
        (sale | purchase).invalidate_recordset()
        bill.invalidate_recordset()
        invoice = sale.sudo().invoice_id
        self.assertEqual(len(invoice), 1)
        self.assertEqual(invoice.move_type, "out_invoice")
        self.assertEqual(invoice.partner_id, self.client)
        self.assertEqual(invoice.state, "posted")
        self.assertEqual(invoice.create_uid, self.accountant)
        line = invoice.invoice_line_ids.filtered("regie_period_id")
        self.assertEqual(line.regie_period_id, sale)
        self.assertEqual((line.quantity, line.price_unit), (2.0, SALE_RATE))
        self.assertEqual(invoice.amount_untaxed, 2 * SALE_RATE)
        self.assertEqual(sale.state, "invoiced")

        self.assertEqual(bill.state, "posted")
        self.assertEqual(bill.amount_untaxed, 2 * PURCHASE_RATE)
        self.assertEqual(purchase.state, "invoiced")
        self.assertEqual(purchase.vendor_bill_id, bill)
        self.assertFalse(purchase.sudo().invoice_id, "no bill generated besides his")
        self.assertBilledOnce(sale | purchase)
