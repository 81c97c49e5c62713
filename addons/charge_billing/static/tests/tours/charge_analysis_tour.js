import { registry } from "@web/core/registry";

const NO_DIALOG = "body:not(:has(.o_error_dialog, .o_dialog .modal-body .alert-danger))";

// A clerk opens the charging analysis: this month's orders only (7 kWh), with the
// month's facet in the search bar; without it, the older order comes back (18 kWh).
registry.category("web_tour.tours").add("charge_billing_analysis_this_month_tour", {
    steps: () => [
        {
            content: "The analysis opens filtered on a start date",
            trigger: `${NO_DIALOG} .o_searchview_facet .o_facet_values:contains(Start Date)`,
        },
        {
            content: "The pivot adds up this month's order only",
            trigger: ".o_pivot .o_pivot_cell_value:contains(7.000)",
            run() {
                const values = [...document.querySelectorAll(".o_pivot .o_pivot_cell_value")].map(
                    (cell) => cell.textContent.trim());
                if (values.some((value) => value.includes("18.000") || value.includes("11.000"))) {
                    throw new Error(`the analysis shows older orders: ${values.join(", ")}`);
                }
            },
        },
        {
            content: "Remove the month's facet",
            trigger: ".o_searchview_facet:contains(Start Date) .o_facet_remove",
            run: "click",
        },
        {
            content: "The older order is counted again",
            trigger: `${NO_DIALOG} .o_pivot .o_pivot_cell_value:contains(18.000)`,
        },
    ],
});
