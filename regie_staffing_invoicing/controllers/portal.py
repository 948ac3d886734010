from odoo.addons.regie_staffing.controllers.portal import RegiePortal


class RegieInvoicingPortal(RegiePortal):
    """The provider's contact sees, on his purchase contract's portal page,
    its validated months with what to bill for each: days (and hours), the
    purchase daily rate, the untaxed amount, whether it is billed, and the
    signed activity report."""

    def _regie_contract_page_values(self, contract, months):
        values = super()._regie_contract_page_values(contract, months)
        if contract.direction == "purchase":
            # ``months`` are within the portal domain: validated or invoiced.
            values["provider_rows"] = months._get_provider_portal_values()
        return values
