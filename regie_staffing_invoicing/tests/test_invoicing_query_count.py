import logging
from datetime import date, timedelta

from odoo.tests import tagged

from .common import RegieInvoicingCommon

_logger = logging.getLogger(__name__)

MARCH = date(2025, 3, 1)


@tagged("post_install", "-at_install")
class TestInvoicingQueryCount(RegieInvoicingCommon):
    """Invoicing costs queries per invoice created, not per month or per
    timesheet line."""

    def _validated_months(self, count, lines_per_month):
        """``count`` validated months of March on one contract (one consultant
        each), ``lines_per_month`` lines each; validated without rendering
        reports one by one (a small signed report is attached to each)."""
        contract = self._create_contract()
        employees = self.env["hr.employee"].create(
            [{"name": f"Consultant {contract.id}-{i:03d}"} for i in range(count)]
        )
        missions = self.env["regie.mission"].create(
            [
                {"contract_id": contract.id, "employee_id": emp.id, "daily_rate": 500}
                for emp in employees
            ]
        )
        missions.action_start()
        days = [
            MARCH + timedelta(days=offset)
            for offset in range(31)
            if (MARCH + timedelta(days=offset)).weekday() < 5
        ][:lines_per_month]
        lines = self.env["account.analytic.line"].create(
            [
                {
                    "name": "Work",
                    "project_id": contract.project_id.id,
                    "employee_id": emp.id,
                    "date": day,
                    "unit_amount": 8.0,
                }
                for emp in employees
                for day in days
            ]
        )
        periods = lines.regie_period_id
        hashes = periods._get_lines_hashes()
        attachments = self.env["ir.attachment"].create(
            [
                {
                    "name": f"CRA {period.id}.html",
                    "raw": b"<p>CRA</p>",
                    "res_model": periods._name,
                    "res_id": period.id,
                }
                for period in periods
            ]
        )
        workflow_periods = periods._period_workflow()
        workflow_periods.write({"state": "validated"})
        for period, attachment in zip(workflow_periods, attachments, strict=True):
            period.write(
                {
                    "lines_hash": hashes[period.id],
                    "report_attachment_id": attachment.id,
                }
            )
        return periods

    def _count_queries(self, periods):
        periods_ids = periods.ids
        self.env.flush_all()
        self.env.invalidate_all()
        # As an RPC call would: a plain browse (the months were reached
        # through the lines, whose cache is gone).
        periods = self.env["regie.timesheet.period"].with_user(self.billing)
        periods = periods.browse(periods_ids)
        before = self.cr.sql_log_count
        action = periods.action_create_invoice()
        self.env.flush_all()
        queries = self.cr.sql_log_count - before
        moves = self.env["account.move"].browse(
            action["context"]["regie_invoicing_summary"]["created"]
        )
        return queries, moves

    def test_queries_grow_with_invoices_not_with_lines(self):
        warm_up = self._validated_months(1, 1)
        small = self._validated_months(20, 1)
        large = self._validated_months(100, 5)
        # The first run fills the ormcaches (rules, defaults...).
        self._count_queries(warm_up)
        self.assertEqual(len(large.timesheet_ids), 500)
        small_queries, small_moves = self._count_queries(small)
        large_queries, large_moves = self._count_queries(large)
        _logger.info(
            "Invoicing 20 months (20 lines): %s queries; 100 months (500 lines): "
            "%s queries",
            small_queries,
            large_queries,
        )
        self.assertEqual(len(small_moves), 1)
        self.assertEqual(len(large_moves), 1)
        self.assertEqual(len(large_moves.invoice_line_ids), 100)
        self.assertEqual(large_moves.amount_untaxed, 100 * 5 * 500.0)
        # 5x the months and 25x the lines, one invoice each: a few queries
        # more at most (batch sizes), nothing per month or per line.
        self.assertLessEqual(
            large_queries,
            small_queries + 20,
            f"{small_queries} queries for 20 months, {large_queries} for 100",
        )

    def test_queries_per_invoice(self):
        warm_up = self._validated_months(1, 1)
        one = self._validated_months(10, 1)
        several = self.env["regie.timesheet.period"]
        for _i in range(5):
            several |= self._validated_months(2, 1)
        self._count_queries(warm_up)
        one_queries, one_moves = self._count_queries(one)
        several_queries, several_moves = self._count_queries(several)
        _logger.info(
            "Invoicing 10 months into 1 invoice: %s queries; into 5 invoices: %s",
            one_queries,
            several_queries,
        )
        self.assertEqual(len(one_moves), 1)
        self.assertEqual(len(several_moves), 5)
        per_invoice = (several_queries - one_queries) / 4
        # Odoo's sale_timesheet needs about 26 queries per order.
        self.assertLess(
            per_invoice,
            13,
            f"{one_queries} queries for 1 invoice, {several_queries} for 5",
        )
