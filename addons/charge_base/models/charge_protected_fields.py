from odoo import api, models
from odoo.exceptions import AccessError


class ChargeProtectedFields(models.AbstractModel):
    """Fields that change only through the model's actions, never by a plain write.

    A model lists them in `_charge_protected_field_names()`. A create or write that carries one of them is
    refused unless it runs in superuser mode: the actions check their rules and rights, then write through
    `_charge_action()` (an internal `sudo()` keeping the user for the chatter). RPC calls never run in
    superuser mode, so no context key or argument sent by a client can unlock these fields.
    """

    _name = "charge.protected.fields"
    _description = "Charging: fields protected against direct writes"

    # True: records of the model are created by its actions only (no create over RPC at all).
    _charge_protected_create = False

    def _charge_protected_field_names(self):
        return set()

    def _charge_action(self):
        """The records to write protected fields with, once the calling action has done its checks."""
        return self.sudo()

    def _charge_check_protected(self, vals_list, creating=False):
        if self.env.su:
            return
        if creating and self._charge_protected_create:
            raise AccessError(self.env._(
                "%(model)s records are created by the platform's actions only.", model=self._description,
            ))
        protected = self._charge_protected_field_names()
        defaults = {}
        for vals in vals_list:
            hit = set(vals) & protected
            if creating and hit:
                # On creation a protected field may only carry its default (forms send defaults back).
                missing = hit - set(defaults)
                defaults.update(self.default_get(list(missing)) if missing else {})
                hit = {name for name in hit if vals[name] != defaults.get(name, False) and vals[name]}
            if hit:
                raise AccessError(self.env._(
                    "%(fields)s of %(model)s change only through their actions.",
                    fields=", ".join(sorted(self._fields[name]._description_string(self.env) for name in hit)),
                    model=self._description,
                ))

    @api.model_create_multi
    def create(self, vals_list):
        self._charge_check_protected(vals_list, creating=True)
        return super().create(vals_list)

    def write(self, vals):
        self._charge_check_protected([vals])
        return super().write(vals)
