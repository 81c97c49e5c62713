"""Local time of an operator: stations, tariffs and companies keep an IANA
zone, Odoo stores naive UTC. Pure functions, shared by every charge addon
(tariff switch-overs, local days and months of group limits, daily wallet
postings)."""
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

UTC = ZoneInfo("UTC")
# the zone of an operator that set none (the pack is made for China first)
FALLBACK_TZ = "Asia/Shanghai"


def to_utc(naive_utc):
    """A naive UTC datetime (as Odoo stores it) made aware, or None."""
    return naive_utc.replace(tzinfo=UTC) if naive_utc else None


def _naive_utc(aware):
    return aware.astimezone(UTC).replace(tzinfo=None)


def local_date(naive_utc, tz_name):
    """The local date in ``tz_name`` of a naive UTC datetime."""
    return naive_utc.replace(tzinfo=UTC).astimezone(ZoneInfo(tz_name)).date()


def local_midnight_utc(day, tz_name):
    """00:00 of the local ``day`` (a date) in ``tz_name``, as naive UTC."""
    return _naive_utc(datetime.combine(day, time(0), tzinfo=ZoneInfo(tz_name)))


def next_midnight_utc(tz_name, now_utc):
    """The next 00:00 in ``tz_name`` after naive UTC ``now_utc``, as naive UTC."""
    return local_midnight_utc(local_date(now_utc, tz_name) + timedelta(days=1), tz_name)


def local_day_bounds(day, tz_name):
    """[start, end) of the local ``day`` (a date), as naive UTC."""
    return local_midnight_utc(day, tz_name), local_midnight_utc(day + timedelta(days=1), tz_name)


def day_and_month_starts(now_utc, tz_name):
    """(start of the local day, start of the local month) of naive UTC
    ``now_utc``, as naive UTC."""
    today = local_date(now_utc, tz_name)
    return local_midnight_utc(today, tz_name), local_midnight_utc(today.replace(day=1), tz_name)
