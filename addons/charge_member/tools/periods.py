"""Local days and months as UTC bounds, for limits counted per day and month."""
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

UTC = ZoneInfo("UTC")


def _utc(local):
    return local.astimezone(UTC).replace(tzinfo=None)


def day_and_month_starts(now_utc, tz_name):
    """(start of the local day, start of the local month), as naive UTC, for naive UTC ``now_utc``."""
    zone = ZoneInfo(tz_name)
    local = now_utc.replace(tzinfo=UTC).astimezone(zone)
    day = datetime.combine(local.date(), time(0), tzinfo=zone)
    month = datetime.combine(local.date().replace(day=1), time(0), tzinfo=zone)
    return _utc(day), _utc(month)


def local_day_bounds(day, tz_name):
    """[start, end) of local ``day`` (a date), as naive UTC."""
    zone = ZoneInfo(tz_name)
    start = datetime.combine(day, time(0), tzinfo=zone)
    return _utc(start), _utc(datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone))
