from odoo import fields, models


class AccountEdiXmlUbl20(models.AbstractModel):
    _inherit = "account.edi.xml.ubl_20"

    def _get_invoice_period_vals_list(self, invoice):
        vals_list = super()._get_invoice_period_vals_list(invoice)
        if invoice.regie_service_date_from and not vals_list:
            vals_list = [
                {
                    "start_date": invoice.regie_service_date_from,
                    "end_date": invoice.regie_service_date_to,
                }
            ]
        return vals_list

    def _get_additional_document_reference_list(self, invoice):
        vals_list = super()._get_additional_document_reference_list(invoice)
        for document in invoice._regie_einvoice_documents():
            vals_list.append(
                {
                    "id": document["name"],
                    "document_description": document["description"],
                    "regie_attachment": document,
                }
            )
        return vals_list

    def _export_invoice_vals(self, invoice):
        vals = super()._export_invoice_vals(invoice)
        if invoice.invoice_line_ids.regie_contract_id:
            references = invoice._regie_einvoice_references()
            vals["vals"]["regie_contract_reference"] = references["contract"]
            if references["buyer"]:
                vals["vals"]["buyer_reference"] = references["buyer"]
            if references["order"]:
                vals["vals"]["order_reference"] = references["order"]
        return vals

    def _regie_import_references(self, tree):
        references = super()._regie_import_references(tree)
        references.update(
            contract=tree.findtext("./{*}ContractDocumentReference/{*}ID"),
            order=tree.findtext("./{*}OrderReference/{*}ID"),
            date_from=_to_date(tree.findtext("./{*}InvoicePeriod/{*}StartDate")),
            date_to=_to_date(tree.findtext("./{*}InvoicePeriod/{*}EndDate")),
        )
        return references


def _to_date(text):
    try:
        return fields.Date.to_date(text.strip()) if text else None
    except ValueError:
        return None
