"""Who may log in to the broker: reserved serials, the access files and when
they are rewritten (after commit), the listeners' secret group."""
import logging
import shutil
import tempfile
from pathlib import Path
from unittest.mock import patch

from odoo.exceptions import UserError, ValidationError
from odoo.tests import BaseCase, tagged

from ..models.charge_device_broker import LISTENER_GROUP_PARAM
from ..tools import broker_access
from ..tools.broker_access import BrokerAccessError, acl_file, check_accounts, is_reserved, password_file
from ..tools.bus_config import BusConfig
from .common import ChargeDeviceCase

PLATFORM = "charge_platform"


def usernames(passwd_text):
    return [line.split(":", 1)[0] for line in passwd_text.splitlines() if line]


def acl_users(acl_text):
    return [line.split(" ", 1)[1] for line in acl_text.splitlines() if line.startswith("user ")]


@tagged("at_install", "-post_install")
class TestBrokerAccessFiles(BaseCase):
    """tools/broker_access: no database."""

    PILES = [("PILE0001", "secret1", "charge"), ("PILE0002", "secret2", "acme/charge")]

    def test_reserved_names_case_insensitively(self):
        for name in ("charge_platform", "CHARGE_PLATFORM", "Charge_Listener", "charge_anything", "Admin",
                     "ROOT", "Mosquitto", "$SYS", "$share", "OpsPlatform"):
            with self.subTest(name=name):
                self.assertTrue(is_reserved(name, platform_user="opsplatform"))
        for name in ("44030501000001", "PILE0001", "chargepile1", "administrators1"):
            with self.subTest(name=name):
                self.assertFalse(is_reserved(name, platform_user="opsplatform"))

    def test_acl_gives_each_pile_its_two_topics_only(self):
        acl = acl_file(PLATFORM, ["charge", "acme/charge"], self.PILES)
        sections = [section.strip().splitlines() for section in acl.split("\n\n")]
        self.assertEqual(sections[0][1:], ["user charge_platform", "topic readwrite acme/charge/#",
                                           "topic readwrite charge/#"])
        self.assertEqual(sections[1:], [
            ["user PILE0001", "topic write charge/PILE0001/up", "topic read charge/PILE0001/down"],
            ["user PILE0002", "topic write acme/charge/PILE0002/up", "topic read acme/charge/PILE0002/down"],
        ])
        self.assertNotIn("$", acl)
        self.assertEqual(usernames(password_file(PLATFORM, "pw", self.PILES)),
                         ["charge_platform", "PILE0001", "PILE0002"])

    def test_colliding_accounts_are_refused(self):
        cases = {
            "reserved": [("Charge_Platform", "x", "charge")],
            "duplicate": [("PILE0001", "x", "charge"), ("PILE0001", "y", "charge")],
            "username": [("PILE 0001\nuser charge_platform", "x", "charge")],
            "prefix": [("PILE0001", "x", "charge/#")],
        }
        for code, piles in cases.items():
            with self.subTest(code=code):
                for write in (lambda: password_file(PLATFORM, "pw", piles),
                              lambda: acl_file(PLATFORM, ["charge"], piles)):
                    with self.assertRaises(BrokerAccessError) as caught:
                        write()
                    self.assertEqual(caught.exception.code, code)
        # the platform's configured username is reserved as well, whatever it is
        with self.assertRaises(BrokerAccessError):
            check_accounts("ops-bus", [("OPS-BUS", "x", "charge")])
        for platform in ("", "bad user", "bad:user", "$SYS"):
            with self.subTest(platform=platform), self.assertRaises(BrokerAccessError):
                check_accounts(platform, self.PILES)


@tagged("post_install", "-at_install")
class BrokerCase(ChargeDeviceCase):
    """Access files written in a temporary folder, the platform named
    ``platform`` in odoo.conf. After installation: while modules are
    installed, the files are not rewritten."""

    platform = PLATFORM

    def setUp(self):
        super().setUp()
        self.folder = Path(tempfile.mkdtemp(prefix="charge-broker-test-"))
        self.addCleanup(shutil.rmtree, self.folder, ignore_errors=True)
        self.config = BusConfig(mqtt_username=self.platform, mqtt_password="platform-pw", broker_dir=str(self.folder))
        self.broker = self.env["charge.device.broker"]
        patcher = patch.object(type(self.broker), "_file_config", lambda _self: self.config)
        patcher.start()
        self.addCleanup(patcher.stop)
        self.registry_enter_test_mode()  # the after-commit rewrite opens a cursor: this test's
        self.env.cr.postcommit.clear()  # what the set-up scheduled

    def passwd(self):
        return (self.folder / "passwd").read_text()

    def acl(self):
        return (self.folder / "acl").read_text()

    def commit_hooks(self):
        """Run what the transaction runs once committed; how many of those
        hooks were the broker's."""
        count = sum(func.__name__ == "update_broker_access" for func in self.env.cr.postcommit._funcs)
        self.env.flush_all()
        self.env.cr.postcommit.run()
        return count


class TestReservedSerials(BrokerCase):
    platform = "OpsPlatform"

    def test_reserved_serials_are_refused_whatever_the_case(self):
        for serial in ("charge_platform", "CHARGE_PLATFORM", "Charge_Listener", "charge_x001", "admin", "ROOT",
                       "opsplatform", "OPSPLATFORM"):
            with self.subTest(serial=serial), self.assertRaisesRegex(ValidationError, "reserved"):
                with self.env.cr.savepoint():
                    self.env["charge.pile"].with_user(self.user).create({
                        "serial": serial, "name": "Hijack", "station_id": self.station.id,
                        "model_id": self.dc_model.id})
        draft = self.create_pile("DRAFT001", online=False)
        with self.assertRaisesRegex(ValidationError, "reserved"), self.env.cr.savepoint():
            draft.with_user(self.user).serial = "Charge_Platform"
        self.create_pile("CHARGE0001")  # a serial that merely resembles one is fine

    def test_files_are_not_written_when_a_pile_collides_with_the_platform(self):
        self.broker._write_access_files()
        before = (self.passwd(), self.acl())
        # a pile named like the platform before serials were checked
        self.env.cr.execute("UPDATE charge_pile SET serial = 'opsPlatform' WHERE id = %s", [self.pile.id])
        self.pile.invalidate_recordset(["serial"])
        with self.assertRaisesRegex(UserError, "opsPlatform"):
            self.broker._write_access_files()
        with self.assertLogs("odoo.addons.charge_device.models.charge_device_broker", logging.ERROR):
            self.assertFalse(self.broker._update_broker_access())
        self.assertEqual((self.passwd(), self.acl()), before)
        self.assertEqual(usernames(self.passwd()).count("OpsPlatform"), 1)
        self.assertEqual(sorted(f.name for f in self.folder.iterdir()), [".lock", "acl", "passwd"])


class TestAccessRewrites(BrokerCase):

    def test_files_hold_each_allowed_pile_once(self):
        draft = self.create_pile("DRAFT001", online=False)
        stopped = self.create_pile("STOP0001")
        stopped.action_commission()
        stopped.action_stop()
        retired = self.create_pile("GONE0001", online=False)
        retired.with_user(self.manager).action_retire()
        archived = self.create_pile("ARCH0001", online=False)
        archived.action_archive()
        self.broker._write_access_files()
        allowed = ["BUS00001", "DRAFT001", "STOP0001"]
        in_passwd = [name for name in usernames(self.passwd()) if name != PLATFORM]
        in_acl = [name for name in acl_users(self.acl()) if name != PLATFORM]
        for serial in allowed:
            self.assertEqual(in_passwd.count(serial), 1, serial)
            self.assertEqual(in_acl.count(serial), 1, serial)
        for serial in ("GONE0001", "ARCH0001"):
            self.assertNotIn(serial, self.passwd() + self.acl())
        self.assertEqual(usernames(self.passwd()).count(PLATFORM), 1)
        self.assertEqual(acl_users(self.acl()).count(PLATFORM), 1)
        self.assertFalse([name for name in in_passwd + in_acl if broker_access.is_reserved(name, PLATFORM)])
        self.assertEqual(draft.state, "draft")

    def test_rewritten_once_committed_after_each_change(self):
        self.broker._write_access_files()
        pile = self.create_pile("LIFE0001")

        def step(action, present):
            action()
            files = (self.passwd(), self.acl())
            self.assertEqual(self.commit_hooks(), 1)
            self.assertEqual("LIFE0001" in self.passwd(), present)
            self.assertEqual("user LIFE0001" in self.acl(), present)
            return files

        # created: the files change only once the transaction has committed
        self.env.cr.postcommit.clear()
        before = step(lambda: self.create_pile("LIFE0002"), present=True)
        self.assertNotIn("LIFE0002", before[0])
        self.assertIn("LIFE0002", self.passwd())
        step(pile.action_commission, present=True)
        step(pile.action_stop, present=True)
        step(pile.action_archive, present=False)
        step(pile.action_unarchive, present=True)
        old_password = self.passwd()
        step(lambda: pile.write({"mqtt_password": "new-password"}), present=True)
        self.assertNotEqual(self.passwd(), old_password)
        step(lambda: self.company.write({"charge_mqtt_prefix": "renamed"}), present=True)
        self.assertIn("topic write renamed/LIFE0001/up", self.acl())
        step(pile.with_user(self.manager).action_retire, present=False)
        draft = self.env["charge.pile"].search([("serial", "=", "LIFE0002")])
        step(lambda: draft.write({"serial": "LIFE0003"}), present=False)
        self.assertIn("user LIFE0003", self.acl())
        self.assertNotIn("LIFE0002", self.acl())
        step(draft.unlink, present=False)
        self.assertNotIn("LIFE0003", self.passwd())

    def test_once_per_transaction_and_not_for_other_fields(self):
        piles = self.create_pile("MANY0001") | self.create_pile("MANY0002") | self.create_pile("MANY0003")
        piles.action_commission()
        self.assertEqual(self.commit_hooks(), 1)
        self.assertEqual([name for name in acl_users(self.acl()) if name.startswith("MANY")],
                         ["MANY0001", "MANY0002", "MANY0003"])
        piles.write({"last_seen": "2026-11-21 08:00:00", "firmware_status": "Installed"})
        self.assertEqual(self.commit_hooks(), 0)

    def test_a_missing_broker_dir_is_logged_and_breaks_nothing(self):
        self.config = BusConfig(mqtt_username=PLATFORM, broker_dir="")
        pile = self.create_pile("NODIR001")
        with self.assertLogs("odoo.addons.charge_device.models.charge_device_broker", logging.INFO) as logs:
            self.assertEqual(self.commit_hooks(), 1)
        self.assertIn("no broker_dir", logs.output[0])
        self.assertTrue(pile.exists())
        self.assertFalse((self.folder / "passwd").exists())


class TestListenerGroup(BrokerCase):

    def test_generated_once_and_kept_unless_configured(self):
        params = self.env["ir.config_parameter"].sudo()
        params.set_param(LISTENER_GROUP_PARAM, False)
        group = self.broker._bus_config().listener_group
        self.assertRegex(group, r"^listeners-[0-9a-f]{24}$")
        self.assertEqual(params.get_param(LISTENER_GROUP_PARAM), group)
        self.assertEqual(self.broker._bus_config().listener_group, group)
        self.config = BusConfig(mqtt_username=PLATFORM, listener_group="ops-secret-group")
        self.assertEqual(self.broker._bus_config().listener_group, "ops-secret-group")
        self.config = BusConfig(mqtt_username=PLATFORM, broker_dir=str(self.folder))
        self.broker._write_access_files()
        self.assertNotIn(group, self.acl() + self.passwd())
