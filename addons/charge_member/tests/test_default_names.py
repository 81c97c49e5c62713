from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestDefaultCategoryNames(TransactionCase):
    """A company's default categories are created on first use, often without a user
    language (demo data, a member registered over RPC): they read in the operator's."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for lang in ("en_US", "zh_CN"):  # a database made in Chinese may have no en_US
            cls.env["res.lang"]._activate_lang(lang)
        cls.company = cls.env["res.company"].create({"name": "Shenzhen Operator"})
        cls.company.partner_id.lang = "zh_CN"

    def test_default_card_category_full_name_is_in_the_operator_language(self):
        category = self.env["charge.card.category"].with_context(lang=None)._default_for(self.company)
        self.assertEqual(category.with_context(lang="zh_CN").complete_name, "默认分类")
        self.assertEqual(category.with_context(lang="zh_CN").display_name, "默认分类")
        self.assertEqual(category.with_context(lang="en_US").name, "Default Category")
        self.assertFalse(category.env.context.get("lang"), "returned in the caller's context")

    def test_default_member_category_is_named_in_every_installed_language(self):
        category = self.env["charge.member.category"].with_context(lang=None)._default_for(self.company)
        self.assertEqual(category.with_context(lang="zh_CN").name, "默认分类")
        self.assertEqual(category.with_context(lang="en_US").name, "Default Category")

    def test_card_categories_show_their_path_in_the_reader_language(self):
        """Demo and imported categories are created without a language: their stored
        complete name is English, their display name follows the reader's."""
        fleet = self.env["charge.card.category"].with_context(lang=None).create(
            {"name": "Fleet Cards", "company_id": self.company.id})
        night = self.env["charge.card.category"].with_context(lang=None).create(
            {"name": "Night Shift", "company_id": self.company.id, "parent_id": fleet.id})
        fleet.update_field_translations("name", {"zh_CN": "车队卡"})
        night.update_field_translations("name", {"zh_CN": "夜班"})
        self.assertEqual(night.with_context(lang="zh_CN").display_name, "车队卡 / 夜班")
        self.assertEqual(night.with_context(lang="en_US").display_name, "Fleet Cards / Night Shift")
        found = self.env["charge.card.category"].with_context(lang="zh_CN").name_search("夜班")
        self.assertEqual([row[0] for row in found], [night.id])
