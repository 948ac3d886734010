"""Subcontractor vigilance (Code du travail L8222-1 and D8222-5): for every
purchase contract of 5,000 € a year or more, the company holds from the
provider, at signature and every six months until its end, an URSSAF
certificate of vigilance less than six months old, a registration extract
less than three months old, and the list of its foreign workers subject to a
work permit (or a sworn statement that there are none)."""

from datetime import timedelta

from dateutil.relativedelta import relativedelta
from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import format_date

# Months a document is valid from its issue date.
VALIDITY_MONTHS = {"urssaf": 6, "registration": 3, "foreign_workers": 6}
DOCUMENT_TYPES = [
    ("urssaf", "URSSAF certificate of vigilance"),
    ("registration", "Registration extract (Kbis, RNE or SIRENE)"),
    ("foreign_workers", "Foreign workers list or sworn statement"),
]
# Yearly amount excluding tax from which the obligation applies.
VIGILANCE_THRESHOLD = 5000.0
# Days before a document expires when the provider and the buyer are reminded
# (system parameter, default below).
REMINDER_DAYS_PARAM = "regie_staffing.vigilance_reminder_days"
REMINDER_DAYS_DEFAULT = 15
# Providers reminded per transaction of the daily reminder cron.
REMINDER_BATCH_SIZE = 100
# Contract states in which the provider owes the documents: before signature
# (draft) and until the end (active).
REQUIRED_CONTRACT_STATES = ("draft", "active")


class RegieVigilanceDocument(models.Model):
    _name = "regie.vigilance.document"
    _description = "Régie Subcontractor Vigilance Document"
    _inherit = ["mail.thread"]
    _order = "partner_id, document_type, issue_date desc, id desc"
    _rec_name = "document_type"

    partner_id = fields.Many2one(
        "res.partner",
        string="Provider",
        required=True,
        index=True,
        tracking=True,
        domain="[('is_company', '=', True)]",
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    document_type = fields.Selection(
        DOCUMENT_TYPES, string="Document", required=True, tracking=True
    )
    issue_date = fields.Date(required=True, tracking=True)
    expiry_date = fields.Date(
        compute="_compute_expiry_date",
        store=True,
        help="Issue date plus the legal validity: six months for the URSSAF "
        "certificate and the foreign workers list, three months for the "
        "registration extract.",
    )
    verification_code = fields.Char(
        tracking=True,
        help="Security code of the URSSAF certificate, to check it on the URSSAF site.",
    )
    checked_by_id = fields.Many2one(
        "res.users", string="Checked by", readonly=True, tracking=True
    )
    checked_date = fields.Date(readonly=True)
    document = fields.Binary(string="File", attachment=True)
    document_name = fields.Char()
    uploaded_from_portal = fields.Boolean(
        string="Uploaded from portal",
        readonly=True,
        help="Uploaded by the provider's contact in the portal: to be checked "
        "by a buyer.",
    )
    is_valid = fields.Boolean(
        string="Valid", compute="_compute_is_valid", search="_search_is_valid"
    )

    @api.depends("document_type", "issue_date")
    def _compute_expiry_date(self):
        for document in self:
            months = VALIDITY_MONTHS.get(document.document_type)
            document.expiry_date = (
                document.issue_date + relativedelta(months=months, days=-1)
                if document.issue_date and months
                else False
            )

    @api.depends("expiry_date")
    def _compute_is_valid(self):
        today = fields.Date.context_today(self)
        for document in self:
            document.is_valid = bool(
                document.expiry_date
                and document.issue_date <= today <= document.expiry_date
            )

    def _search_is_valid(self, operator, value):
        today = fields.Date.context_today(self)
        valid = [("issue_date", "<=", today), ("expiry_date", ">=", today)]
        if (operator == "=") == bool(value):
            return valid
        return ["|", ("issue_date", ">", today), ("expiry_date", "<", today)]

    @api.constrains("issue_date")
    def _check_issue_date(self):
        today = fields.Date.context_today(self)
        for document in self:
            if document.issue_date > today:
                raise ValidationError(
                    self.env._(
                        "The issue date of %(document)s of %(partner)s is in the "
                        "future (%(date)s).",
                        document=document._get_type_label(),
                        partner=document.partner_id.display_name,
                        date=format_date(self.env, document.issue_date),
                    )
                )

    def _get_type_label(self):
        self.ensure_one()
        return dict(self._fields["document_type"]._description_selection(self.env)).get(
            self.document_type, ""
        )

    def action_mark_checked(self):
        """Record who checked the document (the URSSAF code on the URSSAF site,
        the extract's date) and when."""
        self.write(
            {
                "checked_by_id": self.env.uid,
                "checked_date": fields.Date.context_today(self),
            }
        )
        return True

    # ------------------------------------------------------------------
    # Compliance of providers (shared by the reminders, the portal and the
    # compliance report)
    # ------------------------------------------------------------------

    @api.model
    def _regie_reminder_days(self):
        value = (
            self.env["ir.config_parameter"]
            .sudo()
            .get_param(REMINDER_DAYS_PARAM, REMINDER_DAYS_DEFAULT)
        )
        try:
            return max(int(value), 0)
        except (TypeError, ValueError):
            return REMINDER_DAYS_DEFAULT

    @api.model
    def _regie_required_contracts(
        self, providers=None, states=REQUIRED_CONTRACT_STATES
    ):
        """Purchase contracts (readable by the caller's environment) for which
        the provider's vigilance documents are required, optionally only
        those of ``providers`` (commercial entities)."""
        domain = [
            ("direction", "=", "purchase"),
            ("state", "in", states),
            ("partner_id", "!=", False),
            # A French company's (the Code du travail's); company.country_id
            # is not stored, its partner's is.
            ("company_id.partner_id.country_id.code", "=", "FR"),
        ]
        if providers is not None:
            domain.append(
                (
                    "partner_id.commercial_partner_id",
                    "in",
                    providers.commercial_partner_id.ids,
                )
            )
        contracts = self.env["regie.contract"].search(domain)
        return contracts.filtered("vigilance_required")

    @api.model
    def _regie_vigilance_status(self, providers, day=None):
        """{provider: [line per document type]} for these commercial
        partners, each line a dict with ``type``, ``label``, ``state``
        (valid, expiring, expired or missing), ``document`` (the latest one,
        sudo, possibly empty) and ``expiry_date``."""
        day = day or fields.Date.context_today(self)
        horizon = day + timedelta(days=self._regie_reminder_days())
        labels = dict(self._fields["document_type"]._description_selection(self.env))
        documents = self.sudo().search(
            [
                ("partner_id", "in", providers.ids),
                ("issue_date", "<=", day),
            ],
            order="expiry_date desc, id desc",
        )
        latest = {}
        for document in documents:
            latest.setdefault(
                (document.partner_id.id, document.document_type), document
            )
        status = {}
        for provider in providers:
            lines = []
            for kind, _label in DOCUMENT_TYPES:
                document = latest.get((provider.id, kind), self.sudo().browse())
                expiry = document.expiry_date
                if not document:
                    state = "missing"
                elif expiry < day:
                    state = "expired"
                elif expiry <= horizon:
                    state = "expiring"
                else:
                    state = "valid"
                lines.append(
                    {
                        "type": kind,
                        "label": labels[kind],
                        "state": state,
                        "document": document,
                        "expiry_date": expiry or False,
                    }
                )
            status[provider] = lines
        return status

    @api.model
    def _regie_state_labels(self):
        return {
            "valid": self.env._("Valid"),
            "expiring": self.env._("Expiring soon"),
            "expired": self.env._("Expired"),
            "missing": self.env._("Missing"),
        }

    # ------------------------------------------------------------------
    # Reminders
    # ------------------------------------------------------------------

    @api.model
    def _cron_send_reminders(self, batch_size=REMINDER_BATCH_SIZE):
        """Daily: remind the providers of the active purchase contracts that
        require vigilance documents, and the contracts' buyers, of the
        documents missing, expired or expiring within the configured number
        of days; once per provider, document type and expiry (the reminders
        sent are remembered). Providers are processed ``batch_size`` per
        transaction; the cron is called again at once while some remain."""
        today = fields.Date.context_today(self)
        contracts = self._regie_required_contracts(states=("active",))
        providers = contracts.partner_id.commercial_partner_id
        status = self._regie_vigilance_status(providers, today)
        Reminder = self.env["regie.vigilance.reminder"].sudo()
        sent = {
            (reminder.partner_id.id, reminder.document_type, reminder.expiry_date)
            for reminder in Reminder.search([("partner_id", "in", providers.ids)])
        }
        due = {}
        for provider, lines in status.items():
            lines = [
                line
                for line in lines
                if line["state"] != "valid"
                and (provider.id, line["type"], line["expiry_date"]) not in sent
            ]
            if lines:
                due[provider] = lines
        batch = list(due)[:batch_size]
        for provider in batch:
            provider_contracts = contracts.filtered(
                lambda contract, provider=provider: (
                    contract.partner_id.commercial_partner_id == provider
                )
            )
            self._regie_send_reminder(provider, due[provider], provider_contracts)
        self.env["ir.cron"]._notify_progress(
            done=len(batch), remaining=len(due) - len(batch)
        )
        return True

    @api.model
    def _regie_send_reminder(self, provider, lines, contracts):
        """Mail the provider's contacts on ``contracts`` (the template, in
        each one's language, with the portal upload link), schedule an
        activity for each contract's account manager and remember the
        reminder of every line."""
        template = self.env.ref(
            "regie_staffing.mail_template_regie_vigilance_reminder",
            raise_if_not_found=False,
        )
        base_url = provider.get_base_url()
        company = contracts.company_id[:1]
        # The contacts named on the contracts, else the provider's address,
        # else its contacts who have a portal account.
        recipients = (
            contracts.partner_id.filtered("email")
            or provider.filtered("email")
            or provider.child_ids.filtered(
                lambda contact: contact.email and contact.user_ids
            )
        )
        for recipient in recipients:
            if not template:
                break
            env = self.with_context(lang=recipient.lang or self.env.lang)
            states = env._regie_state_labels()
            labels = dict(env._fields["document_type"]._description_selection(env.env))
            template.with_context(
                regie_company=company,
                regie_portal_url=f"{base_url}/my/vigilance",
                regie_lines=[
                    {
                        "label": labels[line["type"]],
                        "state": states[line["state"]],
                        "expiry": format_date(
                            env.env, line["expiry_date"], lang_code=recipient.lang
                        )
                        if line["expiry_date"]
                        else "",
                    }
                    for line in lines
                ],
            ).send_mail(recipient.id, email_layout_xmlid="mail.mail_notification_light")
        states = self._regie_state_labels()
        summary = self.env._("Vigilance documents of %s", provider.display_name)
        items = []
        for line in lines:
            if line["expiry_date"]:
                text = self.env._(
                    "%(document)s: %(state)s, expiry %(date)s",
                    document=line["label"],
                    state=states[line["state"]],
                    date=format_date(self.env, line["expiry_date"]),
                )
            else:
                text = self.env._(
                    "%(document)s: %(state)s",
                    document=line["label"],
                    state=states[line["state"]],
                )
            items.append(Markup("<li>%s</li>") % text)
        note = Markup("<ul>%s</ul>") % Markup().join(items)
        deadline = min(
            [line["expiry_date"] for line in lines if line["expiry_date"]]
            or [fields.Date.context_today(self)]
        )
        deadline = max(deadline, fields.Date.context_today(self))
        for contract in contracts:
            user = contract.user_id or contract.project_lead_ids[:1]
            contract.sudo().activity_schedule(
                "mail.mail_activity_data_todo",
                date_deadline=deadline,
                summary=summary,
                note=note,
                user_id=(user or self.env.user).id,
            )
        self.env["regie.vigilance.reminder"].sudo().create(
            [
                {
                    "partner_id": provider.id,
                    "document_type": line["type"],
                    "expiry_date": line["expiry_date"],
                    "document_id": line["document"].id,
                }
                for line in lines
            ]
        )
