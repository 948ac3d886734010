/** @odoo-module **/

import { formatDate } from "@web/core/l10n/dates";

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
