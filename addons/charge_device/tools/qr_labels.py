"""QR codes of connectors: the URL they encode, printable label sheets (PDF)
and a spreadsheet export (XLSX).

A label is a dict with the keys of :data:`LABEL_KEYS`: ``url`` (what the QR
code encodes), ``station``, ``pile_name``, ``pile_serial``, ``connector_code``
(the number a driver types when the scan fails) and ``connector_label``.
A label without ``url`` is printed without QR code rather than with one that
encodes nothing.
"""
import io
import math
import string
from urllib.parse import quote

import qrcode
from qrcode.image.pil import PilImage
from reportlab.lib.colors import Color, black
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from odoo.addons.charge_base.tools.coded_error import CodedError
from odoo.addons.charge_base.tools.xlsx import text_workbook

PLACEHOLDERS = ("connector_code", "pile_serial", "connector_number", "station_code")
LABEL_KEYS = ("url", "station", "pile_name", "pile_serial", "connector_code", "connector_label")
XLSX_HEADERS = ("Station", "Pile", "Serial", "Connector Code", "Connector", "URL", "QR Code")

CJK_FONT = "STSong-Light"  # built-in Adobe CID font: no font file needed
CODE_FONT = "Helvetica-Bold"
MARGIN = 10 * mm
TITLE_HEIGHT = 12 * mm
PADDING = 3 * mm
LINE_HEIGHT = 4 * mm
FONT_SIZE = 8.5
CODE_FONT_SIZE = 11
BORDER_GREY = Color(0.75, 0.75, 0.75)
XLSX_QR_PIXELS = 110


class QrUrlError(CodedError):
    """A QR URL pattern that cannot be used."""


def _pattern_fields(pattern):
    """``(literal, placeholder, format_spec)`` parts of a URL pattern."""
    try:
        parts = list(string.Formatter().parse(pattern or ""))
    except ValueError as error:
        raise QrUrlError("syntax", f"URL pattern {pattern!r}: {error}", pattern=pattern) from error
    for _literal, name, spec, conversion in parts:
        if name is not None and (name not in PLACEHOLDERS or conversion or "{" in spec):
            raise QrUrlError("placeholder", f"unknown placeholder {{{name}}} in URL pattern {pattern!r}; "
                             f"use {', '.join('{%s}' % p for p in PLACEHOLDERS)}",
                             pattern=pattern, placeholder=name, allowed=PLACEHOLDERS)
    if not any(name for _literal, name, _spec, _conversion in parts):
        raise QrUrlError("no_placeholder", f"URL pattern {pattern!r} has no placeholder, so all "
                         "connectors would get the same QR code", pattern=pattern)
    return [(literal, name, spec) for literal, name, spec, _conversion in parts]


def check_pattern(pattern):
    """The placeholders used by a URL pattern, or QrUrlError if it cannot be used."""
    return {name for _literal, name, _spec in _pattern_fields(pattern) if name}


def qr_url(pattern, **values):
    """The pattern with its placeholders replaced by URL-quoted values.

    >>> qr_url("https://m.example.com/charge?c={connector_code}", connector_code="SZ000701")
    'https://m.example.com/charge?c=SZ000701'
    """
    url = []
    for literal, name, spec in _pattern_fields(pattern):
        url.append(literal)
        if not name:
            continue
        if values.get(name) in (None, ""):
            raise QrUrlError("missing_value", f"no value for {{{name}}}", placeholder=name)
        try:
            text = format(values[name], spec)
        except (TypeError, ValueError) as error:
            raise QrUrlError("format", f"{{{name}:{spec}}}: {error}", placeholder=name) from error
        url.append(quote(text, safe=""))
    return "".join(url)


def qr_png(url, box_size=10, border=4):
    """A PNG of the QR code of ``url`` (error correction M, quiet zone ``border`` modules)."""
    if not url:
        raise ValueError("a QR code needs a URL")
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M,
                         box_size=box_size, border=border, image_factory=PilImage)
    code.add_data(url)
    code.make(fit=True)
    stream = io.BytesIO()
    code.make_image().save(stream, format="PNG")
    return stream.getvalue()


def _fit(text, font, size, width):
    """``text`` cut with an ellipsis so that it is at most ``width`` wide."""
    text = str(text or "")
    if pdfmetrics.stringWidth(text, font, size) <= width:
        return text
    while text and pdfmetrics.stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text + "…"


def _draw_label(pdf, label, x, y, width, height):
    """One label in the cell whose bottom-left corner is (x, y)."""
    pdf.setStrokeColor(BORDER_GREY)
    pdf.setDash(2, 2)
    pdf.rect(x, y, width, height)
    inner = width - 2 * PADDING
    lines = [
        (CODE_FONT, CODE_FONT_SIZE, label["connector_code"]),
        (CJK_FONT, FONT_SIZE, label["connector_label"]),
        (CJK_FONT, FONT_SIZE, f"{label['pile_name']}  {label['pile_serial']}"),
        (CJK_FONT, FONT_SIZE, label["station"]),
    ]
    text_height = len(lines) * LINE_HEIGHT + PADDING
    side = min(inner, height - 2 * PADDING - text_height)
    if label["url"]:
        image = ImageReader(io.BytesIO(qr_png(label["url"])))
        pdf.drawImage(image, x + (width - side) / 2, y + height - PADDING - side, side, side)
    pdf.setFillColor(black)
    baseline = y + height - PADDING - side - LINE_HEIGHT
    for font, size, text in lines:
        pdf.setFont(font, size)
        pdf.drawCentredString(x + width / 2, baseline, _fit(text, font, size, inner))
        baseline -= LINE_HEIGHT


def label_sheet_pdf(title, labels, page_size=A4, columns=3, rows=4):
    """A PDF of QR labels, ``columns`` × ``rows`` per page, cut lines in light grey.

    Each page shows ``title`` and its number (``n/m``); ``labels`` are dicts
    with :data:`LABEL_KEYS`.
    """
    pdfmetrics.registerFont(UnicodeCIDFont(CJK_FONT))
    page_width, page_height = page_size
    cell_width = (page_width - 2 * MARGIN) / columns
    cell_height = (page_height - 2 * MARGIN - TITLE_HEIGHT) / rows
    per_page = columns * rows
    page_count = max(1, math.ceil(len(labels) / per_page))
    stream = io.BytesIO()
    pdf = canvas.Canvas(stream, pagesize=page_size)
    pdf.setTitle(title)
    for page in range(page_count):
        title_y = page_height - MARGIN - TITLE_HEIGHT / 2
        pdf.setFont(CJK_FONT, 14)
        pdf.drawString(MARGIN, title_y, _fit(title, CJK_FONT, 14, page_width - 2 * MARGIN - 30 * mm))
        pdf.setFont("Helvetica", 10)
        pdf.drawRightString(page_width - MARGIN, title_y, f"{page + 1}/{page_count}")
        for index, label in enumerate(labels[page * per_page:(page + 1) * per_page]):
            row, column = divmod(index, columns)
            x = MARGIN + column * cell_width
            y = page_height - MARGIN - TITLE_HEIGHT - (row + 1) * cell_height
            _draw_label(pdf, label, x, y, cell_width, cell_height)
        pdf.showPage()
    pdf.save()
    return stream.getvalue()


def labels_xlsx(labels, headers=XLSX_HEADERS):
    """An XLSX workbook with one row per label and its QR code image in the last column.

    ``headers`` are the 7 column titles (pass them translated).
    """
    stream = io.BytesIO()
    workbook = text_workbook(stream)
    sheet = workbook.add_worksheet("QR")
    bold = workbook.add_format({"bold": True, "bg_color": "#EEEEEE", "border": 1})
    cell = workbook.add_format({"valign": "vcenter", "text_wrap": True})
    sheet.write_row(0, 0, headers, bold)
    sheet.freeze_panes(1, 0)
    for column, width in enumerate((24, 20, 20, 20, 14, 48, 18)):
        sheet.set_column(column, column, width, cell)
    for row, label in enumerate(labels, start=1):
        sheet.set_row(row, XLSX_QR_PIXELS * 0.75 + 8)  # points; the image is in pixels
        sheet.write_row(row, 0, [label["station"], label["pile_name"], label["pile_serial"],
                                 label["connector_code"], label["connector_label"]], cell)
        if not label["url"]:
            continue
        sheet.write_string(row, 5, label["url"], cell)
        png = qr_png(label["url"], box_size=4, border=2)
        scale = XLSX_QR_PIXELS / _png_width(png)
        sheet.insert_image(row, 6, f"{label['connector_code']}.png", {
            "image_data": io.BytesIO(png), "x_scale": scale, "y_scale": scale,
            "x_offset": 4, "y_offset": 4, "object_position": 1,
        })
    if labels:
        sheet.autofilter(0, 0, len(labels), len(headers) - 2)
    workbook.close()
    return stream.getvalue()


def _png_width(png):
    """Width in pixels of a PNG, from its IHDR chunk."""
    return int.from_bytes(png[16:20], "big")
