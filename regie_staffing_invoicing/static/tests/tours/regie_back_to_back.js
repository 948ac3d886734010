/** @odoo-module **/

import { registry } from "@web/core/registry";

// Data comes from the Python test (test_tours_back_to_back.py): a freelancer
// (portal user only) sold 600 a day to "B2B Tour Client SA" and bought 450 a
// day from his company "Fanny Freelance EURL", his May 2026 month in draft.

const MY_TIME = "[data-placeholder_count=regie_timesheet_count]";
const TO_VALIDATE = "[data-placeholder_count=regie_month_to_validate_count]";

/** Draw a stroke on the signature pad as a mouse would. */
async function drawOnCanvas(canvas) {
    const rect = canvas.getBoundingClientRect();
    const point = (fx, fy) => ({
        clientX: rect.left + rect.width * fx,
        clientY: rect.top + rect.height * fy,
        bubbles: true,
        cancelable: true,
        pointerId: 1,
        pointerType: "mouse",
        isPrimary: true,
        buttons: 1,
        pressure: 0.5,
    });
    const wait = () => new Promise((resolve) => setTimeout(resolve, 25));
    const path = [
        [0.1, 0.6],
        [0.25, 0.3],
        [0.4, 0.7],
        [0.55, 0.3],
        [0.7, 0.7],
        [0.85, 0.4],
    ];
    canvas.dispatchEvent(new PointerEvent("pointerdown", point(...path[0])));
    for (const [fx, fy] of path.slice(1)) {
        await wait();
        canvas.dispatchEvent(new PointerEvent("pointermove", point(fx, fy)));
    }
    await wait();
    canvas.ownerDocument.dispatchEvent(new PointerEvent("pointerup", point(...path.at(-1))));
}

/** From the home menu to a menu item of the Invoicing app's `section`. */
function invoicingMenuSteps(section, item) {
    return [
        {
            content: "Open the apps menu",
            trigger: ".o_navbar_apps_menu button:enabled",
            run: "click",
        },
        {
            content: "Open the Invoicing app",
            trigger: ".o_app[data-menu-xmlid='account.menu_finance']",
            run: "click",
        },
        {
            content: "Open the menu section",
            trigger: `.o_menu_sections [data-menu-xmlid='${section}']`,
            run: "click",
        },
        {
            content: "Open the menu item",
            trigger: `.o_popover [data-menu-xmlid='${item}'], .dropdown-menu [data-menu-xmlid='${item}']`,
            run: "click",
        },
    ];
}

registry.category("web_tour.tours").add("regie_back_to_back_freelancer", {
    url: "/my",
    steps: () => [
        {
            content: "Open My time from the portal home",
            trigger: `.o_portal_index_card:not(.d-none):has(${MY_TIME}) a`,
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "One month only: the client's, the purchase side follows it",
            trigger: "body:not(:has(.o_regie_extranet_month_link:eq(1)))",
        },
        {
            content: "Open the month",
            trigger: ".o_regie_extranet_month_link",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "A whole day on Monday 4",
            trigger: "select[name='amount_2026-05-04']",
            run: "select 1",
        },
        {
            content: "What was done that day",
            trigger: "input[name='comment_2026-05-04']",
            run: "edit Workshop with the client",
        },
        {
            content: "A whole day on Tuesday 5",
            trigger: "select[name='amount_2026-05-05']",
            run: "select 1",
        },
        {
            content: "Save",
            trigger: ".o_regie_extranet_save",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Saved",
            trigger: "[data-message=saved]",
        },
        {
            content: "Submit the month",
            trigger: ".o_regie_extranet_submit",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The month is incomplete: the warnings ask to confirm",
            trigger: ".o_regie_extranet_warnings li",
        },
        {
            content: "Submit anyway",
            trigger: ".o_regie_extranet_submit",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Submitted",
            trigger: "[data-message=submitted]",
        },
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
        {
            content: "Validate & sign",
            trigger: "a.o_regie_month_sign",
            run: "click",
        },
        {
            content: "Choose to draw the signature",
            trigger: ".modal .o_web_sign_draw_button",
            run: "click",
        },
        {
            trigger: ".modal .o_web_sign_draw_button.active",
        },
        {
            content: "Draw on the pad",
            trigger: ".modal canvas.o_web_sign_signature",
            async run(helpers) {
                await drawOnCanvas(helpers.anchor);
            },
        },
        {
            content: "Submit the signature",
            trigger: ".modal .o_portal_sign_submit:enabled",
            run: "click",
            expectUnloadPage: true,
        },
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
        {
            content: "Open the client's group",
            trigger: ".o_group_header:contains(B2B Tour Client SA)",
            run: "click",
        },
        {
            content: "Select its month",
            trigger: ".o_data_row:eq(0) .o_list_record_selector input",
            run: "click",
        },
        {
            content: "Create the invoice",
            trigger: ".o_control_panel_actions button[name=action_create_invoice]",
            run: "click",
        },
        {
            content: "The invoice opens with the consultant's month",
            trigger: ".o_form_view .o_field_widget[name=invoice_line_ids] .o_data_row",
        },
        {
            content: "Confirm the invoice",
            trigger: ".o_form_view button[name=action_post]",
            run: "click",
        },
        {
            content: "The invoice is posted",
            trigger: ".o_statusbar_status .o_arrow_button_current[data-value=posted]",
        },
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
        {
            content: "Confirm the bill",
            trigger: ".o_form_view button[name=action_post]",
            run: "click",
        },
        {
            content: "The bill is posted",
            trigger: ".o_statusbar_status .o_arrow_button_current[data-value=posted]",
        },
    ],
});
