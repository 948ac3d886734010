/** @odoo-module **/

/**
 * Loaded with the test assets only. A tour walks past an error dialog or a
 * red notification as long as its next trigger still matches; this guard
 * turns either into a browser error, which fails the running tour (Odoo's
 * test browser fails the test on any console error).
 */
const GUARDED = [
    [".o_error_dialog", "an error dialog was shown"],
    [".o_notification:has(.o_notification_bar.bg-danger)", "an error notification was shown"],
];

function check(root) {
    for (const [selector, what] of GUARDED) {
        const element = root.querySelector?.(selector);
        if (element && !element.dataset.regieTourGuarded) {
            element.dataset.regieTourGuarded = "1";
            const text = element.innerText.replace(/\s+/g, " ").trim();
            console.error(`Régie tour guard: ${what}: ${text}`);
        }
    }
}

if (document.body) {
    new MutationObserver(() => check(document.body)).observe(document.body, {
        childList: true,
        subtree: true,
    });
} else {
    document.addEventListener("DOMContentLoaded", () =>
        new MutationObserver(() => check(document.body)).observe(document.body, {
            childList: true,
            subtree: true,
        })
    );
}
