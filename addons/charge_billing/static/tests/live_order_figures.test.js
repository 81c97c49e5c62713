import { describe, expect, test } from "@odoo/hoot";
import { runAllTimers } from "@odoo/hoot-dom";
import { animationFrame } from "@odoo/hoot-mock";
import {
    MockServer,
    defineModels,
    fields,
    getService,
    models,
    mountView,
    onRpc,
} from "@web/../tests/web_test_helpers";
import { defineMailModels } from "@mail/../tests/mail_test_helpers";
import {
    startBusService,
    waitForChannels,
    waitNotifications,
} from "@bus/../tests/bus_test_helpers";

class ChargeOrder extends models.Model {
    _name = "charge.order";

    name = fields.Char();
    live_energy_kwh = fields.Float();

    _records = [
        { id: 1, name: "S0001", live_energy_kwh: 10 },
        { id: 2, name: "S0002", live_energy_kwh: 5 },
    ];
}

class ChargeConnector extends models.Model {
    _name = "charge.connector";

    name = fields.Char();
    live_order_summary = fields.Char();

    _records = [
        { id: 1, name: "C1", live_order_summary: "10.000 kWh" },
        { id: 2, name: "C2", live_order_summary: false },
    ];
}

defineMailModels();
defineModels([ChargeOrder, ChargeConnector]);
describe.current.tags("desktop");

const ARCH = `<form><field name="name"/><field name="live_energy_kwh"/></form>`;

async function listenToTheBus() {
    await startBusService();
    getService("bus_service").addChannel("charge_users");
    await waitForChannels(["charge_users"]);
}

async function meterValuesArrive(orders, energy, connectors = []) {
    MockServer.env["charge.order"].write(orders, { live_energy_kwh: energy });
    MockServer.env["charge.connector"].write(connectors, { live_order_summary: `${energy}.000 kWh` });
    MockServer.env["bus.bus"]._sendone("charge_users", "charge_order_live", { orders, connectors });
    await waitNotifications(["charge_order_live", { orders, connectors }]);
    await runAllTimers();
    await animationFrame();
}

test("an open running order's form shows its new live figures", async () => {
    let reads = 0;
    onRpc("charge.order", "web_read", () => {
        reads++;
    });
    await mountView({ type: "form", resModel: "charge.order", resId: 1, arch: ARCH });
    await listenToTheBus();
    expect(".o_field_widget[name=live_energy_kwh] input").toHaveValue("10.00");
    await meterValuesArrive([1], 20);
    expect(".o_field_widget[name=live_energy_kwh] input").toHaveValue("20.00");
    expect(reads).toBe(2);
    // another order's readings do not reload this one
    await meterValuesArrive([2], 7);
    expect(reads).toBe(2);
});

test("a list of orders reloads when one of its orders changes", async () => {
    await mountView({
        type: "list",
        resModel: "charge.order",
        arch: `<list><field name="name"/><field name="live_energy_kwh"/></list>`,
    });
    await listenToTheBus();
    expect(".o_data_row:first .o_data_cell[name=live_energy_kwh]").toHaveText("10.00");
    await meterValuesArrive([1], 30);
    expect(".o_data_row:first .o_data_cell[name=live_energy_kwh]").toHaveText("30.00");
});

test("a connector's kanban card shows the live figures of its order", async () => {
    await mountView({
        type: "kanban",
        resModel: "charge.connector",
        arch: `<kanban><templates><t t-name="card">
            <field name="name"/><field name="live_order_summary"/>
        </t></templates></kanban>`,
    });
    await listenToTheBus();
    expect(".o_kanban_record:first").toHaveText(/10\.000 kWh/);
    await meterValuesArrive([1], 12, [1]);
    expect(".o_kanban_record:first").toHaveText(/12\.000 kWh/);
});
