from datetime import timedelta

from odoo import fields, sql_db
from odoo.tests import TransactionCase, tagged

from ..models.charge_device_bus import Inbound
from ..tools import ocpp_routes as routes


@tagged("post_install", "-at_install")
class TestIdentifyLocks(TransactionCase):
    """Marking a batch's piles seen locks their rows without their keys: another
    listener writing the frame log or meter values of the same piles (whose
    foreign keys share-lock the pile's key) does not wait for this batch's
    commit. With a full row lock, two listeners met there and deadlocked."""

    def test_marking_piles_seen_does_not_block_other_listeners_inserting_rows_for_them(self):
        # a demo pile (committed, as the other listener sees it), last heard long ago
        pile = self.env["charge.pile"].search([("state", "=", "commissioned")], limit=1)
        self.assertTrue(pile, "the demo has commissioned piles")
        pile.last_seen = fields.Datetime.now() - timedelta(hours=1)
        pile.flush_recordset()
        topic = routes.up_topic(pile.company_id.charge_mqtt_prefix, pile.serial)
        self.env["charge.device.bus"]._identify([Inbound(topic, b"[]")], seen_at=fields.Datetime.now())
        self.env.cr.execute("SELECT last_seen > now() - interval '1 minute' FROM charge_pile WHERE id = %s",
                            [pile.id])
        self.assertTrue(self.env.cr.fetchone()[0], "this transaction marked the pile seen (its row is locked)")
        with sql_db.db_connect(self.env.cr.dbname).cursor() as other:
            other.execute("SET lock_timeout = '300ms'")
            # raises LockNotAvailable if the pile's row is locked FOR UPDATE
            other.execute("""
                INSERT INTO charge_device_message (serial, message_id, frame_type, received_at, pile_id)
                VALUES (%s, 'lock-check', 'call', now() at time zone 'UTC', %s)
            """, [pile.serial, pile.id])
            other.rollback()
