/** @odoo-module **/

import { registry } from "@web/core/registry";

// Data comes from the Python test (test_tours_consultant_lead.py): the
// consultant's month was contested, which gave him an activity.
registry.category("web_tour.tours").add("regie_consultant_contest_activity", {
    url: "/odoo",
    steps: () => [
        {
            content: "Open my activities",
            trigger: ".o_menu_systray .o-mail-ActivityMenu-counter",
            run: "click",
        },
        {
            content: "Open my activities on régie months",
            trigger: '.o-mail-ActivityGroup[data-model_name="regie.timesheet.period"]',
            run: "click",
        },
        {
            content: "Open the contested month",
            trigger: ".o_list_view:not(.o_view_sample_data) .o_data_row td[name=month_label]",
            run: "click",
        },
        {
            content: "The month is contested",
            trigger: ".o_statusbar_status .o_arrow_button_current[data-value=contested]",
        },
        {
            content: "The contest activity is shown in the chatter",
            trigger: ".o-mail-Activity:has(.fa-calendar-check-o)",
        },
        {
            content: "Its dispute is one click away",
            trigger: ".o_form_view .oe_stat_button .o_stat_value:contains(1)",
        },
    ],
});
