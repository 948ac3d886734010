/** @odoo-module **/

import { registry } from "@web/core/registry";
import {
    invoicingMenuSteps,
    openMenu,
    selectMonthsSteps,
    userDate,
    userNumber,
} from "@regie_staffing/../tests/tours/regie_tour_utils";

// Data comes from the Python test (test_tours_screens.py): a client contract
// "Screens ERP roll-out" of "Screens Client SA" with three validated months,
// a purchase contract of "Screens Provider SARL" (no vigilance document)
// backing one of its missions, and a finished close batch of "Screens Other
// Client SA" whose month failed (re-opened meanwhile, validated again since).

const CLIENT = "Screens Client SA";
const PROVIDER = "Screens Provider SARL";

function tab(name) {
    return {
        content: `Open the ${name} tab`,
        trigger: `.o_notebook .nav-link[name=${name}]`,
        run: "click",
    };
}

function saveSteps() {
    return [
        {
            content: "Save",
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            content: "Saved",
            trigger: ".o_form_view .o_form_saved",
        },
    ];
}

// The account manager records the client's purchase order (number, amount,
// end of validity, Chorus Pro service code) and the expense rule.
registry.category("web_tour.tours").add("regie_screens_contract_terms", {
    url: "/odoo",
    steps: () => [
        ...openMenu(
            "regie_staffing.regie_staffing_menu_root",
            "regie_staffing.regie_contract_menu",
            "regie_staffing.regie_contract_menu_sale"
        ),
        {
            content: "Open the client contract",
            trigger: `.o_data_row:contains(${CLIENT}) td.o_data_cell:eq(0)`,
            run: "click",
        },
        tab("budget"),
        {
            content: "The purchase order number",
            trigger: ".o_field_widget[name=client_order_ref] input",
            run: "edit PO-SCREENS-77 && press Tab",
        },
        {
            content: "Its amount",
            trigger: ".o_field_widget[name=client_order_amount] input",
            run: `edit ${userNumber(25000)}`,
        },
        {
            content: "The end of its validity",
            trigger: ".o_field_widget[name=client_order_date_end] input",
            run: `edit ${userDate(new Date(2026, 11, 31))}`,
        },
        {
            content: "The Chorus Pro service code",
            trigger: ".o_field_widget[name=client_service_code] input",
            run: "edit SRV-DSI-01",
        },
        tab("terms"),
        {
            content: "Expenses at cost, capped per month",
            trigger: ".o_field_widget[name=expense_policy] select",
            run: 'select "at_cost_capped"',
        },
        {
            content: "The cap",
            trigger: ".o_field_widget[name=expense_cap] input",
            run: `edit ${userNumber(350.5)}`,
        },
        ...saveSteps(),
    ],
});

// The account manager opens the purchase month that follows the client's
// month, reads why it has no workflow button, opens its timesheets (the
// client month's lines) and goes to the client's month.
registry.category("web_tour.tours").add("regie_screens_back_to_back_month", {
    url: "/odoo",
    steps: () => [
        ...openMenu(
            "regie_staffing.regie_staffing_menu_root",
            "regie_staffing.regie_timesheet_period_menu",
            "regie_staffing.regie_timesheet_period_menu_all"
        ),
        {
            content: "Open the provider's month",
            trigger: `.o_data_row:contains(${PROVIDER}) td.o_data_cell:eq(0)`,
            run: "click",
        },
        {
            content: "The back-to-back banner explains it follows the client's month",
            trigger: ".o_form_view .alert-info:not(.d-none)",
        },
        {
            content: "No workflow button of its own",
            trigger:
                ".o_form_view .o_form_statusbar:not(:has(button[name=action_submit], button[name=action_validate], button[name=action_reset_to_draft]))",
        },
        {
            content: "No empty Timesheets tab: its lines are the client month's",
            trigger:
                ".o_form_view .o_notebook:has(a[name=validation]):not(:has(a[name=timesheets]))",
        },
        {
            content: "Open its timesheets",
            trigger: ".o_form_view button[name=action_view_timesheets]",
            run: "click",
        },
        {
            content: "They are the client month's three days, read only",
            trigger: ".o_list_view:not(:has(.o_list_button_add)) .o_data_row:eq(2)",
        },
        {
            trigger: ".o_list_view:not(:has(.o_data_row:eq(3)))",
        },
        {
            content: "Back to the provider's month",
            trigger: ".o_breadcrumb .breadcrumb-item:last a",
            run: "click",
        },
        {
            content: "Open the client's month",
            trigger: ".o_field_widget[name=sale_period_id] a",
            run: "click",
        },
        {
            content: "The client's month is shown",
            trigger: `.o_form_view .o_field_widget[name=partner_id]:contains(${CLIENT})`,
        },
    ],
});

// The accountant posts the provider's bill despite the missing vigilance
// documents, with a reason, as a régie manager.
registry.category("web_tour.tours").add("regie_screens_vigilance_override", {
    url: "/odoo",
    steps: () => [
        ...invoicingMenuSteps(
            "account.menu_finance_payables",
            "account.menu_action_move_in_invoice_type"
        ),
        {
            content: "Open the provider's bill",
            trigger: `.o_data_row:contains(${PROVIDER}) td.o_data_cell:eq(1)`,
            run: "click",
        },
        {
            content: "The vigilance warning is shown",
            trigger: ".o_regie_vigilance_warning:not(.d-none) .o_field_widget[name=regie_vigilance_warning]",
        },
        {
            content: "Post despite vigilance",
            trigger: ".o_regie_vigilance_warning button[name=action_regie_vigilance_override]",
            run: "click",
        },
        {
            content: "Give the reason",
            trigger: ".modal .o_field_widget[name=reason] textarea",
            run: "edit Documents received by mail, being recorded",
        },
        {
            content: "Post",
            trigger: ".modal button[name=action_confirm]",
            run: "click",
        },
        {
            content: "The bill is posted",
            trigger: ".o_statusbar_status .o_arrow_button_current[data-value=posted]",
        },
        {
            content: "The warning is gone",
            trigger: ".o_form_view:not(:has(.o_regie_vigilance_warning:not(.d-none)))",
        },
    ],
});

// The accountant invoices three months from the list: above the threshold,
// they are queued; he cancels the batch from its form, then retries the
// failures of an earlier batch.
registry.category("web_tour.tours").add("regie_screens_close_batch", {
    url: "/odoo",
    steps: () => [
        ...invoicingMenuSteps(
            "account.menu_finance_receivables",
            "regie_staffing_invoicing.regie_timesheet_period_menu_to_invoice"
        ),
        ...selectMonthsSteps(CLIENT, 3),
        {
            content: "Create the invoices",
            trigger: ".o_control_panel_actions button[name=action_create_invoice]",
            run: "click",
        },
        {
            content: "They are queued in the background",
            trigger: ".o_notification:has(a[href*='regie-close-batches'])",
        },
        ...openMenu(
            "regie_staffing.regie_staffing_menu_root",
            "regie_staffing.regie_staffing_menu_config",
            "regie_staffing.regie_close_batch_menu"
        ),
        {
            content: "Open the queued batch",
            trigger: ".o_data_row.text-info td.o_data_cell:eq(0)",
            run: "click",
        },
        {
            content: "Cancel the batch",
            trigger: ".o_statusbar_buttons button[name=action_cancel]",
            run: "click",
        },
        {
            content: "Confirm",
            trigger: ".modal-footer .btn-primary",
            run: "click",
        },
        {
            content: "The batch is cancelled, its months released",
            trigger: ".o_field_widget[name=released_count]:contains(3)",
        },
        {
            content: "Back to the batches",
            trigger: ".o_breadcrumb .breadcrumb-item a:first",
            run: "click",
        },
        {
            content: "The batches are listed",
            trigger: ".o_list_view .o_data_row:eq(1)",
        },
        {
            content: "Open the batch that failed on a month",
            trigger: ".o_data_row:has(td[name=failed_count]:contains(1)) td.o_data_cell:eq(0)",
            run: "click",
        },
        tab("failures"),
        {
            content: "Its failure is listed with the reason",
            trigger: ".o_field_widget[name=line_ids] .o_data_row",
        },
        {
            content: "Retry the failed month",
            trigger: ".o_statusbar_buttons button[name=action_retry_failed]",
            run: "click",
        },
        {
            content: "The new batch is queued, linked to the first",
            trigger: ".o_field_widget[name=retry_of_id]:not(.o_field_empty)",
        },
        {
            trigger: ".o_statusbar_status .o_arrow_button_current[data-value=queued]",
        },
    ],
});
