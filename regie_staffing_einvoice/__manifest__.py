{
    "name": "Régie Staffing E-invoicing",
    "summary": "Régie invoices as e-invoices (Factur-X, UBL): contract, purchase "
    "order, buyer reference, service period and the signed activity reports",
    "version": "18.0.1.0.0",
    "category": "Accounting/Localizations/EDI",
    "author": "Régie Staffing Team",
    "website": "https://github.com/regie-staffing/regie-staffing",
    "license": "AGPL-3",
    "depends": ["regie_staffing_invoicing", "account_edi_ubl_cii"],
    "data": ["data/edi_templates.xml"],
    "auto_install": True,
}
