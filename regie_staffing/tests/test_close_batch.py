from datetime import date, datetime

from freezegun import freeze_time

from odoo.exceptions import AccessError
from odoo.tests import tagged
from odoo.tests.common import new_test_user

from .common import RegieCommon

CRON = "regie_staffing.regie_close_batch_cron_process"
THRESHOLD = "regie_staffing.close_batch_threshold"


@tagged("post_install", "-at_install")
class TestCloseBatch(RegieCommon):
    """The monthly close of many months in background batches: queued from the
    list actions above the threshold, processed a chunk per scheduler call with
    the rights of the user who asked, a bad month failing alone."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["ir.config_parameter"].sudo().set_param(THRESHOLD, "50")
        cls.contract.with_user(cls.lead_user).action_activate()
        employees = cls.env["hr.employee"].create(
            [{"name": f"Consultant {index}"} for index in range(4)]
        )
        missions = cls.mission | cls.env["regie.mission"].create(
            [
                {
                    "contract_id": cls.contract.id,
                    "employee_id": employee.id,
                    "daily_rate": 500.0,
                }
                for employee in employees
            ]
        )
        # 5 missions x 12 months of 2025, a day logged in each.
        lines = cls.env["account.analytic.line"].create(
            [
                {
                    "name": "Work",
                    "project_id": cls.contract.project_id.id,
                    "employee_id": mission.employee_id.id,
                    "date": date(2025, month, 2),
                    "unit_amount": 8.0,
                }
                for mission in missions
                for month in range(1, 13)
            ]
        )
        cls.periods = lines.regie_period_id.sorted(
            lambda period: (period.mission_id.id, period.date_from)
        )
        assert len(cls.periods) == 60

    def _list(self, periods, user):
        """The months as a list's buttons call them."""
        return periods.with_user(user).with_context(regie_close_batch=True)

    def _batches(self):
        return self.env["regie.close.batch"].search([], order="id")

    def _run_cron(self):
        self.env.ref(CRON).method_direct_trigger()

    def _run_until_done(self, batch, max_calls=10):
        for _call in range(max_calls):
            if batch.state not in ("queued", "running"):
                return
            self._run_cron()
        self.fail(f"{batch.display_name} is still {batch.state}")

    def _submit_now(self, periods):
        periods.with_user(self.lead_user).action_submit()

    def test_submit_many_from_the_list_runs_in_background(self):
        action = self._list(self.periods, self.lead_user).action_confirm_submit()
        self.assertEqual(action["tag"], "display_notification")
        batch = self._batches()
        self.assertEqual(len(batch), 1)
        self.assertIn(f"/odoo/regie-close-batches/{batch.id}", str(action))
        self.assertIn("60", action["params"]["message"])
        self.assertRecordValues(
            batch,
            [
                {
                    "operation": "submit",
                    "state": "queued",
                    "user_id": self.lead_user.id,
                    "total_count": 60,
                    "remaining_count": 60,
                    "done_count": 0,
                }
            ],
        )
        self.assertEqual(set(self.periods.mapped("state")), {"draft"})
        # One chunk per scheduler call, its progress kept.
        self._run_cron()
        self.assertRecordValues(
            batch,
            [
                {
                    "state": "running",
                    "done_count": 50,
                    "failed_count": 0,
                    "remaining_count": 10,
                }
            ],
        )
        self.assertAlmostEqual(batch.progress, 100.0 * 50 / 60)
        self.assertFalse(batch.activity_ids)
        self._run_cron()
        self.assertRecordValues(
            batch,
            [{"state": "done", "done_count": 60, "remaining_count": 0}],
        )
        self.assertEqual(batch.progress, 100.0)
        self.assertTrue(batch.date_done)
        self.assertEqual(set(self.periods.mapped("state")), {"submitted"})
        # Processed with the rights and name of the lead who asked.
        self.assertEqual(self.periods.submitted_by_id, self.lead_user)
        activity = batch.activity_ids
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.user_id, self.lead_user)
        self.assertEqual(
            activity.activity_type_id, self.env.ref("mail.mail_activity_data_todo")
        )
        self.assertIn("60 months done, 0 failed", str(activity.note))

    def test_a_bad_month_fails_alone_with_its_reason(self):
        submitted = self.periods[7]
        self._submit_now(submitted)
        self._list(self.periods, self.lead_user).action_confirm_submit()
        batch = self._batches()
        self._run_until_done(batch)
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
        self.assertEqual(batch.line_ids.period_id, submitted)
        self.assertIn("Only draft months can be submitted", batch.line_ids.reason)
        self.assertIn(submitted.name, batch.line_ids.reason)
        self.assertEqual(set(self.periods.mapped("state")), {"submitted"})
        self.assertIn("59 months done, 1 failed", str(batch.activity_ids.note))

    def test_validate_many_in_background_renders_the_reports_after(self):
        self._submit_now(self.periods)
        contested = self.periods[-1]
        contested.with_user(self.lead_user).action_contest("Wrong days")
        action = self._list(self.periods, self.lead_user).action_validate()
        self.assertEqual(action["tag"], "display_notification")
        batch = self._batches()
        self.assertEqual(batch.operation, "validate")
        self._run_until_done(batch)
        self.assertRecordValues(
            batch, [{"state": "done", "done_count": 59, "failed_count": 1}]
        )
        self.assertEqual(batch.line_ids.period_id, contested)
        self.assertIn("Contested", batch.line_ids.reason)
        validated = self.periods - contested
        self.assertEqual(set(validated.mapped("state")), {"validated"})
        self.assertEqual(validated.validated_by_id, self.lead_user)
        # Frozen at once; the signed reports are rendered afterwards.
        self.assertTrue(all(validated.mapped("lines_hash")))
        self.assertTrue(all(validated.mapped("report_pending")))
        self.assertFalse(validated.report_attachment_id)
        Period = self.env["regie.timesheet.period"]
        Period._cron_render_pending_reports()
        Period._cron_render_pending_reports()
        self.assertFalse(any(validated.mapped("report_pending")))
        self.assertEqual(len(validated.report_attachment_id), 59)

    def test_small_selection_stays_immediate(self):
        periods = self.periods[:3]
        # The confirmation of what looks incomplete, as before.
        action = self._list(periods, self.lead_user).action_confirm_submit()
        self.assertEqual(action["res_model"], "regie.timesheet.period.submit")
        self._submit_now(periods)
        self.assertIs(self._list(periods, self.lead_user).action_validate(), True)
        self.assertEqual(set(periods.mapped("state")), {"validated"})
        self.assertFalse(self._batches())
        # Called from code, many months are processed at once as before.
        self.assertIs(self.periods[3:].with_user(self.lead_user).action_submit(), True)
        self.assertFalse(self._batches())

    def test_threshold_is_a_system_parameter(self):
        self.env["ir.config_parameter"].sudo().set_param(THRESHOLD, "2")
        action = self._list(self.periods[:3], self.lead_user).action_confirm_submit()
        self.assertEqual(action["tag"], "display_notification")
        self.assertEqual(self._batches().total_count, 3)
        self.env["ir.config_parameter"].sudo().set_param(THRESHOLD, "not a number")
        self.assertEqual(self.env["regie.close.batch"]._get_threshold(), 50)

    def test_queueing_checks_the_rights_at_once(self):
        with self.assertRaises(AccessError):
            self._list(self.periods, self.consultant_user).action_validate()
        self.assertFalse(self._batches())

    def test_batches_are_seen_by_their_requester_and_the_managers(self):
        self._list(self.periods, self.lead_user).action_confirm_submit()
        batch = self._batches()
        Batch = self.env["regie.close.batch"]
        self.assertEqual(Batch.with_user(self.lead_user).search([]), batch)
        self.assertFalse(Batch.with_user(self.other_lead_user).search([]))
        self.assertEqual(Batch.with_user(self.manager_user).search([]), batch)
        self._submit_now(self.periods[:1])
        self._run_until_done(batch)
        self.assertEqual(
            batch.line_ids.with_user(self.lead_user).read(["reason"])[0]["id"],
            batch.line_ids.id,
        )
        self.assertFalse(
            self.env["regie.close.batch.line"]
            .with_user(self.other_lead_user)
            .search([])
        )

    def test_validation_renders_no_report_in_the_request(self):
        period = self.periods[0]
        self._submit_now(period)
        period.with_user(self.lead_user).action_validate()
        self.assertTrue(period.report_pending)
        self.assertFalse(period.report_attachment_id)
        trigger = self.env["ir.cron.trigger"].search(
            [
                (
                    "cron_id",
                    "=",
                    self.env.ref(
                        "regie_staffing.regie_timesheet_period_cron_render_reports"
                    ).id,
                )
            ]
        )
        self.assertTrue(trigger, "the rendering is triggered right away")
        self.env["regie.timesheet.period"]._cron_render_pending_reports()
        attachment = period.report_attachment_id
        self.assertTrue(attachment)
        self.assertFalse(period.report_pending)
        # A report kept is never rendered again.
        period.sudo()._period_workflow()._keep_signed_reports()
        self.assertEqual(period.report_attachment_id, attachment)
        self.assertEqual(
            self.env["ir.attachment"].search_count(
                [("res_model", "=", period._name), ("res_id", "=", period.id)]
            ),
            1,
        )

    def test_tacit_acceptance_of_many_months_goes_through_a_batch(self):
        self.env["ir.config_parameter"].sudo().set_param(THRESHOLD, "5")
        self.contract.tacit_acceptance_days = 3
        periods = self.periods[:8]
        self._submit_now(periods)
        periods.sudo()._period_workflow().write(
            {"submitted_date": datetime(2025, 4, 1, 9, 0)}
        )
        Period = self.env["regie.timesheet.period"]
        with freeze_time("2025-04-10 10:00"):
            Period._cron_tacit_acceptance()
            # Run again before the batch: the months are not queued twice.
            Period._cron_tacit_acceptance()
        batch = self._batches()
        self.assertEqual(len(batch), 1)
        self.assertRecordValues(
            batch, [{"operation": "validate", "tacit_acceptance": True}]
        )
        self.assertEqual(set(periods.mapped("state")), {"submitted"})
        # The client answers one of them meanwhile.
        periods[0].with_user(self.lead_user).action_contest("Wrong days")
        self._run_until_done(batch)
        self.assertRecordValues(batch, [{"done_count": 7, "failed_count": 1}])
        self.assertIn("answered before its tacit acceptance", batch.line_ids.reason)
        self.assertEqual(set(periods[1:].mapped("state")), {"validated"})
        self.assertTrue(all(periods[1:].mapped("tacit_acceptance")))
        # Asked by the scheduler: nobody to tell.
        self.assertFalse(batch.activity_ids)

    def test_generation_of_many_months_goes_through_a_batch(self):
        self.env["ir.config_parameter"].sudo().set_param(THRESHOLD, "2")
        contract = self._create_contract()
        contract.with_user(self.lead_user).action_activate()
        employees = self.env["hr.employee"].create(
            [{"name": f"Newcomer {index}"} for index in range(3)]
        )
        missions = self.env["regie.mission"].create(
            [
                {
                    "contract_id": contract.id,
                    "employee_id": employee.id,
                    "daily_rate": 500.0,
                }
                for employee in employees
            ]
        )
        missions.filtered(lambda mission: mission.state == "draft").action_start()
        Period = self.env["regie.timesheet.period"]
        with freeze_time("2025-06-10"):
            action = Period.with_user(self.manager_user).action_generate_periods()
        self.assertEqual(action["tag"], "display_notification")
        batch = self._batches()
        self.assertRecordValues(
            batch,
            [{"operation": "generate", "date": date(2025, 6, 1), "total_count": 3}],
        )
        self.assertEqual(batch.mission_ids, missions)
        self._run_until_done(batch)
        june = Period.search(
            [("date_from", "=", date(2025, 6, 1)), ("contract_id", "=", contract.id)]
        )
        self.assertEqual(june.mission_id, missions)
        self.assertEqual(batch.period_ids, june)
        self.assertEqual(june.create_uid, self.manager_user)
        # Run again: nothing missing, nothing queued.
        with freeze_time("2025-06-10"):
            Period._cron_generate_periods()
        self.assertEqual(len(self._batches()), 1)

    def test_other_lead_cannot_validate_in_background_either(self):
        other = new_test_user(
            self.env, login="regie_close_other", groups="regie_staffing.group_manager"
        )
        self._submit_now(self.periods)
        # A manager queues; a month of his own employee fails alone.
        self.periods[0].mission_id.employee_id.user_id = other
        self._list(self.periods, other).action_validate()
        batch = self._batches()
        self._run_until_done(batch)
        self.assertEqual(batch.failed_count, 12)
        self.assertIn("your own month", batch.line_ids[:1].reason)
