"""The PDF of a fapiao request and of a demo e-invoice, without the ORM (reportlab, its built-in Chinese font)."""
import io

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

CJK_FONT = "STSong-Light"  # built-in Adobe CID font: no font file needed


def render(title, fields, columns, rows, totals):
    """A one-document PDF: ``title``; ``fields`` as (label, value) lines; a
    table of ``columns`` and ``rows`` (texts); ``totals`` as (label, value)
    lines under it. Long tables continue on further pages."""
    pdfmetrics.registerFont(UnicodeCIDFont(CJK_FONT))
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    width, height = A4
    left, top, bottom = 18 * mm, height - 20 * mm, 20 * mm
    pdf.setTitle(title)
    pdf.setFont(CJK_FONT, 16)
    pdf.drawString(left, top, title)
    y = top - 12 * mm
    pdf.setFont(CJK_FONT, 10)
    for label, value in fields:
        pdf.drawString(left, y, f"{label}: {value or ''}")
        y -= 6 * mm
    y -= 4 * mm
    step = (width - 2 * left) / max(len(columns), 1)

    def header(y):
        pdf.setFont(CJK_FONT, 10)
        for index, column in enumerate(columns):
            pdf.drawString(left + index * step, y, str(column))
        pdf.line(left, y - 2 * mm, width - left, y - 2 * mm)
        return y - 7 * mm

    y = header(y)
    pdf.setFont(CJK_FONT, 9)
    for row in rows:
        if y < bottom + 20 * mm:
            pdf.showPage()
            y = header(top)
            pdf.setFont(CJK_FONT, 9)
        for index, value in enumerate(row):
            pdf.drawString(left + index * step, y, str(value)[:40])
        y -= 6 * mm
    y -= 4 * mm
    pdf.setFont(CJK_FONT, 11)
    for label, value in totals:
        pdf.drawString(left, y, f"{label}: {value}")
        y -= 7 * mm
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
