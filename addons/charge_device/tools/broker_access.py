"""The broker's access files, in mosquitto 2 formats: every pile logs in with
its serial and password and may only publish ``{prefix}/{serial}/up`` and
read ``{prefix}/{serial}/down``; the platform account reads and writes under
every prefix.

mosquitto 2's ACL file grants topics, it never checks subscriptions (its
``acl_file`` check returns success for every SUBSCRIBE, ``$share/...`` and
``#`` included): what a pile may not read is refused when each message is
delivered. A pile that joins a shared subscription group therefore gets
nothing, but the broker still hands it its turn of the group's messages and
drops them: the listeners' group name must stay unknown to piles
(``listener_group``, secret per deployment).

No pile may ever share a name with the platform's account or another
reserved account: the files would hold that name twice, and mosquitto would
give the pile's password the platform's rights. The files are refused
(:class:`BrokerAccessError`) rather than written so.

A broker cluster (EMQX, or mosquitto with mosquitto-go-auth) asks the platform
over HTTP instead of reading files (controllers/broker_auth.py):
:class:`AccessRules` answers it with the same accounts and the same topic
rights as the files (:func:`pile_topics`, :func:`platform_may`)."""
import base64
import hashlib
import hmac
import os
import re

from .ocpp_routes import down_topic, up_topic

# Accounts of the broker that no pile may use, compared case-insensitively
# (besides the platform's own username, from the configuration): the
# project's accounts and commands, and the usual administrative names.
RESERVED_USERNAMES = frozenset({
    "charge_platform", "charge_listener", "charge_broker", "charge_simulator", "charge_bench",
    "admin", "administrator", "root", "superuser", "mosquitto", "broker", "bridge", "platform",
    "listener", "system", "anonymous", "guest", "nobody", "odoo", "postgres",
})
# ...and every name with one of these beginnings ($: the broker's own topics
# and shared subscriptions; charge_: the project's tooling).
RESERVED_PREFIXES = ("$", "charge_")
# what may appear in the files as a pile's username (a serial, see charge_base)
USERNAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
# the platform's username: anything one line of each file can hold
PLATFORM_USER_PATTERN = re.compile(r"^[^\s\x00-\x1f\x7f:$][^\s\x00-\x1f\x7f:]*$")
# a company's topic prefix: topic levels without wildcards, blanks or "$"
PREFIX_PATTERN = re.compile(r"^[^\s\x00-\x1f\x7f+#$/]+(/[^\s\x00-\x1f\x7f+#$/]+)*$")

PBKDF2_ITERATIONS = 101  # mosquitto_passwd's default
SALT_BYTES = 12


class BrokerAccessError(ValueError):
    """Access files that must not be written. ``code``: reserved, duplicate,
    username, prefix or platform; ``name``: the offending name."""

    def __init__(self, code, name, message):
        super().__init__(message)
        self.code = code
        self.name = name


def is_reserved(name, platform_user=""):
    """Whether ``name`` is, or could be taken for, one of the broker's own
    accounts: the platform's username, a reserved name or beginning
    (case-insensitively)."""
    folded = (name or "").strip().casefold()
    reserved = RESERVED_USERNAMES | ({platform_user.strip().casefold()} if platform_user else set())
    return folded in reserved or folded.startswith(RESERVED_PREFIXES)


def check_accounts(platform_user, piles, prefixes=()):
    """Raise BrokerAccessError unless every account gets its own line: the
    platform's username usable, each pile's serial a plain topic level, not
    reserved and not used twice, each prefix a plain topic filter."""
    if not PLATFORM_USER_PATTERN.match(platform_user or ""):
        raise BrokerAccessError("platform", platform_user, f"unusable platform username {platform_user!r}")
    seen = set()
    for serial, _password, prefix in piles:
        if not serial or not USERNAME_PATTERN.match(serial):
            raise BrokerAccessError("username", serial, f"pile serial {serial!r} cannot be a broker username")
        if is_reserved(serial, platform_user):
            raise BrokerAccessError("reserved", serial, f"pile serial {serial!r} is a reserved broker account")
        if serial in seen:
            raise BrokerAccessError("duplicate", serial, f"pile serial {serial!r} appears twice")
        seen.add(serial)
        prefixes = (*prefixes, prefix)
    for prefix in prefixes:
        if not PREFIX_PATTERN.match(prefix or ""):
            raise BrokerAccessError("prefix", prefix, f"unusable topic prefix {prefix!r}")


def password_line(username, password, salt=None):
    """``username:$7$...`` as mosquitto_passwd writes it (PBKDF2-SHA512)."""
    salt = salt if salt is not None else os.urandom(SALT_BYTES)
    digest = hashlib.pbkdf2_hmac("sha512", password.encode(), salt, PBKDF2_ITERATIONS)
    return (f"{username}:$7${PBKDF2_ITERATIONS}${base64.b64encode(salt).decode()}"
            f"${base64.b64encode(digest).decode()}")


def password_file(platform_user, platform_password, piles):
    """``piles``: (serial, password, prefix) triples."""
    check_accounts(platform_user, piles)
    lines = [password_line(platform_user, platform_password)]
    lines += [password_line(serial, password) for serial, password, _prefix in piles if password]
    return "\n".join(lines) + "\n"


def acl_file(platform_user, prefixes, piles):
    """The platform reads and writes under every prefix; each pile may only
    write its ``up`` topic and read its ``down`` topic (nothing else, so no
    other pile's frames, no ``$SYS``, nothing through ``$share``)."""
    check_accounts(platform_user, piles, prefixes)
    lines = ["# generated by charge_device: do not edit", f"user {platform_user}"]
    lines += [f"topic readwrite {prefix}/#" for prefix in sorted(set(prefixes))]
    for serial, _password, prefix in piles:
        up, down = pile_topics(prefix, serial)
        lines += ["", f"user {serial}", f"topic write {up}", f"topic read {down}"]
    return "\n".join(lines) + "\n"


# Rights asked over HTTP ---------------------------------------------------------

PUBLISH, SUBSCRIBE, READ = "publish", "subscribe", "read"
# what a broker asks: EMQX's ${action}; mosquitto-go-auth's ``acc`` number
# (1 read = a message delivered to the client, 2 write, 3 both, 4 subscribe)
ACTIONS = {PUBLISH: (PUBLISH,), SUBSCRIBE: (SUBSCRIBE,),
           "1": (READ,), "2": (PUBLISH,), "3": (READ, PUBLISH), "4": (SUBSCRIBE,)}
MAX_TOPIC_LENGTH = 1024


def pile_topics(prefix, serial):
    """``(up, down)``: the only topic a pile may publish on, and the only one
    it may subscribe to and read (the files' ``topic write`` and ``topic read``)."""
    return up_topic(prefix, serial), down_topic(prefix, serial)


def platform_may(prefixes, action, topic):
    """The platform reads and writes under every prefix (the files' ``topic
    readwrite {prefix}/#``); its listeners subscribe through a shared
    subscription (``$share/{group}/{filter}``), which a broker may ask about
    with or without its ``$share/{group}/`` part."""
    if action == SUBSCRIBE and topic.startswith("$share/"):
        parts = topic.split("/", 2)
        topic = parts[2] if len(parts) == 3 and parts[1] else ""
    if action == PUBLISH and ("+" in topic or "#" in topic):
        return False
    return any(topic == prefix or topic.startswith(prefix + "/") for prefix in prefixes)


def password_digest(password):
    return hashlib.sha256((password or "").encode()).digest()


UNKNOWN_DIGEST = password_digest(os.urandom(16).hex())


class AccessRules:
    """Who may log in to the broker and what each account may do, from the
    same accounts as the files. Built once from the database and kept (see
    charge.device.broker): it holds password digests, not passwords.

    Deny by default: an unknown username, a pile without a password, a serial
    the files would refuse (reserved, not a plain topic level, under an
    unusable prefix) and any action other than the ones below get nothing;
    such a pile is left out alone instead of the whole broker going dark."""

    def __init__(self, platform_user, platform_password, prefixes, piles):
        """``piles``: (serial, password, prefix) triples of the piles that may
        log in (see charge.device.broker._broker_piles)."""
        self.platform_user = platform_user if PLATFORM_USER_PATTERN.match(platform_user or "") else None
        self._platform_digest = password_digest(platform_password) if platform_password else None
        self.prefixes = tuple(sorted({prefix for prefix in prefixes if PREFIX_PATTERN.match(prefix or "")}))
        self._piles = {}
        for serial, password, prefix in piles:
            if (password and serial and USERNAME_PATTERN.match(serial) and not is_reserved(serial, platform_user)
                    and PREFIX_PATTERN.match(prefix or "")):
                self._piles[serial] = (password_digest(password), pile_topics(prefix, serial))

    def __len__(self):
        return len(self._piles)

    def authenticate(self, username, password):
        """Whether ``username`` logs in with ``password`` (compared in constant time)."""
        if not isinstance(username, str) or not isinstance(password, str) or not password:
            return False
        if self.platform_user and username == self.platform_user:
            expected = self._platform_digest
        else:
            expected = self._piles.get(username, (None,))[0]
        # compared whether the account exists or not: the answer takes as long
        matches = hmac.compare_digest(expected or UNKNOWN_DIGEST, password_digest(password))
        return expected is not None and matches

    def authorize(self, username, action, topic):
        """Whether ``username`` (logged in already) may ``action`` (see
        ACTIONS) ``topic`` (a topic, or a topic filter to subscribe to)."""
        actions = ACTIONS.get(str(action).strip().lower()) if isinstance(action, (str, int)) else None
        if (not actions or not isinstance(username, str) or not isinstance(topic, str) or not topic
                or len(topic) > MAX_TOPIC_LENGTH or "\x00" in topic):
            return False
        if self.platform_user and username == self.platform_user:
            return all(platform_may(self.prefixes, act, topic) for act in actions)
        pile = self._piles.get(username)
        if pile is None:
            return False
        up, down = pile[1]
        return all(topic == (up if act == PUBLISH else down) for act in actions)
