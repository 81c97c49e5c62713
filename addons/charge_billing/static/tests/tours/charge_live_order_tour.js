import { registry } from "@web/core/registry";

// A clerk opens a running order: its live figures, its power curve, then its
// session's power curve and meter values (list and hourly graph), with no error dialog.
registry.category("web_tour.tours").add("charge_billing_live_order_tour", {
    steps: () => [
        {
            content: "The order is live",
            trigger: ".o_form_view div[name='live_banner'] .o_charge_live_badge",
        },
        {
            content: "Energy so far",
            trigger: ".o_form_view .o_field_widget[name='live_energy_kwh']:contains(10.000)",
        },
        {
            content: "Cost so far, priced with the order's tariff",
            trigger: ".o_form_view .o_field_widget[name='live_amount']:contains(13.00)",
        },
        {
            content: "SoC last reported",
            trigger: ".o_form_view .o_field_widget[name='live_soc']:contains(40.0)",
        },
        {
            content: "The meter graph",
            trigger: ".o_form_view .o_notebook .nav-link[name='graph']",
            run: "click",
        },
        {
            content: "The power curve is drawn",
            trigger: ".o_form_view .o_charge_power_curve canvas",
        },
        {
            content: "The session",
            trigger: ".o_form_view button[name='action_view_session']",
            run: "click",
        },
        {
            content: "The session's power curve",
            trigger: ".o_form_view button[name='action_view_power_curve']",
            run: "click",
        },
        {
            content: "The power curve in its dialog",
            trigger: ".modal .o_charge_power_curve canvas",
        },
        {
            content: "Close it",
            trigger: ".modal .btn-close",
            run: "click",
        },
        {
            content: "The session's meter values",
            trigger: ".o_form_view .oe_stat_button:has(.fa-list)",
            run: "click",
        },
        {
            content: "Every sample is listed",
            trigger: ".o_list_view .o_data_row",
        },
        {
            content: "Switch to the graph",
            trigger: ".o_switch_view.o_graph",
            run: "click",
        },
        {
            content: "The hourly graph is drawn",
            trigger: ".o_graph_view .o_graph_renderer canvas",
        },
    ],
});
