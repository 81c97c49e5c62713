import { patch } from "@web/core/utils/patch";
import { FormController } from "@web/views/form/form_controller";
import { KanbanController } from "@web/views/kanban/kanban_controller";
import { ListController } from "@web/views/list/list_controller";
import { useLiveReload } from "@charge_device/live_connector_status";

// The device listener sends {orders: [ids], connectors: [ids]} on this channel
// when it wrote the live figures of running orders (or their session stopped):
// see charge_billing/models/charge_order_live.py.
export const LIVE_CHANNEL = "charge_order_live";

/** Whether the view of ``controller`` shows one of the records of ``payload[key]``. */
function shows(payload, controller, key) {
    const ids = new Set(payload?.[key] || []);
    const root = controller.model.root;
    if (!root) {
        return false;
    }
    if (root.records) {
        return root.records.some((record) => ids.has(record.resId));
    }
    return ids.has(root.resId);
}

export function showsOrders(payload, controller) {
    return shows(payload, controller, "orders");
}

export function showsConnectors(payload, controller) {
    return shows(payload, controller, "connectors");
}

function useLiveOrderFigures(controller) {
    if (controller.props.resModel === "charge.order") {
        useLiveReload(controller, LIVE_CHANNEL, showsOrders);
    }
}

patch(FormController.prototype, {
    setup() {
        super.setup(...arguments);
        useLiveOrderFigures(this);
    },
});

patch(ListController.prototype, {
    setup() {
        super.setup(...arguments);
        useLiveOrderFigures(this);
    },
});

patch(KanbanController.prototype, {
    setup() {
        super.setup(...arguments);
        if (this.props.resModel === "charge.connector") {
            // the connector cards show the live figures of the orders charging on them
            useLiveReload(this, LIVE_CHANNEL, showsConnectors);
        }
    },
});
