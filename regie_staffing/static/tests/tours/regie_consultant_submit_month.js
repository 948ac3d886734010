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

// Data comes from the Python test (test_tours.py): an active contract whose
// project is "Régie Tour Project" and a mission of the logged-in consultant.
registry.category("web_tour.tours").add("regie_consultant_submit_month", {
    url: "/odoo/timesheets",
    steps: () => [
        {
            content: "The editable list of my timesheets is shown",
            trigger: ".o_list_view .o_list_button_add",
        },
        ...previousMonthWeek().flatMap(logDaySteps),
        {
            content: "The whole week is logged",
            trigger: ".o_data_row:contains(Tour work day 5):not(.o_selected_row)",
        },
        {
            content: "Open my monthly activity reports",
            trigger: "body",
            run: "goToUrl /odoo/regie-months",
            expectUnloadPage: true,
        },
        {
            content: "Open the month",
            trigger: ".o_data_row td[name=date_from]",
            run: "click",
        },
        {
            content: "Submit the month",
            trigger: ".o_form_view button[name=action_submit]",
            run: "click",
        },
        {
            content: "The month is submitted",
            trigger: ".o_statusbar_status .o_arrow_button_current[data-value=submitted]",
        },
    ],
});
