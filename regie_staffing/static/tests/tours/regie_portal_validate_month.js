/** @odoo-module **/

import { registry } from "@web/core/registry";

/**
 * Draw a stroke on a signature pad canvas the way a mouse would: press,
 * move in several throttled steps, release (the pad listens to pointer events).
 */
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
        [0.1, 0.7],
        [0.2, 0.3],
        [0.3, 0.7],
        [0.4, 0.3],
        [0.5, 0.7],
        [0.6, 0.3],
        [0.7, 0.7],
        [0.8, 0.4],
    ];
    canvas.dispatchEvent(new PointerEvent("pointerdown", point(...path[0])));
    for (const [fx, fy] of path.slice(1)) {
        await wait();
        canvas.dispatchEvent(new PointerEvent("pointermove", point(fx, fy)));
    }
    await wait();
    canvas.ownerDocument.dispatchEvent(new PointerEvent("pointerup", point(...path.at(-1))));
}

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
            content: "Draw the signature",
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
