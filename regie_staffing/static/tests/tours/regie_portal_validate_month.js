/** @odoo-module **/

import { registry } from "@web/core/registry";
import { signMonthSteps } from "./regie_tour_utils";

const TO_VALIDATE =
    ".o_portal_index_card:not(.d-none) [data-placeholder_count=regie_month_to_validate_count]";

// Data comes from the Python test (test_tours.py): two submitted months whose
// validator is the logged-in portal user, January (contested here, with its
// first line) and February (signed).
registry.category("web_tour.tours").add("regie_portal_validate_month", {
    url: "/my",
    steps: () => [
        {
            content: "/my shows the months to validate",
            trigger: `${TO_VALIDATE}:contains(2)`,
        },
        {
            content: "Visit /my a second time in the session",
            trigger: "body",
            run: "goToUrl /my",
            expectUnloadPage: true,
        },
        {
            content: "The alert is still shown",
            trigger: `${TO_VALIDATE}:contains(2)`,
        },
        {
            content: "Open the months to validate",
            trigger: `.o_portal_index_card:has(${TO_VALIDATE.split(" ")[1]}) a`,
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Open January",
            trigger: "tr.o_regie_portal_month_row[data-state=submitted]:has(a:contains(01/2025)) a",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Contest",
            trigger: "a.o_regie_month_contest",
            run: "click",
        },
        {
            content: "Give the reason",
            trigger: ".modal #regie_contest_reason",
            run: "edit Tour: the 6th was a half day",
        },
        {
            content: "Contest the first line",
            trigger: ".modal .o_regie_contest_lines input[data-date='2025-01-06']",
            run: "check",
        },
        {
            content: "Ask for the correction",
            trigger: ".modal #regie_contest_correction",
            run: "edit 4 hours on the 6th",
        },
        {
            content: "Send the contest",
            trigger: ".modal .o_regie_contest_submit",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The month is contested",
            trigger: ".o_regie_month_message[data-message=contested]",
        },
        {
            trigger: ".o_regie_month_state[data-state=contested]",
        },
        {
            content: "Back to the months",
            trigger: "body",
            run: "goToUrl /my/regie/months",
            expectUnloadPage: true,
        },
        {
            content: "Open February",
            trigger: "tr.o_regie_portal_month_row[data-state=submitted]:has(a:contains(02/2025)) a",
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
            trigger: ".o_regie_month_message[data-message=validated]",
        },
        {
            content: "Status shows Validated and the signature is displayed",
            trigger: ".o_regie_month_state[data-state=validated]",
        },
        {
            trigger: ".o_regie_month_signature img",
        },
    ],
});
