"""The drill-downs of the reconciliation reports."""


def window_action(env, xmlid, name, **values):
    """The window action ``xmlid`` under the title ``name``, with ``values``
    (domain, context...). The web client shows an action's ``display_name``
    before its ``name``: both carry the title."""
    action = env["ir.actions.act_window"]._for_xml_id(xmlid)
    action.update(values, name=name, display_name=name)
    return action
