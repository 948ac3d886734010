from datetime import date

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import Form, tagged

from odoo.addons.base.models.res_users import name_selection_groups

from .common import RegieInvoicingCommon

MARCH = date(2025, 3, 1)
MAY = date(2025, 5, 1)


@tagged("post_install", "-at_install")
class TestRegieAccountant(RegieInvoicingCommon):
    """Odoo's Invoicing rights (which the default user template may carry) read
    no régie record: the régie accountants' group does."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.period = cls._validated_month(cls.mission, MARCH, days=4)
        may = cls._log_days(cls.mission, MAY, 2).regie_period_id
        may.with_user(cls.lead).action_submit()
        may.with_user(cls.lead).action_contest("Wrong day")
        cls.dispute = may.dispute_ids
        # An internal user as an administrator creates him: Odoo's default
        # groups (the default user template), then the accounting rights.
        cls.plain_accountant = (
            cls.env["res.users"]
            .with_context(no_reset_password=True)
            .create(
                {
                    "name": "Plain Accountant",
                    "login": "plain_accountant",
                    "company_id": cls.env.company.id,
                    "company_ids": [Command.set(cls.env.company.ids)],
                }
            )
        )
        cls.plain_accountant.groups_id = [
            Command.link(cls.env.ref("account.group_account_manager").id)
        ]
        cls.regie_group = cls.env.ref("regie_staffing_invoicing.group_regie_accountant")

    def _records(self):
        return (self.contract, self.mission, self.period, self.dispute)

    def test_default_user_with_accounting_rights_reads_no_regie_record(self):
        user = self.plain_accountant
        self.assertTrue(user.has_group("base.group_user"))
        self.assertTrue(user.has_group("account.group_account_invoice"))
        self.assertFalse(
            user.has_group("regie_staffing_invoicing.group_regie_accountant")
        )
        self.assertTrue(self.dispute)
        for record in self._records():
            with self.assertRaises(AccessError, msg=record._name):
                record.with_user(user).read(["display_name"])
            with self.assertRaises(AccessError, msg=record._name):
                self.env[record._name].with_user(user).search([])
        with self.assertRaises(AccessError):
            self.mission.rate_ids.with_user(user).read(["daily_rate"])
        with self.assertRaises(AccessError):
            self.env["regie.margin.report"].with_user(user).search([])
        # Nor does he invoice them.
        with self.assertRaises(AccessError):
            self.period.with_user(user).action_create_invoice()
        self.assertEqual(self.period.state, "validated")

    def test_regie_accountant_reads_every_record_and_invoices(self):
        user = self.plain_accountant
        user.groups_id = [Command.link(self.regie_group.id)]
        for record in self._records():
            self.assertEqual(
                self.env[record._name].with_user(user).search([("id", "=", record.id)]),
                record,
            )
            self.assertTrue(record.with_user(user).read(["display_name"]))
            # Read only: validating and answering are the leads' job.
            with self.assertRaises(AccessError, msg=record._name):
                record.with_user(user).check_access("write")
        values = self.mission.with_user(user).read(["daily_rate", "current_rate"])[0]
        self.assertEqual(values["daily_rate"], 500.0)
        move, _summary = self._invoice(self.period, user=user)
        self.assertEqual(move.move_type, "out_invoice")
        self.assertEqual(self.period.state, "invoiced")

    def test_lead_with_invoicing_rights_does_not_invoice(self):
        """The default template's Invoicing rights do not make a lead an
        accountant of his own contracts: he reads their money as a lead only."""
        self.lead.groups_id = [
            Command.link(self.env.ref("account.group_account_invoice").id)
        ]
        with self.assertRaises(AccessError):
            self.period.with_user(self.lead).action_create_invoice()
        self.assertEqual(self.period.state, "validated")

    def test_regie_manager_with_invoicing_rights_invoices(self):
        """A régie manager who has Invoicing rights invoices as before."""
        self.manager.groups_id = [
            Command.link(self.env.ref("account.group_account_invoice").id)
        ]
        self.assertFalse(
            self.manager.has_group("regie_staffing_invoicing.group_regie_accountant")
        )
        move, _summary = self._invoice(self.period, user=self.manager)
        self.assertEqual(self.period.state, "invoiced")
        self.assertEqual(move.regie_period_count, 1)

    def test_plain_accountant_opens_invoice_with_regie_lines(self):
        move, _summary = self._invoice(self.period)
        move.action_post()
        draft, _summary = self._invoice(
            self._validated_month(self.mission, date(2025, 4, 1), days=2)
        )
        for invoice in (move, draft):
            invoice.invalidate_recordset()
            form = Form(invoice.with_user(self.plain_accountant))
            self.assertEqual(form.partner_id, self.client)
            self.assertTrue(len(form.invoice_line_ids))
            self.assertFalse(form.regie_billing_warning)
        # The buttons to the months and contracts are not his.
        arch = (
            self.env["account.move"]
            .with_user(self.plain_accountant)
            .get_views([(False, "form")])["views"]["form"]["arch"]
        )
        self.assertNotIn("action_view_regie_periods", arch)
        self.assertNotIn("regie_match_html", arch)
        arch = (
            self.env["account.move"]
            .with_user(self.billing)
            .get_views([(False, "form")])["views"]["form"]["arch"]
        )
        self.assertIn("action_view_regie_periods", arch)
        self.assertIn("regie_match_html", arch)

    def test_plain_accountant_enters_vendor_bill_of_a_provider(self):
        purchase = self._create_contract(
            direction="purchase", partner_id=self.provider.id
        )
        self.assertEqual(purchase.state, "active")
        bill = Form(
            self.env["account.move"]
            .with_user(self.plain_accountant)
            .with_context(default_move_type="in_invoice")
        )
        bill.partner_id = self.provider
        bill.invoice_date = date(2025, 4, 2)
        with bill.invoice_line_ids.new() as line:
            line.name = "March"
            line.quantity = 1
            line.price_unit = 100.0
        bill = bill.save()
        self.assertFalse(bill.sudo().regie_contract_id)
        # A régie accountant gets the provider's contract proposed.
        bill = Form(
            self.env["account.move"]
            .with_user(self.billing)
            .with_context(default_move_type="in_invoice")
        )
        bill.partner_id = self.provider
        self.assertEqual(bill.regie_contract_id, purchase)

    def test_group_in_user_form_and_admin(self):
        self.assertIn(self.env.ref("base.user_admin"), self.regie_group.users)
        self.assertIn(
            self.env.ref("account.group_account_invoice"),
            self.regie_group.implied_ids,
        )
        self.assertFalse(
            self.env.ref("regie_staffing.group_manager").trans_implied_ids
            & self.regie_group
        )
        fields = self.env["res.users"].fields_get()
        self.assertIn(name_selection_groups(self.regie_group.ids), fields)
        # The Régie groups stay one selection: consultant < lead < manager.
        regie = (
            self.env.ref("regie_staffing.group_consultant")
            | self.env.ref("regie_staffing.group_lead")
            | self.env.ref("regie_staffing.group_manager")
        )
        self.assertIn(name_selection_groups(regie.ids), fields)
        form = self.env.ref("base.view_users_form")
        views = self.env["res.users"].get_views([(form.id, "form")])
        arch = views["views"]["form"]["arch"]
        self.assertIn(name_selection_groups(self.regie_group.ids), arch)
        # The contract PDF states the rates: leads and régie accountants only.
        report = self.env.ref("regie_staffing.action_report_regie_contract")
        self.assertEqual(
            report.groups_id,
            self.env.ref("regie_staffing.group_lead") | self.regie_group,
        )

    def test_plain_accountant_gets_no_invoice_of_a_contract(self):
        self._invoice(self._validated_month(self.mission, date(2025, 9, 1), days=2))
        with self.assertRaises(AccessError):
            self.contract.with_user(self.plain_accountant).action_view_invoices()
