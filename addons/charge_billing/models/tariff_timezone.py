"""Time zone helpers: tariffs and stations keep an IANA zone; Odoo stores UTC."""
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

FALLBACK_TZ = "Asia/Shanghai"


def default_tz(env):
    """The company's zone, else the user's, else the operator's home zone."""
    return env.company.partner_id.tz or env.user.tz or FALLBACK_TZ


def next_midnight_utc(tz_name, now_utc):
    """The next 00:00 in ``tz_name`` after ``now_utc`` (naive UTC), as naive UTC."""
    zone = ZoneInfo(tz_name)
    local = now_utc.replace(tzinfo=ZoneInfo("UTC")).astimezone(zone)
    midnight = datetime.combine(local.date() + timedelta(days=1), time(0), tzinfo=zone)
    return midnight.astimezone(ZoneInfo("UTC")).replace(tzinfo=None)


def to_utc(naive_utc):
    """A naive UTC datetime (as Odoo stores it) made aware."""
    return naive_utc.replace(tzinfo=ZoneInfo("UTC")) if naive_utc else None


def operator_context(records, company=None):
    """``records`` in the language of the operator (the company's contact, else
    the current user's) when the context has none: device events and crons
    write chatter and bill lines that clerks read."""
    if records.env.context.get("lang"):
        return records
    company = company or records.env.company
    lang = company.partner_id.lang or records.env.user.lang
    installed = dict(records.env["res.lang"].get_installed())
    return records.with_context(lang=lang) if lang in installed else records
