from odoo.exceptions import UserError
from odoo.tests import Form, tagged

from .common import ChargeMemberCase


@tagged("post_install", "-at_install")
class TestWalletAmounts(ChargeMemberCase):
    """Amounts typed in the recharge and adjustment wizards are taken as
    typed: refused, never rounded; a debit never takes more than the wallet's
    buckets can give."""

    def wizard_form(self, model, wallet, user):
        return Form(self.env[model].with_user(user).with_context(default_wallet_id=wallet.id))

    def recharge(self, amount, mode="paid", user=None, wallet=None):
        form = self.wizard_form("charge.wallet.recharge", wallet or self.li_wallet, user or self.user)
        form.amount = amount
        form.mode = mode
        return form.save().action_confirm()

    def adjust(self, amount, wallet=None, bucket="cash", note="counted again"):
        form = self.wizard_form("charge.wallet.adjust", wallet or self.li_wallet, self.manager)
        form.bucket = bucket
        form.amount = amount
        form.note = note
        return form.save().action_confirm()

    def assertRefused(self, pattern, call, *args, **kwargs):
        wallet = kwargs.pop("wallet", self.li_wallet)
        lines = len(wallet.transaction_ids)
        with self.assertRaisesRegex(UserError, pattern):
            call(*args, wallet=wallet, **kwargs)
        wallet.invalidate_recordset()
        self.assertEqual(len(wallet.transaction_ids), lines, "a refused amount leaves the ledger untouched")

    def test_recharge_refuses_what_it_would_round(self):
        self.assertRefused("0.005 has more than 2 decimals", self.recharge, 0.005)
        self.assertRefused("1234.567 has more than 2 decimals", self.recharge, 1234.567)
        self.assertRefused("more than zero", self.recharge, -20)
        self.assertRefused("allowed per operation", self.recharge, 1e12)
        self.recharge(1234.56, mode="on_account")
        self.assertRecordValues(self.li_wallet, [{"withdrawable_balance": 100.0, "on_account_balance": 1234.56,
                                                  "balance": 1334.56}])

    def test_maximum_per_operation_is_the_company_s(self):
        self.assertEqual(self.env["res.company"].new({}).charge_max_operation_amount, 50000.0)
        self.recharge(50000)
        self.assertRefused("50000.01 is more than the 50000.00 allowed", self.recharge, 50000.01)
        settings = Form(self.env["res.config.settings"].with_company(self.company))
        settings.charge_max_operation_amount = 1000
        settings.save().execute()
        self.assertEqual(self.company.charge_max_operation_amount, 1000.0)
        self.assertRefused("1000.01 is more than the 1000.00 allowed", self.recharge, 1000.01)
        self.assertRefused("1000.01 is more than the 1000.00 allowed", self.adjust, -1000.01)
        self.recharge(1000)
        self.assertEqual(self.li_wallet.withdrawable_balance, 51100.0)
        with self.assertRaisesRegex(UserError, "more than the 1000.00 allowed"):
            self.company.charge_card_fee = 1000.01

    def test_adjustment_refuses_what_it_would_round(self):
        self.assertRefused("0.005 has more than 2 decimals", self.adjust, -0.005)
        self.assertRefused("0.001 has more than 2 decimals", self.adjust, 0.001, bucket="gift")
        self.assertRefused("cannot be zero", self.adjust, 0)
        self.assertRefused("allowed per operation", self.adjust, -1e12)
        self.adjust(12.34)
        self.assertRecordValues(self.li_wallet, [{"on_account_balance": 12.34, "balance": 112.34}])

    def test_a_debit_does_not_spend_credit_the_wallet_does_not_have(self):
        """Withdrawable 8, on-account -5 (charged on credit), no credit left: the cash can give 3."""
        zhao = self.env["res.partner"].create({"name": "Zhao Min", "charge_member": True,
                                               "charge_mobile": "13700137000", "company_id": self.company.id})
        wallet = zhao._charge_wallet()
        wallet.with_user(self.manager).credit_limit = 5
        self.recharge(8, wallet=wallet)
        self.adjust(-13, wallet=wallet, note="debt taken on credit")
        self.recharge(8, wallet=wallet)
        wallet.with_user(self.manager).credit_limit = 0
        self.assertRecordValues(wallet, [{"withdrawable_balance": 8.0, "on_account_balance": -5.0,
                                          "balance": 3.0}])
        self.assertRefused("8.00 is more than the 3.00 the cash balance can give", self.adjust, -8, wallet=wallet)
        self.assertRefused("3.01 is more than the 3.00", self.adjust, -3.01, wallet=wallet)
        self.adjust(-3, wallet=wallet)
        self.assertRecordValues(wallet, [{"withdrawable_balance": 5.0, "on_account_balance": -5.0,
                                          "balance": 0.0}])
        # within a credit limit the on-account bucket may go down to it, no further
        wallet.with_user(self.manager).credit_limit = 7
        self.assertRefused("7.01 is more than the 7.00", self.adjust, -7.01, wallet=wallet)
        self.adjust(-7, wallet=wallet)
        self.assertRecordValues(wallet, [{"withdrawable_balance": 0.0, "on_account_balance": -7.0,
                                          "balance": -7.0}])
