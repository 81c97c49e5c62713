import datetime
import io

import openpyxl

from odoo.tests import BaseCase, tagged

from ..tools.xlsx import text_workbook

FORMULAS = ['=HYPERLINK("http://evil","x")', "=1+1", "http://evil.example.com", "0123"]


def written_back(values):
    """Write ``values`` in a row with ``write()`` and read the cells back."""
    stream = io.BytesIO()
    book = text_workbook(stream)
    sheet = book.add_worksheet("T")
    for column, value in enumerate(values):
        sheet.write(0, column, value)
    book.close()
    return openpyxl.load_workbook(io.BytesIO(stream.getvalue())).active[1]


@tagged("at_install", "-post_install")
class TestTextWorkbook(BaseCase):

    def test_user_text_stays_text(self):
        cells = written_back(FORMULAS)
        self.assertEqual([cell.value for cell in cells], FORMULAS)
        self.assertEqual({cell.data_type for cell in cells}, {"s"}, "no formula, no number")
        self.assertFalse(any(cell.hyperlink for cell in cells))

    def test_numbers_stay_numbers(self):
        cells = written_back([12.5, 3, datetime.datetime(2026, 11, 21, 8, 0)])
        self.assertEqual([cell.value for cell in cells[:2]], [12.5, 3])
        self.assertEqual({cell.data_type for cell in cells[:2]}, {"n"})
        self.assertNotEqual(cells[2].data_type, "s")
