from decimal import Decimal

from odoo import models

from ..tools.posting import Component, TaxPart


def _commanded_ids(commands):
    """The ids of a ``[Command.set(ids)]`` value, as a sorted tuple."""
    return tuple(sorted(commands[0][2])) if commands else ()


class AccountTax(models.Model):
    _inherit = "account.tax"

    def _charge_component(self, name, gross, company, account):
        """The :class:`~..tools.posting.Component` of fee ``name`` of an
        order: ``gross`` (a Decimal, the price-included amount, negative for
        a reversal) split by the taxes ``self`` into revenue and output tax.

        Consumer prices include VAT, so the taxes are computed as included
        in the price whatever their own setting (Odoo's ``total_included``
        mode). A reversal uses the taxes' refund repartition, like a credit
        note. ``account`` is the revenue account, the tax lines' account when
        a repartition line has none.
        """
        if not self or not gross:
            return Component(name, gross, gross)
        AccountTax = self.env["account.tax"]
        sign = 1 if gross > 0 else -1
        base_line = AccountTax._prepare_base_line_for_taxes_computation(
            None, price_unit=float(abs(gross)), quantity=1.0, tax_ids=self, currency_id=company.currency_id,
            special_mode="total_included", is_refund=sign < 0, account_id=account, sign=1.0)
        AccountTax._add_tax_details_in_base_lines([base_line], company)
        AccountTax._round_base_lines_tax_details([base_line], company)
        AccountTax._add_accounting_data_in_base_lines_tax_details([base_line], company, include_caba_tags=True)
        result = AccountTax._prepare_tax_lines([base_line], company)
        digits = company.currency_id.decimal_places
        taxes = tuple(
            TaxPart(
                key=(values["account_id"], values["tax_repartition_line_id"], _commanded_ids(values["tax_tag_ids"]),
                     _commanded_ids(values["tax_ids"]), values.get("group_tax_id") or False),
                amount=sign * self._charge_decimal(values["balance"], digits),
                base=sign * self._charge_decimal(values["tax_base_amount"], digits),
            )
            for values in result["tax_lines_to_add"]
        )
        _base_line, base_values = result["base_lines_to_update"][0]
        key = (tuple(sorted(self.ids)), _commanded_ids(base_values["tax_tag_ids"]))
        net = gross - sum((tax.amount for tax in taxes), Decimal(0))
        return Component(name, gross, net, key, taxes)

    @staticmethod
    def _charge_decimal(value, digits):
        return Decimal(str(round(value, digits))).quantize(Decimal(1).scaleb(-digits))
