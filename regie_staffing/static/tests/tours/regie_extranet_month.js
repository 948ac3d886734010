/** @odoo-module **/

import { registry } from "@web/core/registry";
import {
    extranetDaySteps,
    extranetSaveSteps,
    extranetSubmitSteps,
    openExtranetMonthSteps,
} from "./regie_tour_utils";

// Data comes from the Python test (test_tours_extranet.py): a freelancer with
// a portal user only, on one mission, with his May 2026 month in draft.
registry.category("web_tour.tours").add("regie_extranet_month", {
    url: "/my",
    steps: () => [
        ...openExtranetMonthSteps(),
        ...extranetDaySteps("2026-05-04", 1, "Kick-off"),
        ...extranetDaySteps("2026-05-05", 0.5),
        {
            content: "Friday 1 is a public holiday",
            trigger: "tr[data-date='2026-05-01'] .o_regie_extranet_holiday",
        },
        ...extranetSaveSteps(),
        {
            content: "The half day is kept",
            trigger: "select[name='amount_2026-05-05']:has(option[value='0.5']:selected)",
        },
        ...extranetSubmitSteps(),
        {
            content: "No more entry once submitted",
            trigger: ".o_regie_extranet_month:not(:has(.o_regie_extranet_save))",
        },
    ],
});
