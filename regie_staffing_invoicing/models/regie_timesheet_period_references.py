from odoo import api, models


class RegieTimesheetPeriod(models.Model):
    _inherit = "regie.timesheet.period"

    @api.model
    def _prepare_invoice_group_values(self, group):
        """Also the service period (first and last day of the months billed),
        the purchase order the invoice consumes, and where Odoo's French
        e-invoicing has them (Chorus Pro), the contract reference (BT-12), the
        purchase order (BT-13) and the public client's service code (BT-10)."""
        vals = super()._prepare_invoice_group_values(group)
        contracts = group["contracts"].sudo()
        periods = group["periods"]
        vals["regie_service_date_from"] = min(periods.mapped("date_from"))
        vals["regie_service_date_to"] = max(periods.mapped("date_to"))
        orders = list(
            dict.fromkeys(
                contracts.filtered("client_order_ref").mapped("client_order_ref")
            )
        )
        if len(orders) == 1:
            vals["regie_order_ref"] = orders[0]
        move_fields = self.env["account.move"]._fields
        if "contract_reference" in move_fields:
            vals["contract_reference"] = ", ".join(contracts.mapped("name"))
        if group["vals"]["move_type"] != "out_invoice":
            return vals
        if "purchase_order_reference" in move_fields and orders:
            vals["purchase_order_reference"] = ", ".join(orders)
        codes = list(
            dict.fromkeys(
                contracts.filtered("client_service_code").mapped("client_service_code")
            )
        )
        if "buyer_reference" in move_fields and codes:
            vals["buyer_reference"] = ", ".join(codes)
        return vals
