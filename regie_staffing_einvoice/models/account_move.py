import base64

from odoo import models


class AccountMove(models.Model):
    _inherit = "account.move"

    def _regie_einvoice_references(self):
        """{contract, order, buyer}: the references of a régie invoice for
        its e-invoice (EN 16931 BT-12, BT-13, BT-10); Odoo's Chorus Pro fields
        first when they are filled."""
        self.ensure_one()
        contracts = self.sudo().invoice_line_ids.regie_contract_id
        codes = [code for code in contracts.mapped("client_service_code") if code]
        return {
            "contract": (
                self._fields.get("contract_reference") and self.contract_reference
            )
            or ", ".join(contracts.mapped("name")),
            "order": (
                self._fields.get("purchase_order_reference")
                and self.purchase_order_reference
            )
            or self.regie_order_ref
            or False,
            "buyer": (self._fields.get("buyer_reference") and self.buyer_reference)
            or ", ".join(dict.fromkeys(codes)),
        }

    def _regie_einvoice_documents(self):
        """[{name, description, mimetype, data (base64 str)}]: the signed
        activity reports of the months the invoice bills, as supporting
        documents (EN 16931 BG-24)."""
        self.ensure_one()
        documents = []
        for period in self.sudo().regie_period_ids.sorted(
            lambda period: (period.date_from, period.employee_id.name or "")
        ):
            attachment = period.report_attachment_id
            if not attachment or attachment.mimetype != "application/pdf":
                continue
            documents.append(
                {
                    "name": attachment.name,
                    "description": self.env._(
                        "Signed activity report %(month)s, %(consultant)s",
                        month=period.month_label,
                        consultant=period.employee_id.name,
                    ),
                    "mimetype": attachment.mimetype,
                    "data": base64.b64encode(attachment.raw).decode(),
                }
            )
        return documents
