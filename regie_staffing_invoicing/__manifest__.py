{
    "name": "Régie Staffing Invoicing",
    "summary": "Invoice validated régie months at the daily rate (TJM): customer "
    "invoices and vendor bills",
    "version": "18.0.1.0.0",
    "category": "Accounting/Accounting",
    "author": "Régie Staffing Team",
    "website": "https://github.com/regie-staffing/regie-staffing",
    "license": "AGPL-3",
    "depends": ["regie_staffing", "account"],
    "data": [
        "security/ir.model.access.csv",
        "data/product_product_data.xml",
        "views/regie_price_index_views.xml",
        "views/regie_contract_views.xml",
        "views/regie_staffing_invoicing_menus.xml",
    ],
    "demo": ["demo/regie_price_index_demo.xml"],
}
