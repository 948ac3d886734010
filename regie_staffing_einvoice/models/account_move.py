import base64

from dateutil.relativedelta import relativedelta
from markupsafe import Markup

from odoo import fields, models
from odoo.tools import format_amount, format_date

from odoo.addons.regie_staffing_invoicing.models.account_move_regie_matching import (
    MATCHED_STATES,
)

# Contracts whose provider may still bill: not draft nor cancelled.
BILLABLE_CONTRACT_STATES = ("active", "terminated", "expired")


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

    # ------------------------------------------------------------------
    # Import of a provider's e-invoice
    # ------------------------------------------------------------------

    def _regie_assign_einvoice(self, references):
        """Assign a provider's imported e-invoice to its purchase contract and
        say in the chatter how it matches the validated months.

        :param references: {contract, order, date_from, date_to}: BT-12,
            BT-13 and the invoicing period BG-14 read in the e-invoice.
        """
        self.ensure_one()
        if (
            self.move_type not in ("in_invoice", "in_refund")
            or self.state != "draft"
            or self.regie_contract_id
        ):
            return
        date_from = references.get("date_from")
        date_to = references.get("date_to")
        if not (date_from and date_to) or date_to < date_from:
            date_from = date_to = None
        contract, basis, notes = self._regie_find_einvoice_contract(
            references, date_from, date_to
        )
        if not contract:
            notes.append(
                self.env._(
                    "Assign the régie contract by hand in the tab Régie matching."
                )
            )
            self._regie_log_einvoice(notes)
            return
        vals = {"regie_contract_id": contract.id}
        if date_from:
            vals.update(regie_match_date_from=date_from, regie_match_date_to=date_to)
        self.write(vals)
        self._regie_set_einvoice_consultants()
        notes.append(
            self.env._(
                "Assigned to purchase contract %(contract)s by %(basis)s, for the "
                "months from %(date_from)s to %(date_to)s.",
                contract=contract.name,
                basis=basis,
                date_from=format_date(self.env, self.regie_match_date_from),
                date_to=format_date(self.env, self.regie_match_date_to),
            )
        )
        notes.append(self._regie_einvoice_match_note())
        self._regie_log_einvoice(notes)

    def _regie_find_einvoice_contract(self, references, date_from, date_to):
        """(contract, basis, notes): the purchase contract of the bill's
        company an e-invoice quotes (by its reference BT-12, else by our order
        number BT-13 the provider quotes), else the provider's only contract
        covering the invoicing period; the notes say why none was found."""
        # The importing accountant may hold Odoo's Invoicing rights only, which
        # read no régie contract: the lookup is made as superuser, restricted to
        # the purchase contracts of the bill's company (its journal's) and, for
        # a quoted reference, of the bill's provider. Only the found contract's
        # reference is written on the bill, as the importing user.
        contracts = self.env["regie.contract"].sudo()
        provider = self.partner_id.commercial_partner_id
        domain = [
            ("direction", "=", "purchase"),
            ("company_id", "=", self.company_id.id),
            ("state", "in", BILLABLE_CONTRACT_STATES),
        ]
        notes = []
        for field_name, reference, basis in (
            (
                "name",
                references.get("contract"),
                self.env._("its contract reference (BT-12)"),
            ),
            (
                "client_order_ref",
                references.get("order"),
                self.env._("its purchase order number (BT-13)"),
            ),
        ):
            reference = (reference or "").strip()
            if not reference:
                continue
            found = contracts.search(domain + [(field_name, "=", reference)])
            if provider:
                found = found.filtered(
                    lambda contract: (
                        contract.partner_id.commercial_partner_id == provider
                    )
                )
            if len(found) == 1:
                return found, basis, notes
            if found:
                notes.append(
                    self.env._(
                        "Several purchase contracts quote %(reference)s: "
                        "%(contracts)s.",
                        reference=reference,
                        contracts=", ".join(found.mapped("name")),
                    )
                )
            else:
                notes.append(
                    self.env._(
                        "No purchase contract of %(provider)s has the reference "
                        "%(reference)s quoted by the e-invoice.",
                        provider=provider.display_name or self.env._("the provider"),
                        reference=reference,
                    )
                )
        if not provider:
            notes.append(
                self.env._(
                    "The provider of the e-invoice is unknown: no purchase contract "
                    "can be looked up."
                )
            )
            return contracts, None, notes
        if not date_from:
            # As the matching proposes: the month before the invoice's.
            day = self.invoice_date or fields.Date.context_today(self)
            date_from = day + relativedelta(months=-1, day=1)
            date_to = date_from + relativedelta(day=31)
        found = contracts.search(
            domain
            + [
                ("partner_id", "child_of", provider.id),
                ("date_start", "<=", date_to),
                "|",
                ("date_end", "=", False),
                ("date_end", ">=", date_from),
            ]
        )
        if len(found) == 1:
            return found, self.env._("its provider and period"), notes
        if found:
            notes.append(
                self.env._(
                    "%(provider)s has several purchase contracts for %(date_from)s "
                    "to %(date_to)s: %(contracts)s.",
                    provider=provider.display_name,
                    date_from=format_date(self.env, date_from),
                    date_to=format_date(self.env, date_to),
                    contracts=", ".join(found.mapped("name")),
                )
            )
        else:
            notes.append(
                self.env._(
                    "%(provider)s has no purchase contract for %(date_from)s to "
                    "%(date_to)s.",
                    provider=provider.display_name,
                    date_from=format_date(self.env, date_from),
                    date_to=format_date(self.env, date_to),
                )
            )
        return contracts.browse(), None, notes

    def _regie_set_einvoice_consultants(self):
        """Day or hour lines of an imported bill charge a consultant of its
        contract: the one named in the line, else the contract's only one, so
        that they are compared with the validated months."""
        contract = self.regie_contract_id
        employees = (
            self.env["regie.mission"]
            .sudo()
            .search([("contract_id", "=", contract.id)])
            .employee_id
        )
        day_uom = self.env.ref("uom.product_uom_day")
        products = contract.sudo().product_id
        for line in self.invoice_line_ids:
            if (
                line.display_type != "product"
                or line.regie_employee_id
                or (line.product_id and line.product_id in products)
                or line.product_uom_id.category_id != day_uom.category_id
            ):
                continue
            label = (line.name or "").casefold()
            named = employees.filtered(
                lambda employee, label=label: (
                    employee.name and employee.name.casefold() in label
                )
            )
            employee = named if len(named) == 1 else employees
            if len(employee) == 1:
                line.regie_employee_id = employee

    def _regie_einvoice_match_note(self):
        """The outcome of the matching of an assigned bill, in a sentence."""
        contract = self.regie_contract_id.sudo()
        # Same months as the matching compares.
        first = self.regie_match_date_from + relativedelta(day=1)
        months = (
            self.env["regie.timesheet.period"]
            .sudo()
            .search_count(
                [
                    ("contract_id", "=", contract.id),
                    ("state", "in", MATCHED_STATES),
                    ("date_from", ">=", first),
                    ("date_from", "<=", self.regie_match_date_to),
                ]
            )
        )
        if not months:
            return self.env._(
                "Contract %(contract)s has no validated month from %(date_from)s to "
                "%(date_to)s: nothing to match.",
                contract=contract.name,
                date_from=format_date(self.env, self.regie_match_date_from),
                date_to=format_date(self.env, self.regie_match_date_to),
            )
        # An accountant with Invoicing rights only reads no contract: the
        # outcome (state and total difference, no consultant's details) is
        # computed as superuser; the bill's tab shows the details to those who
        # may read the contract.
        data = self.sudo()._regie_get_match_data()[self.id]
        state = dict(
            self._fields["regie_match_state"]._description_selection(self.env)
        )[data["state"]]
        if data["state"] == "equal":
            return self.env._("Matching: %(state)s.", state=state)
        return self.env._(
            "Matching: %(state)s (difference %(amount)s).",
            state=state,
            amount=format_amount(self.env, data["difference"], self.currency_id),
        )

    def _regie_log_einvoice(self, notes):
        body = Markup("<p><strong>%s</strong></p><ul>%s</ul>") % (
            self.env._("Régie matching of the e-invoice"),
            Markup("").join(Markup("<li>%s</li>") % note for note in notes),
        )
        self._message_log(body=body)
