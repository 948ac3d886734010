/** @odoo-module **/

import { registry } from "@web/core/registry";

const MY_TIME = "[data-placeholder_count=regie_timesheet_count]";

// Data comes from the Python test (test_tours_extranet.py): a freelancer with
// a portal user only, on one mission, with his May 2026 month in draft.
registry.category("web_tour.tours").add("regie_extranet_month", {
    url: "/my",
    steps: () => [
        {
            content: "Open My time from the portal home",
            trigger: `.o_portal_index_card:not(.d-none):has(${MY_TIME}) a`,
            run: "click",
            expectUnloadPage: true,
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
            run: "edit Kick-off",
        },
        {
            content: "Half a day on Tuesday 5",
            trigger: "select[name='amount_2026-05-05']",
            run: "select 0.5",
        },
        {
            content: "Friday 1 is a public holiday",
            trigger: "tr[data-date='2026-05-01'] .o_regie_extranet_holiday",
        },
        {
            content: "Save",
            trigger: ".o_regie_extranet_save",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Saved, 1.5 days logged",
            trigger: "[data-message=saved]",
        },
        {
            content: "The half day is kept",
            trigger: "select[name='amount_2026-05-05']:has(option[value='0.5']:selected)",
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
        {
            content: "No more entry once submitted",
            trigger: ".o_regie_extranet_month:not(:has(.o_regie_extranet_save))",
        },
    ],
});
