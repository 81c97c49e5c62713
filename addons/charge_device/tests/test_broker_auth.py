"""A broker cluster asks the platform over HTTP who may log in and what each
account may do (controllers/broker_auth.py), with the same accounts and topic
rights as the access files (tools/broker_access.AccessRules)."""
import logging
from unittest.mock import patch

from odoo.tests import BaseCase, HttpCase, tagged
from odoo.tests.common import get_db_name

from odoo.addons.charge_base.tests.common import ChargeScenario

from ..models.charge_device_broker import PASSWORD_PARAM
from ..tools.broker_access import AccessRules, acl_file
from ..tools.bus_config import BusConfig

PLATFORM = "charge_platform"
SECRET = "broker-shared-secret-7f3a"


@tagged("at_install", "-post_install")
class TestAccessRules(BaseCase):
    """tools/broker_access.AccessRules: no database."""

    PILES = [("PILE0001", "secret1", "charge"), ("PILE0002", "secret2", "acme/charge")]

    def rules(self, piles=None, platform_password="platform-pw"):
        return AccessRules(PLATFORM, platform_password, ["charge", "acme/charge"], piles or self.PILES)

    def test_same_topics_as_the_acl_file(self):
        rules = self.rules()
        acl = acl_file(PLATFORM, ["charge", "acme/charge"], self.PILES)
        for serial, _password, _prefix in self.PILES:
            section = acl.split(f"user {serial}\n", 1)[1].split("\n\n", 1)[0].splitlines()
            written = section[0].removeprefix("topic write ")
            read = section[1].removeprefix("topic read ")
            self.assertTrue(rules.authorize(serial, "publish", written))
            self.assertTrue(rules.authorize(serial, "subscribe", read))
            self.assertFalse(rules.authorize(serial, "publish", read))
            self.assertFalse(rules.authorize(serial, "subscribe", written))

    def test_passwords(self):
        rules = self.rules()
        self.assertTrue(rules.authenticate("PILE0001", "secret1"))
        self.assertTrue(rules.authenticate(PLATFORM, "platform-pw"))
        for username, password in (("PILE0001", "secret2"), ("PILE0001", ""), ("PILE0001", None),
                                   ("PILE0003", "secret1"), (PLATFORM, "secret1"), (None, "secret1"),
                                   ("pile0001", "secret1")):
            with self.subTest(username=username, password=password):
                self.assertFalse(rules.authenticate(username, password))
        # no platform password known: nobody logs in as the platform, even with an empty one
        self.assertFalse(self.rules(platform_password="").authenticate(PLATFORM, ""))

    def test_accounts_the_files_would_refuse_get_nothing(self):
        rules = self.rules(piles=[("PILE0001", "pw", "charge"), ("Charge_Platform", "pw", "charge"),
                                  ("admin", "pw", "charge"), ("BAD/SERIAL", "pw", "charge"),
                                  ("NOPASS01", "", "charge"), ("BADPFX01", "pw", "charge/#")])
        self.assertEqual(len(rules), 1)
        for serial in ("Charge_Platform", "admin", "BAD/SERIAL", "NOPASS01", "BADPFX01"):
            with self.subTest(serial=serial):
                self.assertFalse(rules.authenticate(serial, "pw"))
                self.assertFalse(rules.authorize(serial, "subscribe", f"charge/{serial}/down"))

    def test_topic_rights_per_action(self):
        rules = self.rules()
        allowed = [("PILE0001", "publish", "charge/PILE0001/up"), ("PILE0001", "subscribe", "charge/PILE0001/down"),
                   ("PILE0001", "1", "charge/PILE0001/down"), ("PILE0001", 2, "charge/PILE0001/up"),
                   ("PILE0001", 4, "charge/PILE0001/down"), ("PILE0002", "PUBLISH", "acme/charge/PILE0002/up"),
                   (PLATFORM, "subscribe", "$share/listeners-x/charge/+/up"), (PLATFORM, "subscribe", "charge/+/up"),
                   (PLATFORM, "publish", "acme/charge/PILE0002/down"), (PLATFORM, 3, "charge/PILE0001/up")]
        denied = [("PILE0001", "publish", "charge/PILE0001/down"), ("PILE0001", "subscribe", "charge/PILE0001/up"),
                  ("PILE0001", 3, "charge/PILE0001/down"), ("PILE0001", "publish", "charge/PILE0002/up"),
                  ("PILE0001", "subscribe", "charge/PILE0002/down"), ("PILE0001", "subscribe", "#"),
                  ("PILE0001", "subscribe", "charge/+/down"), ("PILE0001", "subscribe", "$SYS/#"),
                  ("PILE0001", "subscribe", "$share/listeners-x/charge/PILE0001/down"),
                  ("PILE0001", "subscribe", "$share/listeners-x/charge/+/up"),
                  ("PILE0001", "all", "charge/PILE0001/up"), ("PILE0001", None, "charge/PILE0001/up"),
                  ("PILE0001", "publish", ""), ("PILE0003", "publish", "charge/PILE0003/up"),
                  (PLATFORM, "subscribe", "#"), (PLATFORM, "subscribe", "$SYS/#"),
                  (PLATFORM, "subscribe", "$share/listeners-x/#"), (PLATFORM, "subscribe", "$share//charge/+/up"),
                  (PLATFORM, "publish", "charge/+/down"), (PLATFORM, "publish", "chargeX/PILE0001/down"),
                  (PLATFORM, "publish", "other/PILE0001/down")]
        for username, action, topic in allowed:
            with self.subTest(username=username, action=action, topic=topic):
                self.assertTrue(rules.authorize(username, action, topic))
        for username, action, topic in denied:
            with self.subTest(username=username, action=action, topic=topic):
                self.assertFalse(rules.authorize(username, action, topic))


@tagged("post_install", "-at_install")
class TestBrokerAuthEndpoint(ChargeScenario, HttpCase):
    """The endpoint as the broker calls it (EMQX: JSON; mosquitto-go-auth:
    JSON or form, the secret as its User-Agent)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.charge_mqtt_prefix = "test"
        cls.pile = cls.create_pile("AUTH0001")
        cls.other = cls.create_pile("AUTH0002")
        cls.password = cls.pile.sudo().mqtt_password

    def setUp(self):
        super().setUp()
        self.config = BusConfig(mqtt_username=PLATFORM, mqtt_password="platform-pw", broker_auth_secret=SECRET)
        broker = type(self.env["charge.device.broker"])
        self.startPatcher(patch.object(broker, "_file_config", lambda _self: self.config))
        self.env.registry.clear_cache()  # rules cached by another test

    def call(self, check, secret=SECRET, form=False, user_agent=None, **params):
        headers = {"X-Odoo-Database": get_db_name()}
        if secret is not None:
            headers["X-Charge-Broker-Secret"] = secret
        if user_agent is not None:
            headers["User-Agent"] = user_agent
        if form:
            response = self.url_open(f"/charge_device/broker/{check}", data=params, headers=headers)
        else:
            response = self.url_open(f"/charge_device/broker/{check}", json=params, headers=headers)
        return response

    def allowed(self, check, **params):
        response = self.call(check, **params)
        self.assertEqual(response.status_code, 200, response.text)
        body = response.json()
        self.assertEqual(body["result"] == "allow", body["ok"])
        self.assertIs(body["is_superuser"], False)
        return body["ok"]

    def test_pile_credentials(self):
        self.assertTrue(self.allowed("authenticate", username="AUTH0001", password=self.password, clientid="c1"))
        self.assertTrue(self.allowed("authenticate", username=PLATFORM, password="platform-pw"))
        for username, password in (("AUTH0001", "wrong"), ("AUTH0001", ""), ("AUTH0002", self.password),
                                   ("NOSUCH01", self.password), (PLATFORM, self.password)):
            with self.subTest(username=username, password=password):
                self.assertFalse(self.allowed("authenticate", username=username, password=password))
        # mosquitto-go-auth in form mode, its secret as the User-Agent
        self.assertTrue(self.allowed("authenticate", form=True, secret=None, user_agent=SECRET,
                                     username="AUTH0001", password=self.password, clientid="c1"))

    def test_archived_retired_and_changed_piles_are_denied(self):
        other_password = self.other.sudo().mqtt_password
        self.assertTrue(self.allowed("authenticate", username="AUTH0002", password=other_password))
        self.other.action_archive()
        self.assertFalse(self.allowed("authenticate", username="AUTH0002", password=other_password))
        self.assertFalse(self.allowed("authorize", username="AUTH0002", action="publish", topic="test/AUTH0002/up"))
        self.pile.with_user(self.manager).action_retire()
        self.assertFalse(self.allowed("authenticate", username="AUTH0001", password=self.password))
        self.other.action_unarchive()
        self.other.sudo().mqtt_password = "new-password-1"
        self.assertFalse(self.allowed("authenticate", username="AUTH0002", password=other_password))
        self.assertTrue(self.allowed("authenticate", username="AUTH0002", password="new-password-1"))

    def test_nothing_written_while_answering(self):
        """The platform's password neither configured nor generated yet: the
        endpoint does not generate it (no write), and nobody logs in as the platform."""
        self.config = BusConfig(mqtt_username=PLATFORM, broker_auth_secret=SECRET)
        self.env["ir.config_parameter"].sudo().search([("key", "=", PASSWORD_PARAM)]).unlink()
        self.assertTrue(self.allowed("authenticate", username="AUTH0001", password=self.password))
        self.assertFalse(self.allowed("authenticate", username=PLATFORM, password=""))
        self.assertFalse(self.allowed("authenticate", username=PLATFORM, password="platform-pw"))
        self.assertFalse(self.env["ir.config_parameter"].sudo().get_param(PASSWORD_PARAM))

    def test_update_broker_access_reads_the_piles_again(self):
        """Without broker_dir, the settings' button writes no file: it makes every
        process read the piles again (after a change Odoo did not see, here SQL)."""
        self.assertTrue(self.allowed("authenticate", username="AUTH0001", password=self.password))
        self.env.cr.execute("UPDATE charge_pile SET mqtt_password = 'sql-password-1' WHERE id = %s", [self.pile.id])
        self.assertTrue(self.allowed("authenticate", username="AUTH0001", password=self.password))  # cached
        action = self.env["charge.device.broker"].with_user(self.manager).action_update_broker_access()
        self.assertEqual(action["params"]["type"], "success")
        self.assertFalse(self.allowed("authenticate", username="AUTH0001", password=self.password))
        self.assertTrue(self.allowed("authenticate", username="AUTH0001", password="sql-password-1"))

    def test_topic_rights_per_action(self):
        cases = [
            (True, {"username": "AUTH0001", "action": "publish", "topic": "test/AUTH0001/up"}),
            (True, {"username": "AUTH0001", "action": "subscribe", "topic": "test/AUTH0001/down"}),
            (True, {"username": "AUTH0001", "acc": 1, "topic": "test/AUTH0001/down"}),
            (True, {"username": "AUTH0001", "acc": 2, "topic": "test/AUTH0001/up"}),
            (True, {"username": PLATFORM, "action": "subscribe", "topic": "$share/ops-group/test/+/up"}),
            (True, {"username": PLATFORM, "action": "publish", "topic": "test/AUTH0002/down"}),
            (False, {"username": "AUTH0001", "action": "publish", "topic": "test/AUTH0001/down"}),
            (False, {"username": "AUTH0001", "action": "subscribe", "topic": "test/AUTH0001/up"}),
            (False, {"username": "AUTH0001", "action": "publish", "topic": "test/AUTH0002/up"}),
            (False, {"username": "AUTH0001", "action": "subscribe", "topic": "test/AUTH0002/down"}),
            (False, {"username": "AUTH0001", "action": "subscribe", "topic": "#"}),
            (False, {"username": "AUTH0001", "action": "subscribe", "topic": "$share/ops-group/test/+/up"}),
            (False, {"username": "AUTH0001", "acc": 3, "topic": "test/AUTH0001/down"}),
            (False, {"username": "AUTH0001", "topic": "test/AUTH0001/up"}),
            (False, {"username": "NOSUCH01", "action": "publish", "topic": "test/NOSUCH01/up"}),
            (False, {"username": PLATFORM, "action": "subscribe", "topic": "$SYS/#"}),
        ]
        for expected, params in cases:
            with self.subTest(**params):
                self.assertEqual(self.allowed("authorize", **params), expected)
        self.assertTrue(self.allowed("authorize", form=True, username="AUTH0001", acc="4", topic="test/AUTH0001/down"))

    def test_requests_without_the_secret_are_refused(self):
        params = {"username": "AUTH0001", "password": self.password}
        logger = "odoo.addons.charge_device.controllers.broker_auth"
        for secret, user_agent in ((None, None), ("wrong-secret", None), ("", None), (None, "python-requests"),
                                   (SECRET[:-1], SECRET + "x")):
            with self.subTest(secret=secret, user_agent=user_agent), self.assertLogs(logger, logging.WARNING):
                for check in ("authenticate", "authorize"):
                    response = self.call(check, secret=secret, user_agent=user_agent, **params)
                    self.assertEqual(response.status_code, 403)
                    self.assertEqual(response.json()["result"], "deny")
        # no secret configured: the endpoint refuses everything, even an empty secret
        self.config = BusConfig(mqtt_username=PLATFORM, mqtt_password="platform-pw")
        with self.assertLogs(logger, logging.WARNING):
            for secret in (SECRET, ""):
                self.assertEqual(self.call("authenticate", secret=secret, **params).status_code, 403)
