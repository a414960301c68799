"""The public API is __all__: pinned here so a change to it is a deliberate one."""

import sheetcollect

EXPECTED = {
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
}


def test_public_api_is_pinned():
    assert set(sheetcollect.__all__) == EXPECTED
    for name in sheetcollect.__all__:
        assert hasattr(sheetcollect, name), name


def test_every_error_is_a_sheetcollect_error():
    for name in sheetcollect.__all__:
        member = getattr(sheetcollect, name)
        if isinstance(member, type) and issubclass(member, Exception):
            assert issubclass(member, sheetcollect.SheetcollectError)


def test_core_imports_only_the_standard_library():
    import ast
    import sys
    from pathlib import Path

    core = Path(sheetcollect.__file__).parent / "core"
    for module in core.glob("*.py"):
        for node in ast.walk(ast.parse(module.read_text())):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                assert top in sys.stdlib_module_names or top == "__future__", (module.name, name)
