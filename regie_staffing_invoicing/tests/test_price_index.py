import psycopg2

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import RegieInvoicingCommon


@tagged("post_install", "-at_install")
class TestPriceIndex(RegieInvoicingCommon):
    def test_value_is_stored_on_first_day_of_month(self):
        value = self.env["regie.price.index.value"].create(
            {"index_id": self.index.id, "date": "2026-03-17", "value": 301.5}
        )
        self.assertEqual(str(value.date), "2026-03-01")
        self.assertEqual(self.index.get_value("2026-03-31"), 301.5)
        self.assertEqual(self.index.get_value("2026-03-01"), 301.5)

    def test_value_is_the_last_published_at_or_before_the_date(self):
        self.index.write(
            {
                "value_ids": [
                    Command.create({"date": "2025-10-01", "value": 290.0}),
                    Command.create({"date": "2025-12-01", "value": 295.0}),
                    Command.create({"date": "2026-03-01", "value": 301.5}),
                ]
            }
        )
        self.assertEqual(self.index.get_value("2025-09-30"), 0.0)
        self.assertEqual(self.index.get_value("2025-10-01"), 290.0)
        self.assertEqual(self.index.get_value("2025-11-15"), 290.0)
        self.assertEqual(self.index.get_value("2026-02-28"), 295.0)
        self.assertEqual(self.index.get_value("2026-03-01"), 301.5)
        self.assertEqual(self.index.get_value("2027-01-01"), 301.5)

    def test_last_value(self):
        self.index.write(
            {
                "value_ids": [
                    Command.create({"date": "2025-01-01", "value": 290.0}),
                    Command.create({"date": "2026-01-01", "value": 299.0}),
                ]
            }
        )
        self.assertEqual(self.index.last_value, 299.0)
        self.assertEqual(str(self.index.last_value_date), "2026-01-01")

    @mute_logger("odoo.sql_db")
    def test_one_value_per_month(self):
        self.env["regie.price.index.value"].create(
            {"index_id": self.index.id, "date": "2026-03-01", "value": 300.0}
        )
        with self.assertRaises(psycopg2.IntegrityError):
            self.env["regie.price.index.value"].create(
                {"index_id": self.index.id, "date": "2026-03-20", "value": 301.0}
            )

    @mute_logger("odoo.sql_db")
    def test_value_must_be_positive(self):
        with self.assertRaises(psycopg2.IntegrityError):
            self.env["regie.price.index.value"].create(
                {"index_id": self.index.id, "date": "2026-03-01", "value": -1.0}
            )

    def test_consultant_reads_but_cannot_edit_indexes(self):
        index = self.index.with_user(self.consultant)
        self.assertEqual(index.name, "Test index")
        with self.assertRaises(AccessError):
            index.write({"name": "Hacked"})
        with self.assertRaises(AccessError):
            self.env["regie.price.index"].with_user(self.consultant).create(
                {"name": "Other"}
            )

    def test_accountant_and_manager_maintain_indexes(self):
        for user in (self.accountant, self.manager):
            index = (
                self.env["regie.price.index"]
                .with_user(user)
                .create({"name": f"Index of {user.login}"})
            )
            index.write(
                {"value_ids": [Command.create({"date": "2026-05-01", "value": 310.0})]}
            )
            self.assertEqual(index.get_value("2026-05-15"), 310.0)
