"""XLSX workbooks that keep text as text, shared by every charge export.

xlsxwriter's ``write()`` turns a string starting with "=" into a formula and
one that looks like a link into a hyperlink. Exports hold user text (station,
pile and member names, id tags a pile sent): a name such as
``=HYPERLINK("http://evil", "x")`` must read back as that text, never run in
the spreadsheet of whoever opens the file. Numbers and dates are still
written as such by ``write()`` when they are Python numbers, not strings.
"""
import xlsxwriter

TEXT_ONLY = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}


def text_workbook(stream, options=None):
    """An in-memory xlsxwriter Workbook on ``stream`` whose ``write()`` keeps strings as strings."""
    return xlsxwriter.Workbook(stream, {"in_memory": True, **(options or {}), **TEXT_ONLY})
