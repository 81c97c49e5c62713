from psycopg2 import IntegrityError

from odoo.exceptions import AccessError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import ChargeDeviceCase


@tagged("post_install", "-at_install")
class TestIdTagRights(ChargeDeviceCase):
    """A pile's authorised id tags are kept by Charging Managers, and never empty."""

    def test_clerk_cannot_list_tags(self):
        tag = self.pile.id_tag_ids
        Tag = self.env["charge.pile.id.tag"].with_user(self.user)
        self.assertEqual(Tag.search([("pile_id", "=", self.pile.id)]), tag)
        with self.assertRaises(AccessError):
            Tag.create({"pile_id": self.pile.id, "tag": "MINE0001"})
        with self.assertRaises(AccessError):
            tag.with_user(self.user).write({"tag": "MINE0001"})
        with self.assertRaises(AccessError):
            tag.with_user(self.user).unlink()
        managed = self.env["charge.pile.id.tag"].with_user(self.manager).create(
            {"pile_id": self.pile.id, "tag": "BOSS0001"})
        self.assertEqual(self.send({"idTag": "BOSS0001"}, "Authorize").payload["idTagInfo"]["status"], "Accepted")
        managed.unlink()

    @mute_logger("odoo.sql_db")
    def test_empty_tag_refused(self):
        for empty in ("", "   "):
            with self.assertRaises(IntegrityError), self.env.cr.savepoint():
                self.env["charge.pile.id.tag"].create({"pile_id": self.pile.id, "tag": empty})
