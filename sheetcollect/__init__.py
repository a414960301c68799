"""sheetcollect: decide who to chase for payment, from the invoice sheet you already keep.

The public API is ``__all__``; everything else may change between versions. For example::

    report = sheetcollect.run_workbook(Path("invoices.xlsx"), as_of=date(2026, 11, 23))
    report.to_json()["invoices"][0]["status"]      # "overdue"
"""

from .adapters.xlsx import read_workbook
from .config import load_config
from .core.assess import assess, assess_all
from .core.check import check_invoices
from .core.customers import summarise_customers
from .core.errors import (
    ConfigError,
    CorruptWorkbook,
    EncryptedWorkbook,
    LimitExceeded,
    NoInvoiceTable,
    SheetcollectError,
    UnsupportedFormat,
    WorkbookError,
    WorkbookLocked,
)
from .core.limits import Limits
from .core.model import Assessment, CustomerSummary, Hold, Invoice, LogEntry, Problem
from .core.policy import Config, Fees, Policy, ReadOptions, config_from_dict
from .core.table import read_invoice_table
from .report import Report
from .runner import assess_table, run_workbook

__version__ = "0.1.0"


def __getattr__(name: str) -> object:
    """The front ends needing an extra are imported only when asked for: ``main`` (the Excel
    button's entry point, [excel] extra) and ``sync_google_sheet`` ([google] extra)."""
    if name == "main":
        try:
            from .adapters.excel import main
        except ImportError as exc:  # xlwings missing
            raise ImportError(
                "the Excel button needs the Excel extra: pip install 'sheetcollect[excel]'"
            ) from exc
        return main
    if name == "sync_google_sheet":
        try:
            from .adapters.gsheets import sync_google_sheet
        except ImportError as exc:  # gspread / google-auth missing
            raise ImportError(
                "sync_google_sheet needs the Google extra: pip install 'sheetcollect[google]'"
            ) from exc
        return sync_google_sheet
    raise AttributeError(f"module 'sheetcollect' has no attribute {name!r}")


__all__ = [
    "Assessment",
    "Config",
    "ConfigError",
    "CorruptWorkbook",
    "CustomerSummary",
    "EncryptedWorkbook",
    "Fees",
    "Hold",
    "Invoice",
    "LimitExceeded",
    "Limits",
    "LogEntry",
    "NoInvoiceTable",
    "Policy",
    "Problem",
    "ReadOptions",
    "Report",
    "SheetcollectError",
    "UnsupportedFormat",
    "WorkbookError",
    "WorkbookLocked",
    "__version__",
    "assess",
    "assess_all",
    "assess_table",
    "check_invoices",
    "config_from_dict",
    "load_config",
    "main",
    "read_invoice_table",
    "read_workbook",
    "run_workbook",
    "summarise_customers",
    "sync_google_sheet",
]
