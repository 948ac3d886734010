from odoo import api, fields, models

COMPLIANCE_STATES = [
    ("compliant", "Compliant"),
    ("expiring", "Expiring soon"),
    ("missing", "Missing or expired"),
]


class RegieVigilanceCompliance(models.TransientModel):
    """Compliance report of the providers whose purchase contracts require
    vigilance documents: one row per provider, computed when the report is
    opened from the contracts the user may read (the obligation's rules live
    in Python, on the contract; a SQL view would repeat them)."""

    _name = "regie.vigilance.compliance"
    _description = "Régie Subcontractor Vigilance Compliance"
    _order = "state_sequence desc, next_expiry_date, partner_id"
    _rec_name = "partner_id"

    partner_id = fields.Many2one("res.partner", string="Provider", readonly=True)
    contract_ids = fields.Many2many("regie.contract", string="Contracts", readonly=True)
    contract_count = fields.Integer(string="Number of contracts", readonly=True)
    state = fields.Selection(COMPLIANCE_STATES, string="Compliance", readonly=True)
    state_sequence = fields.Integer(readonly=True)
    missing_documents = fields.Char(
        string="Missing or expired documents", readonly=True
    )
    expiring_documents = fields.Char(string="Documents expiring soon", readonly=True)
    next_expiry_date = fields.Date(
        string="Next expiry",
        readonly=True,
        help="Earliest expiry among the provider's valid documents.",
    )
    unchecked_count = fields.Integer(
        string="Documents to check",
        readonly=True,
        help="Valid documents that no buyer has marked as checked yet.",
    )

    @api.model
    def _regie_rows_values(self):
        Document = self.env["regie.vigilance.document"]
        contracts = Document._regie_required_contracts()
        providers = contracts.partner_id.commercial_partner_id
        status = Document._regie_vigilance_status(providers)
        vals_list = []
        for provider in providers:
            lines = status[provider]
            missing = [
                line for line in lines if line["state"] in ("missing", "expired")
            ]
            expiring = [line for line in lines if line["state"] == "expiring"]
            state = "missing" if missing else "expiring" if expiring else "compliant"
            held = [line for line in lines if line["state"] in ("valid", "expiring")]
            provider_contracts = contracts.filtered(
                lambda contract, provider=provider: (
                    contract.partner_id.commercial_partner_id == provider
                )
            )
            vals_list.append(
                {
                    "partner_id": provider.id,
                    "contract_ids": [fields.Command.set(provider_contracts.ids)],
                    "contract_count": len(provider_contracts),
                    "state": state,
                    "state_sequence": {"compliant": 0, "expiring": 1, "missing": 2}[
                        state
                    ],
                    "missing_documents": ", ".join(line["label"] for line in missing)
                    or False,
                    "expiring_documents": ", ".join(line["label"] for line in expiring)
                    or False,
                    "next_expiry_date": min(
                        (line["expiry_date"] for line in held), default=False
                    ),
                    "unchecked_count": sum(
                        1 for line in held if not line["document"].checked_by_id
                    ),
                }
            )
        return vals_list

    @api.model
    def action_open_report(self):
        """Compute the report for the current user and open it."""
        self.search([("create_uid", "=", self.env.uid)]).unlink()
        self.create(self._regie_rows_values())
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Vigilance compliance"),
            "res_model": self._name,
            "view_mode": "list,pivot,graph",
            "views": [(False, "list"), (False, "pivot"), (False, "graph")],
            "domain": [("create_uid", "=", self.env.uid)],
            "context": {"create": False, "edit": False, "delete": False},
            "target": "current",
        }
