import base64
from datetime import date, timedelta
from unittest.mock import patch

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import HttpCase, tagged

from ..controllers.portal import CODE_VALIDITY, SIGNATURE_MAX_BYTES
from .common import RegieCommon
from .test_portal import CODE_PATCH, SIGNATURE, RegiePortalCommon
from .test_timesheet_period import RegiePeriodCommon


@tagged("post_install", "-at_install")
class TestProjectHijack(RegieCommon):
    """A project belongs to one régie contract: another contract cannot take
    it, neither at creation nor by a later write."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.contract.with_user(cls.lead_user).action_activate()
        cls.project = cls.contract.project_id
        cls.other_contract = cls._create_contract(user_id=cls.other_lead_user.id)

    def test_lead_cannot_create_a_contract_on_another_contracts_project(self):
        with self.assertRaises(UserError) as caught:
            self.env["regie.contract"].with_user(self.other_lead_user).create(
                {
                    "partner_id": self.client.id,
                    "user_id": self.other_lead_user.id,
                    "date_start": date(2025, 1, 1),
                    "project_id": self.project.id,
                }
            )
        self.assertIn(self.contract.name, str(caught.exception))
        self.assertEqual(self.project.regie_contract_id, self.contract)

    def test_lead_cannot_take_another_contracts_project(self):
        with self.assertRaises(UserError) as caught:
            self.other_contract.with_user(self.other_lead_user).write(
                {"project_id": self.project.id}
            )
        self.assertIn(self.contract.name, str(caught.exception))
        self.assertEqual(self.project.regie_contract_id, self.contract)
        self.assertFalse(self.other_contract.project_id)

    def test_orm_refuses_the_hijack_too(self):
        with self.assertRaises(UserError):
            self.other_contract.project_id = self.project
        with self.assertRaises(UserError):
            self._create_contract(project_id=self.project.id)
        # Two new contracts on one fresh project in a single batch.
        project = self.env["project.project"].create({"name": "Shared"})
        with self.assertRaises(UserError):
            self.env["regie.contract"].create(
                [
                    {"partner_id": self.client.id, "project_id": project.id},
                    {"partner_id": self.client.id, "project_id": project.id},
                ]
            )
        self.assertEqual(self.project.regie_contract_id, self.contract)

    def test_own_and_free_projects_are_accepted(self):
        self.contract.with_user(self.lead_user).write({"project_id": self.project.id})
        project = self.env["project.project"].create({"name": "Free project"})
        self.other_contract.project_id = project
        self.assertEqual(project.regie_contract_id, self.other_contract)
        # Released by its contract, a project may be taken by another one.
        self.other_contract.project_id = False
        self.assertFalse(project.regie_contract_id)
        contract = self._create_contract(project_id=project.id)
        self.assertEqual(project.regie_contract_id, contract)


@tagged("post_install", "-at_install")
class TestForeignValidator(RegieCommon):
    """The validator of a sale contract is one of the client's contacts."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.client_contact = cls.env["res.partner"].create(
            {"name": "Claire Client", "parent_id": cls.client.id}
        )
        cls.other_client = cls.env["res.partner"].create(
            {"name": "Foreign Corp", "is_company": True}
        )
        cls.foreign_contact = cls.env["res.partner"].create(
            {"name": "Fred Foreign", "parent_id": cls.other_client.id}
        )

    def test_client_contact_accepted(self):
        self.contract.with_user(self.lead_user).client_manager_id = self.client_contact
        self.contract.client_manager_id = self.client
        self.assertEqual(self.contract.client_manager_id, self.client)

    def test_contact_of_another_company_refused(self):
        with self.assertRaises(ValidationError) as caught:
            self.contract.with_user(
                self.lead_user
            ).client_manager_id = self.foreign_contact
        message = str(caught.exception)
        self.assertIn("Fred Foreign", message)
        self.assertIn("Client SA", message)
        with self.assertRaises(ValidationError):
            self._create_contract(client_manager_id=self.foreign_contact.id)
        # An individual without company is not the client either.
        loner = self.env["res.partner"].create({"name": "Lone Wolf"})
        with self.assertRaises(ValidationError):
            self.contract.client_manager_id = loner

    def test_changing_the_client_keeps_the_validator_consistent(self):
        self.contract.client_manager_id = self.client_contact
        with self.assertRaises(ValidationError):
            self.contract.partner_id = self.other_client
        self.contract.write(
            {
                "partner_id": self.other_client.id,
                "client_manager_id": self.foreign_contact.id,
            }
        )
        self.assertEqual(self.contract.client_manager_id, self.foreign_contact)

    def test_purchase_contract_not_constrained(self):
        # Purchase months are validated by the company's project leads.
        contract = self._create_contract(
            direction="purchase", client_manager_id=self.foreign_contact.id
        )
        self.assertEqual(contract.client_manager_id, self.foreign_contact)


@tagged("post_install", "-at_install")
class TestDisputeStatement(RegiePeriodCommon):
    """The client's statement is read-only once raised; the provider answers
    in a separate, tracked field."""

    def setUp(self):
        super().setUp()
        self._set_leads(self.contract, self.other_lead_user)
        self._submit()
        self.period.with_user(self.other_lead_user).action_contest(
            "Two days only",
            line_ids=self.lines[2].ids,
            requested_correction="Remove the 5th",
        )
        self.dispute = self.period.dispute_ids

    def _assert_statement_unchanged(self):
        self.dispute.invalidate_recordset()
        self.assertEqual(self.dispute.reason, "Two days only")
        self.assertEqual(self.dispute.requested_correction, "Remove the 5th")
        self.assertEqual(self.dispute.line_ids, self.lines[2])

    def test_statement_read_only_for_everyone(self):
        other_line = self.lines[0]
        for env_user in (self.lead_user, self.manager_user, self.env.user):
            dispute = self.dispute.with_user(env_user)
            for vals in (
                {"reason": "Rewritten"},
                {"requested_correction": "Nothing"},
                {"line_ids": [Command.set(other_line.ids)]},
            ):
                with self.assertRaises(UserError):
                    dispute.write(vals)
        self._assert_statement_unchanged()

    def test_contested_lines_belong_to_the_month(self):
        line = self.Line.create(
            {
                "name": "April",
                "project_id": self.contract.project_id.id,
                "employee_id": self.employee.id,
                "date": date(2025, 4, 1),
                "unit_amount": 8.0,
            }
        )
        self.assertNotEqual(line.regie_period_id, self.period)
        with self.assertRaises(ValidationError):
            self.dispute._dispute_workflow().write(
                {"line_ids": [Command.link(line.id)]}
            )
        self._assert_statement_unchanged()

    def test_answer_is_tracked_and_frozen_once_closed(self):
        # The contest ran in this transaction with tracking disabled (test
        # context): end it as a commit would, then track with tracking on.
        self.env.flush_all()
        self.env.cr.precommit.run()
        self.dispute.with_user(self.lead_user).with_context(
            tracking_disable=False, mail_notrack=False
        ).answer = "The 5th was worked on site."
        self.env.flush_all()
        self.env.cr.precommit.run()
        self.dispute.invalidate_recordset(["message_ids"])
        tracking = self.dispute.message_ids.tracking_value_ids.filtered(
            lambda value: value.field_id.name == "answer"
        )
        self.assertEqual(tracking.new_value_text, "The 5th was worked on site.")
        self._assert_statement_unchanged()
        self.dispute.with_user(self.lead_user).action_reject("Confirmed")
        with self.assertRaises(UserError):
            self.dispute.with_user(self.lead_user).answer = "Changed"
        self.assertEqual(self.dispute.answer, "The 5th was worked on site.")

    def test_nobody_deletes_the_statement(self):
        for env_user in (self.manager_user, self.env.user):
            with self.assertRaises(UserError):
                self.dispute.with_user(env_user).unlink()
        self.assertTrue(self.dispute.exists())
        self._assert_statement_unchanged()

    def test_consultant_cannot_answer(self):
        with self.assertRaises(AccessError):
            self.dispute.with_user(self.consultant_user).answer = "Mine"
        self.assertFalse(self.dispute.answer)


@tagged("post_install", "-at_install")
class TestPortalHardening(RegiePortalCommon, HttpCase):
    """One-time codes: wrong guesses keep the resend delay, are counted and
    lock code entry; signatures are small PNG or JPEG images."""

    def _rewind_send(self, period, minutes=2):
        """As if the last code had been sent ``minutes`` ago."""
        period.sudo()._period_workflow().write(
            {
                "validation_code_expiry": fields.Datetime.now()
                + CODE_VALIDITY
                - timedelta(minutes=minutes)
            }
        )

    def _send_and_guess(self, token, code="000000", right=123456):
        self._rewind_send(self.period)
        with patch(CODE_PATCH, return_value=right):
            response = self._post(self.period, "/send_code", token)
        self.assertIn("message=code_sent", response.headers["Location"])
        return self._post(self.period, "/verify_code", token, code=code)

    def test_wrong_code_keeps_the_resend_delay(self):
        self.authenticate(None, None)
        token = self._token(self.period)
        with patch(CODE_PATCH, return_value=123456):
            self._post(self.period, "/send_code", token)
        response = self._post(self.period, "/verify_code", token, code="000000")
        self.assertIn("message=code_wrong", response.headers["Location"])
        period = self._reload(self.period.sudo())
        self.assertFalse(period.validation_code_hash)
        self.assertEqual(period.validation_code_failures, 1)
        template_class = type(self.env["mail.template"])
        with patch.object(template_class, "send_mail") as send_mail:
            response = self._post(self.period, "/send_code", token)
        self.assertEqual(response.status_code, 429)
        self.assertIn("one minute", response.text)
        send_mail.assert_not_called()
        self.assertFalse(self._reload(self.period.sudo()).validation_code_hash)

    def test_failures_lock_code_entry_with_growing_delay(self):
        self.authenticate(None, None)
        token = self._token(self.period)
        for _attempt in range(5):
            response = self._send_and_guess(token)
            self.assertIn("message=code_wrong", response.headers["Location"])
        period = self._reload(self.period.sudo())
        self.assertEqual(period.validation_code_failures, 5)
        locked = period.validation_code_locked_until - fields.Datetime.now()
        self.assertTrue(timedelta(minutes=4) < locked <= timedelta(minutes=5))
        # Locked: no new code, no guess, a clear message.
        self._rewind_send(self.period)
        for suffix in ("/send_code", "/verify_code"):
            response = self._post(self.period, suffix, token, code="123456")
            self.assertEqual(response.status_code, 429, suffix)
            self.assertIn("Too many wrong codes", response.text)
        self.assertFalse(self._reload(self.period.sudo()).validation_code_hash)
        # Once the lock is over, the next failure locks twice as long.
        self.period.sudo()._period_workflow().write(
            {"validation_code_locked_until": fields.Datetime.now()}
        )
        self._send_and_guess(token)
        period = self._reload(self.period.sudo())
        self.assertEqual(period.validation_code_failures, 6)
        locked = period.validation_code_locked_until - fields.Datetime.now()
        self.assertTrue(timedelta(minutes=9) < locked <= timedelta(minutes=10))
        self.assertIn("error", self._accept(self.period, token))
        self.assertEqual(self._reload(self.period).state, "submitted")

    def test_right_code_resets_the_counter(self):
        self.authenticate(None, None)
        token = self._token(self.period)
        for _attempt in range(4):
            self._send_and_guess(token)
        response = self._send_and_guess(token, code="123456")
        self.assertIn("message=code_ok", response.headers["Location"])
        period = self._reload(self.period.sudo())
        self.assertEqual(period.validation_code_failures, 0)
        self.assertFalse(period.validation_code_locked_until)
        result = self._accept(self.period, token)
        self.assertTrue(result.get("force_refresh"), result)

    # --- signatures ------------------------------------------------------

    def _sign(self, signature):
        return self.make_jsonrpc_request(
            self._month_url(self.period, "/accept"),
            {"name": "Valérie Validator", "signature": signature},
        )

    def test_signature_must_be_a_small_png_or_jpeg(self):
        self.authenticate("regie_client_validator", "regie_client_validator")
        svg = base64.b64encode(
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
        ).decode()
        text = base64.b64encode(b"not an image at all").decode()
        big_png = base64.b64encode(
            base64.b64decode(SIGNATURE) + b"\0" * SIGNATURE_MAX_BYTES
        ).decode()
        for signature, expected in (
            (svg, "PNG or JPEG"),
            (text, "PNG or JPEG"),
            ("%%% not base64 %%%", "Invalid signature data"),
            (big_png, "too large"),
            ("A" * (30 * 1024 * 1024), "too large"),
        ):
            result = self._sign(signature)
            self.assertIn(expected, result.get("error", ""), signature[:20])
        period = self._reload(self.period)
        self.assertEqual(period.state, "submitted")
        self.assertFalse(period.signature)
        # A JPEG of the right size goes through.
        jpeg = base64.b64encode(b"\xff\xd8\xff\xe0" + b"\0" * 100).decode()
        result = self._sign(jpeg)
        self.assertTrue(result.get("force_refresh"), result)
        self.assertEqual(self._reload(self.period).state, "validated")

    def test_png_signature_accepted(self):
        self.authenticate("regie_client_validator", "regie_client_validator")
        result = self._sign(SIGNATURE)
        self.assertTrue(result.get("force_refresh"), result)
        self.assertEqual(self._reload(self.period).signature.decode(), SIGNATURE)


@tagged("post_install", "-at_install")
class TestRateAndWizardAccess(RegiePeriodCommon):
    """Found by the adversarial suite: the TJM through get_rate, and the
    submit wizard given someone else's month."""

    def test_get_rate_needs_the_right_to_read_rates(self):
        self.assertEqual(
            self.mission.with_user(self.lead_user).get_rate("2025-03-03"),
            self.mission.daily_rate,
        )
        for user in (self.consultant_user, self.other_consultant_user):
            with self.assertRaises(AccessError):
                self.mission.with_user(user).get_rate("2025-03-03")

    def test_submit_wizard_refuses_a_month_of_someone_else(self):
        wizard = (
            self.env["regie.timesheet.period.submit"]
            .with_user(self.other_consultant_user)
            .create({"period_ids": [Command.set(self.period.ids)]})
        )
        with self.assertRaises(AccessError):
            wizard.action_confirm()
        self.assertEqual(self.period.state, "draft")
