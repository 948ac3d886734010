from datetime import date

from freezegun import freeze_time

from odoo.tests import tagged

from .common import RegieCommon


@tagged("post_install", "-at_install")
class TestCron(RegieCommon):
    def _contracts(self):
        return self.env["regie.contract"]

    def _reminders(self, contract):
        activity_type = self.env.ref("regie_staffing.mail_activity_type_regie_reminder")
        return contract.activity_ids.filtered(
            lambda a: a.activity_type_id == activity_type
        )

    def _message_count(self, record):
        return self.env["mail.message"].search_count(
            [("model", "=", record._name), ("res_id", "=", record.id)]
        )

    def test_notice_reminder_created_once(self):
        self.contract.renewal_type = "explicit"
        self._activate()
        with freeze_time("2025-01-15"):
            self._contracts()._cron_notice_reminders()
        self.assertFalse(self._reminders(self.contract), "too early for a reminder")
        with freeze_time("2025-11-10"):
            self.assertIs(self._contracts()._cron_notice_reminders(), True)
            self._contracts()._cron_notice_reminders()
        reminder = self._reminders(self.contract)
        self.assertEqual(len(reminder), 1)
        self.assertEqual(reminder.date_deadline, date(2025, 12, 1))
        self.assertEqual(reminder.user_id, self.lead_user)

    def test_notice_reminder_in_the_account_manager_language(self):
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env["ir.module.module"].search(
            [("name", "=", "regie_staffing")]
        )._update_translations("fr_FR")
        self.lead_user.lang = "fr_FR"
        self.contract.renewal_type = "explicit"
        self._activate()
        with freeze_time("2025-11-10"):
            self._contracts()._cron_notice_reminders()
        reminder = self._reminders(self.contract)
        self.assertEqual(reminder.summary, "Décision de renouvellement attendue")
        self.assertIn("01/12/2025", str(reminder.note))
        self.assertIn("31/12/2025", str(reminder.note))

    def test_no_notice_reminder_once_notice_given(self):
        self._activate()
        with freeze_time("2025-11-10"):
            self.contract.with_user(self.manager_user).action_terminate(
                termination_date="2025-11-30", force=True
            )
            self._contracts()._cron_notice_reminders()
        self.assertFalse(self._reminders(self.contract))

    def test_tacit_renewal_at_term_once(self):
        contract = self._create_contract(
            date_end=date(2025, 1, 31), renewal_type="tacit", renewal_period_months=1
        )
        self._activate(contract)
        with freeze_time("2025-02-01"):
            self._contracts()._cron_renew_or_expire()
            messages = self._message_count(contract)
            self._contracts()._cron_renew_or_expire()
        self.assertEqual(contract.state, "active")
        self.assertEqual(contract.date_end, date(2025, 2, 28))
        self.assertEqual(self._message_count(contract), messages)
        self.assertIn("renewed", contract.message_ids[:1].body)

    def test_tacit_renewal_catches_up_missed_terms(self):
        contract = self._create_contract(
            date_end=date(2025, 1, 31), renewal_type="tacit", renewal_period_months=1
        )
        self._activate(contract)
        with freeze_time("2025-04-15"):
            self._contracts()._cron_renew_or_expire()
        self.assertEqual(contract.date_end, date(2025, 4, 30))

    def test_expiry_of_ended_contracts_once(self):
        self.contract.renewal_type = "explicit"
        self._activate()
        with freeze_time("2026-01-01"):
            self.assertIs(self._contracts()._cron_renew_or_expire(), True)
            messages = self._message_count(self.contract)
            self._contracts()._cron_renew_or_expire()
        self.assertEqual(self.contract.state, "expired")
        self.assertEqual(self.contract.date_end, date(2025, 12, 31))
        self.assertEqual(self._message_count(self.contract), messages)
        self.assertEqual(self.mission.state, "done")

    def test_termination_at_date_once(self):
        self._activate()
        with freeze_time("2025-03-01"):
            self.contract.with_user(self.lead_user).action_terminate(
                termination_date="2025-04-15"
            )
        with freeze_time("2025-04-14"):
            self._contracts()._cron_renew_or_expire()
        self.assertEqual(self.contract.state, "active")
        with freeze_time("2025-04-15"):
            self._contracts()._cron_renew_or_expire()
            self._contracts()._cron_renew_or_expire()
        self.assertEqual(self.contract.state, "terminated")
        tasks = self.env["project.task"].search(
            [("project_id", "=", self.contract.project_id.id)]
        )
        self.assertEqual(len(tasks), 2)

    def test_review_planning_once(self):
        self.contract.review_frequency = "quarterly"
        self._activate()
        with freeze_time("2025-02-01"):
            self.assertIs(self._contracts()._cron_plan_reviews(), True)
            self._contracts()._cron_plan_reviews()
        reviews = self.contract.review_ids
        self.assertEqual(len(reviews), 1)
        self.assertEqual(reviews.date, date(2025, 4, 1))
        self.assertEqual(len(reviews.activity_ids), 1)

    def test_review_planning_skips_past_dates(self):
        self.contract.review_frequency = "monthly"
        self._activate()
        with freeze_time("2025-05-10"):
            self._contracts()._cron_plan_reviews()
        self.assertEqual(self.contract.review_ids.date, date(2025, 6, 1))

    def test_crons_are_declared(self):
        for xml_id in (
            "regie_contract_cron_notice_reminders",
            "regie_contract_cron_renew_or_expire",
            "regie_contract_cron_plan_reviews",
        ):
            cron = self.env.ref(f"regie_staffing.{xml_id}")
            self.assertTrue(cron.code.startswith("model._cron_"))
