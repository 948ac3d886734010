import logging

from odoo import models
from odoo.exceptions import UserError

_logger = logging.getLogger(__name__)


class AccountEdiCommon(models.AbstractModel):
    _inherit = "account.edi.common"

    def _import_invoice_ubl_cii(self, invoice, file_data, new=False):
        imported = super()._import_invoice_ubl_cii(invoice, file_data, new=new)
        if not imported or invoice.move_type not in ("in_invoice", "in_refund"):
            return imported
        references = self._regie_import_references(file_data["xml_tree"])
        try:
            # The assignment never makes the import itself fail: its own
            # savepoint, and the bill stays to assign by hand.
            with self.env.cr.savepoint():
                invoice._regie_assign_einvoice(references)
        except UserError as error:
            _logger.info("Régie assignment of %s failed: %s", invoice, error)
            invoice._message_log(
                body=self.env._(
                    "The e-invoice could not be assigned to a régie purchase "
                    "contract: %(error)s",
                    error=str(error),
                )
            )
        return imported

    def _regie_import_references(self, tree):
        """{contract, order, date_from, date_to}: the contract reference
        (EN 16931 BT-12), the purchase order (BT-13) and the invoicing period
        (BG-14) of a received e-invoice, per format."""
        return {}
