{
    "name": "Régie Staffing Expenses",
    "summary": "Consultants' expenses with their régie month: on the activity "
    "report, validated with it and re-invoiced per the contract's rule",
    "version": "18.0.1.0.0",
    "category": "Human Resources/Expenses",
    "author": "Régie Staffing Team",
    "website": "https://github.com/regie-staffing/regie-staffing",
    "license": "AGPL-3",
    "depends": ["regie_staffing_invoicing", "hr_expense"],
    "data": [
        "views/hr_expense_views.xml",
        "report/regie_timesheet_period_templates.xml",
    ],
    "demo": [
        "demo/regie_expense_demo.xml",
    ],
    "auto_install": True,
}
