from datetime import date

from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .common import RegieCommon


@tagged("post_install", "-at_install")
class TestReview(RegieCommon):
    def _create_review(self, contract, day, **vals):
        return (
            self.env["regie.review"]
            .with_user(self.lead_user)
            .create({"contract_id": contract.id, "date": day, **vals})
        )

    def _planned(self, contract):
        return contract.review_ids.filtered(lambda r: r.state == "planned")

    def test_done_plans_next_review_per_frequency(self):
        expected = {
            "monthly": date(2025, 2, 28),
            "quarterly": date(2025, 4, 30),
            "semiannual": date(2025, 7, 31),
            "yearly": date(2026, 1, 31),
        }
        for frequency, next_date in expected.items():
            contract = self._create_contract(
                review_frequency=frequency, date_end=date(2026, 12, 31)
            )
            review = self._create_review(contract, date(2025, 1, 31))
            self.assertIs(review.action_done(), True)
            planned = self._planned(contract)
            self.assertEqual(len(planned), 1, frequency)
            self.assertEqual(planned.date, next_date, frequency)
            self.assertEqual(planned.review_type, "steering")
            self.assertEqual(planned.user_id, self.lead_user)

    def test_done_does_not_plan_when_later_review_exists(self):
        self.contract.review_frequency = "quarterly"
        first = self._create_review(self.contract, date(2025, 3, 1))
        later = self._create_review(self.contract, date(2025, 9, 1))
        first.action_done()
        self.assertEqual(self._planned(self.contract), later)
        later.action_done()
        self.assertEqual(self._planned(self.contract).date, date(2025, 12, 1))

    def test_done_without_frequency_plans_nothing(self):
        review = self._create_review(self.contract, date(2025, 3, 1))
        review.action_done()
        self.assertFalse(self._planned(self.contract))

    def test_no_review_planned_after_contract_end(self):
        self.contract.review_frequency = "quarterly"
        review = self._create_review(self.contract, date(2025, 11, 1))
        review.action_done()
        self.assertFalse(self._planned(self.contract))

    def test_done_or_cancel_twice_refused(self):
        review = self._create_review(self.contract, date(2025, 3, 1))
        review.action_done()
        with self.assertRaises(UserError):
            review.action_done()
        other = self._create_review(self.contract, date(2025, 4, 1))
        self.assertIs(other.action_cancel(), True)
        with self.assertRaises(UserError):
            other.action_cancel()

    def test_planned_review_has_one_preparation_activity(self):
        review = self._create_review(self.contract, date(2025, 3, 10))
        activity = review.activity_ids
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.user_id, self.lead_user)
        self.assertEqual(activity.date_deadline, date(2025, 3, 3))
        review.date = date(2025, 3, 20)
        self.assertEqual(review.activity_ids, activity)
        self.assertEqual(activity.date_deadline, date(2025, 3, 13))
        review.action_done()
        self.assertFalse(review.activity_ids)

    def test_kpi_value_is_met(self):
        kpis = self.env["regie.contract.kpi"].create(
            [
                {"contract_id": self.contract.id, "name": "SLA", "target": 95.0},
                {
                    "contract_id": self.contract.id,
                    "name": "Incidents",
                    "target": 2.0,
                    "comparison": "le",
                },
            ]
        )
        review = self._create_review(self.contract, date(2025, 3, 1))
        values = self.env["regie.review.kpi.value"].create(
            [
                {"review_id": review.id, "kpi_id": kpis[0].id, "value": 97.0},
                {"review_id": review.id, "kpi_id": kpis[1].id, "value": 3.0},
            ]
        )
        self.assertEqual(values.mapped("is_met"), [True, False])
        self.assertEqual(values[0].target, 95.0)

    def test_kpi_value_of_another_contract_refused(self):
        other = self._create_contract()
        kpi = self.env["regie.contract.kpi"].create(
            {"contract_id": other.id, "name": "SLA", "target": 95.0}
        )
        review = self._create_review(self.contract, date(2025, 3, 1))
        with self.assertRaises(ValidationError):
            self.env["regie.review.kpi.value"].create(
                {"review_id": review.id, "kpi_id": kpi.id, "value": 97.0}
            )
