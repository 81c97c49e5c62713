import { registry } from "@web/core/registry";

// A clerk (in Chinese) finds the orders waiting for their settlement: one waits for the queue, the other
// failed to settle and shows why; the clerk settles the failed one on its last reading, with no error dialog.
registry.category("web_tour.tours").add("charge_billing_settle_waiting_tour", {
    steps: () => [
        {
            content: "The orders list",
            trigger: ".o_list_view .o_data_row",
        },
        {
            content: "Open the search panel",
            trigger: ".o_searchview_dropdown_toggler",
            run: "click",
        },
        {
            content: "Filter: waiting for settlement",
            trigger: ".o_filter_menu .o-dropdown-item:contains(待结算)",
            run: "click",
        },
        {
            content: "Only the two waiting orders are listed",
            trigger: ".o_list_view:not(:has(.o_data_row:nth-child(3))) .o_data_row:nth-child(2)",
        },
        {
            content: "Open the latest one: it failed to settle",
            trigger: ".o_list_view .o_data_row:first-child .o_data_cell",
            run: "click",
        },
        {
            content: "It says why, and that it is tried again",
            trigger: ".o_form_view div[name='settle_error_banner']:contains(订单未能结算):contains(the meter values cannot be read)",
        },
        {
            content: "It cannot be stopped again",
            trigger: ".o_form_view:not(:has(.o_form_statusbar button[name='action_stop']))",
        },
        {
            content: "Settle it on its last reading",
            trigger: ".o_form_statusbar button[name='action_open_settle']",
            run: "click",
        },
        {
            content: "The reading to bill",
            trigger: ".modal .o_field_widget[name='last_energy_kwh']",
        },
        {
            content: "Settle",
            trigger: ".modal footer button[name='action_confirm']",
            run: "click",
        },
        {
            content: "Confirm",
            trigger: ".modal-footer .btn-primary:contains(确定)",
            run: "click",
        },
        {
            content: "The order is completed, its banners gone",
            trigger: ".o_form_view:not(:has(div[name='settle_error_banner'])) .o_statusbar_status button.o_arrow_button_current:contains(已完成)",
        },
        {
            content: "The next waiting order",
            trigger: ".o_pager_next",
            run: "click",
        },
        {
            content: "It waits for the queue, and says so",
            trigger: ".o_form_view div[name='settle_banner']:contains(订单正在等待结算)",
        },
    ],
});
