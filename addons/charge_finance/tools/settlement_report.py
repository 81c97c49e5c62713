"""A payment provider's settlement report, read into rows, without the ORM.

Two layouts are read, in CSV (UTF-8, with or without BOM, or GB18030, as
the merchant platforms export it) or XLSX:

- the platform's own template, one row per payment or refund, with the
  headers ``date, type, reference, provider_reference, amount, fee`` (or
  their Chinese names 日期, 类型, 商户订单号, 渠道交易号, 金额, 手续费), ``type``
  being ``payment``/``refund`` (or 支付/退款);
- WeChat Pay's trade bill (交易账单, API v3 ``tradebill``): a row per
  transaction whose values start with a backtick, the headers 交易时间,
  微信订单号, 商户订单号, 交易状态 (SUCCESS or REFUND), 应结订单总金额,
  商户退款单号, 退款金额, 手续费, and summary lines at the end, left out.

Each row becomes a :class:`Row`: the kind (payment or refund), our
transaction reference, the provider's, the gross amount (positive) and the
provider's fee (positive; a refund may give a fee back: negative). Amounts
are Decimals; a row that cannot be read is a :class:`ReportError` naming
its line.
"""
import csv
import io
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

KINDS = ("payment", "refund")
TEMPLATE_HEADERS = {
    "date": ("date", "日期"),
    "type": ("type", "类型"),
    "reference": ("reference", "商户订单号"),
    "provider_reference": ("provider_reference", "渠道交易号"),
    "amount": ("amount", "金额"),
    "fee": ("fee", "手续费"),
}
KIND_WORDS = {"payment": "payment", "支付": "payment", "refund": "refund", "退款": "refund"}
WECHAT_MARKS = ("微信订单号", "商户订单号", "应结订单总金额")


class ReportError(ValueError):
    def __init__(self, code, line=None, **params):
        super().__init__(code, line, params)
        self.code = code
        self.line = line
        self.params = params


@dataclass(frozen=True)
class Row:
    line: int
    kind: str
    reference: str
    provider_reference: str
    amount: Decimal
    fee: Decimal
    date: datetime = None


def read(content, filename=""):
    """The rows of a report file (bytes)."""
    if filename.lower().endswith(".xlsx") or content[:2] == b"PK":
        table = _xlsx_table(content)
    else:
        table = list(csv.reader(io.StringIO(_text(content))))
    table = [[_cell(value) for value in row] for row in table]
    table = [row for row in table if any(row)]
    if not table:
        raise ReportError("empty")
    header_index = next((index for index, row in enumerate(table) if all(mark in row for mark in WECHAT_MARKS)), None)
    if header_index is not None:
        return _wechat_rows(table, header_index)
    return _template_rows(table)


def _text(content):
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ReportError("encoding")


def _xlsx_table(content):
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as error:  # noqa: BLE001 - openpyxl raises many kinds on a file that is not a workbook
        raise ReportError("format", detail=str(error)) from error
    sheet = book.worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    text = str(value).strip()
    return text[1:].strip() if text.startswith("`") else text


def _amount(text, line, column):
    try:
        amount = Decimal(str(text).replace(",", "").replace("¥", "").strip() or "0")
    except InvalidOperation:
        raise ReportError("amount", line, column=column, value=text) from None
    if not amount.is_finite():
        raise ReportError("amount", line, column=column, value=text)
    return amount


def _date(text, line):
    for pattern in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d"):
        try:
            return datetime.strptime(text, pattern)
        except ValueError:
            continue
    raise ReportError("date", line, value=text)


def _template_rows(table):
    header = [value.lower() for value in table[0]]
    columns = {}
    for name, words in TEMPLATE_HEADERS.items():
        found = [index for index, value in enumerate(header) if value in words]
        if not found and name not in ("date", "provider_reference", "fee"):
            raise ReportError("header", 1, column=words[0])
        columns[name] = found[0] if found else None
    rows = []
    for offset, values in enumerate(table[1:], start=2):
        def get(name, values=values):
            index = columns[name]
            return values[index] if index is not None and index < len(values) else ""
        kind = KIND_WORDS.get(get("type").lower())
        if not kind:
            raise ReportError("type", offset, value=get("type"))
        reference = get("reference")
        if not reference:
            raise ReportError("reference", offset)
        amount = abs(_amount(get("amount"), offset, "amount"))
        if not amount:
            raise ReportError("amount", offset, column="amount", value=get("amount"))
        rows.append(Row(offset, kind, reference, get("provider_reference"), amount, _amount(get("fee"), offset, "fee"),
                        _date(get("date"), offset) if get("date") else None))
    return rows


def _wechat_rows(table, header_index):
    header = table[header_index]
    index = {name: position for position, name in enumerate(header)}

    def get(values, name):
        position = index.get(name)
        return values[position] if position is not None and position < len(values) else ""

    rows = []
    for offset, values in enumerate(table[header_index + 1:], start=header_index + 2):
        if not get(values, "商户订单号") or values[0].startswith("总") or len(values) < len(header) - 2:
            break  # the summary lines (总交易单数, ...) follow the transactions
        state = get(values, "交易状态")
        date = _date(get(values, "交易时间"), offset) if get(values, "交易时间") else None
        fee = _amount(get(values, "手续费"), offset, "手续费")
        if state == "SUCCESS":
            rows.append(Row(offset, "payment", get(values, "商户订单号"), get(values, "微信订单号"),
                            _amount(get(values, "应结订单总金额"), offset, "应结订单总金额"), fee, date))
        elif state == "REFUND":
            rows.append(Row(offset, "refund", get(values, "商户退款单号"), get(values, "微信退款单号"),
                            _amount(get(values, "退款金额"), offset, "退款金额"), fee, date))
        else:
            raise ReportError("type", offset, value=state)
    if not rows:
        raise ReportError("empty")
    return rows


def entry_amounts(payments, refunds, fees):
    """{bank, fee, clearing}: the signed balances (debit positive) of the
    entry of a settlement: the provider paid ``payments`` less ``refunds``
    less its ``fees`` to the bank; the clearing account gives up what the
    payments left on it and takes back what the refunds took."""
    clearing = refunds - payments
    bank = payments - refunds - fees
    return {"bank": bank, "fee": fees, "clearing": clearing}
