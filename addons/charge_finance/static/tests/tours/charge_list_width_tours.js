import { registry } from "@web/core/registry";

// A list opened by the tour must fit the window it is shown in: no horizontal
// scroll bar, and no column title cut short. The test opens it at 1440 px wide.

function checkListFits() {
    const renderer = document.querySelector(".o_list_renderer");
    const overflow = renderer.scrollWidth - renderer.clientWidth;
    if (overflow > 1) {
        throw new Error(`the list is ${overflow}px wider than the window (${renderer.clientWidth}px)`);
    }
    const cut = [...renderer.querySelectorAll("thead th span.text-truncate")]
        .filter((label) => label.scrollWidth > label.clientWidth + 1)
        .map((label) => label.textContent.trim());
    if (cut.length) {
        throw new Error(`column titles cut short: ${cut.join(", ")}`);
    }
}

registry.category("web_tour.tours").add("charge_list_fits_tour", {
    steps: () => [
        {
            content: "The list shows its records",
            trigger: ".o_list_view .o_list_renderer .o_data_row",
        },
        {
            content: "It fits the window, every column title whole",
            trigger: ".o_list_view .o_list_renderer thead th",
            run: checkListFits,
        },
    ],
});
