import re
from datetime import date, timedelta
from unittest.mock import patch

from odoo import Command, fields
from odoo.tests import HttpCase, tagged
from odoo.tests.common import new_test_user

from ..controllers.portal import CODE_VALIDITY
from .common import RegieCommon

# A 1x1 transparent PNG, what the signature widget posts (base64, no header).
SIGNATURE = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA"
    "60e6kgAAAABJRU5ErkJggg=="
)
MODULE = "regie_staffing"
CODE_PATCH = "odoo.addons.regie_staffing.controllers.portal.secrets.randbelow"


class RegiePortalCommon(RegieCommon):
    """A client company with two portal contacts (the designated validator and
    a colleague), another company with its own portal contact and contract,
    and one submitted month of January 2025 on each."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.consultant_user.groups_id = [
            Command.link(cls.env.ref("hr_timesheet.group_hr_timesheet_user").id)
        ]
        cls.validator_user = cls._create_portal_user(
            "regie_client_validator", "Valérie Validator", cls.client
        )
        cls.validator = cls.validator_user.partner_id
        cls.colleague_user = cls._create_portal_user(
            "regie_client_colleague", "Colin Colleague", cls.client
        )
        cls.other_client = cls.env["res.partner"].create(
            {"name": "Other Corp", "is_company": True}
        )
        cls.other_user = cls._create_portal_user(
            "regie_other_portal", "Oscar Other", cls.other_client
        )
        cls.contract.client_manager_id = cls.validator
        cls.contract.action_activate()
        cls.other_contract = cls._create_contract(
            partner_id=cls.other_client.id,
            client_manager_id=cls.other_user.partner_id.id,
        )
        cls.other_contract.action_activate()
        cls.other_mission = cls._create_mission(
            cls.other_contract, employee_id=cls.other_employee.id
        )
        cls.period = cls._submitted_month(cls.employee, cls.contract)
        cls.other_period = cls._submitted_month(cls.other_employee, cls.other_contract)

    @classmethod
    def _create_portal_user(cls, login, name, company):
        user = new_test_user(
            cls.env,
            login=login,
            name=name,
            email=f"{login}@example.com",
            groups="base.group_portal",
        )
        user.partner_id.parent_id = company
        return user

    @classmethod
    def _log_week(cls, employee, contract, monday):
        return cls.env["account.analytic.line"].create(
            [
                {
                    "name": f"Development day {offset + 1}",
                    "project_id": contract.project_id.id,
                    "employee_id": employee.id,
                    "date": monday + timedelta(days=offset),
                    "unit_amount": 8.0,
                }
                for offset in range(5)
            ]
        )

    @classmethod
    def _submitted_month(cls, employee, contract, monday=date(2025, 1, 6)):
        lines = cls._log_week(employee, contract, monday)
        period = lines.regie_period_id
        period.with_user(employee.user_id).action_submit()
        return period

    # helpers ------------------------------------------------------------

    def _month_url(self, period, suffix="", token=None):
        url = f"/my/regie/months/{period.id}{suffix}"
        return f"{url}?access_token={token}" if token else url

    def _csrf(self, period, token=None):
        response = self.url_open(self._month_url(period, token=token))
        self.assertEqual(response.status_code, 200)
        match = re.search(r'csrf_token: "([^"]+)"', response.text)
        self.assertTrue(match, "the month page carries a CSRF token")
        return match.group(1)

    def _post(self, period, suffix, token=None, **data):
        data.setdefault("csrf_token", self._csrf(period, token))
        if token:
            data["access_token"] = token
        return self.url_open(
            f"/my/regie/months/{period.id}{suffix}", data=data, allow_redirects=False
        )

    def _accept(self, period, token=None, name="Valérie Validator"):
        return self.make_jsonrpc_request(
            self._month_url(period, "/accept", token),
            {"name": name, "signature": SIGNATURE},
        )

    def _token(self, period):
        period.invalidate_recordset(["access_token"])
        return period.sudo()._portal_ensure_token()

    def _reload(self, period):
        period.invalidate_recordset()
        return period


@tagged("post_install", "-at_install")
class TestPortal(RegiePortalCommon, HttpCase):
    # --- /my home and lists -------------------------------------------------

    def test_home_counters(self):
        self.authenticate("regie_client_colleague", "regie_client_colleague")
        counters = self.make_jsonrpc_request(
            "/my/counters",
            {
                "counters": [
                    "regie_contract_count",
                    "regie_month_count",
                    "regie_month_to_validate_count",
                ]
            },
        )
        self.assertEqual(
            counters,
            {
                "regie_contract_count": 1,
                "regie_month_count": 1,
                "regie_month_to_validate_count": 1,
            },
        )
        response = self.url_open("/my")
        self.assertIn("Monthly activity reports", response.text)
        self.assertIn("Régie contracts", response.text)
        # The portal asks, on a later visit, only for the counters it still
        # shows: the answer holds those keys and no other.
        for asked in (["regie_month_to_validate_count"], ["regie_month_count"]):
            self.assertEqual(
                set(self.make_jsonrpc_request("/my/counters", {"counters": asked})),
                set(asked),
            )

    def test_lists_show_only_own_company(self):
        self.authenticate("regie_client_colleague", "regie_client_colleague")
        months = self.url_open("/my/regie/months")
        self.assertEqual(months.status_code, 200)
        self.assertIn(self.employee.name, months.text)
        self.assertNotIn(self.other_employee.name, months.text)
        contracts = self.url_open("/my/regie/contracts")
        self.assertIn(self.contract.name, contracts.text)
        self.assertNotIn(self.other_contract.name, contracts.text)
        detail = self.url_open(f"/my/regie/contracts/{self.contract.id}")
        self.assertEqual(detail.status_code, 200)
        self.assertIn(self.employee.name, detail.text)

    def test_months_state_filter(self):
        self.authenticate("regie_client_colleague", "regie_client_colleague")
        to_validate = self.url_open("/my/regie/months?filterby=submitted")
        self.assertIn(f"/my/regie/months/{self.period.id}", to_validate.text)
        validated = self.url_open("/my/regie/months?filterby=validated")
        self.assertNotIn(f"/my/regie/months/{self.period.id}", validated.text)
        # An unknown filter falls back to "all" instead of failing.
        self.assertEqual(
            self.url_open("/my/regie/months?filterby=bogus").status_code, 200
        )

    def test_draft_month_hidden_from_client(self):
        draft = self._log_week(self.employee, self.contract, date(2025, 2, 3))
        period = draft.regie_period_id
        self.assertEqual(period.state, "draft")
        self.authenticate("regie_client_validator", "regie_client_validator")
        self.assertNotIn(
            f"/my/regie/months/{period.id}",
            self.url_open("/my/regie/months").text,
        )
        self.assertEqual(self.url_open(self._month_url(period)).status_code, 404)
        # Even with the token, a month that is not submitted is not shown.
        response = self.url_open(self._month_url(period, token=self._token(period)))
        self.assertEqual(response.status_code, 403)
        self.assertIn("has not been submitted", response.text)
        self.assertNotIn("Development day", response.text)

    # --- month page access ------------------------------------------------

    def test_month_page_for_client_contact(self):
        self.authenticate("regie_client_colleague", "regie_client_colleague")
        response = self.url_open(self._month_url(self.period))
        self.assertEqual(response.status_code, 200)
        self.assertIn("Development day 1", response.text)
        self.assertIn("o_regie_day_table", response.text)
        # Not the designated validator: no signature widget, only the code.
        self.assertNotIn("regie_modal_validate", response.text)
        self.assertIn("send_code", response.text)

    def test_other_company_gets_404_without_data(self):
        self.authenticate("regie_other_portal", "regie_other_portal")
        for suffix in ("", "/pdf"):
            response = self.url_open(self._month_url(self.period, suffix))
            self.assertEqual(response.status_code, 404, suffix)
            self.assertNotIn(self.employee.name, response.text)
            self.assertNotIn("Development day", response.text)
        response = self.url_open(f"/my/regie/contracts/{self.contract.id}")
        self.assertEqual(response.status_code, 404)
        self.assertNotIn(self.employee.name, response.text)
        result = self._accept(self.period)
        self.assertIn("error", result)
        self.assertEqual(self._reload(self.period).state, "submitted")

    def test_missing_month_404(self):
        self.authenticate(None, None)
        response = self.url_open("/my/regie/months/999999?access_token=abc")
        self.assertEqual(response.status_code, 404)

    def test_public_without_token_goes_to_login(self):
        self.authenticate(None, None)
        for suffix in ("", "/pdf"):
            response = self.url_open(
                self._month_url(self.period, suffix), allow_redirects=False
            )
            self.assertIn(response.status_code, (302, 303), suffix)
            self.assertIn("/web/login", response.headers["Location"])
        response = self.url_open("/my/regie/months", allow_redirects=False)
        self.assertIn("/web/login", response.headers["Location"])

    def test_public_with_token(self):
        self.authenticate(None, None)
        token = self._token(self.period)
        response = self.url_open(self._month_url(self.period, token=token))
        self.assertEqual(response.status_code, 200)
        self.assertIn("Development day 1", response.text)
        self.assertNotIn("regie_modal_validate", response.text)
        pdf = self.url_open(self._month_url(self.period, "/pdf", token))
        self.assertEqual(pdf.status_code, 200)
        self.assertEqual(pdf.headers["Content-Type"], "application/pdf")

    def test_forged_token(self):
        self.authenticate(None, None)
        self._token(self.period)
        for suffix in ("", "/pdf"):
            response = self.url_open(
                self._month_url(self.period, suffix, token="forged-token")
            )
            self.assertEqual(response.status_code, 403, suffix)
            self.assertIn("invalid or has expired", response.text)
            self.assertNotIn("Development day", response.text)
        # Another month's valid token does not open this one.
        other_token = self._token(self.other_period)
        response = self.url_open(self._month_url(self.period, token=other_token))
        self.assertEqual(response.status_code, 403)

    # --- validation -------------------------------------------------------

    def test_validator_logged_in_signs(self):
        token = self._token(self.period)
        self.authenticate("regie_client_validator", "regie_client_validator")
        page = self.url_open(self._month_url(self.period))
        self.assertIn("regie_modal_validate", page.text)
        result = self._accept(self.period, name="")
        self.assertEqual(result, {"error": "Your name is missing."})
        result = self._accept(self.period)
        self.assertTrue(result.get("force_refresh"), result)
        period = self._reload(self.period)
        self.assertEqual(period.state, "validated")
        self.assertEqual(period.validated_by_partner_id, self.validator)
        self.assertEqual(period.signed_by, "Valérie Validator")
        self.assertTrue(period.signature)
        # The e-mailed link is dead after signing.
        self.assertNotEqual(period.access_token, token)
        self.authenticate(None, None)
        response = self.url_open(self._month_url(period, token=token))
        self.assertEqual(response.status_code, 403)
        # Signing twice is refused with a clear message.
        self.authenticate("regie_client_validator", "regie_client_validator")
        result = self._accept(period)
        self.assertIn("not waiting for validation", result["error"])

    def test_invalid_signature_changes_nothing(self):
        self.authenticate("regie_client_validator", "regie_client_validator")
        result = self.make_jsonrpc_request(
            self._month_url(self.period, "/accept"),
            {"name": "Valérie Validator", "signature": "not base64 at all!"},
        )
        self.assertIn("error", result)
        period = self._reload(self.period)
        self.assertEqual(period.state, "submitted")
        self.assertFalse(period.signature)
        self.assertFalse(period.validated_date)

    def test_token_alone_never_signs(self):
        self.authenticate(None, None)
        token = self._token(self.period)
        result = self._accept(self.period, token)
        self.assertIn("Only the designated validator", result["error"])
        self.assertEqual(self._reload(self.period).state, "submitted")
        response = self._post(self.period, "/contest", token, reason="Wrong days")
        self.assertEqual(response.status_code, 403)
        self.assertEqual(self._reload(self.period).state, "submitted")

    def test_consultant_with_token_cannot_sign_own_month(self):
        token = self._token(self.period)
        self.authenticate("regie_consultant", "regie_consultant")
        page = self.url_open(self._month_url(self.period, token=token))
        self.assertEqual(page.status_code, 200)
        self.assertNotIn("regie_modal_validate", page.text)
        result = self._accept(self.period, token)
        self.assertIn("Only the designated validator", result["error"])
        self.assertEqual(self._reload(self.period).state, "submitted")

    def test_code_not_resent_within_a_minute(self):
        self.authenticate(None, None)
        token = self._token(self.period)
        with patch(CODE_PATCH, return_value=555555):
            self._post(self.period, "/send_code", token)
        first_hash = self._reload(self.period).validation_code_hash
        with patch(CODE_PATCH, return_value=666666):
            response = self._post(self.period, "/send_code", token)
        self.assertIn("message=code_sent", response.headers["Location"])
        self.assertEqual(self._reload(self.period).validation_code_hash, first_hash)
        # The first code still works.
        response = self._post(self.period, "/verify_code", token, code="555555")
        self.assertIn("message=code_ok", response.headers["Location"])

    def test_send_code_needs_a_submitted_month(self):
        self.period.with_user(self.lead_user).action_validate()
        self.authenticate("regie_client_colleague", "regie_client_colleague")
        response = self._post(self.period, "/send_code")
        self.assertEqual(response.status_code, 409)
        self.assertFalse(self._reload(self.period).validation_code_hash)

    def test_colleague_cannot_sign(self):
        self.authenticate("regie_client_colleague", "regie_client_colleague")
        result = self._accept(self.period)
        self.assertIn("Only the designated validator", result["error"])
        self.assertEqual(self._reload(self.period).state, "submitted")

    def test_month_not_submitted(self):
        self.period.with_user(self.lead_user).action_validate()
        self.authenticate("regie_client_validator", "regie_client_validator")
        result = self._accept(self.period)
        self.assertIn("not waiting for validation", result["error"])
        csrf = self._csrf(self.period)
        response = self.url_open(
            self._month_url(self.period, "/contest"),
            data={"csrf_token": csrf, "reason": "Too late"},
            allow_redirects=False,
        )
        self.assertEqual(response.status_code, 409)
        self.assertIn("not waiting for validation", response.text)

    # --- one-time code ----------------------------------------------------

    def test_code_flow(self):
        self.authenticate(None, None)
        token = self._token(self.period)
        with patch(CODE_PATCH, return_value=123456):
            response = self._post(self.period, "/send_code", token)
        self.assertIn("message=code_sent", response.headers["Location"])
        period = self._reload(self.period)
        self.assertTrue(period.validation_code_hash)
        self.assertNotIn("123456", period.validation_code_hash)
        # A wrong code is refused, burns the code and does not unlock signing.
        response = self._post(self.period, "/verify_code", token, code="000000")
        self.assertIn("message=code_wrong", response.headers["Location"])
        self.assertFalse(self._reload(self.period).validation_code_hash)
        self.assertIn("error", self._accept(self.period, token))
        # A new code may be asked for once the resend delay has passed.
        self.period.sudo()._period_workflow().write(
            {
                "validation_code_expiry": fields.Datetime.now()
                + CODE_VALIDITY
                - timedelta(minutes=2)
            }
        )
        template_class = type(self.env["mail.template"])
        with (
            patch(CODE_PATCH, return_value=123456),
            patch.object(
                template_class,
                "send_mail",
                autospec=True,
                side_effect=template_class.send_mail,
            ) as send_mail,
        ):
            response = self._post(self.period, "/send_code", token)
        period = self._reload(self.period)
        self.assertGreater(period.validation_code_expiry, fields.Datetime.now())
        template = send_mail.call_args.args[0]
        self.assertEqual(
            template,
            self.env.ref(f"{MODULE}.mail_template_regie_period_validation_code"),
        )
        self.assertEqual(template.env.context["regie_validation_code"], "123456")
        self.assertEqual(send_mail.call_args.args[1], period.id)
        # The right code unlocks the signature for this browser session.
        response = self._post(self.period, "/verify_code", token, code="123456")
        self.assertIn("message=code_ok", response.headers["Location"])
        page = self.url_open(self._month_url(self.period, token=token))
        self.assertIn("regie_modal_validate", page.text)
        result = self._accept(self.period, token)
        self.assertTrue(result.get("force_refresh"), result)
        period = self._reload(self.period)
        self.assertEqual(period.state, "validated")
        self.assertEqual(period.validated_by_partner_id, self.validator)
        # Single use: the code is gone and the new link is handed to the signer.
        self.assertFalse(period.validation_code_hash)
        self.assertIn(f"access_token={period.access_token}", result["redirect_url"])

    def test_code_is_single_use(self):
        self.authenticate(None, None)
        token = self._token(self.period)
        with patch(CODE_PATCH, return_value=654321):
            self._post(self.period, "/send_code", token)
        self._post(self.period, "/verify_code", token, code="654321")
        response = self._post(self.period, "/contest", token, reason="Day 3 is off")
        self.assertEqual(response.status_code, 303)
        self.assertEqual(self._reload(self.period).state, "contested")
        # Used once: the same code cannot be replayed.
        response = self._post(self.period, "/verify_code", token, code="654321")
        self.assertIn("message=code_expired", response.headers["Location"])

    def test_expired_code(self):
        self.authenticate(None, None)
        token = self._token(self.period)
        with patch(CODE_PATCH, return_value=111111):
            self._post(self.period, "/send_code", token)
        self.period.sudo()._period_workflow().write(
            {"validation_code_expiry": fields.Datetime.now() - timedelta(minutes=1)}
        )
        response = self._post(self.period, "/verify_code", token, code="111111")
        self.assertIn("message=code_expired", response.headers["Location"])
        self.assertIn("error", self._accept(self.period, token))

    def test_verified_code_expires(self):
        self.authenticate(None, None)
        token = self._token(self.period)
        with patch(CODE_PATCH, return_value=222222):
            self._post(self.period, "/send_code", token)
        # Verified while the code is valid, the session may act until the code
        # expires only. The clock is moved past the expiry rather than waited
        # for: a loaded machine must not make the test race the clock.
        response = self._post(self.period, "/verify_code", token, code="222222")
        self.assertIn("message=code_ok", response.headers["Location"])
        later = fields.Datetime.now() + CODE_VALIDITY + timedelta(minutes=1)
        with patch.object(fields.Datetime, "now", return_value=later):
            self.assertIn("error", self._accept(self.period, token))
        self.assertEqual(self._reload(self.period).state, "submitted")

    def test_code_of_another_month_is_useless(self):
        self.authenticate(None, None)
        token = self._token(self.period)
        other_token = self._token(self.other_period)
        with patch(CODE_PATCH, return_value=444444):
            self._post(self.other_period, "/send_code", other_token)
        response = self._post(self.period, "/verify_code", token, code="444444")
        self.assertIn("message=code_expired", response.headers["Location"])

    # --- contest ----------------------------------------------------------

    def test_contest_needs_a_reason(self):
        self.authenticate("regie_client_validator", "regie_client_validator")
        response = self._post(self.period, "/contest", reason="   ")
        self.assertIn("message=reason_missing", response.headers["Location"])
        self.assertEqual(self._reload(self.period).state, "submitted")
        response = self._post(
            self.period, "/contest", reason="The 8th was a bank holiday"
        )
        self.assertIn("message=contested", response.headers["Location"])
        period = self._reload(self.period)
        self.assertEqual(period.state, "contested")
        self.assertIn("bank holiday", period.dispute_ids.reason)
        page = self.url_open(self._month_url(period))
        self.assertIn("bank holiday", page.text)

    # --- purchase side ----------------------------------------------------

    def test_purchase_side_provider_sees_validated_months_only(self):
        provider = self.env["res.partner"].create(
            {"name": "Freelance SAS", "is_company": True}
        )
        provider_user = self._create_portal_user(
            "regie_provider_portal", "Paula Provider", provider
        )
        contract = self._create_contract(
            direction="purchase", partner_id=provider.id, project_lead_ids=False
        )
        self._set_leads(contract, self.lead_user)
        contract.action_activate()
        self._create_mission(contract, employee_id=self.other_employee.id)
        period = self._submitted_month(self.other_employee, contract)
        self.authenticate(provider_user.login, provider_user.login)
        self.assertEqual(self.url_open(self._month_url(period)).status_code, 404)
        self.assertNotIn(
            f"/my/regie/months/{period.id}", self.url_open("/my/regie/months").text
        )
        period.with_user(self.lead_user).action_validate()
        self.assertEqual(self.url_open(self._month_url(period)).status_code, 200)
        self.assertIn(
            f"/my/regie/months/{period.id}", self.url_open("/my/regie/months").text
        )
        # Seeing is not signing: the provider has nothing to validate.
        self.assertIn("error", self._accept(period))

    def test_submit_mails_the_portal_link_to_the_validator(self):
        messages = self.period.message_ids.filtered(
            lambda message: self.validator in message.partner_ids
        )
        self.assertEqual(len(messages), 1)
        link = re.search(r'href="[^"]*(/my/regie/months/[^"]+)"', messages.body)
        self.assertTrue(link, messages.body)
        # The e-mailed link opens the month without an account...
        self.authenticate(None, None)
        url = link.group(1).replace("&amp;", "&")
        response = self.url_open(url)
        self.assertEqual(response.status_code, 200)
        self.assertIn("Development day 1", response.text)
        # ...but does not let its bearer sign.
        token = url.split("access_token=")[1]
        self.assertIn("error", self._accept(self.period, token))

    def test_code_mail_content(self):
        template = self.env.ref(f"{MODULE}.mail_template_regie_period_validation_code")
        values = template.with_context(
            regie_validation_code="042042"
        )._generate_template(self.period.ids, ["body_html", "partner_to", "subject"])[
            self.period.id
        ]
        self.assertIn("042042", values["body_html"])
        self.assertNotIn("042042", values["subject"])
        self.assertEqual(values["partner_ids"], self.validator.ids)
        to_validate = self.env.ref(f"{MODULE}.mail_template_regie_period_to_validate")
        values = to_validate._generate_template(
            self.period.ids, ["body_html", "partner_to"]
        )[self.period.id]
        self.assertIn(
            f"/my/regie/months/{self.period.id}?access_token="
            f"{self._reload(self.period).access_token}",
            values["body_html"],
        )
