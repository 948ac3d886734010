from datetime import date

from dateutil.relativedelta import relativedelta
from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .test_vendor_bill_matching import RegieBuySideCommon

MARCH = date(2026, 3, 1)


@tagged("post_install", "-at_install")
@freeze_time("2026-04-10")
class TestVigilance(RegieBuySideCommon):
    """Subcontractor vigilance: a French company's provider bills are not
    posted while the provider's documents are missing or expired, unless a
    régie manager posts them with a logged reason."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.company.country_id = cls.env.ref("base.fr")

    def _bill(self, contract):
        self._log_days(contract, self.alice, MARCH, 5)
        periods = self._validate_months(contract, MARCH)
        action = periods.action_create_invoice()
        return self.env["account.move"].browse(
            action["context"]["regie_invoicing_summary"]["created"]
        )

    def _documents(self, issue=date(2026, 3, 15), kinds=None):
        return self.env["regie.vigilance.document"].create(
            [
                {
                    "partner_id": self.provider.id,
                    "document_type": kind,
                    "issue_date": issue,
                }
                for kind in kinds or ("urssaf", "registration", "foreign_workers")
            ]
        )

    def test_bill_blocked_until_the_documents_are_held(self):
        contract = self._create_contract([(self.alice, 480.0)])
        self.assertTrue(contract.vigilance_required)
        self.assertEqual(contract.vigilance_state, "missing")
        bill = self._bill(contract)
        self.assertIn("URSSAF", bill.regie_vigilance_warning)
        with self.assertRaises(UserError) as refused:
            bill.action_post()
        self.assertIn("Registration extract", str(refused.exception))
        self.assertEqual(bill.state, "draft")

        self._documents()
        contract.invalidate_recordset()
        self.assertEqual(contract.vigilance_state, "compliant")
        bill.invalidate_recordset()
        self.assertFalse(bill.regie_vigilance_warning)
        bill.action_post()
        self.assertEqual(bill.state, "posted")

    def test_expired_documents_block_again(self):
        contract = self._create_contract([(self.alice, 480.0)])
        # A registration extract is valid three months, the others six.
        documents = self._documents(issue=date(2025, 12, 1))
        self.assertEqual(
            documents.filtered(lambda d: d.document_type == "registration").expiry_date,
            date(2026, 2, 28),
        )
        self.assertEqual(
            documents.filtered(lambda d: d.document_type == "urssaf").expiry_date,
            date(2026, 5, 31),
        )
        self.assertIn("Registration extract", contract.vigilance_missing)
        self.assertNotIn("URSSAF", contract.vigilance_missing)
        with self.assertRaises(UserError):
            self._bill(contract).action_post()

    def test_manager_override_is_logged(self):
        contract = self._create_contract([(self.alice, 480.0)])
        bill = self._bill(contract)
        with self.assertRaises(AccessError):
            bill.with_user(self.lead).write(
                {"regie_vigilance_override_reason": "forged"}
            )
        wizard_model = self.env["regie.vigilance.override"]
        with self.assertRaises(AccessError):
            wizard_model.with_user(self.lead).create(
                {"move_ids": bill.ids, "reason": "no"}
            ).action_confirm()
        manager = self.env["res.users"].create(
            {
                "name": "Régie Manager",
                "login": "vigilance_manager",
                "groups_id": [
                    (4, self.env.ref("regie_staffing.group_manager").id),
                    (4, self.env.ref("account.group_account_invoice").id),
                ],
            }
        )
        action = bill.with_user(manager).action_regie_vigilance_override()
        wizard = (
            self.env[action["res_model"]]
            .with_user(manager)
            .with_context(**action["context"])
            .create({"reason": "Documents received by post, being scanned"})
        )
        wizard.action_confirm()
        self.assertEqual(bill.state, "posted")
        self.assertEqual(
            bill.regie_vigilance_override_reason,
            "Documents received by post, being scanned",
        )
        self.assertIn("being scanned", bill.message_ids[0].body)

    def test_not_required_below_the_threshold_or_outside_france(self):
        contract = self._create_contract([(self.alice, 480.0)])
        contract.mission_ids.estimated_days = 5  # 2,400 € over two years
        self.assertFalse(contract.vigilance_required)
        self.assertEqual(contract.vigilance_state, "not_required")
        contract.mission_ids.estimated_days = 200
        contract.invalidate_recordset()
        self.assertTrue(contract.vigilance_required)
        self.env.company.country_id = self.env.ref("base.be")
        contract.invalidate_recordset()
        self.assertFalse(contract.vigilance_required)

    def test_issue_date_in_the_future_is_refused(self):
        with self.assertRaises(UserError):
            self._documents(
                issue=fields.Date.today() + relativedelta(days=2), kinds=["urssaf"]
            )
