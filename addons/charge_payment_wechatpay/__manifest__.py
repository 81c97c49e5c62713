{
    "name": "Charging Operations: WeChat Pay",
    "summary": "WeChat Pay (API v3) as an Odoo payment provider for the members' online payments: mini-program "
    "(JSAPI) orders, signed requests, notifications verified and decrypted, status queries",
    "version": "19.0.1.0.0",
    "category": "Accounting/Payment Providers",
    "author": "Charging Operations Team",
    "website": "https://example.com/charging-ops",
    "license": "LGPL-3",
    "depends": ["charge_finance"],
    "external_dependencies": {"python": ["wechatpayv3"]},
    "data": [
        "data/payment_provider_data.xml",
        "data/ir_cron_data.xml",
        "views/payment_provider_views.xml",
        "views/res_partner_views.xml",
    ],
    "post_init_hook": "post_init_hook",
    "uninstall_hook": "uninstall_hook",
    "installable": True,
}
