import { Component, onWillStart, useEffect, useRef } from "@odoo/owl";
import { loadBundle } from "@web/core/assets";
import { getColor, hexToRGBA } from "@web/core/colors/colors";
import { _t } from "@web/core/l10n/translation";
import { registry } from "@web/core/registry";
import { standardFieldProps } from "@web/views/fields/standard_field_props";

/**
 * The power, energy and SoC curve of a charging session, from a JSON field
 * holding {labels: [...], power_kw: [...], energy_kwh: [...], soc: [...]}
 * (one point per meter sample, see charge_device/tools/power_curve.py).
 */
export class PowerCurveField extends Component {
    static template = "charge_device.PowerCurveField";
    static props = { ...standardFieldProps };

    setup() {
        this.canvasRef = useRef("canvas");
        this.chart = null;
        onWillStart(() => loadBundle("web.chartjs_lib"));
        useEffect(
            () => {
                this.renderChart();
                return () => this.chart?.destroy();
            },
            () => [this.props.record.data[this.props.name]]
        );
    }

    get curve() {
        const raw = this.props.record.data[this.props.name];
        const curve = raw ? JSON.parse(raw) : {};
        return { labels: [], power_kw: [], energy_kwh: [], soc: [], ...curve };
    }

    get isEmpty() {
        return !this.curve.labels.length;
    }

    renderChart() {
        this.chart?.destroy();
        if (this.isEmpty) {
            return;
        }
        const curve = this.curve;
        const power = getColor(1, "light", "odoo");
        const energy = getColor(3, "light", "odoo");
        const soc = getColor(5, "light", "odoo");
        const hasSoc = curve.soc.some((value) => value !== null);
        const pointRadius = curve.labels.length > 60 ? 0 : 2;
        this.chart = new Chart(this.canvasRef.el, {
            type: "line",
            data: {
                labels: curve.labels,
                datasets: [
                    {
                        label: _t("Power (kW)"),
                        data: curve.power_kw,
                        borderColor: power,
                        backgroundColor: hexToRGBA(power, 0.15),
                        fill: "start",
                        yAxisID: "power",
                        pointRadius,
                        tension: 0.2,
                    },
                    {
                        label: _t("Energy (kWh)"),
                        data: curve.energy_kwh,
                        borderColor: energy,
                        yAxisID: "energy",
                        pointRadius,
                        spanGaps: true,
                        tension: 0.2,
                    },
                    ...(hasSoc
                        ? [
                              {
                                  label: _t("SoC (%)"),
                                  data: curve.soc,
                                  borderColor: soc,
                                  borderDash: [6, 3],
                                  yAxisID: "soc",
                                  pointRadius,
                                  spanGaps: true,
                                  tension: 0.2,
                              },
                          ]
                        : []),
                ],
            },
            options: {
                maintainAspectRatio: false,
                interaction: { mode: "index", intersect: false },
                scales: {
                    power: { type: "linear", position: "left", beginAtZero: true,
                             title: { display: true, text: _t("Power (kW)") } },
                    energy: { type: "linear", position: "right", beginAtZero: true,
                              grid: { drawOnChartArea: false },
                              title: { display: true, text: _t("Energy (kWh)") } },
                    soc: { type: "linear", position: "right", min: 0, max: 100, display: hasSoc,
                           grid: { drawOnChartArea: false },
                           title: { display: true, text: _t("SoC (%)") } },
                },
            },
        });
    }
}

registry.category("fields").add("charge_power_curve", {
    component: PowerCurveField,
    supportedTypes: ["text"],
});
