import io

import openpyxl
import zxingcpp
from PIL import Image
try:  # Odoo 19 uses PyPDF2 up to Python 3.12, pypdf from 3.13
    from pypdf import PdfReader
    from pypdf.generic import ContentStream
except ImportError:
    from PyPDF2 import PdfReader
    from PyPDF2.generic import ContentStream

from odoo.tests import BaseCase, tagged

from ..tools.qr_labels import (
    XLSX_HEADERS, QrUrlError, check_pattern, label_sheet_pdf, labels_xlsx, qr_png, qr_url,
)

PATTERN = "https://m.example.com/charge?c={connector_code}"


def make_labels(count):
    labels = []
    for index in range(count):
        serial = f"440305010000{index // 2 + 1:02d}"
        code = f"{serial}{index % 2 + 1:02d}"
        labels.append({
            "url": qr_url(PATTERN, connector_code=code), "station": "南山科技园充电站",
            "pile_name": f"{index // 2 + 1}号快充桩", "pile_serial": serial,
            "connector_code": code, "connector_label": "AB"[index % 2] + "枪",
        })
    return labels


def page_texts(reader, page):
    """The strings drawn on a PDF page, decoded per font (UTF-16 for the CID font)."""
    fonts = {name: font.get_object()["/BaseFont"] for name, font in page["/Resources"]["/Font"].items()}
    texts, font = [], None
    for operands, operator in ContentStream(page.get_contents(), reader).operations:
        if operator == b"Tf":
            font = fonts[operands[0]]
        elif operator == b"Tj":
            raw = getattr(operands[0], "original_bytes", operands[0])  # PyPDF2 decodes some as text
            texts.append(raw.decode("utf-16-be" if font == "/STSong-Light" else "latin-1"))
    return texts


def decode_qr(png):
    """The text of a QR code PNG (zxing-cpp, from requirements.txt, reads it)."""
    return zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))[0].text


@tagged("at_install", "-post_install")
class TestQrUrl(BaseCase):

    def test_substitution(self):
        self.assertEqual(qr_url(PATTERN, connector_code="SZ000701", pile_serial="SZ0007"),
                         "https://m.example.com/charge?c=SZ000701")
        self.assertEqual(
            qr_url("https://x.cn/s/{station_code}/p/{pile_serial}-{connector_number:02d}",
                   station_code="南山 1", pile_serial="SZ0007", connector_number=3),
            "https://x.cn/s/%E5%8D%97%E5%B1%B1%201/p/SZ0007-03")
        self.assertEqual(qr_url("https://x.cn/?a={connector_code}&b={{literal}}", connector_code="a&b"),
                         "https://x.cn/?a=a%26b&b={literal}")
        self.assertEqual(check_pattern("https://x.cn/{pile_serial}/{connector_number}"),
                         {"pile_serial", "connector_number"})

    def test_errors(self):
        cases = {
            "https://x.cn/?c={connector}": "placeholder",
            "https://x.cn/?c={}": "placeholder",
            "https://x.cn/?c={0}": "placeholder",
            "https://x.cn/?c={connector_code.__class__}": "placeholder",
            "https://x.cn/?c={connector_code!r}": "placeholder",
            "https://x.cn/?c={connector_code": "syntax",
            "https://x.cn/?c=}": "syntax",
            "https://x.cn/charge": "no_placeholder",
            "": "no_placeholder",
            "https://x.cn/?s={station_code}": "missing_value",
            "https://x.cn/?n={connector_number:02d}": "format",
        }
        for pattern, code in cases.items():
            with self.subTest(pattern=pattern), self.assertRaises(QrUrlError) as caught:
                qr_url(pattern, connector_code="SZ000701", connector_number="1", station_code="")
            self.assertEqual(caught.exception.code, code)
            self.assertIsInstance(caught.exception, ValueError)


@tagged("at_install", "-post_install")
class TestQrExports(BaseCase):

    def test_qr_png(self):
        url = qr_url(PATTERN, connector_code="4403050100000101")
        png = qr_png(url)
        self.assertTrue(png.startswith(b"\x89PNG\r\n\x1a\n"))
        image = Image.open(io.BytesIO(png))
        self.assertEqual(image.size[0], image.size[1])
        with self.assertRaises(ValueError):
            qr_png("")
        self.assertEqual(decode_qr(png), url)

    def test_label_sheet_pdf(self):
        labels = make_labels(13)
        pdf = label_sheet_pdf("南山科技园充电站", labels)
        self.assertTrue(pdf.startswith(b"%PDF"))
        reader = PdfReader(io.BytesIO(pdf))
        self.assertEqual(len(reader.pages), 2)
        first, second = (page_texts(reader, page) for page in reader.pages)
        self.assertIn("南山科技园充电站", first)
        self.assertIn("1/2", first)
        self.assertIn("2/2", second)
        for label in labels[:12]:
            self.assertIn(label["connector_code"], first)
            self.assertIn(label["connector_label"], first)
            self.assertIn(f"{label['pile_name']}  {label['pile_serial']}", first)
        self.assertEqual([text for text in second if text.startswith("4403")], [labels[12]["connector_code"]])
        self.assertEqual(first.count("南山科技园充电站"), 13)  # title + 12 labels

    def test_label_sheet_pdf_long_texts_and_empty(self):
        labels = make_labels(1)
        labels[0]["station"] = "深圳市南山区粤海街道科技园南区高新南七道智慧充电示范站地下二层停车场"
        reader = PdfReader(io.BytesIO(label_sheet_pdf("T", labels)))
        station = [text for text in page_texts(reader, reader.pages[0]) if text.startswith("深圳市")]
        # cut to the label width with an ellipsis
        self.assertEqual(len(station), 1)
        self.assertTrue(station[0].endswith("…"))
        self.assertTrue(labels[0]["station"].startswith(station[0][:-1]))
        self.assertEqual(len(PdfReader(io.BytesIO(label_sheet_pdf("T", []))).pages), 1)

    def test_labels_without_url_get_no_qr_code(self):
        labels = make_labels(2)
        labels[1]["url"] = ""
        reader = PdfReader(io.BytesIO(label_sheet_pdf("T", labels)))
        self.assertEqual(len(reader.pages[0]["/Resources"]["/XObject"]), 1)
        self.assertIn(labels[1]["connector_code"], page_texts(reader, reader.pages[0]))
        sheet = openpyxl.load_workbook(io.BytesIO(labels_xlsx(labels))).active
        self.assertEqual(len(sheet._images), 1)
        self.assertEqual(sheet.max_row, 3)

    def test_labels_xlsx_keeps_names_as_text(self):
        labels = make_labels(1)
        labels[0].update(station='=HYPERLINK("http://evil","x")', pile_name="=1+1", connector_label="=A1")
        cells = openpyxl.load_workbook(io.BytesIO(labels_xlsx(labels))).active[2]
        self.assertEqual([cells[0].value, cells[1].value, cells[4].value],
                         ['=HYPERLINK("http://evil","x")', "=1+1", "=A1"])
        self.assertEqual({cell.data_type for cell in cells[:6]}, {"s"}, "text, not formulas")

    def test_labels_xlsx(self):
        labels = make_labels(13)
        workbook = openpyxl.load_workbook(io.BytesIO(labels_xlsx(labels)))
        sheet = workbook.active
        rows = list(sheet.iter_rows(values_only=True))
        self.assertEqual(rows[0], XLSX_HEADERS)
        self.assertEqual(len(rows), 14)
        self.assertEqual(rows[1][:6], ("南山科技园充电站", "1号快充桩", "44030501000001", "4403050100000101",
                                       "A枪", "https://m.example.com/charge?c=4403050100000101"))
        self.assertEqual(len(sheet._images), 13)
        anchors = sorted((image.anchor._from.row, image.anchor._from.col) for image in sheet._images)
        self.assertEqual(anchors, [(row, 6) for row in range(1, 14)])  # column G, one per row
        self.assertGreaterEqual(sheet.row_dimensions[2].height, 80)
