{
    "name": "Régie Staffing Invoicing",
    "summary": "Invoice validated régie months at the daily rate (TJM): customer "
    "invoices and vendor bills",
    "version": "18.0.1.1.0",
    "category": "Accounting/Accounting",
    "author": "Régie Staffing Team",
    "website": "https://github.com/regie-staffing/regie-staffing",
    "license": "AGPL-3",
    "depends": ["regie_staffing", "account"],
    "data": [
        "security/regie_staffing_invoicing_groups.xml",
        "security/ir.model.access.csv",
        "security/regie_staffing_invoicing_rules.xml",
        "security/regie_close_batch_security.xml",
        "data/product_product_data.xml",
        "data/regie_staffing_invoicing_data.xml",
        "views/regie_price_index_views.xml",
        "views/regie_contract_views.xml",
        "views/regie_mission_views.xml",
        "views/regie_timesheet_period_views.xml",
        "views/regie_close_batch_views.xml",
        "views/account_move_views.xml",
        "views/account_move_references_views.xml",
        "views/account_move_vigilance_views.xml",
        "report/account_invoice_report.xml",
        "views/regie_margin_report_views.xml",
        "views/regie_staffing_invoicing_menus.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "regie_staffing_invoicing/static/tests/tours/**/*",
        ],
    },
    "demo": [
        "demo/regie_price_index_demo.xml",
        "demo/account_move_demo.xml",
    ],
}
