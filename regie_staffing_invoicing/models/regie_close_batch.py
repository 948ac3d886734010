from odoo import api, fields, models
from odoo.exceptions import UserError


class RegieCloseBatch(models.Model):
    _inherit = "regie.close.batch"

    operation = fields.Selection(
        selection_add=[("invoice", "Invoice")], ondelete={"invoice": "cascade"}
    )
    invoice_date = fields.Date(
        readonly=True, help="Date of the invoices (empty: the day they are made)."
    )

    @api.model
    def _check_enqueue(self, operation, records, vals):
        """From a list (or a retry), refuse at once what invoicing the months
        would refuse for all of them: a wrong invoice date, months that are
        not validated or have no day to invoice. The monthly scheduled action
        selects only months it can invoice."""
        vals = super()._check_enqueue(operation, records, vals)
        if operation != "invoice" or not self.env.context.get("regie_close_batch"):
            return vals
        invoice_date = vals.get("invoice_date")
        day = records._check_invoice_preconditions(invoice_date)
        return {**vals, "invoice_date": day if invoice_date else False}

    def _prepare_retry_values(self):
        return {**super()._prepare_retry_values(), "invoice_date": self.invoice_date}

    @api.model
    def _get_todo_ids(self, operation, records):
        """Months invoiced together (same company and client or provider)
        follow each other, so that a chunk never splits an invoice."""
        if operation != "invoice":
            return super()._get_todo_ids(operation, records)
        return records.sudo().sorted(self._get_invoice_chunk_key).ids

    @api.model
    def _get_invoice_chunk_key(self, period):
        """Processing order of the months to invoice; its first two values
        (company, client or provider) are what a chunk keeps together."""
        contract = period.contract_id
        return (
            contract.company_id.id,
            contract.partner_id.commercial_partner_id.id,
            contract.id,
            period.date_from,
            period.id,
        )

    def _get_chunk_ids(self, todo, chunk_size):
        ids = super()._get_chunk_ids(todo, chunk_size)
        if self.operation != "invoice" or len(ids) == len(todo):
            return ids
        # Extend the chunk to the last month of its client or provider.
        periods = self.env["regie.timesheet.period"].sudo()
        last = self._get_invoice_chunk_key(periods.browse(ids[-1]))[:2]
        for period in periods.browse(todo[len(ids) :]).exists():
            if self._get_invoice_chunk_key(period)[:2] != last:
                break
            ids.append(period.id)
        return ids

    def _run_invoice(self, periods):
        """Invoice the months as the accountant who asked: contracts that
        cannot be invoiced are skipped with their reason, the others are
        invoiced (one invoice per contract or client and invoicing period)."""
        failures = {}
        not_invoiceable = periods.sudo().filtered(
            lambda period: period.state != "validated"
        )
        for period in not_invoiceable:
            failures[period.id] = periods._get_not_invoiceable_message(period)
        to_invoice = periods - periods.browse(not_invoiceable.ids)
        if not to_invoice:
            return failures
        try:
            failures.update(self._invoice_in_savepoint(to_invoice))
        except UserError as error:
            if len(to_invoice.sudo().contract_id) == 1:
                reason = self._get_failure_reason(error)
                failures.update(dict.fromkeys(to_invoice.ids, reason))
                return failures
            # Contract by contract: one contract's refusal stops only its months.
            for periods_of_contract in to_invoice.grouped(
                lambda period: period.sudo().contract_id
            ).values():
                try:
                    failures.update(self._invoice_in_savepoint(periods_of_contract))
                except UserError as error:
                    reason = self._get_failure_reason(error)
                    failures.update(dict.fromkeys(periods_of_contract.ids, reason))
        return failures

    def _invoice_in_savepoint(self, periods):
        """Invoice ``periods``; return {id: reason} of the months of the
        contracts skipped."""
        with self._savepoint():
            action = periods.action_create_invoice(
                invoice_date=self.invoice_date or None
            )
        summary = (action.get("context") or {}).get("regie_invoicing_summary", {})
        skipped = {
            item["contract_id"]: item["reason"] for item in summary.get("skipped", [])
        }
        return {
            period.id: skipped[period.contract_id.id]
            for period in periods.sudo()
            if period.contract_id.id in skipped
        }
