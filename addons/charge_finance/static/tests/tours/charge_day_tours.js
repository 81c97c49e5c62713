import { browser } from "@web/core/browser/browser";
import { registry } from "@web/core/registry";
import { user } from "@web/core/user";
import { stepUtils } from "@web_tour/tour_utils";

// A clerk's and an accountant's day in the web client (tests/test_day_tours.py runs them one after
// the other and plays the pile's part in between). The users work in Chinese: triggers use stable
// selectors (menu xmlids, field and button names, figures and codes), never the translated labels.

const NO_DIALOG = "body:not(:has(.modal)):not(:has(.o_error_dialog))";

/** The app opened by its xmlid, for a user who works in Chinese. */
function openApp(xmlid, description) {
    return [
        {
            content: "The user works in Chinese",
            trigger: "body",
            run() {
                if (user.lang !== "zh-CN") {
                    throw new Error(`the tour runs in ${user.lang}, not in Chinese`);
                }
            },
        },
        ...stepUtils.goToAppSteps(xmlid, description),
    ];
}

/** Open the menu ``top`` of the top bar, then its item ``item`` (both by xmlid). */
function menu(top, item, content) {
    return [
        {
            content: `${content}: menu ${top}`,
            trigger: `.o_main_navbar [data-menu-xmlid='${top}']`,
            run: "click",
        },
        {
            content: `${content}: item ${item}`,
            trigger: `.dropdown-item[data-menu-xmlid='${item}']`,
            run: "click",
        },
    ];
}

/** A step that reads the number shown by the field ``name`` of the form and checks it is above zero. */
function positive(name, content) {
    const selector = `.o_form_view .o_field_widget[name='${name}']`;
    return {
        content,
        trigger: `${selector}:not(:empty)`,
        run({ queryFirst }) {
            const text = queryFirst(selector).textContent.replace(/[^\d.-]/g, "");
            if (!(parseFloat(text) > 0)) {
                throw new Error(`${name} shows ${queryFirst(selector).textContent}, not a figure above zero`);
            }
        },
    };
}

// 1. Register a member, recharge their wallet, issue them a card, start a charge on a connector
registry.category("web_tour.tours").add("charge_day_clerk_register_and_start_tour", {
    steps: () => [
        ...openApp("charge_base.menu_charge_root", "Charging Operations"),
        ...menu("charge_member.menu_charge_customers", "charge_member.menu_charge_member", "Members"),
        {
            content: "A new member",
            trigger: ".o_list_button_add",
            run: "click",
        },
        {
            content: "The member's name",
            trigger: ".o_form_view .o_field_widget[name='name'] input",
            run: "edit 赵小明",
        },
        {
            content: "The member's mobile",
            trigger: ".o_form_view .o_field_widget[name='charge_mobile'] input",
            run: "edit 137 0013 7000",
        },
        ...stepUtils.saveForm(),
        {
            content: "Offline recharge",
            trigger: ".o_form_view .o_statusbar_buttons button[name='action_charge_recharge']",
            run: "click",
        },
        {
            content: "Amount paid at the counter",
            trigger: ".modal .o_field_widget[name='amount'] input",
            run: "edit 200",
        },
        {
            content: "Receipt reference",
            trigger: ".modal .o_field_widget[name='reference'] input",
            run: "edit POS-TOUR-1",
        },
        {
            content: "Recharge",
            trigger: ".modal button[name='action_confirm']",
            run: "click",
        },
        {
            content: "The wallet shows the money",
            trigger: `${NO_DIALOG} .o_form_view button[name='action_charge_view_wallet']:contains(200.00)`,
        },
        ...menu("charge_member.menu_charge_customers", "charge_member.menu_charge_card_issue", "Issue a card"),
        {
            content: "The card's number",
            trigger: ".modal .o_field_widget[name='number'] input",
            run: "edit TOURCARD01",
        },
        {
            content: "The member's mobile finds the member",
            trigger: ".modal .o_field_widget[name='mobile'] input",
            run: "edit 13700137000 && press Tab",
        },
        {
            content: "The member is found",
            trigger: ".modal .o_field_widget[name='member_status']",
        },
        {
            content: "Issue",
            trigger: ".modal button[name='action_confirm']",
            run: "click",
        },
        {
            content: "The card is issued to the member",
            trigger: `${NO_DIALOG} .o_form_view .o_field_widget[name='partner_id']`,
        },
        ...menu("charge_base.menu_charge_operations", "charge_base.menu_charge_connector", "Connectors"),
        {
            content: "The connectors by status",
            trigger: ".o_control_panel .o_switch_view.o_kanban",
            run: "click",
        },
        {
            content: "Open the free connector",
            trigger: ".o_kanban_view .o_kanban_record:contains(BUS0000101)",
            run: "click",
        },
        {
            content: "Remote start (the action button of the connector's header)",
            trigger: ".o_form_view .o_statusbar_buttons button[type='action']",
            run: "click",
        },
        {
            content: "Look the member's card up",
            trigger: ".modal .o_field_widget[name='card_id'] input",
            run: "edit TOURCARD01",
        },
        {
            content: "Pick it",
            trigger: ".modal .o_field_widget[name='card_id'] .o-autocomplete--dropdown-item:contains(TOURCARD01)",
            run: "click",
        },
        {
            content: "The card gives the id tag to start with",
            trigger: ".modal .o_field_widget[name='id_tag']:contains(TOURCARD01)",
        },
        {
            content: "Send",
            trigger: ".modal button[name='action_send']",
            run: "click",
        },
        {
            content: "Sent without an error, back on the connector",
            trigger: `${NO_DIALOG} .o_form_view .o_field_widget[name='code']:contains(BUS0000101)`,
        },
    ],
});

// 2. The pile started the session: watch the live order, its power curve, then stop it
registry.category("web_tour.tours").add("charge_day_clerk_live_order_tour", {
    steps: () => [
        ...openApp("charge_base.menu_charge_root", "Charging Operations"),
        ...menu("charge_billing.menu_charge_orders", "charge_billing.menu_charge_order", "Orders"),
        {
            content: "Open the running order (the only order of the day so far)",
            trigger: ".o_list_view .o_data_row td[name='name']",
            run: "click",
        },
        {
            content: "The order is charging",
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current[data-value='charging']",
        },
        {
            content: "Live energy: 12.345 kWh so far",
            trigger: ".o_form_view .o_field_widget[name='live_energy_kwh']:contains(12.345)",
        },
        {
            content: "The car's state of charge",
            trigger: ".o_form_view .o_field_widget[name='live_soc']:contains(56)",
        },
        positive("live_amount", "What the charge costs so far"),
        positive("live_duration_minutes", "How long it has been charging"),
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
            content: "The power curve is drawn in its dialog",
            trigger: ".modal .o_charge_power_curve canvas",
        },
        {
            content: "Close the power curve",
            trigger: ".modal .modal-header .btn-close",
            run: "click",
        },
        {
            content: "The session's meter values",
            trigger: `${NO_DIALOG} .o_form_view .oe_stat_button[type='action']:has(.fa-list)`,
            run: "click",
        },
        {
            content: "The meter values are listed",
            trigger: ".o_list_view .o_data_row td[name='power_w']",
        },
        {
            content: "As a graph over time",
            trigger: ".o_control_panel .o_switch_view.o_graph",
            run: "click",
        },
        {
            content: "The graph is drawn",
            trigger: `${NO_DIALOG} .o_graph_view .o_graph_renderer canvas`,
        },
        ...menu("charge_billing.menu_charge_orders", "charge_billing.menu_charge_order", "Back to the orders"),
        {
            content: "Open the running order again",
            trigger: ".o_list_view .o_data_row td[name='name']",
            run: "click",
        },
        {
            content: "Stop the charge",
            trigger: ".o_form_view .o_statusbar_buttons button[name='action_stop']",
            run: "click",
        },
        {
            content: "Confirm",
            trigger: ".modal .modal-footer .btn-primary",
            run: "click",
        },
        {
            content: "The stop is sent, the order waits for the pile",
            trigger: `${NO_DIALOG} .o_form_view .o_statusbar_status button.o_arrow_button_current[data-value='stopping']`,
        },
    ],
});

// 3. The completed order's bill and power curve; a second charge stopped from its connector
registry.category("web_tour.tours").add("charge_day_clerk_bill_and_connector_stop_tour", {
    steps: () => [
        ...openApp("charge_base.menu_charge_root", "Charging Operations"),
        ...menu("charge_billing.menu_charge_orders", "charge_billing.menu_charge_order", "Orders"),
        {
            content: "Open the completed order (12.5 kWh)",
            trigger: ".o_list_view .o_data_row td[name='energy_kwh']:contains(12.500)",
            run: "click",
        },
        {
            content: "The order is completed",
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current[data-value='completed']",
        },
        {
            content: "Its bill has lines",
            trigger: ".o_form_view .o_field_widget[name='line_ids'] .o_data_row td[name='amount']",
        },
        positive("amount_total", "The bill's total"),
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
            content: "The wallet payment",
            trigger: ".o_form_view .o_notebook .nav-link[name='wallet']",
            run: "click",
        },
        {
            content: "The wallet paid it",
            trigger: ".o_form_view .o_field_widget[name='wallet_transaction_ids'] .o_data_row",
        },
        ...menu("charge_base.menu_charge_operations", "charge_base.menu_charge_connector", "Connectors"),
        {
            content: "The connectors by status",
            trigger: ".o_control_panel .o_switch_view.o_kanban",
            run: "click",
        },
        {
            content: "Open the connector that charges",
            trigger: ".o_kanban_view .o_kanban_record:contains(BUS0000102)",
            run: "click",
        },
        {
            content: "Remote stop",
            trigger: ".o_form_view .o_statusbar_buttons button[name='action_remote_stop']",
            run: "click",
        },
        {
            content: "Confirm",
            trigger: ".modal .modal-footer .btn-primary",
            run: "click",
        },
        {
            content: "Sent without an error, back on the connector",
            trigger: `${NO_DIALOG} .o_form_view .o_field_widget[name='code']:contains(BUS0000102)`,
        },
    ],
});

// 4. The second charge turned out abnormal: handle it; then export the day's orders
registry.category("web_tour.tours").add("charge_day_clerk_abnormal_export_tour", {
    steps: () => [
        ...openApp("charge_base.menu_charge_root", "Charging Operations"),
        ...menu("charge_billing.menu_charge_orders", "charge_billing.menu_charge_order_abnormal", "Abnormal orders"),
        {
            content: "Open the abnormal order (11 kWh in a minute)",
            trigger: ".o_list_view .o_data_row td[name='energy_kwh']:contains(11.000)",
            run: "click",
        },
        {
            content: "Handle it",
            trigger: ".o_form_view .o_statusbar_buttons button[name='action_open_handle']",
            run: "click",
        },
        {
            content: "Settle it as it is",
            trigger: ".modal .o_field_widget[name='method'] input[data-value='settle']",
            run: "click",
        },
        {
            content: "What was checked",
            trigger: ".modal .o_field_widget[name='note'] textarea",
            run: "edit 已与车主核实",
        },
        {
            content: "Confirm the handling",
            trigger: ".modal button[name='action_confirm']",
            run: "click",
        },
        {
            content: "Yes, apply it",
            trigger: ".modal:not(.o_inactive_modal) .modal-footer .btn-primary",
            run: "click",
        },
        {
            content: "The order is completed",
            trigger: `${NO_DIALOG} .o_form_view .o_statusbar_status button.o_arrow_button_current[data-value='completed']`,
        },
        ...menu("charge_billing.menu_charge_orders", "charge_billing.menu_charge_order", "Orders to export"),
        {
            content: "Both orders are listed",
            trigger: ".o_list_view .o_data_row:nth-child(2)",
        },
        {
            content: "Select them all",
            trigger: ".o_list_view thead .o_list_record_selector input",
            run: "click",
        },
        {
            content: "Export XLSX (the download is fetched by the tour instead of a new tab)",
            trigger: ".o_control_panel button[name='action_export_xlsx'], .o_list_view button[name='action_export_xlsx']",
            run({ click, anchor }) {
                browser.open = (url) => {
                    document.body.dataset.chargeExportUrl = url;
                    return { closed: false };
                };
                return click(anchor);
            },
        },
        {
            content: "The export is a workbook",
            trigger: "body[data-charge-export-url]",
            async run() {
                const response = await fetch(document.body.dataset.chargeExportUrl);
                const type = response.headers.get("Content-Type") || "";
                const bytes = new Uint8Array(await response.arrayBuffer());
                // an XLSX file is a zip archive: "PK"
                if (response.status !== 200 || !type.includes("spreadsheetml") || bytes[0] !== 0x50 ||
                    bytes[1] !== 0x4b) {
                    throw new Error(`the export answered ${response.status} ${type} (${bytes.length} bytes)`);
                }
                document.body.dataset.chargeExportOk = bytes.length;
            },
        },
        {
            content: "Exported",
            trigger: "body[data-charge-export-ok]:not(:has(.modal)):not(:has(.o_error_dialog))",
        },
    ],
});

// 5. The accountant, in the Invoicing app: the journal entry of the member's wallet payment with its
// lines (from the order), the wallet journal, then the wallet and order reconciliation reports
registry.category("web_tour.tours").add("charge_day_accountant_tour", {
    steps: () => [
        ...openApp("account.menu_finance", "Invoicing"),
        ...menu("charge_finance.menu_account_charge", "charge_finance.menu_account_charge_orders", "Orders"),
        {
            content: "Open the member's order (12.5 kWh)",
            trigger: ".o_list_view .o_data_row td[name='energy_kwh']:contains(12.500)",
            run: "click",
        },
        {
            content: "The order's journal entries",
            trigger: ".o_form_view button[name='action_view_charge_entries']",
            run: "click",
        },
        {
            content: "The wallet payment's entry, with its lines: the wallet's cash debited, revenue and tax credited",
            trigger: ".o_form_view .o_field_widget[name='line_ids'] .o_data_row:nth-child(3) td[name='credit']",
            run({ queryAll }) {
                const total = (name) => queryAll(`.o_field_widget[name='line_ids'] .o_data_row td[name='${name}']`)
                    .reduce((sum, cell) => sum + (parseFloat(cell.textContent.replace(/[^\d.-]/g, "")) || 0), 0);
                const [debit, credit] = [total("debit"), total("credit")];
                if (!(debit > 0) || Math.abs(debit - credit) > 0.001) {
                    throw new Error(`the entry's lines show ${debit} debit and ${credit} credit`);
                }
            },
        },
        {
            content: "No error on the way",
            trigger: `${NO_DIALOG} .o_form_view .o_field_widget[name='line_ids']`,
        },
        ...menu("charge_finance.menu_account_charge", "charge_finance.menu_account_charge_wallet_entries",
            "Wallet journal entries"),
        {
            content: "The wallet journal's entries of the day (recharge, card fee, two payments)",
            trigger: ".o_list_view .o_data_row:nth-child(4) td[name='name']",
        },
        ...menu("charge_finance.menu_account_charge", "charge_finance.menu_account_charge_wallet_recon",
            "Wallet reconciliation"),
        {
            content: "The reconciliation report: general ledger against the wallets",
            trigger: `${NO_DIALOG} .o_list_view .o_data_row td[name='difference']`,
        },
        ...menu("charge_finance.menu_account_charge", "charge_finance.menu_account_charge_order_recon",
            "Order reconciliation"),
        {
            content: "The month's orders against the revenue booked",
            trigger: `${NO_DIALOG} .o_list_view .o_data_row td[name='revenue_difference']`,
        },
    ],
});
