from datetime import date

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged
from odoo.tests.common import new_test_user

from .common import RegieInvoicingCommon

MARCH = date(2025, 3, 1)
REGIE_MODELS = (
    "regie.contract",
    "regie.mission",
    "regie.mission.rate",
    "regie.timesheet.period",
    "regie.timesheet.dispute",
)


@tagged("post_install", "-at_install")
class TestMultiCompanyInvoicing(RegieInvoicingCommon):
    """Company A's contracts, months, disputes and invoices never reach the
    users of company B, whatever their régie or accounting group; a contract
    takes the product, journal and partner of its own company only."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_a = cls.env.company
        cls.company_b_data = cls.setup_other_company(name="Régie Company B")
        cls.company_b = cls.company_b_data["company"]
        cls.period = cls._validated_month(cls.mission, MARCH, days=3)
        action = cls.period.with_user(cls.billing).action_create_invoice()
        cls.invoice = cls.env["account.move"].browse(
            action["context"]["regie_invoicing_summary"]["created"]
        )
        april = cls._log_days(cls.mission, date(2025, 4, 1), 2).regie_period_id
        april.with_user(cls.lead).action_submit()
        april.with_user(cls.lead).action_contest("Wrong day")
        cls.dispute = april.dispute_ids
        b_values = {"company_id": cls.company_b.id, "company_ids": cls.company_b.ids}
        cls.users_b = cls.env["res.users"]
        for login, groups in (
            ("mci_consultant_b", "regie_staffing.group_consultant"),
            ("mci_lead_b", "regie_staffing.group_lead"),
            ("mci_manager_b", "regie_staffing.group_manager"),
            ("mci_accountant_b", "regie_staffing_invoicing.group_regie_accountant"),
            (
                "mci_all_b",
                "regie_staffing.group_manager,"
                "regie_staffing_invoicing.group_regie_accountant,"
                "account.group_account_manager",
            ),
        ):
            cls.users_b |= new_test_user(
                cls.env, login=login, groups=groups, **b_values
            )

    def test_company_b_users_read_nothing_of_company_a(self):
        self.assertEqual(self.invoice.company_id, self.company_a)
        self.assertTrue(self.dispute)
        records_a = {
            model: self.env[model].search([("company_id", "=", self.company_a.id)])
            for model in REGIE_MODELS
        }
        records_a["account.move"] = self.invoice
        for model, records in records_a.items():
            self.assertTrue(records, model)
        for user in self.users_b:
            env = self.env(user=user)
            for model, records in records_a.items():
                if not env[model].has_access("read"):
                    continue
                self.assertFalse(
                    env[model].search([("id", "in", records.ids)]),
                    f"{user.login} finds {model}",
                )
                with self.assertRaises(AccessError, msg=f"{user.login} {model}"):
                    records.with_user(user).read(["display_name"])
            if env["regie.margin.report"].has_access("read"):
                self.assertFalse(env["regie.margin.report"].search([]), user.login)
            # Nor invoices company A's months.
            with self.assertRaises(AccessError, msg=user.login):
                self.period.with_user(user).action_create_invoice()

    def test_contract_refuses_product_journal_partner_of_another_company(self):
        product_b = self.env["product.product"].create(
            {"name": "Day of B", "type": "service", "company_id": self.company_b.id}
        )
        partner_b = self.env["res.partner"].create(
            {"name": "Client of B", "company_id": self.company_b.id}
        )
        draft = self._create_contract(activate=False)
        for field, value, label in (
            ("product_id", product_b, "Service product"),
            ("journal_id", self.company_b_data["default_journal_sale"], "Journal"),
            ("partner_id", partner_b, "Partner"),
        ):
            with self.assertRaises(UserError, msg=field) as refused:
                self._create_contract(activate=False, **{field: value.id})
            self.assertIn(field, str(refused.exception))
            self.assertIn(label, str(refused.exception))
            with self.assertRaises(UserError, msg=field) as refused:
                draft.write({field: value.id})
            self.assertIn(field, str(refused.exception))
            self.assertNotEqual(draft[field], value)
