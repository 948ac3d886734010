from datetime import date, timedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .test_timesheet_period import RegiePeriodCommon


@tagged("post_install", "-at_install")
class TestDispute(RegiePeriodCommon):
    """A client contests a month; the provider accepts (correction) or rejects
    (back to the validator) the dispute."""

    def setUp(self):
        super().setUp()
        self._set_leads(self.contract, self.other_lead_user)
        self._submit()
        self.period.with_user(self.other_lead_user).action_contest(
            "Two days only", line_ids=self.lines[2].ids
        )
        self.dispute = self.period.dispute_ids

    def test_dispute_answer_deadline_from_contract(self):
        self.assertEqual(self.dispute.contract_id, self.contract)
        self.assertEqual(
            self.dispute.answer_deadline,
            fields.Date.context_today(self.dispute) + timedelta(days=10),
        )

    def test_accept_sends_month_back_to_draft_and_resubmit(self):
        result = self.dispute.with_user(self.lead_user).action_accept(
            "We remove the line"
        )
        self.assertIs(result, True)
        self.assertEqual(self.dispute.state, "accepted")
        self.assertEqual(self.dispute.resolved_by_id, self.lead_user)
        self.assertTrue(self.dispute.resolved_date)
        self.assertEqual(self.dispute.resolution, "We remove the line")
        self.assertEqual(self.period.state, "draft")
        self.assertIn("accepted", self.period.message_ids[:1].body)
        # Corrected, resubmitted and validated.
        self.lines[2].unlink()
        self._submit()
        self.period.with_user(self.other_lead_user).action_validate()
        self.assertEqual(self.period.state, "validated")
        self.assertAlmostEqual(self.period.total_hours, 12.0)

    def test_reject_requires_justification(self):
        for justification in (None, "", "  "):
            with self.assertRaisesRegex(UserError, "justification"):
                self.dispute.with_user(self.lead_user).action_reject(justification)
        self.assertEqual(self.dispute.state, "open")

    def test_reject_sends_month_back_to_validator(self):
        result = self.dispute.with_user(self.lead_user).action_reject(
            "The third day was worked on site"
        )
        self.assertIs(result, True)
        self.assertEqual(self.dispute.state, "rejected")
        self.assertEqual(self.dispute.resolution, "The third day was worked on site")
        self.assertEqual(self.period.state, "submitted")
        self.assertIn("worked on site", self.period.message_ids[:1].body)
        self.period.with_user(self.other_lead_user).action_validate()
        self.assertEqual(self.period.state, "validated")

    def test_consultant_cannot_answer(self):
        with self.assertRaises(AccessError):
            self.dispute.with_user(self.consultant_user).action_accept()
        with self.assertRaises(AccessError):
            self.dispute.with_user(self.consultant_user).action_reject("No")
        self.assertEqual(self.dispute.state, "open")
        self.assertEqual(self.period.state, "contested")

    def test_lead_of_another_contract_cannot_answer(self):
        self._set_leads(self.contract, self.env["res.users"])
        with self.assertRaises(AccessError):
            self.dispute.with_user(self.other_lead_user).action_accept()
        self.assertEqual(self.dispute.state, "open")

    def test_manager_answers(self):
        self.dispute.with_user(self.manager_user).action_accept()
        self.assertEqual(self.period.state, "draft")

    def test_closed_dispute_cannot_be_answered_again(self):
        self.dispute.with_user(self.lead_user).action_reject("Confirmed")
        with self.assertRaises(UserError):
            self.dispute.with_user(self.lead_user).action_accept()
        with self.assertRaises(UserError):
            self.dispute.with_user(self.manager_user).write({"reason": "Changed"})

    def test_dispute_fields_refused_to_direct_writes(self):
        for user in (self.lead_user, self.manager_user):
            with self.assertRaises(UserError):
                self.dispute.with_user(user).write({"state": "accepted"})
            with self.assertRaises(UserError):
                self.env["regie.timesheet.dispute"].with_user(user).create(
                    {"period_id": self.period.id, "reason": "Direct"}
                )
        self.assertEqual(self.dispute.state, "open")

    def test_consultant_reads_disputes_of_own_months_only(self):
        disputes = self.env["regie.timesheet.dispute"]
        self.assertEqual(
            disputes.with_user(self.consultant_user).search([]), self.dispute
        )
        self.assertFalse(disputes.with_user(self.other_consultant_user).search([]))

    def test_new_dispute_after_resubmission(self):
        self.dispute.with_user(self.lead_user).action_accept()
        self._submit()
        self.period.with_user(self.other_lead_user).action_contest("Still wrong")
        self.assertEqual(len(self.period.dispute_ids), 2)
        self.assertEqual(self.period.date_from, date(2025, 3, 1))
