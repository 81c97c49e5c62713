import { registry } from "@web/core/registry";

// Customer service (in Chinese) handles a member's after-sales request: negotiates, then approves a partial
// refund, which goes to finance; an invoicing user (in Chinese) issues a member's fapiao through the demo
// e-invoicing provider. No error dialog on the way.

const NO_DIALOG = "body:not(:has(.o_error_dialog))";

registry.category("web_tour.tours").add("charge_finance_after_sales_tour", {
    steps: () => [
        {
            content: "The requests to handle",
            trigger: ".o_list_view .o_data_row",
        },
        {
            content: "Open the member's request",
            trigger: ".o_list_view .o_data_row:first-child .o_data_cell",
            run: "click",
        },
        {
            content: "It is pending, in Chinese",
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains(待处理)",
        },
        {
            content: "Negotiate",
            trigger: ".o_form_statusbar button[name='action_negotiate']",
            run: "click",
        },
        {
            content: "Negotiating",
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains(协商中)",
        },
        {
            content: "The amount to refund",
            trigger: ".o_field_widget[name='approved_amount'] input",
            run: "edit 12.5",
        },
        {
            content: "Partial refund",
            trigger: ".o_form_statusbar button[name='action_approve_partial']",
            run: "click",
        },
        {
            content: "With finance, the refund order listed",
            trigger: `${NO_DIALOG} .o_statusbar_status button.o_arrow_button_current:contains(财务处理中)`,
        },
        {
            content: "The refund waits for finance",
            trigger: ".o_field_widget[name='refund_ids'] .o_data_row:contains(12.50):contains(财务处理中)",
        },
    ],
});

registry.category("web_tour.tours").add("charge_finance_fapiao_tour", {
    steps: () => [
        {
            content: "The fapiao requests to review",
            trigger: ".o_list_view .o_data_row",
        },
        {
            content: "Open the request",
            trigger: ".o_list_view .o_data_row:first-child .o_data_cell",
            run: "click",
        },
        {
            content: "Pending review",
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains(待审核)",
        },
        {
            content: "Approve and issue",
            trigger: ".o_form_statusbar button[name='action_approve']",
            run: "click",
        },
        {
            content: "Issued, with its number",
            trigger: `${NO_DIALOG} .o_statusbar_status button.o_arrow_button_current:contains(已开票)`,
        },
        {
            content: "The fapiao number is there",
            trigger: ".o_field_widget[name='fapiao_number']:not(:empty)",
        },
    ],
});
