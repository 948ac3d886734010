/** @odoo-module **/

import { registry } from "@web/core/registry";
import {
    invoicingMenuSteps,
    postMoveSteps,
    selectMonthsSteps,
} from "@regie_staffing/../tests/tours/regie_tour_utils";

// Data comes from the Python test (test_tours_invoicing.py): validated months
// of a client "Tour Client SA" and of a provider "Tour Freelance SARL".

registry.category("web_tour.tours").add("regie_accountant_invoice_months", {
    url: "/odoo",
    steps: () => [
        ...invoicingMenuSteps(
            "account.menu_finance_receivables",
            "regie_staffing_invoicing.regie_timesheet_period_menu_to_invoice"
        ),
        {
            content: "The amount to invoice is shown, the months are not greyed out",
            trigger: ".o_list_view th[data-name=amount_to_invoice]",
        },
        {
            trigger: ".o_list_view:not(:has(.o_data_row.text-muted))",
        },
        ...selectMonthsSteps("Tour Client SA", 2),
        {
            content: "No workflow button on the accountant's list",
            trigger: ".o_control_panel_actions:not(:has(button[name=action_validate], button[name=action_submit]))",
        },
        {
            content: "Create the invoices",
            trigger: ".o_control_panel_actions button[name=action_create_invoice]",
            run: "click",
        },
        {
            content: "The invoice opens with a line per consultant-month",
            trigger: ".o_form_view .o_field_widget[name=invoice_line_ids] .o_data_row:eq(1)",
        },
        {
            content: "The invoice links to the two months it bills",
            trigger: ".o_form_view button[name=action_view_regie_periods] .o_stat_value:contains(2)",
        },
        {
            content: "Open the other information of the invoice",
            trigger: ".o_notebook .nav-link[name=other_info]",
            run: "click",
        },
        {
            content: "It carries the client's purchase order as customer reference",
            trigger: ".o_form_view .o_field_widget[name=ref] input:value(PO-TOUR-42)",
        },
    ],
});

registry.category("web_tour.tours").add("regie_accountant_bill_provider_month", {
    url: "/odoo",
    steps: () => [
        ...invoicingMenuSteps(
            "account.menu_finance_payables",
            "regie_staffing_invoicing.regie_timesheet_period_menu_to_bill"
        ),
        ...selectMonthsSteps("Tour Freelance SARL", 1),
        {
            content: "Create the vendor bill",
            trigger: ".o_control_panel_actions button[name=action_create_invoice]",
            run: "click",
        },
        {
            content: "The vendor bill opens",
            trigger: ".o_form_view .o_field_widget[name=invoice_line_ids] .o_data_row",
        },
        {
            content: "Open its régie matching",
            trigger: ".o_notebook .nav-link[name=regie_matching]",
            run: "click",
        },
        {
            content: "The bill is compared with the validated month of its consultant",
            trigger: ".o_field_widget[name=regie_match_html] table.o_regie_match td:contains(Tour Freelancer C)",
        },
        ...postMoveSteps(),
    ],
});
