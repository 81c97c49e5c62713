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
(:class:`BrokerAccessError`) rather than written so."""
import base64
import hashlib
import os
import re

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
        lines += ["", f"user {serial}", f"topic write {prefix}/{serial}/up", f"topic read {prefix}/{serial}/down"]
    return "\n".join(lines) + "\n"
