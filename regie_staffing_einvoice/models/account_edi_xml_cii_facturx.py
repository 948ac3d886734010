from datetime import datetime

from odoo import models

# Dates of the CII (format 102).
CII_DATE_FORMAT = "%Y%m%d"


class AccountEdiXmlCii(models.AbstractModel):
    _inherit = "account.edi.xml.cii"

    def _export_invoice_vals(self, invoice):
        vals = super()._export_invoice_vals(invoice)
        if not invoice.invoice_line_ids.regie_contract_id:
            return vals
        references = invoice._regie_einvoice_references()
        vals["contract_reference"] = references["contract"]
        if references["order"]:
            vals["purchase_order_reference"] = references["order"]
        if references["buyer"]:
            vals["buyer_reference"] = references["buyer"]
        if invoice.regie_service_date_from:
            # BG-14: the months billed, not Odoo's invoice-to-due-date span.
            vals["billing_start"] = invoice.regie_service_date_from
            vals["billing_end"] = invoice.regie_service_date_to
        vals["regie_documents"] = invoice._regie_einvoice_documents()
        return vals

    def _regie_import_references(self, tree):
        references = super()._regie_import_references(tree)
        agreement = "./{*}SupplyChainTradeTransaction/{*}ApplicableHeaderTradeAgreement"
        period = (
            "./{*}SupplyChainTradeTransaction/{*}ApplicableHeaderTradeSettlement"
            "/{*}BillingSpecifiedPeriod"
        )
        references.update(
            contract=tree.findtext(
                f"{agreement}/{{*}}ContractReferencedDocument/{{*}}IssuerAssignedID"
            ),
            order=tree.findtext(
                f"{agreement}/{{*}}BuyerOrderReferencedDocument/{{*}}IssuerAssignedID"
            ),
            date_from=_to_date(
                tree.findtext(f"{period}/{{*}}StartDateTime/{{*}}DateTimeString")
            ),
            date_to=_to_date(
                tree.findtext(f"{period}/{{*}}EndDateTime/{{*}}DateTimeString")
            ),
        )
        return references


def _to_date(text):
    try:
        return datetime.strptime(text.strip(), CII_DATE_FORMAT).date() if text else None
    except ValueError:
        return None
