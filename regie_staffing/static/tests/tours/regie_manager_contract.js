/** @odoo-module **/

import { registry } from "@web/core/registry";
import { openMenu, userDate, userNumber, waitForAction } from "./regie_tour_utils";

// Data comes from the Python test (test_tours_manager.py): a client company
// with a validator contact, a provider company, two employees and a manager.
const START = new Date(2026, 0, 1);
const END = new Date(2027, 11, 31);

function pick(field, text, scope = ".o_form_view") {
    return [
        {
            content: `Type ${text} in ${field}`,
            trigger: `${scope} .o_field_widget[name=${field}] input`,
            run: `edit ${text}`,
        },
        {
            content: `Pick ${text}`,
            trigger: `.o-autocomplete--dropdown-item a:contains(${text}):first`,
            run: "click",
        },
    ];
}

function fill(field, value, scope = ".o_form_view") {
    return {
        content: `Fill ${field}`,
        trigger: `${scope} .o_field_widget[name=${field}] input`,
        run: `edit ${value}`,
    };
}

function tab(name) {
    return {
        content: `Open the ${name} tab`,
        trigger: `.o_notebook .nav-link[name=${name}]`,
        run: "click",
    };
}

/** Add a mission from the contract form, before the contract is saved. */
function addMission(employee, rate) {
    return [
        tab("missions"),
        {
            content: "Add a mission line",
            trigger: ".o_field_widget[name=mission_ids] .o_field_x2many_list_row_add a",
            run: "click",
        },
        {
            content: "The mission form does not ask for the contract being edited",
            trigger: ".modal .o_form_view:not(:has(.o_field_widget[name=contract_id]))",
        },
        ...pick("employee_id", employee, ".modal"),
        fill("daily_rate", userNumber(rate), ".modal"),
        {
            content: "Save the mission",
            trigger: ".modal .o_form_button_save",
            run: "click",
        },
        {
            content: "The mission is listed",
            trigger: `.o_field_widget[name=mission_ids] .o_data_row:contains(${employee})`,
        },
    ];
}

/**
 * Create a contract from its menu. With `saveFirst`, the contract is saved
 * before its clauses are loaded; without, the button saves it (an unsaved
 * contract's action buttons save it first).
 */
function createContract({ menu, path, partner, contact, title, employee, rate, saveFirst }) {
    return [
        ...openMenu(
            "regie_staffing.regie_staffing_menu_root",
            "regie_staffing.regie_contract_menu",
            menu
        ),
        waitForAction(path),
        {
            content: "New contract",
            trigger: ".o_control_panel_main_buttons .o_list_button_add",
            run: "click",
        },
        fill("title", title),
        ...pick("partner_id", partner),
        ...pick("client_manager_id", contact),
        fill("date_start", userDate(START)),
        fill("date_end", userDate(END)),
        ...addMission(employee, rate),
        tab("terms"),
        fill("hours_per_day", userNumber(7.5)),
        tab("governance"),
        {
            content: "Add a KPI",
            trigger: ".o_field_widget[name=kpi_ids] .o_field_x2many_list_row_add a",
            run: "click",
        },
        fill("name", "Tour availability", ".o_field_widget[name=kpi_ids] .o_selected_row"),
        fill("target", userNumber(99.5), ".o_field_widget[name=kpi_ids] .o_selected_row"),
        ...(saveFirst
            ? [
                  {
                      content: "Save the contract",
                      trigger: ".o_form_button_save",
                      run: "click",
                  },
              ]
            : []),
        {
            content: "Load the clause templates",
            trigger: ".o_form_view button[name=action_load_clause_templates]",
            run: "click",
        },
        {
            content: "The contract got its reference",
            trigger: ".o_form_saved .o_field_widget[name=name] input:value(/\\w/)",
        },
        tab("terms"),
        {
            content: "The clauses are loaded",
            trigger: ".o_field_widget[name=clause_ids] .o_data_row",
        },
        {
            content: "Activate",
            trigger: ".o_form_view button[name=action_activate]",
            run: "click",
        },
        {
            content: "The contract is active",
            trigger: ".o_statusbar_status .o_arrow_button_current[data-value=active]",
        },
    ];
}

registry.category("web_tour.tours").add("regie_manager_contract", {
    url: "/odoo",
    steps: () => [
        ...createContract({
            menu: "regie_staffing.regie_contract_menu_sale",
            path: "regie-client-contracts",
            partner: "Nimbus Aero",
            contact: "Valentin Valideur",
            title: "Tour ERP roll-out",
            employee: "Tour Consultant",
            rate: 650,
            saveFirst: false,
        }),
        {
            content: "Open the actions menu",
            trigger: ".o_cp_action_menus button:has(.fa-cog)",
            run: "click",
        },
        {
            content: "Print the contract",
            trigger: ".o-dropdown--menu .o_menu_item:has(.fa-print)",
            run: "click",
        },
        {
            content: "The contract is printed",
            trigger: "body:not(:has(.o_blockUI))",
        },
        {
            content: "Open the reviews",
            trigger: '.o_menu_sections [data-menu-xmlid="regie_staffing.regie_review_menu"]',
            run: "click",
        },
        waitForAction("regie-reviews"),
        {
            content: "New review",
            trigger: ".o_control_panel_main_buttons .o_list_button_add",
            run: "click",
        },
        // Found by its title, not only by its reference.
        ...pick("contract_id", "Tour ERP"),
        {
            content: "Fill the date",
            trigger: ".o_form_view .o_field_widget[name=date] input",
            run: `edit ${userDate(new Date(2026, 5, 15))} && press Enter`,
        },
        {
            content: "The contract's KPIs are listed with their targets",
            trigger: ".o_field_widget[name=kpi_value_ids] .o_data_row:contains(Tour availability)",
        },
        {
            content: "The review is named after its type, contract and date",
            trigger: ".o_field_widget[name=name] input:value(/ - .+ - /)",
        },
        {
            content: "Save the review",
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            trigger: ".o_form_saved",
        },
        ...createContract({
            menu: "regie_staffing.regie_contract_menu_purchase",
            path: "regie-provider-contracts",
            partner: "Tour Provider SAS",
            contact: "Paula Provider",
            title: "Tour freelance Java",
            employee: "Tour Freelancer",
            rate: 480,
            saveFirst: true,
        }),
    ],
});
