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

    def test_no_index_value_for_the_month(self):
        self.syntec.value_ids.filtered(lambda v: v.date.year == 2026).unlink()
        with self.assertRaisesRegex(UserError, "01/2026"):
            self.contract.action_apply_price_revision(date(2026, 1, 1))
        self.assertEqual(len(self.alice_mission.rate_ids), 1)
        self.assertFalse(self.contract.price_revision_date)

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
