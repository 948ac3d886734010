from odoo import SUPERUSER_ID, api

# The read-all rules of the accountants on régie records (noupdate data).
ACCOUNTANT_RULES = (
    "regie_contract_rule_accountant",
    "regie_mission_rule_accountant",
    "regie_mission_rate_rule_accountant",
    "regie_timesheet_period_rule_accountant",
    "regie_timesheet_dispute_rule_accountant",
    "regie_contract_clause_rule_accountant",
    "regie_contract_kpi_rule_accountant",
    "regie_mission_deliverable_rule_accountant",
    "regie_review_rule_accountant",
    "regie_review_kpi_value_rule_accountant",
    "account_analytic_line_rule_regie_accountant",
)


def migrate(cr, version):
    """The accountants' rules on régie records move from Odoo's Invoicing group
    to the régie accountants' group (the update does not rewrite noupdate
    rules). Existing accountants get the new group from an administrator
    (Settings → Users). The régie day product books as a service in every
    company's chart from this version on (it was booked as goods)."""
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    group = env.ref("regie_staffing_invoicing.group_regie_accountant")
    for name in ACCOUNTANT_RULES:
        rule = env.ref(f"regie_staffing_invoicing.{name}", raise_if_not_found=False)
        if rule:
            rule.groups = group
            rule.name = rule.name.replace(": accountants", ": régie accountants")
    env["product.product"]._regie_apply_service_defaults()
