from odoo.tests import tagged

from .common_tour import RegieTourCase
from .test_vigilance_portal import RegieVigilanceCommon


@tagged("post_install", "-at_install")
class TestVigilanceTour(RegieVigilanceCommon, RegieTourCase):
    """The provider's portal contact uploads his new URSSAF certificate from
    the portal home; the buyer (the contract's account manager) finds it from
    the app menus, marks it checked and opens the compliance report."""

    def test_vigilance_tour_en(self):
        self._vigilance_tour("en_US")

    def test_vigilance_tour_fr(self):
        self._vigilance_tour("fr_FR")

    def _vigilance_tour(self, lang):
        Document = self.env["regie.vigilance.document"]
        before = Document.search([("partner_id", "=", self.provider.id)])
        self.start_regie_tour(
            "/my", "regie_vigilance_portal_upload", self.provider_user, lang
        )
        document = Document.search([("partner_id", "=", self.provider.id)]) - before
        self.assertEqual(len(document), 1)
        self.assertEqual(document.document_type, "urssaf")
        self.assertEqual(document.verification_code, "TOUR4242CODE")
        self.assertEqual(document.document_name, "attestation_urssaf.pdf")
        self.assertTrue(document.uploaded_from_portal)
        self.assertFalse(document.checked_by_id)
        self.assertTrue(document.is_valid)

        self.start_regie_tour(
            "/odoo", "regie_vigilance_buyer_check", self.lead_user, lang
        )
        self.assertEqual(document.checked_by_id, self.lead_user)
        self.assertTrue(document.checked_date)
        rows = self.env["regie.vigilance.compliance"].search(
            [("create_uid", "=", self.lead_user.id)]
        )
        self.assertEqual(
            rows.filtered(lambda r: r.partner_id == self.provider).state, "missing"
        )
