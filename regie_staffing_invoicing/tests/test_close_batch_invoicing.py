from datetime import date

from freezegun import freeze_time

from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import RegieInvoicingCommon

THRESHOLD = "regie_staffing.close_batch_threshold"


@tagged("post_install", "-at_install")
class TestCloseBatchInvoicing(RegieInvoicingCommon):
    """Invoicing many months in a background batch: a chunk never splits an
    invoice, a month that cannot be invoiced fails alone, the signed reports
    are attached, rendered only where missing."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["ir.config_parameter"].sudo().set_param(THRESHOLD, "50")
        cls.other_client = cls.env["res.partner"].create(
            {"name": "Other Client SA", "is_company": True}
        )
        cls.other_contract = cls._create_contract(partner_id=cls.other_client.id)
        employees = cls.env["hr.employee"].create(
            [{"name": f"Consultant {index}"} for index in range(4)]
        )
        # 3 missions of the first client, 2 of the other: 60 months of 2025.
        missions = cls.mission
        for index, employee in enumerate(employees):
            contract = cls.contract if index < 2 else cls.other_contract
            missions |= cls._create_mission(contract, employee)
        lines = cls.env["account.analytic.line"]
        for mission in missions:
            for month in range(1, 13):
                lines |= cls._log_days(mission, date(2025, month, 1), 2)
        cls.periods = cls._validate(lines.regie_period_id)
        assert len(cls.periods) == 60

    def _batch(self):
        return self.env["regie.close.batch"].search([], order="id desc", limit=1)

    def _invoice_from_list(self, periods):
        return (
            periods.with_user(self.billing)
            .with_context(regie_close_batch=True)
            .action_create_invoice()
        )

    def _process(self, chunk_size):
        self.env["regie.close.batch"]._cron_process_batches(chunk_size=chunk_size)

    def test_invoice_many_months_in_background(self):
        Period = self.env["regie.timesheet.period"]
        # Validation rendered nothing; ten reports are rendered before.
        self.assertTrue(all(self.periods.mapped("report_pending")))
        Period._cron_render_pending_reports(batch_size=10)
        rendered = self.periods.filtered("report_attachment_id")
        self.assertEqual(len(rendered), 10)
        kept = {period.id: period.report_attachment_id for period in rendered}
        # A month re-opened meanwhile cannot be invoiced.
        reopened = self.periods.filtered(
            lambda period: period.contract_id == self.contract
        )[5]
        action = self._invoice_from_list(self.periods)
        self.assertEqual(action["tag"], "display_notification")
        reopened.with_user(self.manager).action_reset_to_draft()
        batch = self._batch()
        self.assertRecordValues(
            batch,
            [
                {
                    "operation": "invoice",
                    "state": "queued",
                    "user_id": self.billing.id,
                    "total_count": 60,
                }
            ],
        )
        self.assertFalse(self.periods.sudo().invoice_id)
        # The chunk runs to the last month of its client: 36 months.
        self._process(chunk_size=20)
        self.assertRecordValues(
            batch,
            [
                {
                    "state": "running",
                    "done_count": 35,
                    "failed_count": 1,
                    "remaining_count": 24,
                }
            ],
        )
        self._process(chunk_size=20)
        self.assertRecordValues(
            batch,
            [
                {
                    "state": "done",
                    "done_count": 59,
                    "failed_count": 1,
                    "remaining_count": 0,
                }
            ],
        )
        self.assertEqual(batch.line_ids.period_id, reopened)
        self.assertIn("is not validated", batch.line_ids.reason)
        invoiced = (self.periods - reopened).sudo()
        self.assertEqual(set(invoiced.mapped("state")), {"invoiced"})
        # As one immediate invoicing would: an invoice per contract and month.
        for (_contract, _month), periods in invoiced.grouped(
            lambda period: (period.contract_id, period.date_from)
        ).items():
            self.assertEqual(len(periods.invoice_id), 1)
        self.assertEqual(len(invoiced.invoice_id), 24)
        # Made with the rights of the accountant who asked.
        self.assertEqual(invoiced.invoice_id.create_uid, self.billing)
        self.assertBilledOnce(self.periods)
        # Each invoice carries the signed reports of its months, rendered only
        # where they were missing.
        self.assertFalse(any(invoiced.mapped("report_pending")))
        for period in rendered - reopened:
            self.assertEqual(period.report_attachment_id, kept[period.id])
        self.assertEqual(
            self.env["ir.attachment"].search_count(
                [("res_model", "=", Period._name), ("res_id", "in", invoiced.ids)]
            ),
            59,
        )
        for move in invoiced.invoice_id:
            months = invoiced.filtered(
                lambda period, move=move: period.invoice_id == move
            )
            attachments = self.env["ir.attachment"].search(
                [("res_model", "=", "account.move"), ("res_id", "=", move.id)]
            )
            self.assertEqual(
                sorted(attachments.mapped("raw")),
                sorted(months.report_attachment_id.mapped("raw")),
            )
        # The accountant who asked is told.
        activity = batch.with_user(self.billing).activity_ids
        self.assertEqual(activity.user_id, self.billing)
        self.assertIn("59 months done, 1 failed", str(activity.note))

    def test_small_selection_is_invoiced_at_once(self):
        periods = self.periods[:2]
        action = self._invoice_from_list(periods)
        self.assertEqual(action["res_model"], "account.move")
        self.assertEqual(set(periods.sudo().mapped("state")), {"invoiced"})
        self.assertFalse(self.env["regie.close.batch"].search([]))

    def test_only_accountants_queue_an_invoicing(self):
        with self.assertRaises(AccessError) as refused:
            self.periods.with_user(self.lead).with_context(
                regie_close_batch=True
            ).action_create_invoice()
        self.assertIn("invoice", str(refused.exception))
        self.assertFalse(self.env["regie.close.batch"].search([]))

    def test_automatic_invoicing_goes_through_a_batch(self):
        (self.contract | self.other_contract).auto_invoice = True
        Period = self.env["regie.timesheet.period"]
        with freeze_time("2026-01-15"):
            Period._cron_auto_invoice()
            Period._cron_auto_invoice()
        batch = self.env["regie.close.batch"].search([])
        self.assertEqual(len(batch), 1, "queued once")
        self.assertRecordValues(batch, [{"operation": "invoice", "total_count": 60}])
        with freeze_time("2026-01-15"):
            for _call in range(5):
                self._process(chunk_size=50)
        self.assertEqual(batch.state, "done")
        self.assertEqual(set(self.periods.sudo().mapped("state")), {"invoiced"})
        self.assertBilledOnce(self.periods)
