from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestDemoQrCodes(TransactionCase):

    def test_demo_qr_codes_carry_the_operator_scan_link(self):
        """The demo's QR codes encode its operator's scan link with the connector code,
        not the module's placeholder domain."""
        pile = self.env.ref("charge_base.pile_bay_dc1", raise_if_not_found=False)
        if not pile:
            self.skipTest("no demo data")
        connector = pile.connector_ids[:1]
        self.assertEqual(connector.qr_url, f"https://m.lvneng-charge.cn/scan/{connector.code}")
        self.assertNotIn("example.com", connector.company_id.charge_qr_url_pattern)
