from datetime import date

from odoo.tests import tagged
from odoo.tools import SQL

from .common import RegieInvoicingCommon

MARCH = date(2025, 3, 1)


@tagged("post_install", "-at_install")
class TestFrozenTerms(RegieInvoicingCommon):
    """What a validated or invoiced month bills cannot change behind it: the
    contract's billing unit and hours per day are frozen, and the frozen hash
    checked at invoicing covers them."""

    def test_billing_unit_frozen_once_month_invoiced(self):
        period = self._validated_month(self.mission, MARCH, days=8)
        move, _summary = self._invoice(period)
        self.assertEqual(period.state, "invoiced")
        self.assertEqual(move.invoice_line_ids.quantity, 8.0)
        contract = self.contract.with_user(self.manager)
        for fname, value in (("billing_unit", "hour"), ("hours_per_day", 4.0)):
            with self.subTest(field=fname), self.assertRefused(period.name):
                contract.write({fname: value})
        self.assertEqual(self.contract.billing_unit, "day")
        self.assertEqual(period.billable_days, 8.0)
        # The web client saves unchanged values again.
        contract.write({"billing_unit": "day", "hours_per_day": 8.0})

    def test_billing_unit_frozen_once_month_validated(self):
        period = self._validated_month(self.mission, MARCH, days=8)
        with self.assertRefused("Billing Unit"):
            self.contract.with_user(self.manager).billing_unit = "half_day"
        move, _summary = self._invoice(period)
        self.assertEqual(move.invoice_line_ids.quantity, 8.0)

    def test_billing_unit_editable_while_months_are_draft(self):
        lines = self._log_days(self.mission, MARCH, 8)
        self.contract.with_user(self.manager).billing_unit = "half_day"
        period = self._validate(lines.regie_period_id)
        move, _summary = self._invoice(period)
        self.assertEqual(move.invoice_line_ids.quantity, 16.0)

    def test_invoicing_refused_when_terms_changed_behind_the_hash(self):
        period = self._validated_month(self.mission, MARCH, days=8)
        self.env.cr.execute(
            SQL(
                "UPDATE regie_contract SET billing_unit = 'hour' WHERE id = %s",
                self.contract.id,
            )
        )
        self.env.invalidate_all()
        with self.assertRefused("frozen hash mismatch"):
            self._invoice(period)
        self.assertEqual(period.state, "validated")
