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
