{
    "name": "Charging Operations: Accounting",
    "summary": "Posts every wallet ledger line and every completed order no wallet paid to accounting (per "
    "document or as a daily summary entry), with revenue and output VAT per fee component, and reconciles the "
    "wallets and the orders with the general ledger",
    "version": "19.0.1.1.0",
    "category": "Services/Charging",
    "author": "Charging Operations Team",
    "website": "https://example.com/charging-ops",
    "license": "LGPL-3",
    "depends": ["charge_member", "account", "account_payment"],
    "data": [
        "security/charge_finance_security.xml",
        "security/ir.model.access.csv",
        "data/ir_cron_data.xml",
        "data/ir_actions_server_data.xml",
        "data/charge_payment_data.xml",
        "views/account_move_views.xml",
        "views/charge_wallet_transaction_views.xml",
        "views/charge_wallet_reconciliation_views.xml",
        "views/res_config_settings_views.xml",
        "views/charge_order_posting_views.xml",
        "views/charge_card_load_views.xml",
        "views/charge_order_reconciliation_views.xml",
        "views/charge_payment_order_views.xml",
        "views/charge_refund_views.xml",
        "views/charge_withdrawal_views.xml",
        "views/charge_payment_settlement_views.xml",
        "views/charge_fapiao_views.xml",
        "views/charge_finance_menus.xml",
    ],
    # the demo operator keeps Chinese books: l10n_cn is installed with the demo data only
    "demo": ["demo/charge_finance_demo.xml"],
    "assets": {
        "web.assets_tests": [
            "charge_finance/static/tests/tours/**/*",
        ],
    },
    "post_init_hook": "_post_init_hook",
    "uninstall_hook": "_uninstall_hook",
    "installable": True,
}
