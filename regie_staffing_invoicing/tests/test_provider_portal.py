from datetime import date

from odoo import Command
from odoo.tests import HttpCase, tagged
from odoo.tests.common import new_test_user

from odoo.addons.regie_staffing.tests.common_tour import RegieTourCase

MARCH = date(2026, 3, 1)
APRIL = date(2026, 4, 1)
# Distinctive figures: the sale side must never show in the provider's pages.
SALE_RATE = 987.65
PURCHASE_RATE = 450.0


class RegieProviderPortalCommon(HttpCase):
    """A freelancer bought from "Provider Freelance EURL" (450 a day) and sold
    to a client (987.65 a day), back to back; the provider's portal contact;
    another provider with his own contract, month and contact. March is
    validated by the client (4 days), April too (2 days) and billed by the
    provider's own bill."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        company = env.company
        cls.provider = env["res.partner"].create(
            {"name": "Provider Freelance EURL", "is_company": True}
        )
        cls.provider_user = cls._portal_user("prov_portal_paula", cls.provider)
        cls.other_provider = env["res.partner"].create(
            {"name": "Other ESN SAS", "is_company": True}
        )
        cls.other_user = cls._portal_user("prov_portal_oscar", cls.other_provider)
        cls.client = env["res.partner"].create(
            {"name": "Provider Portal Client SA", "is_company": True}
        )
        cls.freelancer, cls.other_consultant = env["hr.employee"].create(
            [
                {
                    "name": "Fiona Freelance",
                    "employee_type": "freelance",
                    "company_id": company.id,
                },
                {
                    "name": "Omar Other",
                    "employee_type": "contractor",
                    "company_id": company.id,
                },
            ]
        )
        common = {
            "date_start": date(2026, 1, 1),
            "date_end": date(2026, 12, 31),
            "review_frequency": "none",
            "company_id": company.id,
        }
        Contract = env["regie.contract"]
        cls.purchase = Contract.create(
            {
                **common,
                "title": "Subcontracting Fiona",
                "direction": "purchase",
                "partner_id": cls.provider.id,
            }
        )
        cls.sale = Contract.create(
            {**common, "title": "Secret client roll-out", "partner_id": cls.client.id}
        )
        cls.other_purchase = Contract.create(
            {
                **common,
                "title": "Subcontracting Omar",
                "direction": "purchase",
                "partner_id": cls.other_provider.id,
            }
        )
        (cls.purchase | cls.sale | cls.other_purchase).action_activate()
        Mission = env["regie.mission"]
        cls.purchase_mission = Mission.create(
            {
                "contract_id": cls.purchase.id,
                "employee_id": cls.freelancer.id,
                "daily_rate": PURCHASE_RATE,
            }
        )
        cls.sale_mission = Mission.create(
            {
                "contract_id": cls.sale.id,
                "employee_id": cls.freelancer.id,
                "daily_rate": SALE_RATE,
                "purchase_mission_id": cls.purchase_mission.id,
            }
        )
        cls.other_mission = Mission.create(
            {
                "contract_id": cls.other_purchase.id,
                "employee_id": cls.other_consultant.id,
                "daily_rate": 500.0,
            }
        )
        (cls.purchase_mission | cls.sale_mission | cls.other_mission).filtered(
            lambda mission: mission.state == "draft"
        ).action_start()
        cls.march_sale = cls._validated(cls.sale, cls.freelancer, MARCH, 4)
        cls.march = cls.march_sale.purchase_period_id
        cls.april_sale = cls._validated(cls.sale, cls.freelancer, APRIL, 2)
        cls.april = cls.april_sale.purchase_period_id
        cls.other_month = cls._validated(
            cls.other_purchase, cls.other_consultant, MARCH, 3
        )
        cls.bill = cls._provider_bill(APRIL, 2.0, "PF-2026-04")
        cls.bill.action_post()

    @classmethod
    def _portal_user(cls, login, company):
        user = new_test_user(
            cls.env,
            login=login,
            name=login.rsplit("_", 1)[-1].title(),
            email=f"{login}@example.com",
            groups="base.group_portal",
        )
        user.partner_id.parent_id = company
        return user

    @classmethod
    def _validated(cls, contract, employee, month, days):
        lines = cls.env["account.analytic.line"].create(
            [
                {
                    "name": "Work",
                    "project_id": contract.project_id.id,
                    "employee_id": employee.id,
                    "date": month.replace(day=2 + offset),
                    "unit_amount": 8.0,
                }
                for offset in range(days)
            ]
        )
        period = lines.regie_period_id
        period.action_submit()
        period.action_validate()
        return period

    @classmethod
    def _provider_bill(cls, month, days, ref):
        return cls.env["account.move"].create(
            {
                "move_type": "in_invoice",
                "partner_id": cls.provider.id,
                "invoice_date": month.replace(day=28),
                "ref": ref,
                "regie_contract_id": cls.purchase.id,
                "regie_match_date_from": month,
                "regie_match_date_to": month.replace(day=30),
                "invoice_line_ids": [
                    Command.create(
                        {
                            "name": "Fiona Freelance",
                            "product_id": cls.purchase.product_id.id,
                            "quantity": days,
                            "price_unit": PURCHASE_RATE,
                            "regie_employee_id": cls.freelancer.id,
                            "tax_ids": [Command.clear()],
                        }
                    )
                ],
            }
        )


@tagged("post_install", "-at_install")
class TestProviderPortal(RegieProviderPortalCommon):
    """The provider's contact sees his contract's validated months with what
    to bill for each, and nothing of another provider nor of the sale side."""

    def test_setup_is_back_to_back(self):
        self.assertEqual(
            (self.march.state, self.april.state), ("validated", "invoiced")
        )
        self.assertEqual(self.march.sale_period_id, self.march_sale)
        self.assertEqual(self.april.vendor_bill_id, self.bill)

    def test_contract_page_lists_months_to_bill(self):
        self.authenticate(self.provider_user.login, self.provider_user.login)
        home = self.url_open("/my/regie/contracts")
        self.assertIn(f"/my/regie/contracts/{self.purchase.id}", home.text)
        self.assertNotIn(f"/my/regie/contracts/{self.other_purchase.id}", home.text)
        self.assertNotIn(f"/my/regie/contracts/{self.sale.id}", home.text)
        page = self.url_open(f"/my/regie/contracts/{self.purchase.id}")
        self.assertEqual(page.status_code, 200)
        html = page.text
        self.assertIn(f'data-period-id="{self.march.id}"', html)
        self.assertIn(f'data-period-id="{self.april.id}"', html)
        self.assertNotIn(f'data-period-id="{self.other_month.id}"', html)
        # March: 4 days at 450 to invoice; April billed by his bill.
        self.assertIn("1,800.00", html)
        self.assertIn("900.00", html)
        self.assertIn("PF-2026-04", html)
        self.assertEqual(html.count("o_regie_provider_to_bill"), 1)
        self.assertEqual(html.count("o_regie_provider_billed"), 1)
        self.assertIn(f"/my/regie/months/{self.march.id}/pdf?download=1", html)
        self._assert_no_sale_side(html)

    def test_month_page_and_signed_report(self):
        self.authenticate(self.provider_user.login, self.provider_user.login)
        page = self.url_open(f"/my/regie/months/{self.march.id}")
        self.assertEqual(page.status_code, 200)
        # The days logged on the client's side are the month's days.
        self.assertEqual(page.text.count(">08:00<"), 4)
        self._assert_no_sale_side(page.text)
        pdf = self.url_open(f"/my/regie/months/{self.march.id}/pdf?download=1")
        self.assertEqual(pdf.status_code, 200)
        self.assertEqual(pdf.headers["Content-Type"], "application/pdf")
        # The CRA the client signed, frozen at validation (the test server
        # renders reports as HTML).
        signed = self.march_sale.sudo().report_attachment_id
        self.assertTrue(signed)
        self.assertFalse(self.march.sudo().report_attachment_id)
        if signed.mimetype == "application/pdf":
            self.assertEqual(pdf.content, signed.raw)
        else:
            # Kept as HTML by the test server: the route renders the
            # purchase month's report, with the client's month's days.
            self.assertEqual(pdf.text.count(">08:00<"), 4)
            self._assert_no_sale_side(pdf.text)

    def test_other_providers_and_sale_side_are_hidden(self):
        self.authenticate(self.provider_user.login, self.provider_user.login)
        for url in (
            f"/my/regie/contracts/{self.other_purchase.id}",
            f"/my/regie/contracts/{self.sale.id}",
            f"/my/regie/months/{self.other_month.id}",
            f"/my/regie/months/{self.other_month.id}/pdf",
            f"/my/regie/months/{self.march_sale.id}",
            f"/my/regie/months/{self.march_sale.id}/pdf",
        ):
            response = self.url_open(url)
            self.assertIn(response.status_code, (403, 404), url)
            self.assertNotIn(b"Fiona", response.content, url)
        months = self.url_open("/my/regie/months").text
        self.assertNotIn(f"/my/regie/months/{self.other_month.id}", months)
        self.assertNotIn(f'/my/regie/months/{self.march_sale.id}"', months)
        # And the other provider sees his own only.
        self.authenticate(self.other_user.login, self.other_user.login)
        self.assertEqual(
            self.url_open(f"/my/regie/contracts/{self.purchase.id}").status_code, 404
        )
        self.assertEqual(
            self.url_open(f"/my/regie/months/{self.march.id}/pdf").status_code, 404
        )
        page = self.url_open(f"/my/regie/contracts/{self.other_purchase.id}").text
        self.assertIn(f'data-period-id="{self.other_month.id}"', page)
        self.assertIn("1,500.00", page)

    def test_client_contact_page_unchanged(self):
        validator = self._portal_user("prov_portal_valerie", self.client)
        self.authenticate(validator.login, validator.login)
        page = self.url_open(f"/my/regie/contracts/{self.sale.id}").text
        self.assertNotIn("o_regie_provider_month", page)
        self.assertIn(f"/my/regie/months/{self.march_sale.id}", page)

    def _assert_no_sale_side(self, html):
        for secret in (
            "987.65",
            "987,65",
            "3,950.60",  # 4 days sold
            "Secret client roll-out",
            self.sale.name,
            self.client.name,
        ):
            self.assertNotIn(secret, html)


@tagged("post_install", "-at_install")
class TestProviderPortalTour(RegieProviderPortalCommon, RegieTourCase):
    """From /my, the provider's contact opens his contract and reads what to
    invoice: March to bill (4 days at 450), April billed by his invoice."""

    def test_provider_months_en(self):
        self._provider_months("en_US")

    def test_provider_months_fr(self):
        self._provider_months("fr_FR")

    def _provider_months(self, lang):
        self.start_regie_tour(
            "/my", "regie_provider_portal_months", self.provider_user, lang
        )
        # Reading changed nothing: the months are as they were.
        self.march.invalidate_recordset()
        self.assertEqual(self.march.state, "validated")
        self.assertFalse(self.march.sudo().vendor_bill_id)
        self.assertEqual(self.april.sudo().vendor_bill_id, self.bill)
