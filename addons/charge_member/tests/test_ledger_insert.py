from contextlib import nullcontext
from unittest.mock import patch

from freezegun import freeze_time

from odoo.tests import tagged

from odoo.addons.charge_billing.models import row_insert

from .common import ChargeMemberCase

# the columns that tell two wallets' lines apart (their owners, numbers, orders) or that the ORM fills itself
OWN = {"id", "name", "wallet_id", "partner_id", "group_id", "order_id", "create_date", "write_date"}


@tagged("post_install", "-at_install")
@freeze_time("2026-11-21 12:00:00")
class TestLedgerInsert(ChargeMemberCase):
    """The ledger lines are written by one INSERT (charge_billing's
    ``row_insert``): the same movements on two wallets, one through the ORM's
    ``create`` and one through the INSERT, give the same rows (amounts
    rounded in the currency, totals, balances after, paid components,
    company, member, group) and the same balances."""

    def movements(self, partner, tag, by_orm):
        """Recharges, a gift, a settled order paid from the wallet, an adjustment with more digits than the
        currency keeps, and a group wallet's recharge, through ``create`` (``by_orm``) or the INSERT;
        returns the member's wallet and the group's."""
        group = self.env["charge.group"].create({"name": f"Group {tag}", "company_id": self.company.id})
        wallet = partner._charge_wallet()
        orm = patch.object(row_insert, "insert_rows", lambda *args, **kwargs: None) if by_orm else nullcontext()
        with orm:
            wallet._recharge(100)
            wallet._gift(5)
            wallet._recharge(20, on_account=True)
            self.assertEqual(wallet.balance, 125.0)
            order = self.charge(tag, kwh=10)  # 13.00: on-account money pays first
            self.assertEqual(wallet.balance, 112.0, "the balance read before the payment is read again")
            self.assertEqual(order.wallet_transaction_ids.mapped("amount"), [-13.0])
            self.assertEqual((order.payment_state, order.running_amount), ("paid", 13.0))
            self.env["charge.wallet.transaction"].sudo()._create_with_balances([{
                "wallet_id": wallet.id, "type": "adjustment", "withdrawable_amount": -1.004,
                "on_account_amount": 0.3333, "note": "digits", "user_id": self.env.user.id}], {})
            group.wallet_id._recharge(50, reference="R1")
        return wallet, group.wallet_id

    def rows(self, wallets):
        self.env.flush_all()
        self.env.cr.execute("SELECT * FROM charge_wallet_transaction WHERE wallet_id = ANY(%s) ORDER BY id",
                            [wallets.ids])
        names = [column.name for column in self.env.cr.description]
        return [{name: value for name, value in zip(names, row) if name not in OWN}
                for row in self.env.cr.fetchall()]

    def test_inserted_ledger_lines_are_the_rows_create_writes(self):
        zhao = self.env["res.partner"].create({"name": "Zhao Min", "charge_member": True,
                                               "charge_mobile": "13700000011", "company_id": self.company.id})
        qian = self.env["res.partner"].create({"name": "Qian Yu", "charge_member": True,
                                               "charge_mobile": "13700000012", "company_id": self.company.id})
        for partner, tag in ((zhao, "ZHAO01"), (qian, "QIAN01")):
            self.env["charge.card"].create({"name": tag, "partner_id": partner.id, "company_id": self.company.id})
        inserted = []
        insert = row_insert.insert_rows

        def recording(model, *args, **kwargs):
            records = insert(model, *args, **kwargs)
            if model._name == "charge.wallet.transaction" and records is not None:
                inserted.extend(records.ids)
            return records

        by_orm = self.movements(zhao, "ZHAO01", by_orm=True)
        self.assertFalse(inserted)
        with patch.object(row_insert, "insert_rows", recording):
            by_sql = self.movements(qian, "QIAN01", by_orm=False)
        wallets_orm, wallets_sql = by_orm[0] | by_orm[1], by_sql[0] | by_sql[1]
        self.assertEqual(sorted(inserted), sorted(wallets_sql.transaction_ids.ids), "every line was inserted")
        rows = self.rows(wallets_sql)
        self.assertEqual(rows, self.rows(wallets_orm))
        self.assertEqual(len(rows), 6)
        adjustment = rows[4]
        self.assertEqual((adjustment["withdrawable_amount"], adjustment["on_account_amount"], adjustment["amount"],
                          adjustment["cash_amount"]), (-1.0, 0.33, -0.67, -0.67))
        self.assertEqual(round(rows[3]["paid_electricity"] + rows[3]["paid_service"], 2), 13.0)
        for wallet in wallets_sql:
            lines = wallet.transaction_ids
            self.assertEqual(lines.company_id, self.company)
            self.assertEqual(lines.partner_id, wallet.partner_id)
            self.assertEqual(lines.group_id, wallet.group_id)
        self.assertEqual(wallets_sql.mapped("balance"), wallets_orm.mapped("balance"))
        self.assertEqual(by_sql[0].balance, 111.33)
        self.assertEqual(by_sql[0].transaction_ids.sorted("id")[-1].balance_after, 111.33)
