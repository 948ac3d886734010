/** @odoo-module **/

import { registry } from "@web/core/registry";
import {
    extranetDaySteps,
    extranetSaveSteps,
    extranetSubmitSteps,
    invoicingMenuSteps,
    openExtranetMonthSteps,
    postMoveSteps,
    selectMonthsSteps,
    signMonthSteps,
} from "@regie_staffing/../tests/tours/regie_tour_utils";

// Data comes from the Python test (test_tours_back_to_back.py): a freelancer
// (portal user only) sold 600 a day to "B2B Tour Client SA" and bought 450 a
// day from his company "Fanny Freelance EURL", his May 2026 month in draft.

const TO_VALIDATE = "[data-placeholder_count=regie_month_to_validate_count]";

registry.category("web_tour.tours").add("regie_back_to_back_freelancer", {
    url: "/my",
    steps: () => [
        ...openExtranetMonthSteps(),
        ...extranetDaySteps("2026-05-04", 1, "Workshop with the client"),
        ...extranetDaySteps("2026-05-05", 1),
        ...extranetSaveSteps(),
        ...extranetSubmitSteps(),
    ],
});

registry.category("web_tour.tours").add("regie_back_to_back_client", {
    url: "/my",
    steps: () => [
        {
            content: "/my shows one month to validate",
            trigger: `.o_portal_index_card:not(.d-none) ${TO_VALIDATE}:contains(1)`,
        },
        {
            content: "Open the months to validate",
            trigger: `.o_portal_index_card:has(${TO_VALIDATE}) a`,
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Open May",
            trigger: "tr.o_regie_portal_month_row[data-state=submitted]:has(a:contains(05/2026)) a",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The day-by-day detail is shown",
            trigger: ".o_regie_day_table .o_regie_day_total",
        },
        ...signMonthSteps(),
        {
            content: "The month is validated",
            trigger: ".o_regie_month_state[data-state=validated]",
        },
    ],
});

registry.category("web_tour.tours").add("regie_back_to_back_accountant", {
    url: "/odoo",
    steps: () => [
        // The client's month: invoiced at the sale rate.
        ...invoicingMenuSteps(
            "account.menu_finance_receivables",
            "regie_staffing_invoicing.regie_timesheet_period_menu_to_invoice"
        ),
        ...selectMonthsSteps("B2B Tour Client SA", 1),
        {
            content: "Create the invoice",
            trigger: ".o_control_panel_actions button[name=action_create_invoice]",
            run: "click",
        },
        {
            content: "The invoice opens with the consultant's month",
            trigger: ".o_form_view .o_field_widget[name=invoice_line_ids] .o_data_row",
        },
        ...postMoveSteps(),
        // The freelancer's own bill: matched against the same validated days.
        ...invoicingMenuSteps(
            "account.menu_finance_payables",
            "account.menu_action_move_in_invoice_type"
        ),
        {
            content: "Open the freelancer's bill",
            trigger: ".o_data_row:contains(Fanny Freelance EURL) td.o_data_cell:eq(1)",
            run: "click",
        },
        {
            content: "Open its régie matching",
            trigger: ".o_notebook .nav-link[name=regie_matching]",
            run: "click",
        },
        {
            content: "It matches the validated days",
            trigger: ".o_field_widget[name=regie_match_state] span[raw-value=equal]",
        },
        {
            content: "The month compared is the freelancer's",
            trigger: ".o_field_widget[name=regie_match_html] table.o_regie_match td:contains(Fanny Freelance)",
        },
        ...postMoveSteps(),
    ],
});
