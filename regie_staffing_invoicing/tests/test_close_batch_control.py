from datetime import date

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import RegieInvoicingCommon

THRESHOLD = "regie_staffing.close_batch_threshold"


@tagged("post_install", "-at_install")
class TestCloseBatchControl(RegieInvoicingCommon):
    """A background batch is cancelled (what is done stays done, the rest is
    released) or its failed records retried in a new batch, by the user who
    asked or a régie manager; an invoicing batch refuses a wrong invoice date
    or months it could not invoice before it is queued."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["ir.config_parameter"].sudo().set_param(THRESHOLD, "2")
        cls.other_client = cls.env["res.partner"].create(
            {"name": "Other Client SA", "is_company": True}
        )
        cls.other_contract = cls._create_contract(partner_id=cls.other_client.id)
        cls.other_mission = cls._create_mission(cls.other_contract, cls.other_employee)
        lines = cls.env["account.analytic.line"]
        for mission in cls.mission | cls.other_mission:
            for month in (1, 2, 3):
                lines |= cls._log_days(mission, date(2025, month, 1), 2)
        cls.periods = cls._validate(lines.regie_period_id)
        assert len(cls.periods) == 6
        cls.first_client = cls.periods.filtered(
            lambda period: period.contract_id == cls.contract
        )
        cls.second_client = cls.periods - cls.first_client

    def _invoice_from_list(self, periods, user=None, **kwargs):
        return (
            periods.with_user(user or self.billing)
            .with_context(regie_close_batch=True)
            .action_create_invoice(**kwargs)
        )

    def _batches(self):
        return self.env["regie.close.batch"].search([], order="id")

    def _process(self, chunk_size=50):
        self.env["regie.close.batch"]._cron_process_batches(chunk_size=chunk_size)

    def test_cancel_keeps_the_done_and_releases_the_rest(self):
        self._invoice_from_list(self.periods)
        batch = self._batches()
        # The first chunk runs to the last month of its client.
        self._process(chunk_size=1)
        self.assertRecordValues(
            batch, [{"state": "running", "done_count": 3, "remaining_count": 3}]
        )
        done = self.periods.sudo().filtered("invoice_id")
        self.assertEqual(len(done), 3)
        released = self.periods - done
        self.assertEqual(batch.with_user(self.billing).remaining_period_ids, released)
        self.assertTrue(batch.with_user(self.billing).user_can_control)

        batch.with_user(self.billing).action_cancel()
        self.assertRecordValues(
            batch,
            [
                {
                    "state": "cancelled",
                    "done_count": 3,
                    "failed_count": 0,
                    "remaining_count": 0,
                    "released_count": 3,
                }
            ],
        )
        self.assertFalse(batch.todo_ids)
        self.assertTrue(batch.date_done)
        self.assertEqual(batch.progress, 50.0)
        self.assertFalse(batch.remaining_period_ids)
        self.assertIn("3 released", batch.message_ids[0].body)
        # What was done stays done; the scheduled action leaves the rest.
        self._process()
        self.assertEqual(set(done.mapped("state")), {"invoiced"})
        self.assertEqual(set(released.sudo().mapped("state")), {"validated"})
        self.assertFalse(released.sudo().invoice_id)
        # A cancelled batch is not cancelled twice; the released months can
        # be queued again.
        with self.assertRaises(UserError):
            batch.with_user(self.billing).action_cancel()
        self._invoice_from_list(released)
        again = self._batches() - batch
        self.assertEqual(again.period_ids, released)
        self._process()
        self.assertEqual(again.state, "done")
        self.assertEqual(set(released.sudo().mapped("state")), {"invoiced"})
        self.assertBilledOnce(self.periods)

    def test_retry_the_failed_records(self):
        self._invoice_from_list(self.periods, invoice_date="2025-12-31")
        batch = self._batches()
        # Re-opened after queuing: fails in the batch with its reason.
        reopened = self.first_client[1]
        reopened.with_user(self.manager).action_reset_to_draft()
        with self.assertRaises(UserError):
            batch.with_user(self.billing).action_retry_failed()
        self._process()
        self.assertRecordValues(
            batch,
            [{"state": "done", "done_count": 5, "failed_count": 1, "progress": 100}],
        )
        self.assertEqual(batch.line_ids.period_id, reopened)
        self.assertIn("is not validated", batch.line_ids.reason)
        # Still not validated: the retry is refused at once.
        with self.assertRaises(UserError) as refused:
            batch.with_user(self.billing).action_retry_failed()
        self.assertIn("is not validated", str(refused.exception))
        self.assertEqual(len(self._batches()), 1)

        self._validate(reopened)
        action = batch.with_user(self.billing).action_retry_failed()
        retry = self._batches() - batch
        self.assertEqual(action["res_id"], retry.id)
        self.assertRecordValues(
            retry,
            [
                {
                    "operation": "invoice",
                    "state": "queued",
                    "user_id": self.billing.id,
                    "total_count": 1,
                    "retry_of_id": batch.id,
                    "invoice_date": date(2025, 12, 31),
                }
            ],
        )
        self.assertEqual(retry.period_ids, reopened)
        self.assertEqual(batch.retry_batch_id, retry)
        self._process()
        self.assertRecordValues(
            retry, [{"state": "done", "done_count": 1, "failed_count": 0}]
        )
        self.assertEqual(reopened.sudo().state, "invoiced")
        self.assertEqual(reopened.sudo().invoice_id.invoice_date, date(2025, 12, 31))
        self.assertBilledOnce(self.periods)
        # Retried once: the retry's own failures are what to retry next.
        with self.assertRaises(UserError):
            batch.with_user(self.billing).action_retry_failed()

    def test_invoicing_input_checked_before_queuing(self):
        Batch = self.env["regie.close.batch"]
        # An invoice date before the months: refused at once, nothing queued.
        with self.assertRaises(UserError) as refused:
            self._invoice_from_list(self.periods, invoice_date="2024-12-31")
        self.assertIn("is before the months invoiced", str(refused.exception))
        self.assertFalse(Batch.search([]))
        with self.assertRaises(UserError) as refused:
            self._invoice_from_list(self.periods, invoice_date="2025-13-45")
        self.assertIn("is not a valid date", str(refused.exception))
        self.assertFalse(Batch.search([]))
        # A month that is not validated: the same error as when invoicing now.
        self.first_client[0].with_user(self.manager).action_reset_to_draft()
        with self.assertRaises(UserError) as refused:
            self._invoice_from_list(self.periods)
        self.assertIn("is not validated", str(refused.exception))
        self.assertFalse(Batch.search([]))
        # A good date is kept as a date.
        self._invoice_from_list(
            self.periods - self.first_client[0], invoice_date="2025-06-30"
        )
        self.assertRecordValues(
            Batch.search([]), [{"invoice_date": date(2025, 6, 30), "total_count": 5}]
        )

    def test_who_may_cancel_and_retry(self):
        self._invoice_from_list(self.periods)
        batch = self._batches()
        # Consultants and other accountants do not even see the batch.
        for user in (self.consultant, self.lead, self.accountant):
            self.assertFalse(
                self.env["regie.close.batch"].with_user(user).search([]), user.login
            )
            with self.assertRaises(AccessError):
                batch.with_user(user).read(["state"])
            with self.assertRaises(AccessError):
                batch.with_user(user).action_cancel()
            with self.assertRaises(AccessError):
                batch.with_user(user).action_retry_failed()
        self.assertEqual(batch.state, "queued")
        # Nobody writes a batch directly.
        with self.assertRaises(AccessError):
            batch.with_user(self.billing).write({"state": "cancelled"})
        # A régie manager may cancel another user's batch.
        self.assertTrue(batch.with_user(self.manager).user_can_control)
        batch.with_user(self.manager).action_cancel()
        self.assertRecordValues(
            batch, [{"state": "cancelled", "released_count": 6, "done_count": 0}]
        )
        self._process()
        self.assertFalse(self.periods.sudo().invoice_id)

    def test_invoices_keep_their_creation_message(self):
        """Invoicing logs the creation messages in one batch: each invoice
        still says it was created, with Odoo's creation subtype, authored by
        the accountant, and nobody is notified of it."""
        moves, _summary = self._invoice(self.periods)
        self.assertEqual(len(moves), 6)
        subtype = self.env.ref("account.mt_invoice_created")
        for move in moves:
            created = move.message_ids.filtered(
                lambda message: message.subtype_id == subtype
            )
            self.assertEqual(len(created), 1, move.name)
            self.assertIn("Invoice Created", created.body)
            self.assertEqual(created.author_id, self.billing.partner_id)
            self.assertFalse(created.is_internal)
            self.assertFalse(created.notification_ids)
