import itertools
import json
from unittest.mock import patch

from odoo.addons.charge_base.tests.common import ChargeBaseCase

from ..tools import ocpp_frames
from ..tools.mqtt_client import PublishError


class FakePublisher:
    """The MQTT publisher of the tests: keeps what it is given, or fails."""

    def __init__(self, fail=False):
        self.published = []
        self.fail = fail

    def publish(self, messages, timeout=5.0):
        if self.fail:
            raise PublishError("connection refused")
        self.published.extend(messages)


class ChargeDeviceCase(ChargeBaseCase):
    """The charge_base scenario plus a commissioned pile that talks on the bus."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.charge_mqtt_prefix = "test"
        cls.pile = cls.create_pile("BUS00001")
        cls.pile.write({"online": True})
        cls.pile.action_commission()
        cls.connector1, cls.connector2 = cls.pile.connector_ids.sorted("number")
        cls.env["charge.pile.id.tag"].create({"pile_id": cls.pile.id, "tag": "CARD0001", "name": "Fleet"})
        cls._ids = itertools.count(1)
        # the scenarios replay frames dated 2026-11-21: the platform keeps the times piles
        # send however old they get (tests/test_bus_hostile.py checks the shipped window)
        cls.env["ir.config_parameter"].set_param("charge_device.frame_max_age_days", "36500")

    def publish_after_commit(self, publisher):
        """Run the publication the transaction registered for after its commit, as it
        registered it (in the environment of the user who queued the commands) and on
        a new cursor, as Odoo does; ``publisher`` stands for the bus."""
        callbacks = [func for func in self.env.cr.postcommit._funcs if func.__name__ == "_publish_committed"]
        self.assertEqual(len(callbacks), 1, "the commands wait for the commit")
        Command = type(self.env["charge.device.command"])
        with self.enter_registry_test_mode(), patch.object(Command, "_publisher", return_value=publisher):
            callbacks[0]()
        self.env.cr.postcommit._funcs.remove(callbacks[0])

    def send(self, payload_or_raw, action=None, serial=None, message_id=None, prefix="test"):
        """Send one frame from a pile; return the decoded reply frame."""
        replies = self.send_many([(payload_or_raw, action, serial, message_id, prefix)])
        return replies[0] if replies else None

    def send_many(self, frames):
        messages = []
        for payload_or_raw, action, serial, message_id, prefix in frames:
            if isinstance(payload_or_raw, (str, bytes)):
                raw = payload_or_raw
            else:
                message_id = message_id or f"m{next(self._ids)}"
                raw = json.dumps([2, message_id, action, payload_or_raw])
            messages.append((f"{prefix}/{serial or self.pile.serial}/up", raw))
        replies = self.env["charge.device.bus"]._process_batch(messages)
        return [ocpp_frames.decode(text) for _topic, text in replies]

    def boot(self, serial=None):
        return self.send({"chargePointVendor": "TestVendor", "chargePointModel": "TM-1",
                          "firmwareVersion": "1.2.3", "iccid": "89860000000000000042"},
                         "BootNotification", serial=serial)

    def start(self, connector=1, id_tag="CARD0001", meter_start=1000, timestamp="2026-11-21T08:00:00Z", **kw):
        return self.send({"connectorId": connector, "idTag": id_tag, "meterStart": meter_start,
                          "timestamp": timestamp}, "StartTransaction", **kw)

    def meter(self, transaction_id, energy_wh, power_w=60000, timestamp="2026-11-21T08:10:00Z", connector=1):
        return self.send({"connectorId": connector, "transactionId": transaction_id, "meterValue": [{
            "timestamp": timestamp, "sampledValue": [
                {"value": str(energy_wh), "measurand": "Energy.Active.Import.Register", "unit": "Wh"},
                {"value": str(power_w), "measurand": "Power.Active.Import", "unit": "W"},
                {"value": "56", "measurand": "SoC", "unit": "Percent"},
            ]}]}, "MeterValues")

    def stop(self, transaction_id, meter_stop, timestamp="2026-11-21T08:30:00Z", reason="Local", **kw):
        return self.send({"transactionId": transaction_id, "meterStop": meter_stop, "timestamp": timestamp,
                          "reason": reason, "idTag": "CARD0001"}, "StopTransaction", **kw)

    def status(self, connector, status, error_code="NoError", vendor_error_code=None):
        payload = {"connectorId": connector, "status": status, "errorCode": error_code}
        if vendor_error_code:
            payload["vendorErrorCode"] = vendor_error_code
        return self.send(payload, "StatusNotification")
