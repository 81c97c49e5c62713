import { onWillDestroy } from "@odoo/owl";
import { useService } from "@web/core/utils/hooks";
import { patch } from "@web/core/utils/patch";
import { KanbanController } from "@web/views/kanban/kanban_controller";
import { ListController } from "@web/views/list/list_controller";

// Views whose records show connector statuses: reloaded when piles report new ones.
const LIVE_MODELS = ["charge.connector", "charge.pile", "charge.station", "charge.session"];
export const RELOAD_DELAY = 800;

/**
 * Reload the view of ``controller`` when the bus brings a ``channel``
 * notification whose payload ``concerns(payload, controller)`` says is about it.
 * Reloads are throttled (at most one per RELOAD_DELAY: a stream of
 * notifications from many piles still refreshes the view) and never disturb
 * a record being edited. Form views reload their record, others their list.
 */
export function useLiveReload(controller, channel, concerns = () => true) {
    const busService = useService("bus_service");
    let timer = null;
    const reload = () => {
        timer = null;
        const root = controller.model.root;
        if (!root || root.editedRecord || root.dirty || (root.records || []).some((record) => record.dirty)) {
            return; // never disturb a record being edited
        }
        if (root.records) {
            controller.model.load();
        } else if (root.resId) {
            root.load();
        }
    };
    const onNotification = (payload) => {
        if (!timer && concerns(payload, controller)) {
            timer = setTimeout(reload, RELOAD_DELAY);
        }
    };
    busService.subscribe(channel, onNotification);
    // on destroy, not unmount: a view left before it was even mounted (a quick click to another menu)
    // is destroyed without being unmounted, and its reload would run on a destroyed component
    onWillDestroy(() => {
        clearTimeout(timer);
        busService.unsubscribe(channel, onNotification);
    });
}

function useLiveConnectorStatus(controller) {
    if (LIVE_MODELS.includes(controller.props.resModel)) {
        useLiveReload(controller, "charge_connector_status");
    }
}

patch(ListController.prototype, {
    setup() {
        super.setup(...arguments);
        useLiveConnectorStatus(this);
    },
});

patch(KanbanController.prototype, {
    setup() {
        super.setup(...arguments);
        useLiveConnectorStatus(this);
    },
});
