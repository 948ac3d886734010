/** @odoo-module **/

import { registry } from "@web/core/registry";

// Data comes from the Python test (test_provider_portal.py): the portal
// contact of "Provider Freelance EURL", whose freelancer is bought 450 a day
// back to back; March 2026 validated by the client (4 days, to invoice),
// April 2026 (2 days) billed by the provider's bill PF-2026-04.

const CONTRACTS = "[data-placeholder_count=regie_contract_count]";

registry.category("web_tour.tours").add("regie_provider_portal_months", {
    url: "/my",
    steps: () => [
        {
            content: "Open the régie contracts from the portal home",
            trigger: `.o_portal_index_card:not(.d-none):has(${CONTRACTS}) a`,
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Open the purchase contract",
            trigger: "a[href^='/my/regie/contracts/']",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "March: 4 validated days",
            trigger:
                "tr.o_regie_provider_month[data-billed='0']:has(a:contains(03/2026)) .o_regie_provider_days:contains(4)",
        },
        {
            content: "March at the purchase daily rate",
            trigger:
                "tr.o_regie_provider_month[data-billed='0']:has(a:contains(03/2026)) .o_regie_provider_rate:contains(450)",
        },
        {
            content: "March: 1,800 excl. tax to invoice",
            trigger:
                "tr.o_regie_provider_month[data-billed='0']:has(a:contains(03/2026)) .o_regie_provider_amount:contains(800)",
        },
        {
            content: "March: to invoice",
            trigger:
                "tr.o_regie_provider_month:has(a:contains(03/2026)) .o_regie_provider_to_bill",
        },
        {
            content: "April: billed by his invoice PF-2026-04",
            trigger:
                "tr.o_regie_provider_month[data-billed='1']:has(a:contains(04/2026)) .o_regie_provider_billed:contains(PF-2026-04)",
        },
        {
            content: "The total to invoice is March's",
            trigger: ".o_regie_provider_total:contains(800)",
        },
        {
            content: "The signed report of March is offered",
            trigger:
                "tr.o_regie_provider_month:has(a:contains(03/2026)) a.o_regie_provider_pdf[href$='/pdf?download=1']",
        },
        {
            content: "No sale price on the page",
            trigger: "body:not(:contains(987))",
        },
        {
            content: "Open March",
            trigger: "tr.o_regie_provider_month:has(a:contains(03/2026)) a:contains(03/2026)",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The month's days, logged on the client's side, are shown",
            trigger: ".o_regie_portal_month .o_regie_billable_days:contains(4)",
        },
        {
            content: "Four days in the day-by-day table",
            trigger: ".o_regie_day_table tbody:has(tr.o_regie_day:nth-of-type(1))",
            run() {
                const worked = [...document.querySelectorAll(".o_regie_day_table tr.o_regie_day")]
                    .filter((row) => row.children[1].textContent.trim());
                if (worked.length !== 4) {
                    throw new Error(`4 worked days expected, got ${worked.length}`);
                }
            },
        },
    ],
});
