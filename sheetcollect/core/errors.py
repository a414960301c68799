"""The one exception tree of sheetcollect.

    SheetcollectError                 anything raised on purpose; str() is one sentence
    ├── ConfigError                   bad sheetcollect.toml key or value, bad option
    ├── WorkbookError                 the workbook cannot be used as it is (exit 2, file untouched)
    │   ├── UnsupportedFormat         .xls / .xlsb / .ods / .csv / not a zip, with how to convert
    │   ├── WorkbookLocked            open in Excel (~$ lock file), read-only, protected sheet
    │   ├── EncryptedWorkbook         password-protected
    │   ├── CorruptWorkbook           broken zip or XML, missing parts, indexes out of range
    │   └── LimitExceeded             too big: decompressed size, rows, columns, cell length
    └── NoInvoiceTable                no sheet has a recognisable invoice header row

Lower-level errors (zipfile, XML parsers, calamine) are re-raised as one of these with
``raise ... from exc`` so a user never sees a traceback for a foreseeable problem.
"""

from __future__ import annotations

__all__ = [
    "ConfigError",
    "CorruptWorkbook",
    "EncryptedWorkbook",
    "LimitExceeded",
    "NoInvoiceTable",
    "SheetcollectError",
    "UnsupportedFormat",
    "WorkbookError",
    "WorkbookLocked",
]


class SheetcollectError(Exception):
    """Base of every error sheetcollect raises on purpose; the message is meant for the user."""


class ConfigError(SheetcollectError):
    """A configuration key or value is wrong; the message names the key and what is allowed."""


class WorkbookError(SheetcollectError):
    """The workbook cannot be read or written as it is; nothing was changed."""


class UnsupportedFormat(WorkbookError):
    """Not an .xlsx/.xlsm file (an .xls, .xlsb, .ods, .csv or something else)."""


class WorkbookLocked(WorkbookError):
    """The workbook is open in Excel, read-only, or its invoice sheet is protected."""


class EncryptedWorkbook(WorkbookError):
    """The workbook is password-protected (an encrypted OLE container, not a zip)."""


class CorruptWorkbook(WorkbookError):
    """The file is a broken zip, has broken XML or refers to parts or indexes that do not exist."""


class LimitExceeded(WorkbookError):
    """The workbook is larger than the configured safety limits allow."""


class NoInvoiceTable(SheetcollectError):
    """No sheet has a header row that looks like an invoice table."""
