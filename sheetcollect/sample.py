"""A real-looking sample invoice workbook, dated relative to a given day so every stage shows."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.table import Table, TableStyleInfo

__all__ = ["SAMPLE_HEADERS", "sample_rows", "write_sample_workbook"]

SAMPLE_HEADERS = (
    "Invoice #",
    "Client",
    "Email",
    "Phone",
    "Issued",
    "Terms",
    "Due date",
    "Total (£)",
    "Received",
    "Hold",
    "Promised date",
    "Notes",
)

# (invoice, client, email, phone, days before as_of issued, terms, days overdue at as_of
#  [None = from terms], total, received, hold, hold-date offset from as_of, notes)
_ROWS = (
    (
        "INV-1001",
        "Acme Ltd",
        "accounts@acme.example",
        "020 7946 0001",
        75,
        "Net 30",
        45,
        1850.00,
        0,
        "",
        None,
        "",
    ),
    (
        "INV-1002",
        "Acme Ltd",
        "accounts@acme.example",
        "020 7946 0001",
        40,
        "Net 14",
        26,
        420.00,
        0,
        "",
        None,
        "",
    ),
    (
        "INV-1003",
        "Bright Bakery",
        "sam@brightbakery.example",
        "0161 496 0002",
        44,
        "Net 30",
        14,
        960.00,
        200.00,
        "",
        None,
        "Part payment received",
    ),
    (
        "INV-1004",
        "Cobalt Design Studio",
        "finance@cobalt.example",
        "",
        38,
        "Net 30",
        8,
        2400.00,
        0,
        "",
        None,
        "",
    ),
    (
        "INV-1005",
        "Dunmore Farm Supplies",
        "",
        "01632 960003",
        33,
        "Net 30",
        3,
        315.50,
        0,
        "",
        None,
        "No e-mail: letter",
    ),
    (
        "INV-1006",
        "Evergreen Gardens",
        "ap@evergreen.example",
        "",
        29,
        "Net 30",
        -1,
        780.00,
        0,
        "",
        None,
        "",
    ),
    (
        "INV-1007",
        "Fulton & Sons",
        "pay@fulton.example",
        "",
        10,
        "Net 30",
        -20,
        1200.00,
        0,
        "",
        None,
        "",
    ),
    (
        "INV-1008",
        "Granite Works",
        "office@granite.example",
        "",
        65,
        "Net 30",
        35,
        3100.00,
        0,
        "Disputed",
        None,
        "Says delivery was short",
    ),
    (
        "INV-1009",
        "Harbour Café",
        "hello@harbour.example",
        "",
        55,
        "Net 30",
        25,
        640.00,
        0,
        "Promised",
        4,
        "Promised on the phone",
    ),
    (
        "INV-1010",
        "Iris Florists",
        "iris@florists.example",
        "",
        70,
        "Net 30",
        40,
        510.00,
        0,
        "Promised",
        -6,
        "",
    ),
    (
        "INV-1011",
        "Juniper Joinery",
        "accounts@juniper.example",
        "",
        120,
        "Net 30",
        90,
        4800.00,
        1600.00,
        "Payment plan",
        8,
        "3 instalments",
    ),
    (
        "INV-1012",
        "Kestrel Couriers",
        "billing@kestrel.example",
        "",
        150,
        "Net 30",
        120,
        180.00,
        0,
        "",
        None,
        "",
    ),
    (
        "INV-1013",
        "Lumen Lighting",
        "ap@lumen.example",
        "",
        60,
        "Net 30",
        30,
        990.00,
        990.00,
        "",
        None,
        "",
    ),
    (
        "INV-1014",
        "Acme Ltd",
        "accounts@acme.example",
        "020 7946 0001",
        20,
        "Net 30",
        -10,
        -150.00,
        0,
        "",
        None,
        "Credit note",
    ),
)


def sample_rows(as_of: date) -> list[list[object]]:
    """The sample invoices as sheet rows (dates relative to ``as_of``)."""
    rows: list[list[object]] = []
    for (
        number,
        client,
        email,
        phone,
        issued_ago,
        terms,
        overdue,
        total,
        received,
        hold,
        hold_offset,
        notes,
    ) in _ROWS:
        issued = as_of - timedelta(days=issued_ago)
        due = as_of - timedelta(days=overdue)
        until = as_of + timedelta(days=hold_offset) if hold_offset is not None else None
        rows.append(
            [
                number,
                client,
                email,
                phone,
                issued,
                terms,
                due,
                total,
                float(received),
                hold,
                until,
                notes,
            ]
        )
    return rows


def write_sample_workbook(path: Path, as_of: date) -> Path:
    """Write the sample workbook (a title, an Excel Table of invoices) to ``path``."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Invoices"
    sheet["A1"] = "Sales ledger — Greenleaf Catering Ltd"
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A2"] = f"Updated {as_of.strftime('%d %b %Y')}"
    header_row = 4
    sheet.append([])
    sheet.append(list(SAMPLE_HEADERS))
    for row in sample_rows(as_of):
        sheet.append(row)
    last = header_row + len(_ROWS)
    for cells in sheet.iter_rows(min_row=header_row + 1, max_row=last):
        for cell in cells:
            if isinstance(cell.value, date):
                cell.number_format = "dd/mm/yyyy"
            elif isinstance(cell.value, float):
                cell.number_format = "#,##0.00"
    for cell in sheet[header_row]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="305496")
    widths = (11, 24, 28, 15, 12, 9, 12, 11, 11, 13, 16, 26)
    for index, width in enumerate(widths):
        sheet.column_dimensions[chr(65 + index)].width = width
    table = Table(displayName="Invoices", ref=f"A{header_row}:L{last}")
    table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
    sheet.add_table(table)
    sheet.freeze_panes = f"A{header_row + 1}"
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return path


SAMPLE_SENDER = {
    "from_name": "Sam Patel",
    "from_email": "accounts@greenleaf.example",
    "company": "Greenleaf Catering Ltd",
    "phone": "020 7946 0999",
}


def sample_config_text(default_text: str) -> str:
    """The default sheetcollect.toml with the sample business as the sender of the drafts."""
    text = default_text
    for key, value in SAMPLE_SENDER.items():
        start = text.index(f'\n{key} = ""') + 1
        end = text.index("\n", start)
        text = text[:start] + f'{key} = "{value}"  # the sample business: put yours' + text[end:]
    return text
