from datetime import date

from lxml import etree

from odoo.tests import tagged

from odoo.addons.regie_staffing_invoicing.tests.common import RegieInvoicingCommon

MARCH = date(2025, 3, 1)
PDF = b"%PDF-1.4\n% signed activity report\n"
NS = {
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
    "ram": "urn:un:unece:uncefact:data:standard:"
    "ReusableAggregateBusinessInformationEntity:100",
    "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
}


@tagged("post_install", "-at_install")
class TestRegieEinvoice(RegieInvoicingCommon):
    """The e-invoice of a régie invoice carries its contract (BT-12), the
    client's order (BT-13), the service code (BT-10), the months billed
    (BG-14) and the signed activity reports (BG-24), and passes the checks
    Odoo runs on the EN 16931 formats."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        france = cls.env.ref("base.fr")
        cls.env.company.partner_id.write(
            {
                "country_id": france.id,
                "vat": "FR23334175221",
                "street": "1 rue de la Paix",
                "city": "Paris",
                "zip": "75002",
                "email": "billing@esn.example.com",
                "phone": "+33 1 23 45 67 89",
            }
        )
        cls.bank = cls.env["res.partner.bank"].create(
            {
                "acc_number": "FR7630006000011234567890189",
                "partner_id": cls.env.company.partner_id.id,
            }
        )
        cls.client.write(
            {
                "country_id": france.id,
                "vat": "FR40303265045",
                "street": "2 avenue des Champs",
                "city": "Lyon",
                "zip": "69001",
            }
        )
        cls.contract.write(
            {"client_order_ref": "PO-2025-0042", "client_service_code": "SE-CHORUS-7"}
        )

    def _invoice_with_report(self):
        period = self._validated_month(self.mission, MARCH, days=5)
        # As the scheduled rendering keeps it (the PDF engine aside).
        period.sudo()._period_workflow()._store_signed_reports(
            {period.id: (PDF, "pdf", "application/pdf")}
        )
        move, _summary = self._invoice(period)
        move.partner_bank_id = self.bank
        move.action_post()
        return move, period

    def test_ubl_bis3(self):
        move, _period = self._invoice_with_report()
        self.assertTrue(_period.report_attachment_id)
        xml, errors = self.env["account.edi.xml.ubl_bis3"]._export_invoice(move)
        self.assertFalse(errors, "Odoo's EN 16931 / Peppol BIS 3 checks")
        tree = etree.fromstring(xml)
        self.assertEqual(
            tree.findtext("cac:ContractDocumentReference/cbc:ID", namespaces=NS),
            self.contract.name,
        )
        self.assertEqual(
            tree.findtext("cac:OrderReference/cbc:ID", namespaces=NS), "PO-2025-0042"
        )
        self.assertEqual(
            tree.findtext("cbc:BuyerReference", namespaces=NS), "SE-CHORUS-7"
        )
        self.assertEqual(
            tree.findtext("cac:InvoicePeriod/cbc:StartDate", namespaces=NS),
            "2025-03-01",
        )
        self.assertEqual(
            tree.findtext("cac:InvoicePeriod/cbc:EndDate", namespaces=NS), "2025-03-31"
        )
        binary = tree.find(
            "cac:AdditionalDocumentReference/cac:Attachment/cbc:EmbeddedDocumentBinaryObject",
            namespaces=NS,
        )
        self.assertIsNotNone(binary)
        self.assertEqual(binary.get("mimeCode"), "application/pdf")
        self.assertEqual(binary.get("filename"), _period.report_attachment_id.name)
        # The UBL order of the elements: the contract before the documents.
        names = [etree.QName(node).localname for node in tree]
        self.assertLess(
            names.index("ContractDocumentReference"),
            names.index("AdditionalDocumentReference"),
        )

    def test_factur_x(self):
        move, _period = self._invoice_with_report()
        xml, errors = self.env["account.edi.xml.cii"]._export_invoice(move)
        self.assertFalse(errors, "Odoo's Factur-X (EN 16931) checks")
        tree = etree.fromstring(xml)
        agreement = tree.find(".//ram:ApplicableHeaderTradeAgreement", namespaces=NS)
        self.assertEqual(
            agreement.findtext(
                "ram:ContractReferencedDocument/ram:IssuerAssignedID", namespaces=NS
            ),
            self.contract.name,
        )
        self.assertEqual(
            agreement.findtext(
                "ram:BuyerOrderReferencedDocument/ram:IssuerAssignedID", namespaces=NS
            ),
            "PO-2025-0042",
        )
        self.assertEqual(
            agreement.findtext("ram:BuyerReference", namespaces=NS), "SE-CHORUS-7"
        )
        document = agreement.find("ram:AdditionalReferencedDocument", namespaces=NS)
        self.assertEqual(document.findtext("ram:TypeCode", namespaces=NS), "916")
        self.assertEqual(
            document.find("ram:AttachmentBinaryObject", namespaces=NS).get("mimeCode"),
            "application/pdf",
        )
        period = tree.find(
            ".//ram:ApplicableHeaderTradeSettlement/ram:BillingSpecifiedPeriod",
            namespaces=NS,
        )
        self.assertEqual(
            period.findtext("ram:StartDateTime/udt:DateTimeString", namespaces=NS),
            "20250301",
        )
        self.assertEqual(
            period.findtext("ram:EndDateTime/udt:DateTimeString", namespaces=NS),
            "20250331",
        )
