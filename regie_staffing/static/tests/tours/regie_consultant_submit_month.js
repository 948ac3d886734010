/** @odoo-module **/

import { registry } from "@web/core/registry";
import { previousMonthWeek, userDate } from "./regie_tour_utils";

function logDaySteps(day, index) {
    const description = `Tour work day ${index + 1}`;
    return [
        {
            content: `New timesheet line for ${userDate(day)}`,
            trigger: ".o_list_button_add",
            run: "click",
        },
        {
            trigger: ".o_selected_row .o_field_widget[name=date] input",
            run: `edit ${userDate(day)}`,
        },
        {
            trigger: ".o_selected_row .o_field_widget[name=project_id] input",
            run: "edit Régie Tour Project",
        },
        {
            trigger: ".o-autocomplete--dropdown-item a:contains(Régie Tour Project)",
            run: "click",
        },
        {
            trigger: ".o_selected_row .o_field_widget[name=name] input",
            run: `edit ${description}`,
        },
        {
            trigger: ".o_selected_row .o_field_widget[name=unit_amount] input",
            run: "edit 8:00",
        },
        {
            content: "Save the line",
            trigger: ".o_list_button_save",
            run: "click",
        },
        {
            trigger: `.o_data_row:not(.o_selected_row):contains(${description})`,
        },
    ];
}

// Data comes from the Python test (test_tours_consultant_lead.py): an active
// contract whose project is "Régie Tour Project" and a mission of the
// logged-in consultant. The week is logged in the previous month, which
// "My month" opens while it is not submitted.
registry.category("web_tour.tours").add("regie_consultant_submit_month", {
    url: "/odoo",
    steps: () => [
        {
            content: "Open the apps menu",
            trigger: ".o_navbar_apps_menu button:enabled",
            run: "click",
        },
        {
            content: "Open the Timesheets app",
            trigger: '.o_app[data-menu-xmlid="hr_timesheet.timesheet_menu_root"]',
            run: "click",
        },
        {
            content: "The editable list of my timesheets is shown",
            trigger: ".o_list_view .o_list_button_add",
        },
        ...previousMonthWeek().flatMap(logDaySteps),
        {
            content: "The whole week is logged, each line shows its month",
            trigger:
                ".o_data_row:contains(Tour work day 5):not(.o_selected_row) td[name=regie_period_id] a.o_form_uri",
        },
        {
            content: "Open My month from the Timesheets menu",
            trigger:
                '.o_main_navbar [data-menu-xmlid="regie_staffing.regie_timesheet_period_menu_my_month_timesheet"]',
            run: "click",
        },
        {
            content: "The month's form shows the logged time",
            trigger: ".o_form_view .o_field_widget[name=line_count]:contains(5)",
        },
        {
            content: "Submit the month",
            trigger: ".o_form_view button[name=action_confirm_submit]",
            run: "click",
        },
        {
            content: "The month is incomplete: a warning asks for confirmation",
            trigger: ".modal .o_field_widget[name=warning]:not(:empty)",
        },
        {
            content: "Submit anyway",
            trigger: ".modal button[name=action_confirm]",
            run: "click",
        },
        {
            content: "The month is submitted",
            trigger: ".o_statusbar_status .o_arrow_button_current[data-value=submitted]",
        },
    ],
});
