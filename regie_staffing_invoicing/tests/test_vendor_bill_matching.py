from datetime import date, timedelta

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, tagged
from odoo.tests.common import new_test_user

from odoo.addons.account.tests.common import AccountTestInvoicingCommon

from .common import RegieMoneyAssertions


class RegieBuySideCommon(RegieMoneyAssertions, AccountTestInvoicingCommon):
    """A lead, régie consultants and helpers to log and validate months. The
    test user is an accountant and a régie manager."""

    @classmethod
    def get_default_groups(cls):
        return super().get_default_groups() | cls.env.ref(
            "regie_staffing.group_manager"
        )

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.env.company
        cls.lead = new_test_user(
            cls.env,
            login="h9_lead",
            groups="regie_staffing.group_lead",
            company_id=company.id,
        )
        cls.day_product = cls.env.ref(
            "regie_staffing_invoicing.product_product_regie_day"
        )
        cls.alice, cls.bob = cls.env["hr.employee"].create(
            [
                {"name": "Alice Freelance", "company_id": company.id},
                {"name": "Bob Contractor", "company_id": company.id},
            ]
        )
        cls.provider = cls.env["res.partner"].create(
            {"name": "Provider SAS", "is_company": True}
        )

    @classmethod
    def _create_contract(cls, missions, direction="purchase", partner=None, **vals):
        contract = cls.env["regie.contract"].create(
            {
                "direction": direction,
                "partner_id": (partner or cls.provider).id,
                "user_id": cls.lead.id,
                "date_start": date(2025, 1, 1),
                "date_end": date(2026, 12, 31),
                "review_frequency": "none",
                **vals,
                "mission_ids": [
                    Command.create(
                        {
                            "employee_id": employee.id,
                            "daily_rate": rate,
                            "date_start": date(2025, 1, 1),
                        }
                    )
                    for employee, rate in missions
                ],
            }
        )
        contract.action_activate()
        return contract

    @classmethod
    def _log_days(cls, contract, employee, first_day, days, hours=8.0):
        """Log ``days`` working days of ``hours`` from ``first_day``."""
        vals_list = []
        day = first_day
        while len(vals_list) < days:
            if day.weekday() < 5:
                vals_list.append(
                    {
                        "name": "Work",
                        "project_id": contract.project_id.id,
                        "employee_id": employee.id,
                        "date": day,
                        "unit_amount": hours,
                    }
                )
            day += timedelta(days=1)
        return cls.env["account.analytic.line"].create(vals_list)

    @classmethod
    def _validate_months(cls, contract, month):
        periods = cls.env["regie.timesheet.period"].search(
            [("contract_id", "=", contract.id), ("date_from", "=", month)]
        )
        periods.action_submit()
        periods.with_user(cls.lead).action_validate()
        return periods


@tagged("post_install", "-at_install")
class TestVendorBillMatching(RegieBuySideCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.accountant = new_test_user(
            cls.env,
            login="h9_accountant",
            groups="regie_staffing_invoicing.group_regie_accountant",
            company_id=cls.env.company.id,
        )
        cls.override_accountant = new_test_user(
            cls.env,
            login="h9_override",
            groups="regie_staffing_invoicing.group_regie_accountant,"
            "regie_staffing_invoicing.group_bill_override",
            company_id=cls.env.company.id,
        )
        cls.contract = cls._create_contract([(cls.alice, 600.0), (cls.bob, 500.0)])
        january = date(2026, 1, 1)
        cls._log_days(cls.contract, cls.alice, january, 3)
        cls._log_days(cls.contract, cls.bob, january, 2)
        cls.periods = cls._validate_months(cls.contract, january)

    def _create_bill(self, lines, contract=None, **vals):
        return self.env["account.move"].create(
            {
                "move_type": "in_invoice",
                "partner_id": self.provider.id,
                "invoice_date": date(2026, 2, 5),
                "regie_contract_id": (contract or self.contract).id,
                **vals,
                "invoice_line_ids": [
                    Command.create(
                        {
                            "product_id": self.day_product.id,
                            "quantity": quantity,
                            "price_unit": price,
                            "regie_employee_id": employee.id,
                            "tax_ids": [Command.clear()],
                        }
                    )
                    for employee, quantity, price in lines
                ],
            }
        )

    def test_bill_defaults_to_previous_month(self):
        bill = self._create_bill([])
        self.assertEqual(bill.regie_match_date_from, date(2026, 1, 1))
        self.assertEqual(bill.regie_match_date_to, date(2026, 1, 31))

    def test_bill_equal_to_validated_months_posts(self):
        bill = self._create_bill([(self.alice, 3, 600.0), (self.bob, 2, 500.0)])
        self.assertEqual(bill.regie_match_state, "equal")
        self.assertEqual(bill.regie_match_difference, 0.0)
        self.assertIn("Alice Freelance", bill.regie_match_html)
        self.assertIn("Bob Contractor", bill.regie_match_html)
        bill.with_user(self.accountant).action_post()
        self.assertEqual(bill.state, "posted")

    def test_bill_over_validated_days_is_refused(self):
        bill = self._create_bill([(self.alice, 4, 600.0), (self.bob, 2, 500.0)])
        self.assertEqual(bill.regie_match_state, "over")
        self.assertEqual(bill.regie_match_difference, 600.0)
        with self.assertRaisesRegex(UserError, "Alice Freelance"):
            bill.with_user(self.accountant).action_post()
        self.assertEqual(bill.state, "draft")

    def test_bill_over_validated_rate_is_refused(self):
        bill = self._create_bill([(self.alice, 3, 650.0), (self.bob, 2, 500.0)])
        self.assertEqual(bill.regie_match_state, "over")
        self.assertEqual(bill.regie_match_difference, 150.0)
        with self.assertRaises(UserError):
            bill.action_post()

    def test_bill_under_validated_months_posts(self):
        bill = self._create_bill([(self.alice, 2.5, 600.0), (self.bob, 2, 500.0)])
        self.assertEqual(bill.regie_match_state, "under")
        self.assertEqual(bill.regie_match_difference, -300.0)
        bill.with_user(self.accountant).action_post()
        self.assertEqual(bill.state, "posted")

    def test_days_over_and_under_between_consultants_is_refused(self):
        """One day more for Alice is not compensated by one day less for Bob."""
        bill = self._create_bill([(self.alice, 4, 600.0), (self.bob, 1, 500.0)])
        self.assertEqual(bill.regie_match_state, "over")
        self.assertEqual(bill.regie_match_difference, 100.0)
        with self.assertRaises(UserError):
            bill.action_post()

    def test_override_requires_group_and_is_logged(self):
        bill = self._create_bill([(self.alice, 4, 600.0), (self.bob, 2, 500.0)])
        with self.assertRaises(AccessError):
            bill.with_user(self.accountant).action_regie_override_match()
        self.assertFalse(bill.regie_match_override)
        bill.with_user(self.override_accountant).action_regie_override_match()
        self.assertTrue(bill.regie_match_override)
        bill.with_user(self.override_accountant).action_post()
        self.assertEqual(bill.state, "posted")
        bodies = " ".join(bill.message_ids.mapped("body"))
        self.assertIn("overridden by h9_override", bodies)
        self.assertIn("Posted with a difference", bodies)

    def test_override_lapses_when_bill_changes(self):
        bill = self._create_bill([(self.alice, 4, 600.0), (self.bob, 2, 500.0)])
        bill.with_user(self.override_accountant).action_regie_override_match()
        alice_line = bill.invoice_line_ids.filtered(
            lambda line: line.regie_employee_id == self.alice
        )
        bill.write(
            {"invoice_line_ids": [Command.update(alice_line.id, {"quantity": 6})]}
        )
        with self.assertRaises(UserError):
            bill.action_post()

    def test_override_cannot_be_written(self):
        bill = self._create_bill([(self.alice, 4, 600.0)])
        with self.assertRaises(UserError):
            bill.with_user(self.override_accountant).write(
                {"regie_match_override": True}
            )
        with self.assertRaises(UserError):
            self._create_bill([], regie_match_override=True)

    def test_second_bill_for_same_months_is_over(self):
        first = self._create_bill([(self.alice, 3, 600.0), (self.bob, 2, 500.0)])
        first.action_post()
        second = self._create_bill([(self.alice, 1, 600.0)])
        self.assertEqual(second.regie_match_state, "over")
        self.assertEqual(second.regie_match_difference, 600.0)
        with self.assertRaises(UserError):
            second.action_post()

    def test_credit_note_reopens_billed_days(self):
        first = self._create_bill([(self.alice, 3, 600.0), (self.bob, 2, 500.0)])
        first.action_post()
        refund = self._create_bill([(self.alice, 1, 600.0)], move_type="in_refund")
        refund.action_post()
        again = self._create_bill([(self.alice, 1, 600.0)])
        self.assertEqual(again.regie_match_state, "equal")

    def test_months_not_validated_are_not_counted(self):
        february = date(2026, 2, 2)
        self._log_days(self.contract, self.alice, february, 5)
        bill = self._create_bill(
            [(self.alice, 5, 600.0)],
            regie_match_date_from=date(2026, 2, 1),
            regie_match_date_to=date(2026, 2, 28),
        )
        self.assertEqual(bill.regie_match_state, "over")
        self.assertEqual(bill.regie_match_difference, 3000.0)

    def test_quarter_range_sums_months(self):
        february = date(2026, 2, 2)
        self._log_days(self.contract, self.alice, february, 4)
        self._validate_months(self.contract, date(2026, 2, 1))
        bill = self._create_bill(
            [(self.alice, 7, 600.0), (self.bob, 2, 500.0)],
            regie_match_date_from=date(2026, 1, 1),
            regie_match_date_to=date(2026, 3, 31),
        )
        self.assertEqual(bill.regie_match_state, "equal")

    def test_hours_converted_with_contract_hours_per_day(self):
        contract = self._create_contract([(self.alice, 560.0)], hours_per_day=7.0)
        self._log_days(contract, self.alice, date(2026, 1, 1), 2, hours=7.0)
        self._validate_months(contract, date(2026, 1, 1))
        bill = self._create_bill([], contract=contract)
        bill.write(
            {
                "invoice_line_ids": [
                    Command.create(
                        {
                            "product_id": self.day_product.id,
                            "product_uom_id": self.env.ref("uom.product_uom_hour").id,
                            "quantity": 14,
                            "price_unit": 80.0,
                            "tax_ids": [Command.clear()],
                        }
                    )
                ]
            }
        )
        self.assertEqual(bill.regie_match_state, "equal")

    def test_line_without_consultant_on_single_consultant_contract(self):
        contract = self._create_contract([(self.bob, 450.0)])
        self._log_days(contract, self.bob, date(2026, 1, 1), 4)
        self._validate_months(contract, date(2026, 1, 1))
        bill = self._create_bill(
            [(self.env["hr.employee"], 4, 450.0)], contract=contract
        )
        self.assertEqual(bill.regie_match_state, "equal")
        bill.action_post()

    def test_line_without_consultant_on_team_contract_is_refused(self):
        bill = self._create_bill(
            [(self.env["hr.employee"], 3, 600.0), (self.bob, 2, 500.0)]
        )
        self.assertEqual(bill.regie_match_state, "over")
        self.assertIn("No consultant", bill.regie_match_html)

    def test_other_lines_are_compared_and_need_an_override(self):
        """Every line of a matched bill is compared: a line charging no
        consultant's days (travel, another service) is beyond the validated
        months, posted only with an override."""
        bill = self._create_bill([(self.alice, 3, 600.0), (self.bob, 2, 500.0)])
        bill.write(
            {
                "invoice_line_ids": [
                    Command.create(
                        {
                            "name": "Travel expenses",
                            "quantity": 1,
                            "price_unit": 120.0,
                            "tax_ids": [Command.clear()],
                        }
                    )
                ]
            }
        )
        self.assertEqual(bill.regie_match_state, "over")
        self.assertEqual(bill.regie_match_difference, 120.0)
        self.assertIn("Other charges", bill.regie_match_html)
        with self.assertRaises(UserError):
            bill.with_user(self.accountant).action_post()
        bill.with_user(self.override_accountant).action_regie_override_match()
        bill.with_user(self.accountant).action_post()
        self.assertEqual(bill.state, "posted")

    def test_second_bill_on_another_product_for_a_billed_month_is_refused(self):
        first = self._create_bill([(self.alice, 3, 600.0), (self.bob, 2, 500.0)])
        first.action_post()
        service = self.env["product.product"].create(
            {"name": "Consulting services", "type": "service"}
        )
        second = self._create_bill([])
        second.write(
            {
                "invoice_line_ids": [
                    Command.create(
                        {
                            "product_id": service.id,
                            "quantity": 1,
                            "price_unit": 10000.0,
                            "tax_ids": [Command.clear()],
                        }
                    )
                ]
            }
        )
        self.assertEqual(second.regie_match_state, "over")
        with self.assertRaises(UserError):
            second.with_user(self.accountant).action_post()

    def test_matched_bill_claims_its_months(self):
        """The provider's own bill, matched and posted, bills the months: the
        invoicing action makes no second bill, and the contract counts it."""
        bill = self._create_bill([(self.alice, 3, 600.0), (self.bob, 2, 500.0)])
        self.assertEqual(set(self.periods.mapped("state")), {"validated"})
        bill.with_user(self.accountant).action_post()
        self.assertEqual(set(self.periods.mapped("state")), {"invoiced"})
        self.assertEqual(self.periods.vendor_bill_id, bill)
        self.assertBilledOnce(self.periods)
        action = self.periods[:1].with_user(self.accountant).action_view_vendor_bill()
        self.assertEqual(action["res_id"], bill.id)
        with self.assertRaises(UserError):
            self.periods.with_user(self.accountant).action_create_invoice()
        self.assertEqual(self.contract.invoiced_amount, 2800.0)
        # Back to draft, it gives the months back; cancelled, its amount too.
        bill.button_draft()
        self.assertEqual(set(self.periods.mapped("state")), {"validated"})
        self.assertFalse(self.periods.vendor_bill_id)
        bill.button_cancel()
        self.contract.invalidate_recordset(["invoiced_amount"])
        self.assertEqual(self.contract.invoiced_amount, 0.0)
        bill.button_draft()
        # Invoiced by the action meanwhile: the provider's bill cannot post too.
        own = self.periods.with_user(self.accountant).action_create_invoice()
        moves = self.env["account.move"].browse(
            own["context"]["regie_invoicing_summary"]["created"]
        )
        with self.assertRaises(UserError):
            bill.with_user(self.accountant).action_post()
        self.assertEqual(bill.state, "draft")
        self.assertBilledOnce(self.periods)
        bill.button_cancel()
        moves.action_post()
        self.assertBilledOnce(self.periods)
        self.contract.invalidate_recordset(["invoiced_amount"])
        self.assertEqual(self.contract.invoiced_amount, 2800.0)

    def test_full_credit_note_of_a_matched_bill_gives_the_months_back(self):
        bill = self._create_bill([(self.alice, 3, 600.0), (self.bob, 2, 500.0)])
        bill.action_post()
        wizard = (
            self.env["account.move.reversal"]
            .with_context(active_model="account.move", active_ids=bill.ids)
            .create({"journal_id": bill.journal_id.id, "date": date(2026, 2, 28)})
        )
        refund = self.env["account.move"].browse(wizard.refund_moves()["res_id"])
        refund.action_post()
        self.assertEqual(bill.payment_state, "reversed")
        self.assertEqual(set(self.periods.mapped("state")), {"validated"})
        self.assertFalse(self.periods.vendor_bill_id)

    def test_only_purchase_contracts_of_the_provider(self):
        client = self.env["res.partner"].create({"name": "Client", "is_company": True})
        sale = self._create_contract([(self.alice, 800.0)], "sale", client)
        with self.assertRaises(ValidationError):
            self._create_bill([], contract=sale, partner_id=client.id)
        other_provider = self._create_contract([(self.alice, 600.0)], partner=client)
        with self.assertRaises(ValidationError):
            self._create_bill([], contract=other_provider)

    def test_bill_without_contract_is_not_checked(self):
        bill = self._create_bill([(self.alice, 10, 600.0)])
        bill.regie_contract_id = False
        self.assertEqual(bill.regie_match_state, "none")
        bill.action_post()
        self.assertEqual(bill.state, "posted")

    def test_months_invoiced_by_the_invoicing_action_are_already_billed(self):
        self.periods.action_create_invoice(invoice_date=date(2026, 2, 5))
        own_bill = self.periods.invoice_id
        self.assertEqual(len(own_bill), 1)
        own_bill.action_post()
        provider_bill = self._create_bill([(self.alice, 3, 600.0)])
        self.assertEqual(provider_bill.regie_match_state, "over")
        self.assertEqual(provider_bill.regie_match_difference, 1800.0)

    def test_bill_created_by_the_invoicing_action_matches(self):
        self.periods.action_create_invoice(invoice_date=date(2026, 2, 5))
        bill = self.periods.invoice_id
        bill.regie_contract_id = self.contract
        self.assertEqual(bill.regie_match_state, "equal")
        bill.action_post()
        self.assertEqual(bill.state, "posted")

    def test_bill_made_from_the_months_is_matched_and_its_credit_note_too(self):
        """The vendor bill the invoicing action makes is matched against its
        contract and months; credited in full and billed anew, the new bill
        matches again (the credit note is matched against the same months)."""
        self.periods.action_create_invoice(invoice_date=date(2026, 2, 5))
        bill = self.periods.invoice_id
        self.assertEqual(bill.regie_contract_id, self.contract)
        self.assertEqual(
            (bill.regie_match_date_from, bill.regie_match_date_to),
            (date(2026, 1, 1), date(2026, 1, 31)),
        )
        self.assertEqual(bill.regie_match_state, "equal")
        self.assertIn("Alice Freelance", bill.regie_match_html)
        bill.action_post()
        wizard = (
            self.env["account.move.reversal"]
            .with_context(active_model="account.move", active_ids=bill.ids)
            .create({"journal_id": bill.journal_id.id, "date": date(2026, 2, 28)})
        )
        refund = self.env["account.move"].browse(wizard.refund_moves()["res_id"])
        self.assertEqual(refund.regie_contract_id, self.contract)
        refund.action_post()
        self.assertEqual(set(self.periods.mapped("state")), {"validated"})
        self.periods.action_create_invoice(invoice_date=date(2026, 3, 2))
        again = self.periods.invoice_id
        self.assertNotEqual(again, bill)
        self.assertEqual(again.regie_match_state, "equal")
        again.action_post()
        self.assertEqual(set(self.periods.mapped("state")), {"invoiced"})
        self.assertBilledOnce(self.periods)

    def test_bill_form_proposes_contract_and_shows_difference(self):
        form = Form(
            self.env["account.move"].with_context(default_move_type="in_invoice")
        )
        form.partner_id = self.provider
        form.invoice_date = date(2026, 2, 5)
        self.assertEqual(form.regie_contract_id, self.contract)
        with form.invoice_line_ids.new() as line:
            line.product_id = self.day_product
            line.quantity = 4
            line.price_unit = 600.0
            line.regie_employee_id = self.alice
            line.tax_ids.clear()
        # Alice: one day more than validated; Bob: his two days not billed.
        self.assertEqual(form.regie_match_state, "over")
        self.assertEqual(form.regie_match_difference, -400.0)
        bill = form.save()
        self.assertEqual(bill.regie_match_date_from, date(2026, 1, 1))
        self.assertEqual(bill.regie_match_state, "over")

    def test_matching_queries_do_not_grow_with_bill_lines(self):
        small = self._create_bill([(self.alice, 3, 600.0), (self.bob, 2, 500.0)])
        big = self._create_bill(
            [(self.alice, 0.25, 600.0)] * 12 + [(self.bob, 0.2, 500.0)] * 10
        )
        counts = []
        # The first pass fills the caches (xml ids, access rules).
        for bill in (small, small, big):
            self.env.flush_all()
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            self.assertEqual(bill.regie_match_state, "equal")
            counts.append(self.env.cr.sql_log_count - before)
        self.assertEqual(counts[1], counts[2])
