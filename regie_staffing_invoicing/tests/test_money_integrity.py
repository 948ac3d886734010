"""A validated month is billed exactly once, at its validated days, whatever
standard accounting buttons the accountants press and in whatever order."""

import logging
import os
import random
from datetime import date

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import RegieInvoicingCommon

_logger = logging.getLogger(__name__)

MARCH = date(2025, 3, 1)
APRIL = date(2025, 4, 1)
# Random sequences run by the suite; REGIE_RANDOM_SEQUENCES runs more.
RANDOM_SEQUENCES = int(os.environ.get("REGIE_RANDOM_SEQUENCES", "20"))
RANDOM_STEPS = 10


@tagged("post_install", "-at_install")
class TestMoneyIntegrity(RegieInvoicingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        other_mission = cls._create_mission(cls.contract, cls.other_employee)
        cls.march = cls._validated_month(cls.mission, MARCH, days=5)
        cls.march_other = cls._validated_month(other_mission, MARCH, days=3)
        cls.april = cls._validated_month(cls.mission, APRIL, days=2)
        # Buy side: a freelancer's purchase contract, billed either by the
        # invoicing action or by the provider's own bill.
        cls.purchase = cls._create_contract(
            direction="purchase", partner_id=cls.provider.id
        )
        cls.purchase_mission = cls._create_mission(
            cls.purchase, cls.other_employee, daily_rate=400.0
        )
        cls.purchase_march = cls._validated_month(cls.purchase_mission, MARCH, days=4)
        cls.months = cls.march | cls.march_other | cls.april | cls.purchase_march

    def _reverse(self, moves, modify=False):
        wizard = (
            self.env["account.move.reversal"]
            .with_user(self.billing)
            .with_context(active_model="account.move", active_ids=moves.ids)
            .create({"journal_id": moves[:1].journal_id.id, "date": date(2025, 5, 31)})
        )
        action = wizard.modify_moves() if modify else wizard.refund_moves()
        return self.env["account.move"].browse(
            action.get("res_id") or action.get("domain", [[None, None, []]])[0][2]
        )

    # ------------------------------------------------------------------
    # The paths that billed a month twice
    # ------------------------------------------------------------------

    def test_reset_to_draft_of_a_cancelled_invoice_billed_again_is_refused(self):
        move, _summary = self._invoice(self.march)
        move.with_user(self.billing).action_post()
        move.with_user(self.billing).button_cancel()
        self.assertBilledOnce(self.march, "after cancel")
        self.assertEqual(self.march.state, "validated")
        second, _summary = self._invoice(self.march)
        self.assertBilledOnce(self.march, "after re-invoicing")
        with self.assertRefused("billed once"):
            move.with_user(self.billing).button_draft()
        self.assertBilledOnce(self.march, "after the refused reset")
        second.with_user(self.billing).action_post()
        self.assertBilledOnce(self.march, "after posting the second")
        self.assertEqual(move.state, "cancel")

    def test_cancelled_draft_reset_to_draft_claims_its_month_back(self):
        move, _summary = self._invoice(self.march)
        move.with_user(self.billing).button_cancel()
        self.assertEqual(self.march.state, "validated")
        move.with_user(self.billing).button_draft()
        self.assertEqual(self.march.state, "invoiced")
        self.assertBilledOnce(self.march)
        with self.assertRefused("already invoiced"):
            self._invoice(self.march)

    def test_credit_note_back_to_draft_after_re_invoicing_is_refused(self):
        move, _summary = self._invoice(self.march)
        move.action_post()
        refund = self._reverse(move)
        refund.with_user(self.billing).action_post()
        self.assertEqual(self.march.state, "validated")
        self.assertBilledOnce(self.march, "after the credit note")
        second, _summary = self._invoice(self.march)
        second.action_post()
        self.assertBilledOnce(self.march, "after re-invoicing")
        with self.assertRefused("billed once"):
            refund.with_user(self.billing).button_draft()
        self.assertBilledOnce(self.march, "after the refused reset")
        self.assertEqual(refund.state, "posted")

    def test_reverse_and_create_new_draft_keeps_the_month(self):
        move, _summary = self._invoice(self.march)
        move.action_post()
        new_draft = self._reverse(move, modify=True)
        self.assertEqual(new_draft.state, "draft")
        self.assertEqual(new_draft.invoice_line_ids.regie_period_id, self.march)
        self.assertEqual(self.march.state, "invoiced")
        self.assertEqual(self.march.invoice_id, new_draft)
        self.assertBilledOnce(self.march)
        with self.assertRefused("already invoiced"):
            self._invoice(self.march)
        new_draft.action_post()
        self.assertBilledOnce(self.march)

    def test_credit_note_of_one_line_releases_that_month_alone(self):
        move, _summary = self._invoice(self.march | self.march_other)
        move.action_post()
        refund = self._reverse(move)
        other_line = refund.invoice_line_ids.filtered(
            lambda line: line.regie_period_id == self.march_other
        )
        refund.write({"invoice_line_ids": [Command.unlink(other_line.id)]})
        refund.action_post()
        self.assertEqual(self.march.state, "validated")
        self.assertEqual(self.march_other.state, "invoiced")
        self.assertBilledOnce(self.march | self.march_other)
        second, _summary = self._invoice(self.march)
        self.assertEqual(second.invoice_line_ids.regie_period_id, self.march)
        self.assertBilledOnce(self.march | self.march_other)

    def test_duplicate_of_an_invoice_does_not_claim_its_months(self):
        move, _summary = self._invoice(self.march)
        self.assertFalse(move.regie_billing_warning)
        copy = move.with_user(self.billing).copy()
        self.assertFalse(copy.invoice_line_ids.regie_period_id)
        self.assertEqual(self.march.invoice_id, move)
        self.assertBilledOnce(self.march)
        # The copy warns that it bills days no month accounts for.
        self.assertIn("not linked to any validated month", copy.regie_billing_warning)
        self.assertFalse(move.regie_billing_warning)

    def test_editing_a_draft_regie_line_warns(self):
        move, _summary = self._invoice(self.march)
        line = move.invoice_line_ids
        # More days than validated is refused (the month would be billed
        # twice over); fewer is allowed, with a warning.
        with self.assertRefused("billed once"):
            line.with_user(self.billing).quantity = 6.0
        line.with_user(self.billing).quantity = 4.0
        self.assertIn(
            "no longer matches the validated month", move.regie_billing_warning
        )
        self.assertIn("4.00", move.regie_billing_warning)
        line.with_user(self.billing).quantity = 5.0
        self.assertFalse(move.regie_billing_warning)
        line.with_user(self.billing).price_unit = 450.0
        self.assertIn("450.00", move.regie_billing_warning)
        # Only a warning: the draft can still be posted (5 days, as validated).
        move.with_user(self.billing).action_post()
        self.assertFalse(move.regie_billing_warning)
        self.assertBilledOnce(self.march)

    # ------------------------------------------------------------------
    # Random sequences of Odoo's standard buttons
    # ------------------------------------------------------------------

    def _operations(self):  # noqa: C901 - one closure per standard button
        Move = self.env["account.move"]

        contracts = self.contract | self.purchase

        def moves(state=None, refund=None):
            domain = [
                "|",
                ("line_ids.regie_contract_id", "in", contracts.ids),
                ("regie_contract_id", "=", self.purchase.id),
            ]
            if state:
                domain.append(("state", "=", state))
            if refund is not None:
                kinds = ("out_refund", "in_refund") if refund else ("out_invoice",)
                domain.append(
                    ("move_type", "in", kinds + (() if refund else ("in_invoice",)))
                )
            return Move.search(domain, order="id")

        def provider_bill(rng):
            # The freelancer's own bill for March, matched against the
            # purchase contract: as validated, or a day more.
            days = rng.choice([4.0, 4.0, 5.0])
            bill = Move.create(
                {
                    "move_type": "in_invoice",
                    "partner_id": self.provider.id,
                    "invoice_date": date(2025, 4, 5),
                    "regie_contract_id": self.purchase.id,
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "product_id": self.day_product.id,
                                "quantity": days,
                                "price_unit": 400.0,
                                "regie_employee_id": self.other_employee.id,
                                "tax_ids": [Command.clear()],
                            }
                        )
                    ],
                }
            )
            if rng.random() < 0.7:
                bill.with_user(self.billing).action_post()

        def invoice(rng):
            validated = self.months.filtered(lambda p: p.state == "validated")
            if validated:
                self._invoice(validated)

        def post(rng):
            draft = moves("draft")
            if draft:
                rng.choice(draft).with_user(self.billing).action_post()

        def cancel(rng):
            live = moves("draft") | moves("posted")
            if live:
                rng.choice(live).with_user(self.billing).button_cancel()

        def reset_to_draft(rng):
            done = moves("cancel") | moves("posted")
            if done:
                rng.choice(done).with_user(self.billing).button_draft()

        def full_credit_note(rng):
            posted = moves("posted", refund=False)
            if posted:
                self._reverse(rng.choice(posted)).action_post()

        def partial_credit_note(rng):
            posted = moves("posted", refund=False)
            if posted:
                refund = self._reverse(rng.choice(posted))
                if not refund.invoice_line_ids:
                    return
                line = rng.choice(refund.invoice_line_ids)
                line.quantity = rng.choice([0.5, 1.0, line.quantity])
                refund.action_post()

        def reverse_and_create(rng):
            posted = moves("posted", refund=False)
            if posted:
                self._reverse(rng.choice(posted), modify=True)

        def delete_draft(rng):
            draft = moves("draft")
            if draft:
                rng.choice(draft).with_user(self.billing).unlink()

        def delete_draft_line(rng):
            draft = moves("draft", refund=False)
            if draft:
                move = rng.choice(draft)
                if not move.invoice_line_ids:
                    return
                line = rng.choice(move.invoice_line_ids)
                move.write({"invoice_line_ids": [Command.unlink(line.id)]})

        def duplicate(rng):
            every = moves()
            if every:
                rng.choice(every).with_user(self.billing).copy()

        def edit_draft_quantity(rng):
            draft = moves("draft", refund=False)
            if draft:
                lines = rng.choice(draft).invoice_line_ids
                if not lines:
                    return
                line = rng.choice(lines)
                line.quantity = line.quantity + rng.choice([-1.0, 1.0, 3.0])

        def edit_master_data(rng):
            # Each of these would change what validated months bill or who
            # they belong to: refused while the months are not draft.
            edit = rng.choice(
                [
                    lambda: self.contract.write({"hours_per_day": 4.0}),
                    lambda: self.contract.write({"billing_unit": "hour"}),
                    lambda: self.contract.write({"day_rounding": "half_day"}),
                    lambda: self.mission.write({"employee_id": self.other_employee.id}),
                    lambda: self.env["regie.mission.rate"].create(
                        {
                            "mission_id": self.mission.id,
                            "date_from": date(2025, 3, 17),
                            "daily_rate": 900.0,
                        }
                    ),
                ]
            )
            edit()

        return [
            provider_bill,
            edit_master_data,
            invoice,
            post,
            cancel,
            reset_to_draft,
            full_credit_note,
            partial_credit_note,
            reverse_and_create,
            delete_draft,
            delete_draft_line,
            duplicate,
            edit_draft_quantity,
        ]

    def test_random_sequences_of_standard_buttons(self):
        operations = self._operations()
        seed = int(os.environ.get("REGIE_RANDOM_SEED", "20261127"))
        refused = applied = 0
        for sequence in range(RANDOM_SEQUENCES):
            rng = random.Random(seed + sequence)
            done = []
            with self.cr.savepoint(flush=False) as outer:
                for _step in range(RANDOM_STEPS):
                    operation = rng.choice(operations)
                    done.append(operation.__name__)
                    try:
                        with self.cr.savepoint():
                            operation(rng)
                            self.env.flush_all()
                        applied += 1
                    except UserError:
                        refused += 1
                    self.env.invalidate_all()
                    self.assertBilledOnce(
                        self.months,
                        f"(seed {seed + sequence}, steps {' > '.join(done)})",
                    )
                self.env.flush_all()
                outer.rollback()
            self.env.invalidate_all(flush=False)
        _logger.info(
            "%s random sequences of %s steps: %s operations applied, %s refused",
            RANDOM_SEQUENCES,
            RANDOM_STEPS,
            applied,
            refused,
        )
        self.assertGreater(applied, RANDOM_SEQUENCES)
