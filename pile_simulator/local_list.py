"""The pile's Local Authorization List (OCPP 1.6, 3.5 and 5.15).

The platform keeps it up to date with SendLocalList (a Full list or a
Differential update under a higher ``listVersion``) and reads its version with
GetLocalListVersion. The pile looks id tags up in it to start without
Authorize: when offline (LocalAuthorizeOffline) and, online, with
LocalPreAuthorize. Version 0 means an empty list.
"""
from dataclasses import dataclass

from . import frames

FULL = "Full"
DIFFERENTIAL = "Differential"


class ListUpdateError(Exception):
    """A SendLocalList the pile refuses; ``status`` is its answer (Failed, VersionMismatch)."""

    def __init__(self, status, description):
        super().__init__(description)
        self.status = status
        self.description = description


@dataclass(frozen=True)
class ListEntry:
    """The idTagInfo of one id tag; ``expiry`` in simulated POSIX seconds or None."""

    status: str
    expiry: float | None = None
    parent_id_tag: str | None = None

    def status_at(self, now):
        """The status at simulated time ``now``: an Accepted tag past its expiry is Expired."""
        if self.status == "Accepted" and self.expiry is not None and self.expiry <= now:
            return "Expired"
        return self.status


def read_entry(id_tag_info):
    """The ListEntry of an OCPP idTagInfo (None: the tag is to be removed)."""
    if id_tag_info is None:
        return None
    expiry = id_tag_info.get("expiryDate")
    try:
        expiry = frames.parse_time(expiry) if expiry is not None else None
    except ValueError as error:
        raise ListUpdateError("Failed", f"expiryDate: {error}") from error
    return ListEntry(id_tag_info["status"], expiry, id_tag_info.get("parentIdTag"))


class LocalAuthList:
    """Id tag -> ListEntry, under ``version`` (0 when empty)."""

    def __init__(self):
        self.version = 0
        self._entries = {}

    def __len__(self):
        return len(self._entries)

    def get(self, id_tag):
        """The ListEntry of ``id_tag``, or None when the list does not know it."""
        return self._entries.get(id_tag)

    def statuses(self):
        """Id tag -> status, as stored (expiry not applied)."""
        return {id_tag: entry.status for id_tag, entry in self._entries.items()}

    def update(self, version, update_type, items, max_length):
        """Apply a SendLocalList (``items``: its localAuthorizationList) or raise
        ListUpdateError, leaving the list as it was."""
        changes = self._read_items(items, update_type)
        if update_type == FULL:
            entries = changes
        else:
            if version <= self.version:
                raise ListUpdateError("VersionMismatch",
                                      f"listVersion {version} is not above {self.version}")
            entries = self._merged(changes)
        if len(entries) > max_length:
            raise ListUpdateError("Failed", f"{len(entries)} id tags, at most {max_length}")
        if entries and version < 1:
            raise ListUpdateError("Failed", "a list with id tags has a listVersion above 0")
        self._entries = entries
        self.version = version if entries else 0

    def _read_items(self, items, update_type):
        """Id tag -> ListEntry (None: remove it) of a localAuthorizationList."""
        changes = {}
        for item in items:
            id_tag = item["idTag"]
            if id_tag in changes:
                raise ListUpdateError("Failed", f"id tag {id_tag} twice in one update")
            info = item.get("idTagInfo")
            if info is None and update_type == FULL:
                raise ListUpdateError("Failed", f"id tag {id_tag} without idTagInfo in a Full update")
            changes[id_tag] = read_entry(info)
        return changes

    def _merged(self, changes):
        """The entries after a Differential update."""
        entries = dict(self._entries)
        for id_tag, entry in changes.items():
            if entry is None:
                entries.pop(id_tag, None)
            else:
                entries[id_tag] = entry
        return entries
