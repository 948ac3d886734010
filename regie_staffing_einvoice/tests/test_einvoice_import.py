import io
from datetime import date

from odoo import Command, fields
from odoo.tests import tagged
from odoo.tests.common import new_test_user
from odoo.tools.pdf import OdooPdfFileWriter

from odoo.addons.regie_staffing_invoicing.tests.common import RegieInvoicingCommon

MARCH = date(2025, 3, 1)
MARCH_END = date(2025, 3, 31)
PROVIDER_VAT = "FR44732829320"

CII = """<?xml version="1.0" encoding="UTF-8"?>
<rsm:CrossIndustryInvoice
    xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
    xmlns:ram="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
    xmlns:udt="urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100">
  <rsm:ExchangedDocumentContext>
    <ram:GuidelineSpecifiedDocumentContextParameter>
      <ram:ID>urn:cen.eu:en16931:2017</ram:ID>
    </ram:GuidelineSpecifiedDocumentContextParameter>
  </rsm:ExchangedDocumentContext>
  <rsm:ExchangedDocument>
    <ram:ID>{number}</ram:ID>
    <ram:TypeCode>{type_code}</ram:TypeCode>
    <ram:IssueDateTime>
      <udt:DateTimeString format="102">20250403</udt:DateTimeString>
    </ram:IssueDateTime>
  </rsm:ExchangedDocument>
  <rsm:SupplyChainTradeTransaction>
    <ram:IncludedSupplyChainTradeLineItem>
      <ram:AssociatedDocumentLineDocument>
        <ram:LineID>1</ram:LineID>
      </ram:AssociatedDocumentLineDocument>
      <ram:SpecifiedTradeProduct>
        <ram:Name>{line_name}</ram:Name>
      </ram:SpecifiedTradeProduct>
      <ram:SpecifiedLineTradeAgreement>
        <ram:NetPriceProductTradePrice>
          <ram:ChargeAmount>{price}</ram:ChargeAmount>
        </ram:NetPriceProductTradePrice>
      </ram:SpecifiedLineTradeAgreement>
      <ram:SpecifiedLineTradeDelivery>
        <ram:BilledQuantity unitCode="DAY">{days}</ram:BilledQuantity>
      </ram:SpecifiedLineTradeDelivery>
      <ram:SpecifiedLineTradeSettlement>
        <ram:ApplicableTradeTax>
          <ram:TypeCode>VAT</ram:TypeCode>
          <ram:CategoryCode>S</ram:CategoryCode>
          <ram:RateApplicablePercent>20.0</ram:RateApplicablePercent>
        </ram:ApplicableTradeTax>
        <ram:SpecifiedTradeSettlementLineMonetarySummation>
          <ram:LineTotalAmount>{total}</ram:LineTotalAmount>
        </ram:SpecifiedTradeSettlementLineMonetarySummation>
      </ram:SpecifiedLineTradeSettlement>
    </ram:IncludedSupplyChainTradeLineItem>
    <ram:ApplicableHeaderTradeAgreement>
      <ram:SellerTradeParty>
        <ram:Name>Freelance SARL</ram:Name>
        <ram:SpecifiedTaxRegistration>
          <ram:ID schemeID="VA">{vat}</ram:ID>
        </ram:SpecifiedTaxRegistration>
      </ram:SellerTradeParty>
      <ram:BuyerTradeParty>
        <ram:Name>ESN SAS</ram:Name>
      </ram:BuyerTradeParty>
      {agreement}
    </ram:ApplicableHeaderTradeAgreement>
    <ram:ApplicableHeaderTradeDelivery/>
    <ram:ApplicableHeaderTradeSettlement>
      <ram:InvoiceCurrencyCode>EUR</ram:InvoiceCurrencyCode>
      <ram:BillingSpecifiedPeriod>
        <ram:StartDateTime>
          <udt:DateTimeString format="102">{date_from}</udt:DateTimeString>
        </ram:StartDateTime>
        <ram:EndDateTime>
          <udt:DateTimeString format="102">{date_to}</udt:DateTimeString>
        </ram:EndDateTime>
      </ram:BillingSpecifiedPeriod>
      <ram:SpecifiedTradeSettlementHeaderMonetarySummation>
        <ram:LineTotalAmount>{total}</ram:LineTotalAmount>
        <ram:TaxBasisTotalAmount>{total}</ram:TaxBasisTotalAmount>
        <ram:GrandTotalAmount>{total}</ram:GrandTotalAmount>
        <ram:DuePayableAmount>{total}</ram:DuePayableAmount>
      </ram:SpecifiedTradeSettlementHeaderMonetarySummation>
    </ram:ApplicableHeaderTradeSettlement>
  </rsm:SupplyChainTradeTransaction>
</rsm:CrossIndustryInvoice>
"""

UBL = """<?xml version="1.0" encoding="UTF-8"?>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
    xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
    xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
  <cbc:CustomizationID>urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0</cbc:CustomizationID>
  <cbc:ProfileID>urn:fdc:peppol.eu:2017:poacc:billing:01:1.0</cbc:ProfileID>
  <cbc:ID>FL-2025-032</cbc:ID>
  <cbc:IssueDate>2025-04-03</cbc:IssueDate>
  <cbc:InvoiceTypeCode>380</cbc:InvoiceTypeCode>
  <cbc:DocumentCurrencyCode>EUR</cbc:DocumentCurrencyCode>
  <cac:InvoicePeriod>
    <cbc:StartDate>2025-03-01</cbc:StartDate>
    <cbc:EndDate>2025-03-31</cbc:EndDate>
  </cac:InvoicePeriod>
  <cac:OrderReference>
    <cbc:ID>{order}</cbc:ID>
  </cac:OrderReference>
  <cac:AccountingSupplierParty>
    <cac:Party>
      <cac:PartyName><cbc:Name>Freelance SARL</cbc:Name></cac:PartyName>
      <cac:PartyTaxScheme>
        <cbc:CompanyID>{vat}</cbc:CompanyID>
        <cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme>
      </cac:PartyTaxScheme>
    </cac:Party>
  </cac:AccountingSupplierParty>
  <cac:AccountingCustomerParty>
    <cac:Party><cac:PartyName><cbc:Name>ESN SAS</cbc:Name></cac:PartyName></cac:Party>
  </cac:AccountingCustomerParty>
  <cac:LegalMonetaryTotal>
    <cbc:LineExtensionAmount currencyID="EUR">2500.00</cbc:LineExtensionAmount>
    <cbc:TaxExclusiveAmount currencyID="EUR">2500.00</cbc:TaxExclusiveAmount>
    <cbc:PayableAmount currencyID="EUR">2500.00</cbc:PayableAmount>
  </cac:LegalMonetaryTotal>
  <cac:InvoiceLine>
    <cbc:ID>1</cbc:ID>
    <cbc:InvoicedQuantity unitCode="DAY">5.0</cbc:InvoicedQuantity>
    <cbc:LineExtensionAmount currencyID="EUR">2500.00</cbc:LineExtensionAmount>
    <cac:Item>
      <cbc:Name>Régie March 2025</cbc:Name>
      <cac:ClassifiedTaxCategory>
        <cbc:ID>S</cbc:ID>
        <cbc:Percent>20.0</cbc:Percent>
        <cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme>
      </cac:ClassifiedTaxCategory>
    </cac:Item>
    <cac:Price><cbc:PriceAmount currencyID="EUR">500.00</cbc:PriceAmount></cac:Price>
  </cac:InvoiceLine>
</Invoice>
"""


@tagged("post_install", "-at_install")
class TestRegieEinvoiceImport(RegieInvoicingCommon):
    """A provider's e-invoice imported as a vendor bill (Factur-X PDF, UBL or
    CII XML) is assigned to its purchase contract (by the contract reference
    BT-12, our order number BT-13, else by provider and period BG-14) and
    matched at once against the validated months; when nothing matches, the
    bill's chatter says why. In a French company (French chart)."""

    @classmethod
    @RegieInvoicingCommon.setup_country("fr")
    def setUpClass(cls):
        super().setUpClass()
        cls.provider.vat = PROVIDER_VAT
        cls.purchase = cls._create_contract(
            direction="purchase",
            partner_id=cls.provider.id,
            client_order_ref="BC-2025-77",
        )
        cls.buy_mission = cls._create_mission(cls.purchase)
        cls.march = cls._validated_month(cls.buy_mission, MARCH, days=5)
        cls.journal = cls.company_data["default_journal_purchase"]

    def _import(self, name, content, user=None):
        env = self.env(user=user) if user else self.env
        attachment = env["ir.attachment"].create({"name": name, "raw": content})
        journal = self.journal.with_env(env)
        return journal._create_document_from_attachment(attachment.ids)

    def _facturx(
        self,
        contract=None,
        order=None,
        days=5,
        price=500.0,
        date_from="20250301",
        date_to="20250331",
        line_name="Camille Consultant, March 2025",
        number="FL-2025-031",
        type_code=380,
    ):
        agreement = ""
        if order:
            agreement += (
                "<ram:BuyerOrderReferencedDocument><ram:IssuerAssignedID>"
                f"{order}</ram:IssuerAssignedID></ram:BuyerOrderReferencedDocument>"
            )
        if contract:
            agreement += (
                "<ram:ContractReferencedDocument><ram:IssuerAssignedID>"
                f"{contract}</ram:IssuerAssignedID></ram:ContractReferencedDocument>"
            )
        xml = CII.format(
            agreement=agreement,
            days=days,
            price=f"{price:.2f}",
            total=f"{days * price:.2f}",
            vat=PROVIDER_VAT,
            date_from=date_from,
            date_to=date_to,
            line_name=line_name,
            number=number,
            type_code=type_code,
        )
        writer = OdooPdfFileWriter()
        writer.addBlankPage(595, 842)
        writer.addAttachment("factur-x.xml", xml.encode(), subtype="text/xml")
        buffer = io.BytesIO()
        writer.write(buffer)
        return buffer.getvalue()

    def _note(self, bill):
        notes = bill.message_ids.filtered(
            lambda message: (
                "o_regie" in (message.body or "")
                or "Régie matching of the e-invoice" in (message.body or "")
            )
        )
        self.assertEqual(len(notes), 1, "one note on the régie matching")
        return str(notes.body)

    def test_facturx_contract_reference(self):
        """A Factur-X PDF quoting the contract (BT-12) and the months (BG-14)
        is assigned, its line charges the consultant, it matches the validated
        month and is posted."""
        self.assertEqual(self.env.company.chart_template, "fr")
        content = self._facturx(contract=self.purchase.name)
        bill = self._import("FL-2025-031.pdf", content)
        self.assertEqual(bill.move_type, "in_invoice")
        self.assertEqual(bill.partner_id, self.provider)
        self.assertEqual(bill.regie_contract_id, self.purchase)
        self.assertEqual(bill.regie_match_date_from, MARCH)
        self.assertEqual(bill.regie_match_date_to, MARCH_END)
        self.assertEqual(bill.invoice_line_ids.regie_employee_id, self.employee)
        self.assertEqual(bill.regie_match_state, "equal")
        note = self._note(bill)
        self.assertIn(self.purchase.name, note)
        self.assertIn("BT-12", note)
        self.assertIn("03/01/2025", note)
        self.assertIn("Matches the validated months", note)

    def test_facturx_credit_note(self):
        """The provider's Factur-X credit note (type 381) quoting the contract
        is assigned like his bill: a vendor credit note on the purchase
        contract and its months, netted against the bill it corrects."""
        bill = self._import(
            "FL-2025-031.pdf", self._facturx(contract=self.purchase.name)
        )
        self.assertEqual(bill.regie_match_state, "equal")
        # The provider's vigilance documents are held (a French company).
        self.env["regie.vigilance.document"].create(
            [
                {
                    "partner_id": self.provider.id,
                    "document_type": kind,
                    "issue_date": fields.Date.context_today(bill),
                }
                for kind in ("urssaf", "registration", "foreign_workers")
            ]
        )
        bill.action_post()
        self.assertEqual(self.march.sudo().vendor_bill_id, bill)

        content = self._facturx(
            contract=self.purchase.name, days=1, number="AV-2025-004", type_code=381
        )
        refund = self._import("AV-2025-004.pdf", content)
        self.assertEqual(refund.move_type, "in_refund")
        self.assertEqual(refund.partner_id, self.provider)
        self.assertEqual(refund.regie_contract_id, self.purchase)
        self.assertEqual(
            (refund.regie_match_date_from, refund.regie_match_date_to),
            (MARCH, MARCH_END),
        )
        self.assertEqual(refund.invoice_line_ids.regie_employee_id, self.employee)
        self.assertEqual(refund.amount_untaxed, 500.0)
        note = self._note(refund)
        self.assertIn(self.purchase.name, note)
        self.assertIn("BT-12", note)
        # One day credited on five validated and billed: the provider now
        # charges less than validated.
        self.assertEqual(refund.regie_match_state, "under")
        self.assertEqual(refund.regie_match_difference, -500.0)

    def test_ubl_purchase_order(self):
        """A UBL invoice quoting our order number (BT-13) is assigned by it."""
        content = UBL.format(order="BC-2025-77", vat=PROVIDER_VAT).encode()
        bill = self._import("FL-2025-032.xml", content)
        self.assertEqual(bill.regie_contract_id, self.purchase)
        self.assertEqual(
            (bill.regie_match_date_from, bill.regie_match_date_to), (MARCH, MARCH_END)
        )
        self.assertEqual(bill.regie_match_state, "equal")
        self.assertIn("BT-13", self._note(bill))

    def test_import_by_invoicing_user(self):
        """An accountant with Odoo's Invoicing rights only, who reads no régie
        contract, imports the Factur-X: the bill is assigned and matched."""
        accountant = new_test_user(
            self.env,
            login="einvoice_accountant",
            groups="account.group_account_invoice",
            company_id=self.env.company.id,
            company_ids=self.env.company.ids,
        )
        self.assertFalse(
            self.env["regie.contract"].with_user(accountant).has_access("read")
        )
        bill = self._import(
            "FL-2025-031.pdf",
            self._facturx(contract=self.purchase.name),
            user=accountant,
        )
        self.assertEqual(bill.invoice_line_ids.price_subtotal, 2500.0)
        self.assertEqual(bill.create_uid, accountant)
        # The matching tab is for who reads the contracts (the régie
        # accountants): checked here as the test user.
        bill = bill.with_env(self.env)
        self.assertEqual(bill.regie_contract_id, self.purchase)
        self.assertEqual(bill.regie_match_state, "equal")
        self.assertIn("Matches the validated months", self._note(bill))

    def _bill(self, partner=None):
        return self.env["account.move"].create(
            {
                "move_type": "in_invoice",
                "partner_id": (partner or self.provider).id,
                "invoice_date": date(2025, 4, 3),
                "invoice_line_ids": [
                    Command.create(
                        {
                            "name": "Camille Consultant, March 2025",
                            "quantity": 5,
                            "price_unit": 500.0,
                            "product_uom_id": self.uom_day.id,
                        }
                    )
                ],
            }
        )

    def test_unknown_reference(self):
        other = self.env["res.partner"].create(
            {"name": "Other SAS", "is_company": True}
        )
        bill = self._bill(other)
        bill._regie_assign_einvoice(
            {"contract": "RC-UNKNOWN", "date_from": MARCH, "date_to": MARCH_END}
        )
        self.assertFalse(bill.regie_contract_id)
        note = self._note(bill)
        self.assertIn("RC-UNKNOWN", note)
        self.assertIn("Other SAS has no purchase contract for 03/01/2025", note)
        self.assertIn("by hand", note)

    def test_provider_and_period(self):
        """No reference: the provider's only contract covering the period (the
        month before the invoice date without BG-14)."""
        bill = self._bill()
        bill._regie_assign_einvoice({})
        self.assertEqual(bill.regie_contract_id, self.purchase)
        self.assertEqual(bill.regie_match_date_from, MARCH)
        self.assertEqual(bill.regie_match_state, "equal")
        self.assertIn("provider and period", self._note(bill))

    def test_ambiguous_provider(self):
        second = self._create_contract(
            direction="purchase", partner_id=self.provider.id
        )
        bill = self._bill()
        bill._regie_assign_einvoice(
            {"contract": "RC-UNKNOWN", "date_from": MARCH, "date_to": MARCH_END}
        )
        self.assertFalse(bill.regie_contract_id)
        note = self._note(bill)
        self.assertIn("several purchase contracts", note)
        self.assertIn(self.purchase.name, note)
        self.assertIn(second.name, note)

    def test_no_validated_month(self):
        bill = self._bill()
        bill._regie_assign_einvoice(
            {
                "contract": self.purchase.name,
                "date_from": date(2025, 6, 1),
                "date_to": date(2025, 6, 30),
            }
        )
        self.assertEqual(bill.regie_contract_id, self.purchase)
        self.assertEqual(bill.regie_match_date_from, date(2025, 6, 1))
        self.assertIn("has no validated month from 06/01/2025", self._note(bill))

    def test_other_company_ignored(self):
        """The contracts of another company are not looked up: one quoting
        the same order number makes no ambiguity."""
        other = self.env["res.company"].create({"name": "Other ESN"})
        self.env.user.company_ids |= other
        foreign = (
            self.env["regie.contract"]
            .with_company(other)
            .create(
                {
                    "direction": "purchase",
                    "partner_id": self.provider.id,
                    "company_id": other.id,
                    "user_id": self.env.user.id,
                    "date_start": date(2025, 1, 1),
                    "review_frequency": "none",
                    "client_order_ref": "BC-2025-77",
                }
            )
        )
        foreign.action_activate()
        self.assertEqual(foreign.state, "active")
        bill = self._bill()
        bill._regie_assign_einvoice(
            {"order": "BC-2025-77", "date_from": MARCH, "date_to": MARCH_END}
        )
        self.assertEqual(bill.regie_contract_id, self.purchase)
        note = self._note(bill)
        self.assertIn("BT-13", note)
        self.assertNotIn(foreign.name, note)
