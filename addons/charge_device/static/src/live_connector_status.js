import { onWillUnmount } from "@odoo/owl";
import { useService } from "@web/core/utils/hooks";
import { patch } from "@web/core/utils/patch";
import { KanbanController } from "@web/views/kanban/kanban_controller";
import { ListController } from "@web/views/list/list_controller";

// Views whose records show connector statuses: reloaded when piles report new ones.
const LIVE_MODELS = ["charge.connector", "charge.pile", "charge.station", "charge.session"];
const RELOAD_DELAY = 800;

function useLiveConnectorStatus(controller) {
    if (!LIVE_MODELS.includes(controller.props.resModel)) {
        return;
    }
    const busService = useService("bus_service");
    let timer = null;
    const reload = () => {
        const root = controller.model.root;
        if (root.editedRecord || (root.records || []).some((record) => record.dirty)) {
            return; // never disturb a record being edited
        }
        controller.model.load();
    };
    const onStatus = () => {
        clearTimeout(timer);
        timer = setTimeout(reload, RELOAD_DELAY);
    };
    busService.subscribe("charge_connector_status", onStatus);
    onWillUnmount(() => {
        clearTimeout(timer);
        busService.unsubscribe("charge_connector_status", onStatus);
    });
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
