{
    "name": "Charging Operations: Stations and Piles",
    "summary": "Stations, areas, parking spaces, pile models, piles and connectors "
    "of an EV and e-bike charging operator",
    "version": "19.0.1.0.0",
    "category": "Services/Charging",
    "author": "Charging Operations Team",
    "website": "https://example.com/charging-ops",
    "license": "LGPL-3",
    "depends": ["mail", "base_setup"],
    "external_dependencies": {"python": ["xlsxwriter"]},
    "data": [
        "security/charge_base_security.xml",
        "security/ir.model.access.csv",
        "data/ir_sequence_data.xml",
        "wizards/charge_pile_batch_views.xml",
        "wizards/charge_parking_space_batch_views.xml",
        "views/charge_station_tag_views.xml",
        "views/charge_pile_model_views.xml",
        "views/charge_connector_views.xml",
        "views/charge_pile_views.xml",
        "views/charge_area_views.xml",
        "views/charge_parking_space_views.xml",
        "views/charge_station_views.xml",
        "views/res_config_settings_views.xml",
        "views/charge_menus.xml",
    ],
    "demo": [
        "demo/charge_base_demo.xml",
    ],
    "assets": {
        "web.assets_tests": [
            "charge_base/static/tests/tours/**/*",
        ],
    },
    "application": True,
    "installable": True,
}
