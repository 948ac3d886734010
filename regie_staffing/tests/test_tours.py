from datetime import date

from odoo.tests import tagged

from .common_tour import RegieTourCase
from .test_portal import RegiePortalCommon


@tagged("post_install", "-at_install")
class TestTours(RegiePortalCommon, RegieTourCase):
    """Real-browser tour (headless Chromium) of the client contact in the
    portal: /my twice, January contested with one of its lines, February
    signed."""

    def test_portal_validate_month_tour_en(self):
        self._portal_validate_month_tour("en_US")

    def test_portal_validate_month_tour_fr(self):
        self._portal_validate_month_tour("fr_FR")

    def _portal_validate_month_tour(self, lang):
        february = self._submitted_month(
            self.employee, self.contract, monday=date(2025, 2, 3)
        )
        self.start_regie_tour(
            "/my", "regie_portal_validate_month", self.validator_user, lang
        )
        january = self._reload(self.period)
        self.assertEqual(january.state, "contested")
        dispute = january.dispute_ids
        self.assertRecordValues(
            dispute,
            [
                {
                    "reason": "Tour: the 6th was a half day",
                    "requested_correction": "4 hours on the 6th",
                    "state": "open",
                }
            ],
        )
        self.assertEqual(dispute.line_ids.mapped("date"), [date(2025, 1, 6)])

        february = self._reload(february)
        self.assertEqual(february.state, "validated")
        self.assertEqual(february.validated_by_partner_id, self.validator)
        self.assertEqual(february.validated_by_id, self.validator_user)
        self.assertEqual(february.signed_by, self.validator.name)
        self.assertTrue(february.signature, "the drawn signature is kept")
        self.assertTrue(february._check_hash())
        # The other company's month was never touched.
        self.assertEqual(self._reload(self.other_period).state, "submitted")
