"""Links that open a station's location on an online map.

Coordinates are WGS-84 (what GPS and OpenStreetMap use). AMap and Baidu are told
so explicitly, and convert to their own datum (GCJ-02, BD-09) themselves.
"""
from urllib.parse import urlencode

PROVIDERS = ("amap", "baidu", "osm")


def valid_coordinates(latitude, longitude):
    """True when the pair is a real position (0, 0 means 'not set')."""
    if latitude is None or longitude is None:
        return False
    if not (-90.0 <= latitude <= 90.0 and -180.0 <= longitude <= 180.0):
        return False
    return not (latitude == 0.0 and longitude == 0.0)


def map_url(provider, latitude, longitude, label=""):
    """URL of a marker at the position, or '' when the position is not set."""
    if not valid_coordinates(latitude, longitude):
        return ""
    lat, lng = f"{latitude:.7f}", f"{longitude:.7f}"
    if provider == "amap":
        query = urlencode({
            "position": f"{lng},{lat}", "name": label, "coordinate": "wgs84", "callnative": 0,
        })
        return f"https://uri.amap.com/marker?{query}"
    if provider == "baidu":
        query = urlencode({
            "location": f"{lat},{lng}", "title": label, "content": label,
            "coord_type": "wgs84", "output": "html", "src": "charge_ops",
        })
        return f"https://api.map.baidu.com/marker?{query}"
    if provider == "osm":
        return f"https://www.openstreetmap.org/?mlat={lat}&mlon={lng}#map=17/{lat}/{lng}"
    raise ValueError(f"unknown map provider {provider!r}; expected one of {PROVIDERS}")

