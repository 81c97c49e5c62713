from urllib.parse import parse_qs, urlparse

from odoo.tests import BaseCase, tagged

from ..tools.maps import map_url, valid_coordinates


@tagged("at_install", "-post_install")
class TestMaps(BaseCase):

    def test_unset_or_impossible_positions_give_no_link(self):
        self.assertFalse(valid_coordinates(0.0, 0.0))
        self.assertFalse(valid_coordinates(91.0, 10.0))
        self.assertFalse(valid_coordinates(10.0, 181.0))
        self.assertEqual(map_url("amap", 0.0, 0.0, "x"), "")

    def test_amap_marker_uses_lng_lat_order_and_wgs84(self):
        url = urlparse(map_url("amap", 22.5245, 113.9466, "深圳湾"))
        self.assertEqual(url.netloc, "uri.amap.com")
        query = parse_qs(url.query)
        self.assertEqual(query["position"], ["113.9466000,22.5245000"])
        self.assertEqual(query["coordinate"], ["wgs84"])
        self.assertEqual(query["name"], ["深圳湾"])

    def test_baidu_and_osm(self):
        baidu = parse_qs(urlparse(map_url("baidu", 22.5, 114.0, "S")).query)
        self.assertEqual(baidu["location"], ["22.5000000,114.0000000"])
        self.assertEqual(baidu["coord_type"], ["wgs84"])
        self.assertIn("mlat=22.5000000&mlon=114.0000000", map_url("osm", 22.5, 114.0))

    def test_unknown_provider(self):
        with self.assertRaises(ValueError):
            map_url("bing", 22.5, 114.0)
