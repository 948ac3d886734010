from datetime import date

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged
from odoo.tools import format_amount

from .common import RegieInvoicingCommon

MARCH = date(2025, 3, 1)
APRIL = date(2025, 4, 1)


@tagged("post_install", "-at_install")
class TestInvoicing(RegieInvoicingCommon):
    def test_day_billing_amounts_to_the_cent(self):
        period = self._validated_month(self.mission, MARCH, days=10)
        self.assertEqual(period.billable_days, 10.0)
        move, summary = self._invoice(period)
        self.assertEqual(summary["skipped"], [])
        self.assertEqual(move.move_type, "out_invoice")
        self.assertEqual(move.state, "draft")
        self.assertEqual(move.partner_id, self.client)
        self.assertEqual(move.currency_id, self.contract.currency_id)
        line = move.invoice_line_ids
        self.assertEqual(len(line), 1)
        self.assertEqual(line.quantity, 10.0)
        self.assertEqual(line.price_unit, 500.0)
        self.assertEqual(line.product_uom_id, self.uom_day)
        self.assertEqual(line.price_subtotal, 5000.0)
        self.assertEqual(line.tax_ids, self.tax_sale_a)
        self.assertAlmostEqual(
            move.amount_total, 5000.0 * (1 + self.tax_sale_a.amount / 100), places=2
        )
        self.assertEqual(
            line.name,
            f"Camille Consultant — Month 03/2025 — {self.contract.name}\n"
            f"10 days × {format_amount(self.env, 500.0, move.currency_id)}",
        )
        self.assertEqual(
            line.analytic_distribution,
            {str(self.contract.analytic_account_id.id): 100.0},
        )
        self.assertEqual(period.state, "invoiced")
        self.assertEqual(period.invoice_line_id, line)
        self.assertEqual(period.invoice_id, move)

    def test_amount_to_invoice_and_purchase_order_reference(self):
        self.contract.client_order_ref = "PO-4711"
        self.env["regie.mission.rate"].create(
            {
                "mission_id": self.mission.id,
                "date_from": "2025-03-17",
                "daily_rate": 550.0,
            }
        )
        lines = self._log_days(self.mission, MARCH, 10, first_day=10)
        period = self._validate(lines.regie_period_id)
        # Per rate segment: 5 days at 500, 5 at 550.
        self.assertEqual(period.with_user(self.billing).amount_to_invoice, 5250.0)
        self.assertEqual(period.currency_id, self.contract.currency_id)
        move, _summary = self._invoice(period)
        self.assertEqual(move.ref, "PO-4711")
        self.assertEqual(move.amount_untaxed, 5250.0)
        period.invalidate_recordset()
        self.assertEqual(period.with_user(self.billing).amount_to_invoice, 0.0)
        self.assertEqual(
            move.invoice_line_ids.sorted("regie_date_from")[1].name.splitlines()[0],
            f"Camille Consultant — Month 03/2025 — {self.contract.name} (rate from "
            "03/17/2025)",
        )

    def test_line_label_names_the_contract_title(self):
        self.contract.title = "ERP roll-out"
        period = self._validated_month(self.mission, MARCH, days=3)
        move, _summary = self._invoice(period)
        self.assertEqual(
            move.invoice_line_ids.name.splitlines()[0],
            "Camille Consultant — Month 03/2025 — ERP roll-out",
        )

    def test_half_day_billing(self):
        contract = self._create_contract(
            billing_unit="half_day", day_rounding="half_day"
        )
        mission = self._create_mission(contract, daily_rate=610.0)
        lines = self._log_days(mission, MARCH, 9)
        lines |= self._log_days(mission, MARCH, 1, hours=3.5, first_day=17)
        period = self._validate(lines.regie_period_id)
        self.assertEqual(period.billable_days, 9.5)
        move, _summary = self._invoice(period)
        line = move.invoice_line_ids
        self.assertEqual(line.quantity, 19.0)
        self.assertEqual(line.price_unit, 305.0)
        self.assertEqual(
            line.product_uom_id,
            self.env.ref("regie_staffing_invoicing.uom_uom_half_day"),
        )
        self.assertEqual(line.price_subtotal, 5795.0)
        # The line states its unit: the product's unit (day) is not the line's.
        self.assertEqual(
            line.name.splitlines()[1],
            f"19 half-days × {format_amount(self.env, 305.0, move.currency_id)}",
        )

    def test_hour_billing(self):
        contract = self._create_contract(billing_unit="hour", hours_per_day=8.0)
        mission = self._create_mission(contract, daily_rate=500.0)
        period = self._validated_month(mission, MARCH, days=10, hours=7.5)
        self.assertAlmostEqual(period.billable_days, 9.375)
        move, _summary = self._invoice(period)
        line = move.invoice_line_ids
        self.assertEqual(line.quantity, 75.0)
        self.assertEqual(line.price_unit, 62.5)
        self.assertEqual(line.product_uom_id, self.env.ref("uom.product_uom_hour"))
        self.assertEqual(line.price_subtotal, 4687.5)

    def test_hour_billing_amounts_to_days_times_rate_to_the_cent(self):
        # 22 days of 7.5 h at 650 a day: 165 h at 86.67 would bill 14,300.55.
        contract = self._create_contract(billing_unit="hour", hours_per_day=7.5)
        mission = self._create_mission(contract, daily_rate=650.0)
        period = self._validated_month(mission, MARCH, days=21, hours=7.5)
        period |= self._validated_month(mission, APRIL, days=1, hours=7.5)
        moves, _summary = self._invoice(period)
        self.assertEqual(sum(period.mapped("billable_days")), 22.0)
        self.assertAlmostEqual(sum(moves.mapped("amount_untaxed")), 22 * 650.0)
        march = moves.invoice_line_ids.filtered(
            lambda line: line.regie_period_id == period[0]
        )
        self.assertEqual((march.quantity, march.price_unit), (157.5, 86.67))
        rounding = moves.invoice_line_ids.filtered(
            lambda line: not line.regie_period_id and line.move_id == march.move_id
        )
        # 157.5 h at 86.67 = 13,650.53 for 21 days at 650 = 13,650.00.
        self.assertAlmostEqual(rounding.price_subtotal, -0.53)
        self.assertIn("rounding", rounding.name)
        self.assertBilledOnce(period)

    def test_half_day_billing_amounts_to_days_times_rate_to_the_cent(self):
        contract = self._create_contract(billing_unit="half_day")
        mission = self._create_mission(contract, daily_rate=655.55)
        period = self._validated_month(mission, MARCH, days=21)
        move, _summary = self._invoice(period)
        self.assertAlmostEqual(move.amount_untaxed, 21 * 655.55)
        line = move.invoice_line_ids.filtered("regie_period_id")
        self.assertEqual((line.quantity, line.price_unit), (42.0, 327.78))
        self.assertBilledOnce(period)

    def test_rate_change_inside_the_month_splits_the_line(self):
        self.env["regie.mission.rate"].create(
            {
                "mission_id": self.mission.id,
                "date_from": "2025-03-17",
                "daily_rate": 550.0,
            }
        )
        # Mar 10-14 at 500, Mar 17-21 at 550.
        lines = self._log_days(self.mission, MARCH, 10, first_day=10)
        period = self._validate(lines.regie_period_id)
        move, _summary = self._invoice(period)
        invoice_lines = move.invoice_line_ids.sorted("regie_date_from")
        self.assertEqual(invoice_lines.mapped("quantity"), [5.0, 5.0])
        self.assertEqual(invoice_lines.mapped("price_unit"), [500.0, 550.0])
        self.assertEqual(move.amount_untaxed, 5250.0)
        self.assertEqual(invoice_lines.regie_period_id, period)
        self.assertEqual(period.invoice_line_id, invoice_lines[0])

    def test_purchase_contract_creates_draft_vendor_bill(self):
        contract = self._create_contract(
            direction="purchase", partner_id=self.provider.id
        )
        mission = self._create_mission(contract, self.other_employee, daily_rate=400.0)
        period = self._validated_month(mission, MARCH, days=5)
        move, _summary = self._invoice(period)
        self.assertEqual(move.move_type, "in_invoice")
        self.assertEqual(move.state, "draft")
        self.assertEqual(move.partner_id, self.provider)
        self.assertEqual(move.invoice_line_ids.tax_ids, self.tax_purchase_a)
        self.assertEqual(move.amount_untaxed, 2000.0)

    def test_one_invoice_per_contract_and_month(self):
        periods = self._validated_month(self.mission, MARCH) | self._validated_month(
            self.mission, APRIL, days=4
        )
        moves, _summary = self._invoice(periods)
        self.assertEqual(len(moves), 2)
        self.assertEqual(sorted(moves.mapped("amount_untaxed")), [2000.0, 5000.0])

    def test_quarterly_invoicing_groups_the_months(self):
        self.contract.invoicing_period = "quarterly"
        periods = self._validated_month(self.mission, date(2025, 2, 1)) | (
            self._validated_month(self.mission, MARCH, days=4)
        )
        moves, _summary = self._invoice(periods)
        self.assertEqual(len(moves), 1)
        self.assertEqual(len(moves.invoice_line_ids), 2)
        self.assertEqual(moves.amount_untaxed, 7000.0)

    def test_grouping_per_partner_merges_contracts(self):
        second = self._create_contract(invoice_grouping="partner")
        self.contract.invoice_grouping = "partner"
        mission = self._create_mission(second, self.other_employee, daily_rate=600.0)
        periods = self._validated_month(self.mission, MARCH) | self._validated_month(
            mission, MARCH, days=5
        )
        moves, _summary = self._invoice(periods)
        self.assertEqual(len(moves), 1)
        self.assertEqual(moves.amount_untaxed, 8000.0)
        self.assertEqual(moves.regie_contract_ids, self.contract | second)
        self.assertEqual(moves.regie_period_ids, periods)

    def test_grouping_per_contract_keeps_contracts_apart(self):
        second = self._create_contract()
        mission = self._create_mission(second, self.other_employee)
        periods = self._validated_month(self.mission, MARCH) | self._validated_month(
            mission, MARCH, days=5
        )
        moves, _summary = self._invoice(periods)
        self.assertEqual(len(moves), 2)

    def test_fiscal_position_maps_taxes_and_accounts(self):
        contract = self._create_contract(partner_id=self.partner_b.id)
        mission = self._create_mission(contract)
        period = self._validated_month(mission, MARCH, days=2)
        move, _summary = self._invoice(period)
        self.assertEqual(move.fiscal_position_id, self.fiscal_pos_a)
        self.assertEqual(move.invoice_line_ids.tax_ids, self.tax_sale_b)
        self.assertEqual(
            move.invoice_line_ids.account_id,
            self.product_b.property_account_income_id,
        )
        self.assertEqual(move.invoice_payment_term_id, self.pay_terms_b)

    def test_contract_payment_terms_and_journal(self):
        journal = self.company_data["default_journal_sale"].copy({"code": "REG"})
        self.contract.write(
            {"payment_term_id": self.pay_terms_a.id, "journal_id": journal.id}
        )
        period = self._validated_month(self.mission, MARCH, days=2)
        move, _summary = self._invoice(period)
        self.assertEqual(move.journal_id, journal)
        self.assertEqual(move.invoice_payment_term_id, self.pay_terms_a)

    def test_due_dates_follow_the_invoice_date(self):
        """An invoice dated in the past falls due by its own date and payment
        term, not today."""
        thirty_days = self.env.ref("account.account_payment_term_30days")
        march = self._validated_month(self.mission, MARCH, days=2)
        move, _summary = self._invoice(march, invoice_date=date(2025, 4, 7))
        # No term on the contract nor on the client: due on the invoice date.
        self.assertFalse(move.invoice_payment_term_id)
        self.assertEqual(move.invoice_date_due, date(2025, 4, 7))
        move.action_post()
        self.assertEqual(move.invoice_date_due, date(2025, 4, 7))
        # The client's own term, then the contract's, which prevails.
        self.client.with_company(
            self.env.company
        ).property_payment_term_id = thirty_days
        april = self._validated_month(self.mission, APRIL, days=2)
        move, _summary = self._invoice(april, invoice_date=date(2025, 5, 6))
        self.assertEqual(move.invoice_payment_term_id, thirty_days)
        self.assertEqual(move.invoice_date_due, date(2025, 6, 5))
        # The contract's term prevails (immediate: due on the invoice date).
        self.contract.payment_term_id = self.pay_terms_a
        may = self._validated_month(self.mission, date(2025, 5, 1), days=2)
        move, _summary = self._invoice(may, invoice_date=date(2025, 6, 2))
        self.assertEqual(move.invoice_payment_term_id, self.pay_terms_a)
        self.assertEqual(move.invoice_date_due, date(2025, 6, 2))

    def test_reports_attached_and_links_both_ways(self):
        periods = self._validated_month(self.mission, MARCH) | self._validated_month(
            self._create_mission(self.contract, self.other_employee), MARCH, days=3
        )
        move, _summary = self._invoice(periods)
        attachments = self.env["ir.attachment"].search(
            [("res_model", "=", "account.move"), ("res_id", "=", move.id)]
        )
        self.assertEqual(len(attachments), 2)
        self.assertEqual(
            sorted(attachments.mapped("raw")),
            sorted(periods.report_attachment_id.mapped("raw")),
        )
        self.assertEqual(move.regie_period_count, 2)
        self.assertEqual(move.regie_contract_ids, self.contract)
        action = move.action_view_regie_periods()
        self.assertEqual(sorted(action["domain"][0][2]), sorted(periods.ids))
        self.assertEqual(move.action_view_regie_contracts()["res_id"], self.contract.id)
        self.assertEqual(self.contract.regie_invoice_count, 1)
        self.assertEqual(self.contract.action_view_invoices()["res_id"], move.id)
        self.assertEqual(periods[0].action_view_invoice()["res_id"], move.id)
        # Each mission's smart button opens the invoice of its month.
        for mission in periods.mission_id:
            self.assertEqual(mission.regie_invoice_count, 1)
            self.assertEqual(mission.action_view_invoices()["res_id"], move.id)

    def test_returns_an_action_opening_the_invoices(self):
        period = self._validated_month(self.mission, MARCH, days=2)
        action = period.with_user(self.billing).action_create_invoice()
        self.assertEqual(action["res_model"], "account.move")
        self.assertEqual(action["res_id"], period.invoice_id.id)

    # ------------------------------------------------------------------
    # Refused
    # ------------------------------------------------------------------

    def test_invoicing_twice_is_refused(self):
        period = self._validated_month(self.mission, MARCH, days=2)
        self._invoice(period)
        with self.assertRefused("already invoiced"):
            self._invoice(period)
        self.assertEqual(
            len(
                self.env["account.move"].search(
                    [("regie_period_ids", "in", period.ids)]
                )
            ),
            1,
        )

    def test_month_not_validated_is_refused(self):
        lines = self._log_days(self.mission, MARCH, 2)
        with self.assertRaisesRegex(UserError, "not validated"):
            self._invoice(lines.regie_period_id)

    def test_hash_mismatch_is_refused_naming_the_month(self):
        period = self._validated_month(self.mission, MARCH, days=2)
        period._period_workflow().write({"lines_hash": "tampered"})
        with self.assertRaisesRegex(UserError, "hash mismatch") as caught:
            self._invoice(period)
        self.assertIn(period.name, str(caught.exception))
        self.assertEqual(period.state, "validated")

    def test_currency_mismatch_with_journal_is_refused(self):
        other = self.setup_other_currency("EUR")
        journal = self.company_data["default_journal_sale"].copy(
            {"code": "EURJ", "currency_id": other.id}
        )
        self.contract.journal_id = journal
        period = self._validated_month(self.mission, MARCH, days=2)
        with self.assertRaisesRegex(UserError, "only accepts EUR"):
            self._invoice(period)

    def test_invoice_in_contract_currency(self):
        other = self.setup_other_currency("EUR")
        contract = self._create_contract(currency_id=other.id)
        mission = self._create_mission(contract)
        period = self._validated_month(mission, MARCH, days=2)
        move, _summary = self._invoice(period)
        self.assertEqual(move.currency_id, other)
        self.assertEqual(move.amount_untaxed, 1000.0)

    def test_missing_income_account_is_refused(self):
        category = self.env["product.category"].create({"name": "No accounts"})
        category.property_account_income_categ_id = False
        self.day_product.write(
            {"categ_id": category.id, "property_account_income_id": False}
        )
        period = self._validated_month(self.mission, MARCH, days=2)
        with self.assertRaisesRegex(UserError, "no income account"):
            self._invoice(period)

    def test_missing_product_is_refused(self):
        self.contract.product_id = False
        period = self._validated_month(self.mission, MARCH, days=2)
        with self.assertRaisesRegex(UserError, "no service product"):
            self._invoice(period)

    def test_lock_date_is_respected(self):
        period = self._validated_month(self.mission, MARCH, days=2)
        self.env.company.sale_lock_date = date(2025, 6, 30)
        with self.assertRaisesRegex(UserError, "is locked"):
            self._invoice(period, invoice_date=date(2025, 4, 1))
        move, _summary = self._invoice(period, invoice_date=date(2025, 7, 1))
        self.assertEqual(move.invoice_date, date(2025, 7, 1))

    def test_batch_skips_failing_contract_and_invoices_the_others(self):
        bad_client = self.env["res.partner"].create({"name": "Gone SA"})
        bad = self._create_contract(partner_id=bad_client.id)
        bad_period = self._validated_month(
            self._create_mission(bad, self.other_employee), MARCH, days=2
        )
        good_period = self._validated_month(self.mission, MARCH, days=2)
        bad_client.active = False
        moves, summary = self._invoice(bad_period | good_period)
        self.assertEqual(moves.regie_period_ids, good_period)
        self.assertEqual(len(summary["skipped"]), 1)
        self.assertEqual(summary["skipped"][0]["contract_id"], bad.id)
        self.assertIn("archived", summary["skipped"][0]["reason"])
        self.assertEqual(bad_period.state, "validated")
        self.assertIn("archived", bad.message_ids[0].body)

    def test_link_is_not_writable_by_users(self):
        period = self._validated_month(self.mission, MARCH, days=2)
        move, _summary = self._invoice(period)
        other = self._validated_month(self.mission, APRIL, days=2)
        with self.assertRaises(UserError):
            other.write({"invoice_line_id": move.invoice_line_ids.id})
        with self.assertRaises(UserError):
            move.invoice_line_ids.write({"regie_period_id": other.id})
        with self.assertRaises(UserError):
            period.with_user(self.billing).write({"state": "validated"})

    def test_a_second_line_on_a_billed_month_is_refused(self):
        period = self._validated_month(self.mission, MARCH, days=2)
        move, _summary = self._invoice(period)
        line = move.invoice_line_ids
        with self.assertRefused("billed once"):
            self.env["account.move"].with_user(self.billing).create(
                {
                    "move_type": "out_invoice",
                    "partner_id": self.client.id,
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "name": "Again",
                                "quantity": 2.0,
                                "price_unit": 500.0,
                                "regie_period_id": period.id,
                                "regie_date_from": line.regie_date_from,
                                "regie_unit_factor": 1.0,
                            }
                        )
                    ],
                }
            )
        self.assertBilledOnce(period)

    # ------------------------------------------------------------------
    # Cancel, delete, reverse
    # ------------------------------------------------------------------

    def test_cancelling_the_draft_invoice_reopens_the_months(self):
        period = self._validated_month(self.mission, MARCH, days=2)
        move, _summary = self._invoice(period)
        move.with_user(self.billing).button_cancel()
        self.assertEqual(period.state, "validated")
        self.assertFalse(period.invoice_line_id)
        second, _summary = self._invoice(period)
        self.assertEqual(period.invoice_id, second)

    def test_deleting_the_draft_invoice_reopens_the_months(self):
        period = self._validated_month(self.mission, MARCH, days=2)
        move, _summary = self._invoice(period)
        move.with_user(self.billing).unlink()
        self.assertEqual(period.state, "validated")
        self.assertFalse(period.invoice_id)
        self._invoice(period)
        self.assertEqual(period.state, "invoiced")

    def test_deleting_the_invoice_line_reopens_its_month(self):
        periods = self._validated_month(self.mission, MARCH, days=2) | (
            self._validated_month(
                self._create_mission(self.contract, self.other_employee),
                MARCH,
                days=3,
            )
        )
        move, _summary = self._invoice(periods)
        line = periods[0].invoice_line_id
        move.with_user(self.billing).write(
            {"invoice_line_ids": [Command.unlink(line.id)]}
        )
        self.assertEqual(periods[0].state, "validated")
        self.assertEqual(periods[1].state, "invoiced")
        self.assertEqual(move.regie_period_ids, periods[1])

    def test_full_credit_note_reopens_the_months(self):
        period = self._validated_month(self.mission, MARCH, days=2)
        move, _summary = self._invoice(period)
        move.action_post()
        wizard = (
            self.env["account.move.reversal"]
            .with_context(active_model="account.move", active_ids=move.ids)
            .create({"journal_id": move.journal_id.id, "date": date(2025, 4, 30)})
        )
        wizard.refund_moves()
        refund = move.reversal_move_ids
        self.assertEqual(period.state, "invoiced")
        refund.action_post()
        self.assertEqual(period.state, "validated")
        self.assertFalse(period.invoice_id)
        self.assertEqual(self.contract.invoiced_amount, 0.0)
        second, _summary = self._invoice(period)
        self.assertEqual(second.amount_untaxed, 1000.0)

    def test_partial_credit_note_leaves_the_rest_to_invoice(self):
        period = self._validated_month(self.mission, MARCH, days=2)
        move, _summary = self._invoice(period)
        move.action_post()
        wizard = (
            self.env["account.move.reversal"]
            .with_context(active_model="account.move", active_ids=move.ids)
            .create({"journal_id": move.journal_id.id, "date": date(2025, 4, 30)})
        )
        wizard.refund_moves()
        refund = move.reversal_move_ids
        refund.invoice_line_ids.quantity = 1.0
        refund.action_post()
        self.assertBilledOnce(period)
        # One day is credited: the month bills that day again, not two.
        self.assertEqual(period.state, "validated")
        self.assertEqual(self.contract.invoiced_amount, 500.0)
        second, _summary = self._invoice(period)
        self.assertEqual(second.invoice_line_ids.quantity, 1.0)
        self.assertEqual(second.amount_untaxed, 500.0)
        self.assertEqual(period.state, "invoiced")
        self.assertBilledOnce(period)

    def test_reset_to_draft_refused_once_invoiced(self):
        period = self._validated_month(self.mission, MARCH, days=2)
        self._invoice(period)
        with self.assertRaisesRegex(UserError, "invoiced"):
            period.with_user(self.manager).action_reset_to_draft()

    # ------------------------------------------------------------------
    # Scheduled invoicing
    # ------------------------------------------------------------------

    def test_scheduled_invoicing_run_twice_invoices_once(self):
        self.contract.auto_invoice = True
        manual = self._create_contract()
        periods = self._validated_month(self.mission, MARCH, days=2)
        untouched = self._validated_month(
            self._create_mission(manual, self.other_employee), MARCH, days=2
        )
        Period = self.env["regie.timesheet.period"]
        Period._cron_auto_invoice()
        self.assertEqual(periods.state, "invoiced")
        self.assertEqual(periods.invoice_id.state, "draft")
        self.assertEqual(untouched.state, "validated")
        count = self.env["account.move"].search_count([])
        Period._cron_auto_invoice()
        self.assertEqual(self.env["account.move"].search_count([]), count)

    def test_scheduled_invoicing_waits_for_the_end_of_the_quarter(self):
        self.contract.write({"auto_invoice": True, "invoicing_period": "quarterly"})
        period = self._validated_month(self.mission, MARCH, days=2)
        today = fields.Date.today()
        self.assertLess(date(2025, 3, 31), today)
        self.env["regie.timesheet.period"]._cron_auto_invoice()
        self.assertEqual(period.state, "invoiced")

    # ------------------------------------------------------------------
    # Access
    # ------------------------------------------------------------------

    def test_accountant_reads_and_invoices_but_cannot_validate(self):
        lines = self._log_days(self.mission, MARCH, 2)
        period = lines.regie_period_id
        period.with_user(self.lead).action_submit()
        as_billing = period.with_user(self.billing)
        self.assertTrue(as_billing.read(["billable_days"]))
        self.assertTrue(self.contract.with_user(self.billing).read(["name"]))
        self.assertTrue(self.mission.with_user(self.billing).read(["daily_rate"]))
        with self.assertRaises(AccessError):
            as_billing.action_validate()
        with self.assertRaises(AccessError):
            self.contract.with_user(self.billing).write({"name": "Hijack"})
        period.with_user(self.lead).action_validate()
        move, _summary = self._invoice(period, user=self.billing)
        self.assertEqual(move.create_uid, self.billing)

    def test_consultant_sees_no_invoice_and_cannot_invoice(self):
        period = self._validated_month(self.mission, MARCH, days=2)
        move, _summary = self._invoice(period)
        with self.assertRaises(AccessError):
            move.with_user(self.consultant).read(["name"])
        with self.assertRaises(AccessError):
            period.with_user(self.consultant).read(["invoice_id"])
        self.assertTrue(period.with_user(self.consultant).read(["billable_days"]))
        other = self._validated_month(self.mission, APRIL, days=2)
        with self.assertRaises(AccessError):
            other.with_user(self.consultant).action_create_invoice()

    def test_regie_manager_without_accounting_rights_cannot_invoice(self):
        period = self._validated_month(self.mission, MARCH, days=2)
        with self.assertRaises(AccessError):
            period.with_user(self.manager).action_create_invoice()

    def test_contracts_created_before_installation_get_the_product(self):
        product = self.env.ref("regie_staffing_invoicing.product_product_regie_day")
        contract = self._create_contract(activate=False)
        contract.product_id = False
        self.env["regie.contract"]._set_default_product()
        self.assertEqual(contract.product_id, product)

    def test_project_lead_cannot_invoice(self):
        period = self._validated_month(self.mission, MARCH, days=2)
        with self.assertRaises(AccessError):
            period.with_user(self.lead).action_create_invoice()

    def test_list_action_creates_invoices(self):
        period = self._validated_month(self.mission, MARCH, days=2)
        server_action = self.env.ref(
            "regie_staffing_invoicing.regie_timesheet_period_action_server_create_invoice"
        ).with_user(self.billing)
        action = server_action.with_context(
            active_model=period._name, active_ids=period.ids, active_id=period.id
        ).run()
        self.assertEqual(action["res_id"], period.invoice_id.id)

    def test_accounting_manager_reads_invoiced_amount(self):
        period = self._validated_month(self.mission, MARCH, days=2)
        self._invoice(period)
        contract = self.contract.with_user(self.accountant)
        self.assertEqual(contract.invoiced_amount, 1000.0)
        self.assertEqual(contract.with_user(self.billing).regie_invoice_count, 1)


@tagged("post_install", "-at_install")
class TestAccountantScreens(RegieInvoicingCommon):
    def test_accountant_opens_months_contracts_missions_and_invoices(self):
        period = self._validated_month(self.mission, MARCH, days=2)
        move, _summary = self._invoice(period)
        for record in (period, self.contract, self.mission, move):
            form = Form(record.with_user(self.billing))
            self.assertEqual(form.id, record.id)

    def test_consultant_opens_an_invoiced_month_without_its_invoice(self):
        period = self._validated_month(self.mission, MARCH, days=2)
        self._invoice(period)
        form = Form(period.with_user(self.consultant))
        self.assertEqual(form.id, period.id)
        self.assertNotIn("invoice_id", form._view["fields"])
