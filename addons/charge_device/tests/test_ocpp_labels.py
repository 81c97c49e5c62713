from odoo.tests import tagged

from ..tools import ocpp_labels
from .common import ChargeDeviceCase


@tagged("post_install", "-at_install")
class TestOcppLabels(ChargeDeviceCase):
    """The OCPP values the piles report are stored as sent and shown to the
    clerks as translated labels (正常, 远程停止, 本地停止...)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("zh_CN")
        cls.env["ir.module.module"]._charge_load_terms("charge_device")
        cls.env.registry.clear_all_caches()
        cls.addClassCleanup(cls.env.registry.clear_all_caches)

    def shown(self, record, fname):
        """The label of ``record[fname]`` as a zh_CN user reads it."""
        record = record.with_context(lang="zh_CN")
        return dict(record._fields[fname]._description_selection(record.env)).get(record[fname])

    def test_label_key(self):
        self.assertEqual(ocpp_labels.label_key("Remote", ocpp_labels.STOP_REASONS), "Remote")
        self.assertEqual(ocpp_labels.label_key("VendorStop", ocpp_labels.STOP_REASONS), ocpp_labels.UNKNOWN)
        self.assertEqual(ocpp_labels.label_key(ocpp_labels.UNKNOWN, ocpp_labels.STOP_REASONS), ocpp_labels.UNKNOWN)
        self.assertFalse(ocpp_labels.label_key(False, ocpp_labels.STOP_REASONS))

    def test_connector_error_code(self):
        self.boot()
        self.status(1, "Faulted", "GroundFailure")
        self.assertEqual(self.connector1.error_code, "GroundFailure")
        self.assertEqual(self.shown(self.connector1, "error_code_label"), "接地故障")
        self.status(1, "Available")
        self.connector1.invalidate_recordset()
        self.assertEqual(self.connector1.error_code, "NoError")
        self.assertEqual(self.shown(self.connector1, "error_code_label"), "正常")
        log = self.env["charge.device.message"].search([("serial", "=", self.pile.serial),
                                                        ("action", "=", "StatusNotification")], limit=1)
        self.assertEqual(self.shown(log, "action_label"), "状态通知")

    def test_stop_reasons(self):
        self.boot()
        for hour, reason, label in ((8, "Remote", "远程停止"), (10, "Local", "本地停止"),
                                    (12, "EVDisconnected", "车辆已拔枪")):
            with self.subTest(reason=reason):
                transaction_id = self.start(timestamp=f"2026-11-21T{hour:02d}:00:00Z").payload["transactionId"]
                self.stop(transaction_id, 5000, timestamp=f"2026-11-21T{hour:02d}:30:00Z", reason=reason)
                session = self.env["charge.session"].browse(transaction_id)
                self.assertEqual((session.stop_reason, self.shown(session, "stop_reason_label")), (reason, label))

    def test_a_vendor_value_is_kept(self):
        """A value the lists do not know is stored and shown as 'other', with
        the reported text next to it."""
        self.pile.write({"firmware_status": "VendorFlashing", "error_code": "NoError"})
        self.assertEqual(self.pile.firmware_status_label, ocpp_labels.UNKNOWN)
        self.assertEqual(self.shown(self.pile, "firmware_status_label"), "其他（见上报原值）")
        self.assertEqual(self.pile.firmware_status, "VendorFlashing")
        self.assertEqual(self.shown(self.pile, "error_code_label"), "正常")
