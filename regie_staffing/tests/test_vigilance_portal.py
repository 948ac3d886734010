import base64
import re

from dateutil.relativedelta import relativedelta

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import HttpCase, tagged
from odoo.tests.common import new_test_user

from ..controllers.vigilance import UPLOAD_MAX_BYTES
from ..models.regie_vigilance_document import REMINDER_DAYS_PARAM
from .common import RegieCommon

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA"
    "60e6kgAAAABJRU5ErkJggg=="
)


class RegieVigilanceCommon(RegieCommon):
    """A French company buying from a provider (a company with a portal
    contact) under an active purchase contract of 50,000 € a year led by
    ``lead_user``: the provider's URSSAF certificate expires in ten days, its
    registration extract is valid, its foreign workers list is missing.
    A second provider has its own contract and contact."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.company.country_id = cls.env.ref("base.fr")
        cls.today = fields.Date.context_today(cls.env["regie.vigilance.document"])
        cls.provider = cls.env["res.partner"].create(
            {"name": "Vigil Provider SAS", "is_company": True}
        )
        cls.provider_user = cls._portal_user(
            "vigil_provider", "Paula Vigil", cls.provider
        )
        cls.provider_contact = cls.provider_user.partner_id
        cls.other_provider = cls.env["res.partner"].create(
            {"name": "Other Provider SARL", "is_company": True}
        )
        cls.other_provider_user = cls._portal_user(
            "vigil_other", "Oscar Other", cls.other_provider
        )
        cls.purchase = cls._purchase_contract(cls.provider_contact)
        cls.other_purchase = cls._purchase_contract(cls.other_provider)
        Document = cls.env["regie.vigilance.document"]
        cls.urssaf = Document.create(
            {
                "partner_id": cls.provider.id,
                "document_type": "urssaf",
                # Valid six months minus a day: expires in ten days.
                "issue_date": cls.today
                - relativedelta(months=6)
                + relativedelta(days=11),
                "verification_code": "OLD123",
            }
        )
        cls.registration = Document.create(
            {
                "partner_id": cls.provider.id,
                "document_type": "registration",
                "issue_date": cls.today - relativedelta(days=1),
            }
        )
        cls.other_document = Document.create(
            {
                "partner_id": cls.other_provider.id,
                "document_type": "registration",
                "issue_date": cls.today - relativedelta(days=3),
                "document": base64.b64encode(PDF),
                "document_name": "other_kbis.pdf",
            }
        )

    @classmethod
    def _portal_user(cls, login, name, company):
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
    def _purchase_contract(cls, partner):
        contract = cls._create_contract(
            direction="purchase",
            partner_id=partner.id,
            date_start=cls.today - relativedelta(months=1),
            date_end=cls.today + relativedelta(months=11),
        )
        cls._create_mission(contract, estimated_days=100.0)
        contract.action_activate()
        return contract


@tagged("post_install", "-at_install")
class TestVigilanceReminders(RegieVigilanceCommon):
    def _mails(self, partner):
        return self.env["mail.mail"].search(
            [("model", "=", "res.partner"), ("res_id", "=", partner.id)]
        )

    def _activities(self, contract):
        return self.env["mail.activity"].search(
            [("res_model", "=", "regie.contract"), ("res_id", "=", contract.id)]
        )

    def test_cron_reminds_once_per_document_and_expiry(self):
        self.assertTrue(self.purchase.vigilance_required)
        Document = self.env["regie.vigilance.document"]
        Document._cron_send_reminders()
        mails = self._mails(self.provider_contact)
        self.assertEqual(len(mails), 1)
        self.assertEqual(mails.recipient_ids, self.provider_contact)
        self.assertIn("/my/vigilance", mails.body_html)
        self.assertIn("URSSAF", mails.body_html)
        self.assertIn("Foreign workers", mails.body_html)
        self.assertNotIn("Registration extract", mails.body_html)
        activities = self._activities(self.purchase)
        self.assertEqual(len(activities), 1)
        self.assertEqual(activities.user_id, self.lead_user)
        self.assertIn(self.provider.name, activities.summary)
        reminders = self.env["regie.vigilance.reminder"].search(
            [("partner_id", "=", self.provider.id)]
        )
        self.assertEqual(
            set(reminders.mapped("document_type")), {"urssaf", "foreign_workers"}
        )
        self.assertEqual(
            reminders.filtered(lambda r: r.document_type == "urssaf").expiry_date,
            self.urssaf.expiry_date,
        )
        # The other provider (two documents missing, a contract naming the
        # company without address) is reminded through its portal contact.
        self.assertEqual(len(self._mails(self.other_provider_user.partner_id)), 1)

        # The next day's run sends nothing again.
        Document._cron_send_reminders()
        self.assertEqual(len(self._mails(self.provider_contact)), 1)
        self.assertEqual(len(self._activities(self.purchase)), 1)

        # A new certificate: nothing to remind; once it nears its own expiry,
        # it is reminded again (another expiry).
        Document.create(
            {
                "partner_id": self.provider.id,
                "document_type": "urssaf",
                "issue_date": self.today,
                "verification_code": "NEW456",
            }
        )
        Document._cron_send_reminders()
        self.assertEqual(len(self._mails(self.provider_contact)), 1)

    def test_reminder_days_are_configurable(self):
        self.env["ir.config_parameter"].sudo().set_param(REMINDER_DAYS_PARAM, "5")
        self.env["regie.vigilance.document"].create(
            {
                "partner_id": self.provider.id,
                "document_type": "foreign_workers",
                "issue_date": self.today,
            }
        )
        # The certificate expires in ten days: not yet within five.
        self.env["regie.vigilance.document"]._cron_send_reminders()
        self.assertFalse(self._mails(self.provider_contact))
        self.env["ir.config_parameter"].sudo().set_param(REMINDER_DAYS_PARAM, "15")
        self.env["regie.vigilance.document"]._cron_send_reminders()
        self.assertEqual(len(self._mails(self.provider_contact)), 1)

    def test_cron_batches(self):
        self.env["regie.vigilance.document"]._cron_send_reminders(batch_size=1)
        reminded = (
            self.env["regie.vigilance.reminder"]
            .search([("partner_id", "in", (self.provider | self.other_provider).ids)])
            .partner_id
        )
        # Batches go on until every provider is reminded (other providers of
        # the database may come first).
        for _run in range(50):
            if len(reminded) == 2:
                break
            self.env["regie.vigilance.document"]._cron_send_reminders(batch_size=1)
            reminded = (
                self.env["regie.vigilance.reminder"]
                .search(
                    [("partner_id", "in", (self.provider | self.other_provider).ids)]
                )
                .partner_id
            )
        self.assertEqual(reminded, self.provider | self.other_provider)

    def test_compliance_report(self):
        Report = self.env["regie.vigilance.compliance"].with_user(self.lead_user)
        action = Report.action_open_report()
        rows = Report.search(action["domain"])
        row = rows.filtered(lambda r: r.partner_id == self.provider)
        self.assertEqual(row.state, "missing")
        self.assertEqual(row.contract_ids, self.purchase)
        self.assertIn("Foreign workers", row.missing_documents)
        self.assertIn("URSSAF", row.expiring_documents)
        self.assertEqual(row.next_expiry_date, self.urssaf.expiry_date)
        self.assertEqual(row.unchecked_count, 2)
        # Sale contracts' clients are not providers.
        self.assertNotIn(self.client, rows.partner_id)
        self.env["regie.vigilance.document"].create(
            {
                "partner_id": self.provider.id,
                "document_type": "foreign_workers",
                "issue_date": self.today,
            }
        )
        rows = Report.search(Report.action_open_report()["domain"])
        row = rows.filtered(lambda r: r.partner_id == self.provider)
        self.assertEqual(row.state, "expiring")
        self.assertFalse(row.missing_documents)
        # Another lead reads neither these contracts nor this user's rows.
        other_rows = self.env["regie.vigilance.compliance"].with_user(
            self.other_lead_user
        )
        other_rows.action_open_report()
        self.assertNotIn(self.provider, other_rows.search([]).partner_id)
        manager_rows = self.env["regie.vigilance.compliance"].with_user(
            self.manager_user
        )
        manager_rows.action_open_report()
        self.assertIn(self.provider, manager_rows.search([]).partner_id)

    def test_access_by_group(self):
        plain = new_test_user(self.env, login="vigil_plain", groups="base.group_user")
        for user in (self.consultant_user, plain, self.provider_user):
            with self.assertRaises(AccessError):
                self.urssaf.with_user(user).read(["verification_code"])
            with self.assertRaises(AccessError):
                self.env["regie.vigilance.compliance"].with_user(
                    user
                ).action_open_report()
        self.assertTrue(
            self.urssaf.with_user(self.lead_user).read(["verification_code"])
        )


@tagged("post_install", "-at_install")
class TestVigilancePortal(RegieVigilanceCommon, HttpCase):
    def _csrf(self):
        page = self.url_open("/my/vigilance")
        self.assertEqual(page.status_code, 200)
        return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)

    def _upload(self, content=PDF, name="attestation.pdf", csrf=True, **data):
        data.setdefault("document_type", "urssaf")
        data.setdefault("issue_date", fields.Date.to_string(self.today))
        data.setdefault("verification_code", "XY12 ZW34")
        if csrf:
            data["csrf_token"] = self._csrf()
        return self.url_open(
            "/my/vigilance/upload",
            data=data,
            files={"file": (name, content, "application/pdf")},
            allow_redirects=False,
        )

    def _provider_documents(self, partner=None):
        return self.env["regie.vigilance.document"].search(
            [("partner_id", "=", (partner or self.provider).id)]
        )

    def test_home_and_page(self):
        self.authenticate(self.provider_user.login, self.provider_user.login)
        counters = self.make_jsonrpc_request(
            "/my/counters",
            {"counters": ["regie_vigilance_count", "regie_vigilance_todo_count"]},
        )
        self.assertEqual(counters["regie_vigilance_count"], 3)
        # URSSAF expiring, foreign workers missing.
        self.assertEqual(counters["regie_vigilance_todo_count"], 2)
        self.assertIn('href="/my/vigilance"', self.url_open("/my").text)
        page = self.url_open("/my/vigilance").text
        self.assertIn(self.purchase.display_name, page)
        states = dict(
            re.findall(
                r'o_regie_vigilance_line" data-document-type="(\w+)"'
                r'.*?data-state="(\w+)"',
                page,
                re.S,
            )
        )
        self.assertEqual(
            states,
            {
                "urssaf": "expiring",
                "registration": "valid",
                "foreign_workers": "missing",
            },
        )
        self.assertNotIn("other_kbis.pdf", page)
        self.assertNotIn(self.other_purchase.display_name, page)

    def test_upload_creates_an_unchecked_document(self):
        self.authenticate(self.provider_user.login, self.provider_user.login)
        before = self._provider_documents()
        response = self._upload(partner_id=self.other_provider.id)
        self.assertEqual(response.status_code, 303, response.text[:500])
        self.assertIn("/my/vigilance?uploaded=urssaf", response.headers["Location"])
        document = self._provider_documents() - before
        self.assertEqual(len(document), 1)
        self.assertEqual(document.partner_id, self.provider)
        self.assertEqual(document.company_id, self.purchase.company_id)
        self.assertEqual(document.verification_code, "XY12 ZW34")
        self.assertEqual(document.issue_date, self.today)
        self.assertTrue(document.uploaded_from_portal)
        self.assertFalse(document.checked_by_id)
        self.assertEqual(base64.b64decode(document.document), PDF)
        activity = self.env["mail.activity"].search(
            [
                ("res_model", "=", "regie.contract"),
                ("res_id", "=", self.purchase.id),
                ("summary", "like", "uploaded by"),
            ]
        )
        self.assertEqual(activity.user_id, self.lead_user)
        self.assertFalse(
            self._provider_documents(self.other_provider).filtered(
                "uploaded_from_portal"
            )
        )
        page = self.url_open(response.headers["Location"]).text
        self.assertIn("o_regie_vigilance_uploaded", page)
        self.assertIn("o_regie_vigilance_unchecked", page)
        # The provider's contact downloads his own file.
        download = self.url_open(f"/my/vigilance/document/{document.id}")
        self.assertEqual(download.status_code, 200)
        self.assertEqual(download.content, PDF)
        # A buyer checks it.
        document.with_user(self.lead_user).action_mark_checked()
        self.assertEqual(document.checked_by_id, self.lead_user)

    def test_upload_validation(self):
        self.authenticate(self.provider_user.login, self.provider_user.login)
        before = self._provider_documents()
        cases = [
            ({"content": b"not a pdf at all", "name": "a.txt"}, "PDF, PNG and JPEG"),
            ({"content": b""}, "File"),
            ({"verification_code": ""}, "Security code"),
            ({"verification_code": "<script>"}, "Security code"),
            ({"issue_date": ""}, "Issue date"),
            ({"issue_date": "31/02/2026"}, "Issue date"),
            (
                {
                    "issue_date": fields.Date.to_string(
                        self.today + relativedelta(days=1)
                    )
                },
                "future",
            ),
            ({"document_type": "passport"}, "Document"),
            ({"content": b"%PDF-" + b"0" * UPLOAD_MAX_BYTES}, "10 MB"),
        ]
        for kwargs, message in cases:
            with self.subTest(kwargs=str(kwargs)[:60]):
                response = self._upload(**kwargs)
                self.assertEqual(response.status_code, 400)
                self.assertIn(message, response.text)
                self.assertIn("o_regie_vigilance_error", response.text)
        # A PNG photo is fine, and the registration extract needs no code.
        response = self._upload(
            content=PNG,
            name="kbis.png",
            document_type="registration",
            verification_code="",
        )
        self.assertEqual(response.status_code, 303)
        # Without the CSRF token, nothing is created.
        response = self._upload(csrf=False)
        self.assertIn(response.status_code, (400, 403))
        created = self._provider_documents() - before
        self.assertEqual(created.mapped("document_type"), ["registration"])
        self.assertFalse(created.verification_code)

    def test_isolation_between_providers(self):
        self.authenticate(self.provider_user.login, self.provider_user.login)
        # Another provider's document does not exist for this contact.
        response = self.url_open(f"/my/vigilance/document/{self.other_document.id}")
        self.assertEqual(response.status_code, 404)
        self.authenticate(
            self.other_provider_user.login, self.other_provider_user.login
        )
        self.assertEqual(
            self.url_open(
                f"/my/vigilance/document/{self.other_document.id}"
            ).status_code,
            200,
        )
        page = self.url_open("/my/vigilance").text
        self.assertNotIn("OLD123", page)
        self.assertNotIn(self.purchase.display_name, page)
        # A contact without contracts requiring vigilance uploads nothing.
        lonely = self._portal_user(
            "vigil_lonely",
            "Lou Lonely",
            self.env["res.partner"].create({"name": "Lonely SA", "is_company": True}),
        )
        self.authenticate(lonely.login, lonely.login)
        page = self.url_open("/my/vigilance")
        self.assertEqual(page.status_code, 200)
        self.assertNotIn("o_regie_vigilance_upload", page.text)
        csrf = re.search(r'csrf_token: "([^"]+)"', page.text).group(1)
        response = self.url_open(
            "/my/vigilance/upload",
            data={
                "csrf_token": csrf,
                "document_type": "urssaf",
                "issue_date": fields.Date.to_string(self.today),
                "verification_code": "ABC",
            },
            files={"file": ("a.pdf", PDF, "application/pdf")},
            allow_redirects=False,
        )
        self.assertEqual(response.status_code, 404)
        # The public is sent to the login page.
        self.authenticate(None, None)
        response = self.url_open("/my/vigilance", allow_redirects=False)
        self.assertIn(response.status_code, (302, 303))
        self.assertIn("/web/login", response.headers["Location"])
