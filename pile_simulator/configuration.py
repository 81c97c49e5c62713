"""The pile's configuration keys (OCPP 1.6 section 9), read and written by
GetConfiguration / ChangeConfiguration."""
from dataclasses import dataclass

from .session import MEASURANDS

MAX_VALUE_LENGTH = 500


@dataclass
class ConfigurationKey:
    key: str
    value: str
    readonly: bool = False
    kind: str = "str"        # int, bool, str, csl (comma separated list)
    minimum: int = 0
    choices: tuple = ()      # allowed members of a csl

    def parse(self, value):
        """The normalised text of ``value``, or raise ValueError."""
        if not isinstance(value, str) or len(value) > MAX_VALUE_LENGTH:
            raise ValueError(value)
        if self.kind == "int":
            number = int(value.strip())
            if number < self.minimum:
                raise ValueError(value)
            return str(number)
        if self.kind == "bool":
            text = value.strip().lower()
            if text not in ("true", "false"):
                raise ValueError(value)
            return text
        if self.kind == "csl":
            members = [item.strip() for item in value.split(",") if item.strip()]
            if self.choices and any(member not in self.choices for member in members):
                raise ValueError(value)
            return ",".join(members)
        return value


def default_keys(connectors, heartbeat_interval=300, meter_interval=60):
    measurands = tuple(MEASURANDS)
    return [
        ConfigurationKey("HeartbeatInterval", str(heartbeat_interval), kind="int"),
        ConfigurationKey("MeterValueSampleInterval", str(meter_interval), kind="int"),
        ConfigurationKey("MeterValuesSampledData",
                         "Energy.Active.Import.Register,Power.Active.Import,Current.Import,"
                         "Voltage,SoC,Temperature", kind="csl", choices=measurands),
        ConfigurationKey("MeterValuesAlignedData", "Energy.Active.Import.Register", kind="csl",
                         choices=measurands),
        ConfigurationKey("StopTxnSampledData", "Energy.Active.Import.Register", kind="csl",
                         choices=measurands),
        ConfigurationKey("StopTxnAlignedData", "", kind="csl", choices=measurands),
        ConfigurationKey("ClockAlignedDataInterval", "0", kind="int"),
        ConfigurationKey("ConnectionTimeOut", "60", kind="int"),
        ConfigurationKey("NumberOfConnectors", str(connectors), readonly=True, kind="int"),
        ConfigurationKey("AuthorizeRemoteTxRequests", "false", kind="bool"),
        ConfigurationKey("LocalAuthorizeOffline", "true", kind="bool"),
        ConfigurationKey("LocalPreAuthorize", "false", kind="bool"),
        ConfigurationKey("AllowOfflineTxForUnknownId", "false", kind="bool"),
        ConfigurationKey("LocalAuthListEnabled", "true", kind="bool"),
        ConfigurationKey("LocalAuthListMaxLength", "5000", readonly=True, kind="int"),
        ConfigurationKey("SendLocalListMaxLength", "500", readonly=True, kind="int"),
        ConfigurationKey("StopTransactionOnInvalidId", "true", kind="bool"),
        ConfigurationKey("StopTransactionOnEVSideDisconnect", "true", kind="bool"),
        ConfigurationKey("UnlockConnectorOnEVSideDisconnect", "true", kind="bool"),
        ConfigurationKey("TransactionMessageAttempts", "3", kind="int", minimum=1),
        ConfigurationKey("TransactionMessageRetryInterval", "10", kind="int", minimum=1),
        ConfigurationKey("ResetRetries", "1", kind="int"),
        ConfigurationKey("GetConfigurationMaxKeys", "50", readonly=True, kind="int"),
        ConfigurationKey("ReserveConnectorZeroSupported", "false", readonly=True, kind="bool"),
        ConfigurationKey("SupportedFeatureProfiles", "Core,LocalAuthListManagement,RemoteTrigger,Reservation",
                         readonly=True, kind="csl"),
    ]


class Configuration:
    """Key/value store; ``listener(key, value)`` is told about every change."""

    def __init__(self, keys, listener=None):
        self._keys = {item.key: item for item in keys}
        self.listener = listener

    def __contains__(self, key):
        return key in self._keys

    def get(self, key):
        return self._keys[key].value

    def get_int(self, key):
        return int(self._keys[key].value or 0)

    def get_bool(self, key):
        return self._keys[key].value == "true"

    def get_list(self, key):
        return [item for item in self._keys[key].value.split(",") if item]

    def set(self, key, value):
        """Set a key locally (also a read-only one), without validation rules."""
        self._keys[key].value = str(value)

    def describe(self, keys=None):
        """Payload of a GetConfiguration reply for ``keys`` (all when empty)."""
        wanted = keys or list(self._keys)
        known = [{"key": k, "readonly": self._keys[k].readonly, "value": self._keys[k].value}
                 for k in wanted if k in self._keys]
        unknown = [k for k in wanted if k not in self._keys]
        payload = {"configurationKey": known}
        if unknown:
            payload["unknownKey"] = unknown
        return payload

    def change(self, key, value):
        """ChangeConfiguration: Accepted, Rejected or NotSupported."""
        item = self._keys.get(key)
        if item is None:
            return "NotSupported"
        if item.readonly:
            return "Rejected"
        try:
            item.value = item.parse(value)
        except ValueError:
            return "Rejected"
        if self.listener:
            self.listener(key, item.value)
        return "Accepted"
