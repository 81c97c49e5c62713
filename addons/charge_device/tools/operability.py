"""Whether a pile, and one of its connectors, may start a charge now.

The platform refuses Authorize, StartTransaction and back-office remote starts
on a pile out of operation, before any decision about the id tag (members,
wallets, the pile's own list). The models gather the facts
(:class:`PileFacts`); :func:`refusal` gives the first reason that refuses, or
None. The refused id tag gets the OCPP status :data:`OCPP_STATUS`.

Rules, in the order they are checked:

- the pile is active (not archived) and commissioned (*In Operation*): a
  draft, stopped or retired pile does not charge;
- its station is active, approved and operating, its area active;
- the pile does not report itself Unavailable (StatusNotification of
  connector 0);
- with a connector (StartTransaction, remote start): that connector exists,
  was not made Inoperative by the operator (ChangeAvailability accepted or
  scheduled by the pile) and does not report Unavailable;
- without one (Authorize names no connector): at least one connector of the
  pile passes that test.

Other statuses do not refuse: Faulted, Offline or a stale Charging are the
pile's own view of its hardware, and a pile uploading a start it made while
offline has not reported its statuses yet.
"""
from dataclasses import dataclass

# OCPP 1.6 AuthorizationStatus of a refusal for the pile's state: Blocked is
# "not allowed for charging" (Invalid would tell the driver the card is unknown)
OCPP_STATUS = "Blocked"

REASONS = (
    "pile_archived", "pile_draft", "pile_stopped", "pile_retired", "pile_not_commissioned",
    "station_archived", "station_not_approved", "station_not_operating", "area_archived",
    "pile_unavailable", "connector_unknown", "connector_inoperative", "connector_unavailable", "no_connector",
)

_PILE_STATES = {"draft": "pile_draft", "stopped": "pile_stopped", "retired": "pile_retired"}


@dataclass(frozen=True)
class ConnectorFacts:
    number: int
    status: str = "available"   # charge.connector status
    operative: bool = True      # False once the operator made it Inoperative


@dataclass(frozen=True)
class PileFacts:
    state: str                  # charge.pile state
    active: bool = True
    station_active: bool = True
    station_approved: bool = True
    station_operating: bool = True
    area_active: bool = True
    area: str = ""              # name of the area, for the message
    device_status: str = None   # status of connector 0
    connectors: tuple = ()      # ConnectorFacts


@dataclass(frozen=True)
class Refusal:
    reason: str                 # one of REASONS
    params: dict

    @property
    def status(self):
        return OCPP_STATUS


def connector_refusal(connector):
    """Why ``connector`` (ConnectorFacts) cannot charge, or None."""
    if not connector.operative:
        return Refusal("connector_inoperative", {"connector": connector.number})
    if connector.status == "unavailable":
        return Refusal("connector_unavailable", {"connector": connector.number})
    return None


def refusal(pile, connector=None):
    """The first reason why ``pile`` (PileFacts) cannot start a charge on
    connector number ``connector`` (None: on any of its connectors), or None."""
    if not pile.active:
        return Refusal("pile_archived", {})
    if pile.state != "commissioned":
        return Refusal(_PILE_STATES.get(pile.state, "pile_not_commissioned"), {})
    if not pile.station_active:
        return Refusal("station_archived", {})
    if not pile.station_approved:
        return Refusal("station_not_approved", {})
    if not pile.station_operating:
        return Refusal("station_not_operating", {})
    if not pile.area_active:
        return Refusal("area_archived", {"area": pile.area})
    if pile.device_status == "unavailable":
        return Refusal("pile_unavailable", {})
    if connector is not None:
        found = [c for c in pile.connectors if c.number == connector]
        if not found:
            return Refusal("connector_unknown", {"connector": connector})
        return connector_refusal(found[0])
    if not any(connector_refusal(c) is None for c in pile.connectors):
        return Refusal("no_connector", {})
    return None
