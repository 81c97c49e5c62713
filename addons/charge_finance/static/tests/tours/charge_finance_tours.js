import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_utils";

// Triggers use stable selectors (field and button names, menu xmlids, figures), never the
// translated labels: the tours run as users working in Chinese.

registry.category("web_tour.tours").add("charge_finance_card_load_tour", {
    steps: () => [
        {
            content: "Open the stored-value card",
            trigger: ".o_list_view .o_data_row td[name='name']:contains(SVTOUR01)",
            run: "click",
        },
        {
            content: "The card's form is open",
            trigger: ".o_form_view .o_field_widget[name='card_type']",
        },
        {
            content: "Load Card (the one action button of the card's header)",
            trigger: ".o_form_view .o_statusbar_buttons button[type='action']",
            run: "click",
        },
        {
            content: "The wizard names the card",
            trigger: ".modal .o_field_widget[name='card_id']",
        },
        {
            content: "A card sale",
            trigger: ".modal .o_field_widget[name='kind'] input[data-value='sale']",
            run: "click",
        },
        {
            content: "Amount",
            trigger: ".modal .o_field_widget[name='amount'] input",
            run: "edit 100",
        },
        {
            content: "Confirm",
            trigger: ".modal button[name='action_confirm']",
            run: "click",
        },
        {
            content: "The wizard closed, back on the card",
            trigger: "body:not(:has(.modal)) .o_form_view .o_statusbar_buttons button[type='action']",
        },
    ],
});

registry.category("web_tour.tours").add("charge_finance_order_reconciliation_tour", {
    steps: () => [
        ...stepUtils.goToAppSteps("charge_base.menu_charge_root", "Charging Operations"),
        {
            content: "Wallets menu",
            trigger: ".o_main_navbar [data-menu-xmlid='charge_member.menu_charge_wallets']",
            run: "click",
        },
        {
            content: "Order Reconciliation",
            trigger: "[data-menu-xmlid='charge_finance.menu_charge_order_reconciliation']",
            run: "click",
        },
        {
            content: "The month's row counts the unpaid order",
            trigger: ".o_list_view .o_data_row td[name='unpaid_amount']:contains(10.00)",
        },
        {
            content: "Its open receivable agrees",
            trigger: ".o_list_view .o_data_row td[name='open_receivable']:contains(10.00)",
        },
        {
            content: "Drill down to the month's orders",
            trigger: ".o_list_view .o_data_row button[name='action_view_orders']",
            run: "click",
        },
        {
            content: "Open the order",
            trigger: ".o_list_view .o_data_row td[name='amount_total']:contains(10.00)",
            run: "click",
        },
        {
            content: "The order's journal entry (its only one opens in its form)",
            trigger: ".o_form_view button[name='action_view_charge_entries']",
            run: "click",
        },
        {
            content: "The entry belongs to the order",
            trigger: ".o_form_view .o_field_widget[name='charge_order_id']",
        },
        {
            content: "The receivable is debited",
            trigger: ".o_field_widget[name='line_ids'] .o_data_row td[name='debit']:contains(10.00)",
        },
        {
            content: "Revenue and tax are credited",
            trigger: ".o_field_widget[name='line_ids'] .o_data_row td[name='credit']:contains(6.19)",
        },
    ],
});
