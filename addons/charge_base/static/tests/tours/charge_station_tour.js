import { registry } from "@web/core/registry";
import { stepUtils } from "@web_tour/tour_utils";

registry.category("web_tour.tours").add("charge_base_station_pile_tour", {
    steps: () => [
        {
            content: "Name the station",
            trigger: ".o_field_widget[name='name'] input",
            run: "edit 蛇口码头充电站",
        },
        {
            content: "Street",
            trigger: ".o_field_widget[name='street'] input",
            run: "edit 望海路1号",
        },
        {
            content: "City",
            trigger: ".o_field_widget[name='city'] input",
            run: "edit 深圳市",
        },
        {
            content: "Latitude",
            trigger: ".o_field_widget[name='latitude'] input",
            run: "edit 22.4869",
        },
        {
            content: "Longitude",
            trigger: ".o_field_widget[name='longitude'] input",
            run: "edit 113.9123",
        },
        ...stepUtils.saveForm(),
        {
            content: "Submit for approval",
            trigger: "button[name='action_submit']",
            run: "click",
        },
        {
            content: "Approve as a manager",
            trigger: "button[name='action_approve']",
            run: "click",
        },
        {
            content: "Start operating",
            trigger: "button[name='action_start']",
            run: "click",
        },
        {
            content: "The station operates",
            trigger: "button[name='action_stop']",
        },
        {
            content: "Open the station's piles",
            trigger: "button[name='action_view_piles']",
            run: "click",
        },
        {
            content: "Register a pile",
            trigger: ".o_list_button_add",
            run: "click",
        },
        {
            content: "Name the pile",
            trigger: ".o_field_widget[name='name'] input",
            run: "edit 1号快充桩",
        },
        {
            content: "Serial",
            trigger: ".o_field_widget[name='serial'] input",
            run: "edit TOUR0001",
        },
        {
            content: "Pick the model",
            trigger: ".o_field_widget[name='model_id'] input",
            run: "edit TourModel",
        },
        {
            trigger: ".o-autocomplete--dropdown-item:contains(TourModel)",
            run: "click",
        },
        ...stepUtils.saveForm(),
        {
            content: "Connectors were generated from the model",
            trigger: ".o_field_widget[name='connector_ids'] .o_data_row:contains(TOUR000102)",
        },
        {
            content: "The pile is registered, ready to be commissioned",
            trigger: "button[name='action_commission']",
        },
    ],
});
