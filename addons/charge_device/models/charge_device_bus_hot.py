from psycopg2.extras import execute_values

from odoo import models

from ..tools.ocpp_values import CONNECTOR_STATUS, SAMPLE_COLUMNS, parse_time, read_samples


class ChargeDeviceBus(models.AbstractModel):
    """The frequent frames, set-based: one statement per batch and kind."""
    _inherit = "charge.device.bus"

    def _status_notifications(self, items, now):
        latest = {}  # (pile, connector number) -> the last status of the batch
        faults = []
        pile_level = {}
        for item in items:
            payload = item.frame.payload
            when = parse_time(payload["timestamp"]) if payload.get("timestamp") else now
            key = (item.pile["id"], payload["connectorId"])
            values = (CONNECTOR_STATUS[payload["status"]], payload["errorCode"],
                      payload.get("vendorErrorCode") or None, (payload.get("info") or "")[:50] or None, when)
            if payload["connectorId"] == 0:
                pile_level[item.pile["id"]] = values
            else:
                latest[key] = values
            if payload["errorCode"] != "NoError" or payload["status"] == "Faulted":
                faults.append((item.pile["id"], payload))
        cr = self.env.cr
        if latest:
            execute_values(cr._obj, """
                UPDATE charge_connector c
                   SET status = v.status, error_code = v.error_code, vendor_error_code = v.vendor_error_code,
                       error_info = v.info, status_date = v.status_date
                  FROM (VALUES %s) AS v(pile_id, number, status, error_code, vendor_error_code, info, status_date)
                 WHERE c.pile_id = v.pile_id AND c.number = v.number
            """, [(pile_id, number, *values) for (pile_id, number), values in latest.items()],
                template="(%s, %s, %s, %s, %s, %s, %s::timestamp)")
            self.env["charge.connector"].invalidate_model(
                ["status", "error_code", "vendor_error_code", "error_info", "status_date"])
        if pile_level:
            execute_values(cr._obj, """
                UPDATE charge_pile p
                   SET device_status = v.status, error_code = v.error_code, vendor_error_code = v.vendor_error_code
                  FROM (VALUES %s) AS v(pile_id, status, error_code, vendor_error_code)
                 WHERE p.id = v.pile_id
            """, [(pile_id, values[0], values[1], values[2]) for pile_id, values in pile_level.items()])
            self.env["charge.pile"].invalidate_model(["device_status", "error_code", "vendor_error_code"])
        recovered = [key for key, values in latest.items() if values[0] != "faulted" and values[1] == "NoError"]
        self.env["charge.connector"]._on_statuses_changed(list(latest), faults, recovered)

    def _meter_values(self, items):
        """Store the batch's samples and move their sessions on; return the
        latest sample of each session, {(transaction id, pile id): sample},
        for the addons that follow the running charges."""
        rows, progress = [], {}
        for item in items:
            payload = item.frame.payload
            transaction_id = payload.get("transactionId")
            for sample in read_samples(payload["meterValue"]):
                rows.append((transaction_id, item.pile["id"], payload["connectorId"], item.pile["company_id"],
                             sample["timestamp"], *(sample.get(column) for column in SAMPLE_COLUMNS)))
                if transaction_id:
                    progress[(transaction_id, item.pile["id"])] = sample
        cr = self.env.cr
        if rows:
            # a sample of an unknown (or another pile's) transaction keeps no session
            execute_values(cr._obj, """
                INSERT INTO charge_meter_value (session_id, pile_id, connector_number, company_id, timestamp,
                       energy_wh, power_w, current_a, voltage_v, soc, temperature_c)
                SELECT s.id, v.pile_id, v.connector_number, v.company_id, v.ts, v.energy_wh, v.power_w,
                       v.current_a, v.voltage_v, v.soc, v.temperature_c
                  FROM (VALUES %s) AS v(transaction_id, pile_id, connector_number, company_id, ts, energy_wh,
                                        power_w, current_a, voltage_v, soc, temperature_c)
             LEFT JOIN charge_session s ON s.id = v.transaction_id AND s.pile_id = v.pile_id
            """, rows, template="(%s::int, %s, %s, %s, %s::timestamp, %s::float, %s::float, %s::float, "
                               "%s::float, %s::float, %s::float)", page_size=1000)
            # the sessions' samples as read after the batch (pricing reads them) include the new rows
            self.env["charge.session"].invalidate_model(["meter_value_ids"])
        if progress:
            execute_values(cr._obj, """
                UPDATE charge_session s
                   SET meter_last = GREATEST(s.meter_last, COALESCE(v.energy_wh::int, s.meter_last)),
                       power_kw = COALESCE(v.power_w / 1000.0, s.power_kw),
                       soc = COALESCE(v.soc, s.soc),
                       energy_kwh = GREATEST(GREATEST(s.meter_last, COALESCE(v.energy_wh::int, s.meter_last))
                                             - s.meter_start, 0) / 1000.0
                  FROM (VALUES %s) AS v(transaction_id, pile_id, energy_wh, power_w, soc)
                 WHERE s.id = v.transaction_id AND s.pile_id = v.pile_id AND s.state != 'finished'
            """, [(transaction_id, pile_id, sample.get("energy_wh"), sample.get("power_w"), sample.get("soc"))
                  for (transaction_id, pile_id), sample in progress.items()],
                template="(%s::int, %s, %s::float, %s::float, %s::float)")
            self.env["charge.session"].invalidate_model(["meter_last", "power_kw", "soc", "energy_kwh"])
        return progress
