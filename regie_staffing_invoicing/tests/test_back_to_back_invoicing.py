from datetime import date

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tests.common import new_test_user

from .test_vendor_bill_matching import RegieBuySideCommon

JANUARY = date(2026, 1, 1)


@tagged("post_install", "-at_install")
class TestBackToBackInvoicing(RegieBuySideCommon):
    """Alice, a freelancer, is bought 450 a day from her company and sold 700
    a day to a client: she logs once on the client's project, the client
    validates, and both sides are billed from that one month."""

    employee_type = "freelance"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.alice.employee_type = cls.employee_type
        cls.accountant = new_test_user(
            cls.env,
            login="b2b_accountant",
            groups="regie_staffing_invoicing.group_regie_accountant",
            company_id=cls.env.company.id,
        )
        cls.client = cls.env["res.partner"].create(
            {"name": "Client SA", "is_company": True}
        )
        cls.purchase = cls._create_contract(
            [(cls.alice, 450.0)], product_id=cls.day_product.id
        )
        cls.sale = cls._create_contract(
            [(cls.alice, 700.0)], "sale", cls.client, product_id=cls.day_product.id
        )
        cls.sale.mission_ids.purchase_mission_id = cls.purchase.mission_ids
        cls._log_days(cls.sale, cls.alice, JANUARY, 4)
        cls.sale_month = cls._validate_months(cls.sale, JANUARY)
        cls.purchase_month = cls.sale_month.purchase_period_id

    def _provider_bill(self, days, rate=450.0):
        return self.env["account.move"].create(
            {
                "move_type": "in_invoice",
                "partner_id": self.provider.id,
                "invoice_date": date(2026, 2, 5),
                "regie_contract_id": self.purchase.id,
                "invoice_line_ids": [
                    Command.create(
                        {
                            "product_id": self.day_product.id,
                            "quantity": days,
                            "price_unit": rate,
                            "regie_employee_id": self.alice.id,
                            "tax_ids": [Command.clear()],
                        }
                    )
                ],
            }
        )

    def _invoice(self, periods):
        action = periods.with_user(self.accountant).action_create_invoice(
            invoice_date=date(2026, 2, 5)
        )
        return self.env["account.move"].browse(
            action["context"]["regie_invoicing_summary"]["created"]
        )

    def test_purchase_month_is_validated_with_the_sale_month(self):
        self.assertEqual(self.sale_month.state, "validated")
        self.assertEqual(self.purchase_month.contract_id, self.purchase)
        self.assertEqual(self.purchase_month.state, "validated")
        self.assertEqual(self.purchase_month.billable_days, 4.0)
        self.assertEqual(self.purchase_month.amount_to_invoice, 1800.0)
        self.assertEqual(self.sale_month.amount_to_invoice, 2800.0)

    def test_freelancer_bill_matches_the_client_validated_days(self):
        bill = self._provider_bill(4)
        self.assertEqual(bill.regie_match_state, "equal")
        self.assertEqual(bill.regie_match_difference, 0.0)
        bill.with_user(self.accountant).action_post()
        self.assertEqual(bill.state, "posted")
        self.assertEqual(self.purchase_month.state, "invoiced")
        self.assertEqual(self.purchase_month.vendor_bill_id, bill)
        # The client's side is billed on its own, once.
        self.assertEqual(self.sale_month.state, "validated")
        invoice = self._invoice(self.sale_month)
        self.assertEqual(invoice.move_type, "out_invoice")
        self.assertEqual(invoice.amount_untaxed, 2800.0)
        invoice.action_post()
        self.assertEqual(self.sale_month.state, "invoiced")
        self.assertEqual(self.purchase_month.state, "invoiced")
        self.assertBilledOnce(self.sale_month | self.purchase_month)
        # A second bill of the provider for the month charges too much.
        second = self._provider_bill(4)
        self.assertEqual(second.regie_match_state, "over")
        with self.assertRaises(UserError):
            second.with_user(self.accountant).action_post()

    def test_freelancer_bill_carries_the_client_signed_report(self):
        # The signed CRA of the client's month (rendered now if still pending).
        self.sale_month._period_workflow()._keep_signed_reports()
        report = self.sale_month.report_attachment_id
        self.assertTrue(report)
        bill = self._provider_bill(4)
        bill.with_user(self.accountant).action_post()
        self.assertEqual(self.purchase_month.vendor_bill_id, bill)
        attachments = self.env["ir.attachment"].search(
            [("res_model", "=", "account.move"), ("res_id", "=", bill.id)]
        )
        self.assertEqual(attachments.mapped("name"), [report.name])
        self.assertEqual(attachments.raw, report.raw)
        # Reset and posted again: still once.
        bill.button_draft()
        bill.with_user(self.accountant).action_post()
        attachments = self.env["ir.attachment"].search(
            [("res_model", "=", "account.move"), ("res_id", "=", bill.id)]
        )
        self.assertEqual(len(attachments), 1)

    def test_freelancer_bill_over_the_validated_days_is_refused(self):
        bill = self._provider_bill(5)
        self.assertEqual(bill.regie_match_state, "over")
        self.assertEqual(bill.regie_match_difference, 450.0)
        with self.assertRaises(UserError):
            bill.with_user(self.accountant).action_post()

    def test_vendor_bill_generated_at_the_purchase_rate(self):
        bill = self._invoice(self.purchase_month)
        self.assertEqual(bill.move_type, "in_invoice")
        self.assertEqual(bill.partner_id, self.provider)
        line = bill.invoice_line_ids.filtered("regie_period_id")
        self.assertEqual(line.regie_period_id, self.purchase_month)
        self.assertEqual(line.quantity, 4.0)
        self.assertEqual(line.price_unit, 450.0)
        self.assertEqual(bill.amount_untaxed, 1800.0)
        self.assertEqual(bill.regie_match_state, "equal")
        bill.action_post()
        self.assertEqual(self.purchase_month.state, "invoiced")
        invoice = self._invoice(self.sale_month)
        self.assertEqual(invoice.amount_untaxed, 2800.0)
        invoice.action_post()
        # Each side billed once: the provider's own bill now charges too much.
        self.assertBilledOnce(self.sale_month | self.purchase_month)
        self.assertEqual(self._provider_bill(4).regie_match_state, "over")
        with self.assertRaises(UserError):
            self._invoice(self.purchase_month)

    def test_purchase_rate_change_inside_the_month(self):
        # Days logged on 1, 2, 5 and 6 January; the provider's rate rises on
        # the 5th: the purchase side is valued per rate from the sale lines.
        # The rate is frozen with the month: reopened to add it.
        self.sale_month.action_reset_to_draft()
        self.env["regie.mission.rate"].create(
            {
                "mission_id": self.purchase.mission_ids.id,
                "date_from": date(2026, 1, 5),
                "daily_rate": 500.0,
            }
        )
        self.env["regie.mission.rate"].create(
            {
                "mission_id": self.sale.mission_ids.id,
                "date_from": date(2026, 1, 5),
                "daily_rate": 750.0,
            }
        )
        self._validate_months(self.sale, JANUARY)
        self.assertEqual(self.purchase_month.state, "validated")
        # Both sides invoiced together, each from the same lines.
        moves = self._invoice(self.sale_month | self.purchase_month)
        bill = moves.filtered(lambda move: move.move_type == "in_invoice")
        invoice = moves - bill
        self.assertEqual(
            sorted(bill.invoice_line_ids.mapped("price_unit")), [450.0, 500.0]
        )
        self.assertEqual(bill.amount_untaxed, 1900.0)
        self.assertEqual(invoice.amount_untaxed, 2900.0)

    def test_client_month_reopened_only_while_the_provider_is_not_billed(self):
        self._provider_bill(4).with_user(self.accountant).action_post()
        with self.assertRaises(UserError) as refused:
            self.sale_month.action_reset_to_draft()
        self.assertIn(self.purchase_month.name, str(refused.exception))
        self.assertEqual(self.sale_month.state, "validated")

    def test_reopened_client_month_takes_the_purchase_month_back(self):
        self.sale_month.action_reset_to_draft()
        self.assertEqual(self.purchase_month.state, "draft")
        self.assertEqual(self._provider_bill(4).regie_match_state, "over")

    def test_margin_per_day_on_both_sides(self):
        self.env.flush_all()
        rows = self.env["regie.margin.report"].search(
            [("period_id", "in", (self.sale_month | self.purchase_month).ids)]
        )
        # One row: the purchase month is the cost of the sale month's days.
        self.assertEqual(rows.period_id, self.sale_month)
        self.assertTrue(rows.subcontracted)
        self.assertEqual(rows.days, 4.0)
        self.assertEqual(rows.revenue, 2800.0)
        self.assertEqual(rows.cost, 1800.0)
        self.assertEqual(rows.margin / rows.days, 250.0)


@tagged("post_install", "-at_install")
class TestBackToBackInvoicingEsn(TestBackToBackInvoicing):
    """The same between two ESNs: the provider's own consultant."""

    employee_type = "contractor"
