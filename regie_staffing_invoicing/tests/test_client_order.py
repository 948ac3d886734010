from datetime import date

from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .common import RegieInvoicingCommon

MARCH = date(2025, 3, 1)
APRIL = date(2025, 4, 1)


@tagged("post_install", "-at_install")
class TestClientOrder(RegieInvoicingCommon):
    """The client's purchase order: carried by the invoices with the service
    period, consumed by them (credit notes give back), alerted and stopped
    like the budget; the Chorus Pro references where Odoo has them."""

    def _alerts(self, summary):
        return self.contract.activity_ids.filtered(lambda a: a.summary == summary)

    def test_invoice_states_its_order_and_service_period(self):
        self.contract.write(
            {"client_order_ref": "PO-2025-0042", "client_service_code": "SE-7"}
        )
        march = self._validated_month(self.mission, MARCH, days=5)
        move, _summary = self._invoice(march)
        self.assertEqual(move.ref, "PO-2025-0042")
        self.assertEqual(move.regie_order_ref, "PO-2025-0042")
        self.assertEqual(move.regie_service_date_from, MARCH)
        self.assertEqual(move.regie_service_date_to, date(2025, 3, 31))
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html("account.report_invoice", move.ids)[0]
            .decode()
        )
        self.assertIn("Service period", html)
        self.assertIn("03/01/2025", html)
        fields = self.env["account.move"]._fields
        if "buyer_reference" in fields:
            # Odoo's Chorus Pro e-invoicing (French databases): BT-10/12/13.
            self.assertEqual(move.buyer_reference, "SE-7")
            self.assertEqual(move.purchase_order_reference, "PO-2025-0042")
            self.assertEqual(move.contract_reference, self.contract.name)

    def test_order_is_consumed_and_credit_notes_give_back(self):
        self.contract.write({"client_order_ref": "PO-1", "client_order_amount": 6000.0})
        march = self._validated_month(self.mission, MARCH, days=8)
        move, _summary = self._invoice(march)
        self.assertEqual(self.contract.client_order_consumed, 4000.0)
        self.assertFalse(self._alerts("Purchase order alert"))
        april = self._validated_month(self.mission, APRIL, days=2)
        self._invoice(april)
        self.contract.invalidate_recordset(["client_order_consumed"])
        self.assertEqual(self.contract.client_order_consumed, 5000.0)
        self.assertEqual(len(self._alerts("Purchase order alert")), 1)
        self.assertIn("threshold 80%", self.contract.message_ids[0].body)

        move.action_post()
        reversal = (
            self.env["account.move.reversal"]
            .with_context(active_model="account.move", active_ids=move.ids)
            .create({"journal_id": move.journal_id.id, "date": move.invoice_date})
        )
        reversal.refund_moves()
        self.contract.invalidate_recordset(["client_order_consumed"])
        self.assertEqual(self.contract.client_order_consumed, 1000.0)

        # A new order starts from zero.
        self.contract.client_order_ref = "PO-2"
        self.assertEqual(self.contract.client_order_consumed, 0.0)

    def test_hard_stop_at_the_order_amount(self):
        self.contract.write(
            {
                "client_order_ref": "PO-9",
                "client_order_amount": 4000.0,
                "budget_hard_stop": True,
            }
        )
        period = self._validated_month(self.mission, MARCH, days=10)
        with self.assertRaises(UserError) as refused:
            self._invoice(period)
        message = str(refused.exception)
        self.assertIn("PO-9", message)
        self.assertIn("5,000.00", message)
        self.assertIn("4,000.00", message)
        self.assertEqual(period.state, "validated")
        self.contract.client_order_amount = 5000.0
        self._invoice(period)
        self.assertEqual(period.state, "invoiced")

    def test_expired_order(self):
        self.contract.write(
            {"client_order_ref": "PO-OLD", "client_order_date_end": date(2025, 3, 31)}
        )
        march = self._validated_month(self.mission, MARCH, days=2)
        self.contract.budget_hard_stop = True
        with self.assertRaises(UserError) as refused:
            self._invoice(march, invoice_date=date(2025, 4, 2))
        self.assertIn("expired on 03/31/2025", str(refused.exception))
        self.contract.budget_hard_stop = False
        self._invoice(march, invoice_date=date(2025, 4, 2))
        self.assertEqual(march.state, "invoiced")
        self.assertIn("expired on 03/31/2025", self.contract.message_ids[0].body)

    def test_order_amount_is_checked(self):
        for amount in (-1.0, float("inf"), float("nan")):
            with self.subTest(amount=amount), self.assertRaises(ValidationError):
                self.contract.client_order_amount = amount
