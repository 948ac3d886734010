from odoo import models


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
