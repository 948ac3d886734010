from odoo.tests import tagged

from .common_tour import RegieTourCase
from .test_portal import RegiePortalCommon


@tagged("post_install", "-at_install")
class TestTours(RegiePortalCommon, RegieTourCase):
    """Real-browser tour (headless Chromium): the client contact signs a
    month in the portal."""

    def test_portal_validate_month_tour_en(self):
        self._portal_validate_month_tour("en_US")

    def test_portal_validate_month_tour_fr(self):
        self._portal_validate_month_tour("fr_FR")

    def _portal_validate_month_tour(self, lang):
        self.start_regie_tour(
            "/my", "regie_portal_validate_month", self.validator_user, lang
        )
        period = self._reload(self.period)
        self.assertEqual(period.state, "validated")
        self.assertEqual(period.validated_by_partner_id, self.validator)
        self.assertEqual(period.validated_by_id, self.validator_user)
        self.assertEqual(period.signed_by, self.validator.name)
        self.assertTrue(period.signature, "the drawn signature is kept")
        self.assertTrue(period._check_hash())
        # The other company's month was never touched.
        self.assertEqual(self._reload(self.other_period).state, "submitted")
