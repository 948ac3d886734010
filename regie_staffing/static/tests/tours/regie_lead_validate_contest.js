/** @odoo-module **/

import { registry } from "@web/core/registry";

// Data comes from the Python test (test_tours_consultant_lead.py): three
// submitted months of contracts led by the logged-in project lead, of the
// consultants "Tour Alice", "Tour Bruno" and "Tour Chloé".
registry.category("web_tour.tours").add("regie_lead_validate_contest", {
    url: "/odoo",
    steps: () => [
        {
            content: "Open the apps menu",
            trigger: ".o_navbar_apps_menu button:enabled",
            run: "click",
        },
        {
            content: "Open the Régie app",
            trigger: '.o_app[data-menu-xmlid="regie_staffing.regie_staffing_menu_root"]',
            run: "click",
        },
        {
            content: "Open the monthly reports menu",
            trigger: '.o_main_navbar [data-menu-xmlid="regie_staffing.regie_timesheet_period_menu"]',
            run: "click",
        },
        {
            content: "Open the months to validate",
            trigger:
                '.dropdown-item[data-menu-xmlid="regie_staffing.regie_timesheet_period_menu_to_validate"]',
            run: "click",
        },
        {
            content: "Select Alice's month",
            trigger: ".o_list_view:not(.o_view_sample_data) .o_data_row:contains(Tour Alice) .o_list_record_selector input",
            run: "click",
        },
        {
            content: "Select Bruno's month",
            trigger: ".o_data_row:contains(Tour Bruno) .o_list_record_selector input",
            run: "click",
        },
        {
            content: "Validate the two selected months",
            trigger: ".o_control_panel button[name=action_validate]",
            run: "click",
        },
        {
            content: "Confirm the validation",
            trigger: ".modal .modal-footer .btn-primary",
            run: "click",
        },
        {
            content: "Only Chloé's month is left to validate",
            trigger:
                ".o_list_view:not(:has(.o_data_row:contains(Tour Alice))):not(:has(.o_data_row:contains(Tour Bruno))) .o_data_row:contains(Tour Chloé)",
        },
        {
            content: "Open Chloé's month",
            trigger: ".o_data_row:contains(Tour Chloé) td[name=month_label]",
            run: "click",
        },
        {
            content: "Contest it",
            trigger: ".o_form_view button.o_regie_contest",
            run: "click",
        },
        {
            content: "Give the reason",
            trigger: ".modal .o_field_widget[name=reason] textarea",
            run: "edit Two days were not worked on the project.",
        },
        {
            content: "Point at the contested lines",
            trigger: ".modal .o_field_widget[name=line_ids] .o_field_x2many_list_row_add a",
            run: "click",
        },
        {
            content: "Pick the first line",
            trigger: ".modal .o_list_view .o_data_row:contains(Tour line 1) .o_list_record_selector input",
            run: "click",
        },
        {
            content: "Pick the second line",
            trigger: ".modal .o_list_view .o_data_row:contains(Tour line 2) .o_list_record_selector input",
            run: "click",
        },
        {
            content: "Add the picked lines",
            trigger: ".modal .o_select_button",
            run: "click",
        },
        {
            content: "Both lines are in the wizard",
            trigger:
                ".modal .o_field_widget[name=line_ids] .o_data_row:contains(Tour line 2)",
        },
        {
            content: "Contest the month",
            trigger: ".modal button[name=action_confirm]",
            run: "click",
        },
        {
            content: "The month is contested",
            trigger: ".o_statusbar_status .o_arrow_button_current[data-value=contested]",
        },
    ],
});
