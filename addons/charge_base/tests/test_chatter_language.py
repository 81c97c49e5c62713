from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestCreationMessageLanguage(TransactionCase):
    """The chatter's creation line is in the user's language also when the
    context gives none, as while an addon's demo data loads (`make run`: a
    zh_CN database, the demo loaded with no language in the context)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("zh_CN")
        cls.env["ir.module.module"]._charge_load_terms("charge_base")
        cls.env.registry.clear_all_caches()
        cls.addClassCleanup(cls.env.registry.clear_all_caches)

    def _creation_line(self, env, name="AC7"):
        model = env["charge.pile.model"].create({
            "brand": "TestBrand", "name": name, "kind": "car", "current_type": "ac",
            "rated_power": 7, "max_power": 7, "connector_count": 1, "connector_type": "gbt_ac",
        })
        return model.message_ids[-1].body

    def test_no_language_in_the_context(self):
        self.env.user.lang = "zh_CN"
        body = self._creation_line(self.env(context={}))
        self.assertIn("桩型号", body)
        self.assertNotIn("Pile Model", body)

    def test_no_language_for_the_user(self):
        """A user without a language (the superuser while the demo loads):
        the company's, as ``_()`` falls back on."""
        self.env.user.lang = False
        self.env.user.company_id.partner_id.lang = "zh_CN"
        body = self._creation_line(self.env(context={}))
        self.assertIn("桩型号", body)
        self.assertNotIn("Pile Model", body)

    def test_language_of_the_context(self):
        self.env.user.lang = "zh_CN"
        self.assertIn("Pile Model created", self._creation_line(self.env(context={"lang": "en_US"})))
        self.assertIn("桩型号", self._creation_line(self.env(context={"lang": "zh_CN"}), "AC11"))
