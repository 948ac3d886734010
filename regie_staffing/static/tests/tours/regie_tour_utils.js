/** @odoo-module **/

import { formatDate } from "@web/core/l10n/dates";
import { localization } from "@web/core/l10n/localization";

const { DateTime } = luxon;

/** A JS date as the logged-in user types it (his language's date format). */
export function userDate(day) {
    return formatDate(DateTime.fromJSDate(day));
}

/**
 * Monday to Friday of the first full week of the previous month: always in
 * the past (lines beyond the current month are refused) and in one month.
 * The Python tests compute the same days.
 */
export function previousMonthWeek() {
    const today = new Date();
    const first = new Date(today.getFullYear(), today.getMonth() - 1, 1);
    const toMonday = (8 - first.getDay()) % 7;
    return [0, 1, 2, 3, 4].map(
        (offset) => new Date(first.getFullYear(), first.getMonth(), 1 + toMonday + offset)
    );
}

/** Steps that pick `text` in a many2one field of the open form or row. */
export function pickMany2one(fieldSelector, text, option = text) {
    return [
        { trigger: `${fieldSelector} input`, run: `edit ${text}` },
        {
            trigger: `.o-autocomplete--dropdown-item a:contains(${option})`,
            run: "click",
        },
    ];
}

/** A number as the logged-in user types it (French: "7,5"). */
export function userNumber(value) {
    return String(value).replace(".", localization.decimalPoint);
}

/** Steps that open an app from the home menu, then one of its menus. */
export function openMenu(appXmlid, ...menuXmlids) {
    return [
        {
            content: "Open the apps menu",
            trigger: ".o_navbar_apps_menu button",
            run: "click",
        },
        {
            content: `Open the app ${appXmlid}`,
            trigger: `.o_app[data-menu-xmlid="${appXmlid}"]`,
            run: "click",
        },
        ...menuXmlids.map((xmlid) => ({
            content: `Open the menu ${xmlid}`,
            trigger: `[data-menu-xmlid="${xmlid}"]:not(.o_app, .o_menu_brand)`,
            run: "click",
        })),
    ];
}

/**
 * A step that waits until the web client shows the action at `path` (its URL
 * path): a menu click replaces the current action asynchronously, and the
 * next step must not act on the previous action's screen.
 */
export function waitForAction(path) {
    return {
        content: `The action ${path} is shown`,
        trigger: ".o_action_manager .o_action",
        async run() {
            for (let tries = 0; tries < 200; tries++) {
                if (window.location.pathname.split("/").includes(path)) {
                    return;
                }
                await new Promise((resolve) => setTimeout(resolve, 50));
            }
            throw new Error(`The action ${path} was not shown (at ${window.location.pathname})`);
        },
    };
}

/**
 * Draw a stroke on a signature pad canvas the way a mouse would: press,
 * move in several throttled steps, release (the pad listens to pointer events).
 */
export async function drawOnCanvas(canvas) {
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

/** Steps that validate the portal month shown: "Validate & sign", draw, submit. */
export function signMonthSteps() {
    return [
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
    ];
}

/** Steps that open the extranet month of the portal home's "My time" card. */
export function openExtranetMonthSteps() {
    return [
        {
            content: "Open My time from the portal home",
            trigger:
                ".o_portal_index_card:not(.d-none):has([data-placeholder_count=regie_timesheet_count]) a",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "One month only is listed",
            trigger: "body:not(:has(.o_regie_extranet_month_link:eq(1)))",
        },
        {
            content: "Open the month",
            trigger: ".o_regie_extranet_month_link",
            run: "click",
            expectUnloadPage: true,
        },
    ];
}

/** Steps that log `amount` (a choice of the day's select) on `day` (ISO), with a comment. */
export function extranetDaySteps(day, amount, comment = "") {
    const steps = [
        {
            content: `Log ${amount} on ${day}`,
            trigger: `select[name='amount_${day}']`,
            run: `select ${amount}`,
        },
    ];
    if (comment) {
        steps.push({
            content: `What was done on ${day}`,
            trigger: `input[name='comment_${day}']`,
            run: `edit ${comment}`,
        });
    }
    return steps;
}

/** Steps that save the extranet month. */
export function extranetSaveSteps() {
    return [
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
    ];
}

/** Steps that submit an incomplete extranet month, confirming its warnings. */
export function extranetSubmitSteps() {
    return [
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
    ];
}

/** From the home menu to a menu item of the Invoicing app's `section`. */
export function invoicingMenuSteps(section, item) {
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

/** Open the partner's group of the months list and select `count` of its months. */
export function selectMonthsSteps(partner, count) {
    const rows = Array.from({ length: count }, (_, index) => ({
        content: `Select month ${index + 1}`,
        trigger: `.o_data_row:not(:has(.o_list_record_selector input:checked)):eq(0) .o_list_record_selector input`,
        run: "click",
    }));
    return [
        {
            content: "The months are grouped by partner: open the partner's group",
            trigger: `.o_group_header:contains(${partner})`,
            run: "click",
        },
        {
            content: "Its months are listed",
            trigger: `.o_data_row:eq(${count - 1})`,
        },
        ...rows,
    ];
}

/** Steps that confirm the invoice or bill of the open form. */
export function postMoveSteps() {
    return [
        {
            content: "Confirm",
            trigger: ".o_form_view button[name=action_post]",
            run: "click",
        },
        {
            content: "Posted",
            trigger: ".o_statusbar_status .o_arrow_button_current[data-value=posted]",
        },
    ];
}
