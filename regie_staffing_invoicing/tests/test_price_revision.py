from datetime import date

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged
from odoo.tests.common import new_test_user

from .test_vendor_bill_matching import RegieBuySideCommon


@tagged("post_install", "-at_install")
class TestPriceRevision(RegieBuySideCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.syntec = cls.env["regie.price.index"].create(
            {
                "name": "Syntec (test)",
                "code": "H9SYNTEC",
                "value_ids": [
                    Command.create({"date": date(2025, 1, 1), "value": 100.0}),
                    Command.create({"date": date(2026, 1, 1), "value": 103.5}),
                ],
            }
        )
        cls.client = cls.env["res.partner"].create(
            {"name": "Client SA", "is_company": True}
        )
        cls.contract = cls._create_contract(
            [(cls.alice, 600.0), (cls.bob, 555.55)],
            "sale",
            cls.client,
            date_end=date(2027, 12, 31),
            price_index_id=cls.syntec.id,
            price_index_base_value=100.0,
            price_revision_month="1",
        )
        cls.alice_mission = cls.contract.mission_ids.filtered(
            lambda m: m.employee_id == cls.alice
        )
        cls.bob_mission = cls.contract.mission_ids - cls.alice_mission

    def _revision_messages(self, contract=None):
        return (contract or self.contract).message_ids.filtered(
            lambda m: "Price revision" in (m.body or "")
        )

    def test_revision_without_cap(self):
        self.contract.action_apply_price_revision(date(2026, 1, 15))
        self.assertEqual(self.alice_mission.get_rate(date(2025, 12, 31)), 600.0)
        self.assertEqual(self.alice_mission.get_rate(date(2026, 1, 1)), 621.0)
        # 555.55 x 1.035 = 574.99425: rounded to the cent.
        self.assertEqual(self.bob_mission.get_rate(date(2026, 1, 1)), 574.99)
        self.assertEqual(self.contract.price_revision_date, date(2026, 1, 1))
        self.assertEqual(self.contract.price_index_base_value, 103.5)
        message = self._revision_messages()
        self.assertEqual(len(message), 1)
        self.assertIn("621", message.body)
        self.assertNotIn("capped", message.body)

    def test_revision_with_cap(self):
        self.syntec.value_ids.filtered(lambda v: v.date.year == 2026).value = 110.0
        self.contract.price_revision_cap = 2.0
        self.contract.action_apply_price_revision(date(2026, 1, 1))
        self.assertEqual(self.alice_mission.get_rate(date(2026, 1, 1)), 612.0)
        self.assertEqual(self.bob_mission.get_rate(date(2026, 1, 1)), 566.66)
        self.assertIn("capped at 2.0", self._revision_messages().body)
        self.assertEqual(self.contract.price_index_base_value, 110.0)

    def test_cap_above_increase_is_not_applied(self):
        self.contract.price_revision_cap = 5.0
        self.contract.action_apply_price_revision(date(2026, 1, 1))
        self.assertEqual(self.alice_mission.get_rate(date(2026, 1, 1)), 621.0)

    def test_index_decrease_lowers_the_rate(self):
        self.syntec.value_ids.filtered(lambda v: v.date.year == 2026).value = 98.0
        self.contract.price_revision_cap = 2.0
        self.contract.action_apply_price_revision(date(2026, 1, 1))
        self.assertEqual(self.alice_mission.get_rate(date(2026, 1, 1)), 588.0)

    def test_run_twice_is_idempotent(self):
        self.contract.action_apply_price_revision(date(2026, 1, 15))
        self.assertTrue(
            self.contract.action_apply_price_revision(date(2026, 6, 30)),
        )
        self.assertEqual(len(self.alice_mission.rate_ids), 2)
        self.assertEqual(self.alice_mission.get_rate(date(2026, 6, 30)), 621.0)
        self.assertEqual(len(self._revision_messages()), 1)

    def test_next_anniversary_compounds_from_the_new_base(self):
        self.syntec.write(
            {
                "value_ids": [
                    Command.create({"date": date(2027, 1, 1), "value": 106.605})
                ]
            }
        )
        self.contract.action_apply_price_revision(date(2026, 1, 1))
        self.contract.action_apply_price_revision(date(2027, 1, 1))
        # 621 x 106.605 / 103.5 = 639.63
        self.assertEqual(self.alice_mission.get_rate(date(2027, 1, 1)), 639.63)
        self.assertEqual(len(self.alice_mission.rate_ids), 3)

    def test_date_as_string_uses_last_anniversary(self):
        self.contract.action_apply_price_revision("2026-03-15")
        self.assertEqual(self.contract.price_revision_date, date(2026, 1, 1))
        self.assertEqual(self.alice_mission.get_rate("2026-01-01"), 621.0)

    def test_no_index_value_published_yet_skips_the_revision(self):
        self.syntec.value_ids.unlink()
        self.assertTrue(self.contract.action_apply_price_revision(date(2026, 1, 1)))
        self.assertEqual(len(self.alice_mission.rate_ids), 1)
        self.assertFalse(self.contract.price_revision_date)
        self.assertEqual(self.contract.price_index_base_value, 100.0)
        note = self.contract.message_ids.filtered(
            lambda m: "not applied" in (m.body or "")
        )
        self.assertEqual(len(note), 1)
        self.assertIn("no value published on or before", note.body)
        self.assertIn("01/01/2026", note.body)

    def test_skipped_contract_does_not_block_the_others(self):
        other_index = self.env["regie.price.index"].create(
            {"name": "Unpublished", "code": "H9NONE"}
        )
        waiting = self._create_contract(
            [(self.bob, 500.0)],
            "sale",
            self.client,
            price_index_id=other_index.id,
            price_index_base_value=100.0,
            price_revision_month="1",
        )
        (self.contract | waiting).action_apply_price_revision(date(2026, 1, 1))
        self.assertEqual(self.alice_mission.get_rate(date(2026, 1, 1)), 621.0)
        self.assertFalse(waiting.price_revision_date)
        self.assertEqual(len(waiting.mission_ids.rate_ids), 1)

    def test_last_value_published_before_the_revision_is_used(self):
        # No value for January 2026: the last one published before it is
        # November 2025's; the later February value is not known yet.
        self.syntec.value_ids.filtered(lambda v: v.date.year == 2026).unlink()
        self.syntec.write(
            {
                "value_ids": [
                    Command.create({"date": date(2025, 10, 1), "value": 101.0}),
                    Command.create({"date": date(2025, 11, 1), "value": 102.0}),
                    Command.create({"date": date(2026, 2, 1), "value": 150.0}),
                ]
            }
        )
        self.contract.action_apply_price_revision(date(2026, 1, 20))
        # 600 x 102 / 100 = 612; 555.55 x 1.02 = 566.661
        self.assertEqual(self.alice_mission.get_rate(date(2026, 1, 1)), 612.0)
        self.assertEqual(self.bob_mission.get_rate(date(2026, 1, 1)), 566.66)
        self.assertEqual(self.contract.price_index_base_value, 102.0)

    def test_negative_cap_is_refused(self):
        with self.assertRaises(ValidationError):
            self.contract.price_revision_cap = -1.0

    def test_contract_without_clause_is_refused(self):
        self.contract.price_index_id = False
        with self.assertRaises(UserError):
            self.contract.action_apply_price_revision(date(2026, 1, 1))

    def test_rate_set_at_anniversary_is_kept(self):
        self.env["regie.mission.rate"].create(
            {
                "mission_id": self.alice_mission.id,
                "date_from": date(2026, 1, 1),
                "daily_rate": 650.0,
            }
        )
        self.contract.action_apply_price_revision(date(2026, 1, 1))
        self.assertEqual(self.alice_mission.get_rate(date(2026, 1, 1)), 650.0)
        self.assertEqual(self.bob_mission.get_rate(date(2026, 1, 1)), 574.99)

    def test_mission_starting_after_anniversary_is_not_revised(self):
        late = self.env["regie.mission"].create(
            {
                "contract_id": self.contract.id,
                "employee_id": self.alice.id,
                "daily_rate": 700.0,
                "date_start": date(2026, 2, 1),
            }
        )
        self.contract.action_apply_price_revision(date(2026, 2, 15))
        self.assertEqual(len(late.rate_ids), 1)
        self.assertEqual(late.get_rate(date(2026, 2, 1)), 700.0)

    def test_cron_applies_due_contracts_once(self):
        other_index = self.env["regie.price.index"].create(
            {"name": "Unpublished", "code": "H9NONE"}
        )
        waiting = self._create_contract(
            [(self.bob, 500.0)],
            "sale",
            self.client,
            price_index_id=other_index.id,
            price_index_base_value=100.0,
            price_revision_month="1",
        )
        model = self.env["regie.contract"]
        logger = (
            "odoo.addons.regie_staffing_invoicing.models.regie_contract_price_revision"
        )
        with freeze_time("2026-01-10"), self.assertLogs(logger, "WARNING") as logs:
            model._cron_apply_price_revision()
            model._cron_apply_price_revision()
        self.assertIn("Unpublished", logs.output[0])
        self.assertEqual(self.alice_mission.get_rate(date(2026, 1, 10)), 621.0)
        self.assertEqual(len(self.alice_mission.rate_ids), 2)
        self.assertEqual(len(self._revision_messages()), 1)
        self.assertFalse(waiting.price_revision_date)
        self.assertEqual(len(waiting.mission_ids.rate_ids), 1)

    def test_consultant_cannot_apply_revision(self):
        consultant = new_test_user(
            self.env,
            login="h9_consultant_rev",
            groups="regie_staffing.group_consultant",
            company_id=self.env.company.id,
        )
        with self.assertRaises(AccessError):
            self.contract.with_user(consultant).action_apply_price_revision(
                date(2026, 1, 1)
            )

    # ------------------------------------------------------------------
    # Fixed part: P1 = P0 x (a + (1 - a) x S1 / S0)
    # ------------------------------------------------------------------

    def test_fixed_part_defaults_to_the_pure_formula(self):
        self.assertEqual(self.contract.price_revision_fixed_part, 0.0)

    def test_fixed_part_formula(self):
        self.contract.price_revision_fixed_part = 0.2
        self.contract.action_apply_price_revision(date(2026, 1, 1))
        # a = 0.2, b = 0.8, S1/S0 = 103.5/100: 0.2 + 0.8 x 1.035 = 1.028
        # 600 x 1.028 = 616.80; 555.55 x 1.028 = 571.1054 -> 571.11
        self.assertEqual(self.alice_mission.get_rate(date(2026, 1, 1)), 616.8)
        self.assertEqual(self.bob_mission.get_rate(date(2026, 1, 1)), 571.11)
        self.assertEqual(self.contract.price_index_base_value, 103.5)
        body = self._revision_messages().body
        self.assertIn("fixed part 0.2", body)
        self.assertIn("1.028", body)

    def test_fixed_part_with_cap(self):
        self.syntec.value_ids.filtered(lambda v: v.date.year == 2026).value = 110.0
        self.contract.write(
            {"price_revision_fixed_part": 0.15, "price_revision_cap": 5.0}
        )
        self.contract.action_apply_price_revision(date(2026, 1, 1))
        # 0.15 + 0.85 x 1.10 = 1.085, capped at 1.05: 600 x 1.05 = 630
        self.assertEqual(self.alice_mission.get_rate(date(2026, 1, 1)), 630.0)

    def test_fixed_part_below_the_cap(self):
        self.syntec.value_ids.filtered(lambda v: v.date.year == 2026).value = 104.0
        self.contract.write(
            {"price_revision_fixed_part": 0.25, "price_revision_cap": 5.0}
        )
        self.contract.action_apply_price_revision(date(2026, 1, 1))
        # 0.25 + 0.75 x 1.04 = 1.03: 555.55 x 1.03 = 572.2165 -> 572.22
        self.assertEqual(self.bob_mission.get_rate(date(2026, 1, 1)), 572.22)
        self.assertNotIn("capped", self._revision_messages().body)

    def test_fixed_part_out_of_range_is_refused(self):
        for value in (-0.1, 1.5):
            with self.assertRaisesRegex(ValidationError, "Revision fixed part"):
                self.contract.price_revision_fixed_part = value
        self.contract.price_revision_fixed_part = 1.0
        self.assertEqual(self.contract.price_revision_fixed_part, 1.0)

    # ------------------------------------------------------------------
    # Months already submitted, validated or invoiced keep their rate
    # ------------------------------------------------------------------

    def test_invoiced_anniversary_month_keeps_its_rate(self):
        january = date(2026, 1, 1)
        self._log_days(self.contract, self.alice, january, 4)
        periods = self._validate_months(self.contract, january)
        periods.action_create_invoice(invoice_date=date(2026, 2, 5))
        self.assertEqual(periods.state, "invoiced")
        line = periods.invoice_line_id
        self.assertEqual(line.price_unit, 600.0)
        self.contract.action_apply_price_revision(date(2026, 1, 20))
        # Alice's January stays at 600 (as invoiced); her new rate starts in
        # February. Bob has no frozen month: his starts at the anniversary.
        self.assertEqual(self.alice_mission.get_rate(date(2026, 1, 31)), 600.0)
        self.assertEqual(self.alice_mission.get_rate(date(2026, 2, 1)), 621.0)
        self.assertEqual(
            sorted(self.alice_mission.rate_ids.mapped("date_from")),
            [date(2025, 1, 1), date(2026, 2, 1)],
        )
        self.assertEqual(self.bob_mission.get_rate(date(2026, 1, 1)), 574.99)
        self.assertEqual(line.price_unit, 600.0)
        self.assertEqual(periods.state, "invoiced")
        self.assertEqual(self.contract.price_revision_date, january)
        body = self._revision_messages().body
        self.assertIn("02/01/2026", body)
        self.assertIn("01/31/2026", body)

    def test_validated_months_after_the_anniversary_push_the_rate_back(self):
        # January in draft, February validated, March contested, April
        # submitted: the new rate starts in May, January keeps the old one.
        self._log_days(self.contract, self.alice, date(2026, 1, 5), 2)
        for month in (date(2026, 2, 2), date(2026, 3, 2), date(2026, 4, 1)):
            self._log_days(self.contract, self.alice, month, 2)
        self._validate_months(self.contract, date(2026, 2, 1))
        periods = self.env["regie.timesheet.period"].search(
            [("mission_id", "=", self.alice_mission.id)]
        )
        march = periods.filtered(lambda p: p.date_from == date(2026, 3, 1))
        april = periods.filtered(lambda p: p.date_from == date(2026, 4, 1))
        (march | april).action_submit()
        march.with_user(self.lead).action_contest("Wrong days")
        self.assertEqual(
            periods.sorted("date_from").mapped("state"),
            ["draft", "validated", "contested", "submitted"],
        )
        self.contract.action_apply_price_revision(date(2026, 1, 1))
        self.assertEqual(self.alice_mission.get_rate(date(2026, 1, 1)), 600.0)
        self.assertEqual(self.alice_mission.get_rate(date(2026, 4, 30)), 600.0)
        self.assertEqual(self.alice_mission.get_rate(date(2026, 5, 1)), 621.0)
        self.assertEqual(len(self.alice_mission.rate_ids), 2)
        self.assertIn("05/01/2026", self._revision_messages().body)

    def test_frozen_months_before_the_anniversary_do_not_matter(self):
        december = date(2025, 12, 1)
        self._log_days(self.contract, self.alice, december, 3)
        self._validate_months(self.contract, december)
        self.contract.action_apply_price_revision(date(2026, 1, 1))
        self.assertEqual(self.alice_mission.get_rate(date(2025, 12, 31)), 600.0)
        self.assertEqual(self.alice_mission.get_rate(date(2026, 1, 1)), 621.0)

    def test_mission_frozen_until_its_end_is_not_revised(self):
        self.alice_mission.date_end = date(2026, 1, 31)
        january = date(2026, 1, 1)
        self._log_days(self.contract, self.alice, january, 2)
        self._validate_months(self.contract, january)
        self.contract.action_apply_price_revision(date(2026, 1, 1))
        self.assertEqual(len(self.alice_mission.rate_ids), 1)
        self.assertEqual(self.bob_mission.get_rate(date(2026, 1, 1)), 574.99)
        body = self._revision_messages().body
        self.assertIn("not revised", body)
        self.assertIn("01/31/2026", body)
        self.assertIn(self.alice_mission.name, body)

    def test_revision_after_frozen_month_is_idempotent(self):
        january = date(2026, 1, 1)
        self._log_days(self.contract, self.alice, january, 2)
        self._validate_months(self.contract, january)
        self.contract.action_apply_price_revision(date(2026, 1, 15))
        # February gets validated too before the second run: nothing moves.
        self._log_days(self.contract, self.alice, date(2026, 2, 2), 2)
        self._validate_months(self.contract, date(2026, 2, 1))
        self.contract.action_apply_price_revision(date(2026, 3, 1))
        self.assertEqual(len(self.alice_mission.rate_ids), 2)
        self.assertEqual(self.alice_mission.get_rate(date(2026, 1, 31)), 600.0)
        self.assertEqual(self.alice_mission.get_rate(date(2026, 2, 1)), 621.0)
        self.assertEqual(len(self._revision_messages()), 1)
