/** @odoo-module **/

import { registry } from "@web/core/registry";
import { openMenu } from "./regie_tour_utils";

// Data comes from the Python test (test_tours_vigilance.py): the provider
// "Vigil Provider SAS" with a portal contact, an active purchase contract
// requiring vigilance documents, an URSSAF certificate about to expire.
const PROVIDER = "Vigil Provider SAS";
const CODE = "TOUR4242CODE";
// The smallest PDF the upload accepts (its magic number is checked).
const PDF = "%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n";

/** Yesterday, as an <input type="date"> takes it in every language. */
function isoYesterday() {
    const day = new Date();
    day.setDate(day.getDate() - 1);
    const pad = (number) => String(number).padStart(2, "0");
    return `${day.getFullYear()}-${pad(day.getMonth() + 1)}-${pad(day.getDate())}`;
}

const URSSAF_FORM = ".o_regie_vigilance_upload[data-document-type=urssaf]";

registry.category("web_tour.tours").add("regie_vigilance_portal_upload", {
    url: "/my",
    steps: () => [
        {
            content: "Open the vigilance documents from the portal home",
            trigger: ".o_portal_index_card:not(.d-none) a[href='/my/vigilance']:first",
            run: "click",
        },
        {
            content: "The URSSAF certificate is about to expire",
            trigger: ".o_regie_vigilance_line[data-document-type=urssaf] [data-state=expiring]",
        },
        {
            content: "Choose the new certificate's file",
            trigger: `${URSSAF_FORM} input[name=file]`,
            run() {
                const input = document.querySelector(`${URSSAF_FORM} input[name=file]`);
                const files = new DataTransfer();
                files.items.add(
                    new File([PDF], "attestation_urssaf.pdf", { type: "application/pdf" })
                );
                input.files = files.files;
                input.dispatchEvent(new Event("change", { bubbles: true }));
            },
        },
        {
            content: "Enter its issue date",
            trigger: `${URSSAF_FORM} input[name=issue_date]`,
            run() {
                const input = document.querySelector(`${URSSAF_FORM} input[name=issue_date]`);
                input.value = isoYesterday();
                input.dispatchEvent(new Event("change", { bubbles: true }));
            },
        },
        {
            content: "Enter its security code",
            trigger: `${URSSAF_FORM} input[name=verification_code]`,
            run: `edit ${CODE}`,
        },
        {
            content: "Upload it",
            trigger: `${URSSAF_FORM} button[type=submit]`,
            run: "click",
        },
        {
            content: "The upload is confirmed",
            trigger: ".o_regie_vigilance_uploaded",
        },
        {
            content: "The certificate is valid, awaiting the client's check",
            trigger:
                ".o_regie_vigilance_line[data-document-type=urssaf]:has([data-state=valid]):has(.o_regie_vigilance_unchecked)",
        },
    ],
});

registry.category("web_tour.tours").add("regie_vigilance_buyer_check", {
    url: "/odoo",
    steps: () => [
        ...openMenu(
            "regie_staffing.regie_staffing_menu_root",
            "regie_staffing.regie_contract_menu",
            "regie_staffing.regie_vigilance_document_menu"
        ),
        {
            content: "Unfold the provider's documents",
            trigger: `.o_list_view .o_group_header:contains(${PROVIDER})`,
            run: "click",
        },
        {
            content: "Open the uploaded certificate",
            trigger: `.o_data_row:has(td[name=verification_code]:contains(${CODE})) td[name=document_type]`,
            run: "click",
        },
        {
            content: "Mark it as checked",
            trigger: ".o_form_view button[name=action_mark_checked]",
            run: "click",
        },
        {
            content: "The check is recorded",
            trigger:
                ".o_form_view:not(:has(button[name=action_mark_checked])) .o_field_widget[name=checked_date]:not(:empty)",
        },
        ...openMenu(
            "regie_staffing.regie_staffing_menu_root",
            "regie_staffing.regie_contract_menu",
            "regie_staffing.regie_vigilance_compliance_menu"
        ),
        {
            content: "The compliance report lists the provider, a document still missing",
            trigger: `.o_list_view .o_data_row:contains(${PROVIDER}) [name=state] [class*=danger]`,
        },
    ],
});
