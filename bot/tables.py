"""Reading the spreadsheets staff already keep (CSV from Excel in any encoding, or XLSX)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any


class TableError(Exception):
    """The file as a whole cannot be read (wrong format, damaged, no header row)."""


def _rows_csv(path: Path) -> Iterator[tuple[int, list[Any]]]:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1251")  # Excel on Ukrainian Windows saves CSV in cp1251
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    yield from enumerate(csv.reader(io.StringIO(text), dialect), 1)


def _rows_xlsx(path: Path) -> Iterator[tuple[int, list[Any]]]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise TableError(f"cannot open {path.name} as an Excel workbook: {exc}") from exc
    try:
        for n, row in enumerate(wb.worksheets[0].iter_rows(values_only=True), 1):
            yield n, list(row)
    finally:
        wb.close()


def read_table(path: Path, aliases: dict[str, tuple[str, ...]], required: tuple[str, ...]):
    """(records as dicts keyed by canonical column name with their line numbers, number of rows).

    Header names are matched case-insensitively against `aliases` (Ukrainian or English)."""
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        rows = list(_rows_xlsx(path))
    elif suffix in (".csv", ".txt"):
        rows = list(_rows_csv(path))
    else:
        raise TableError(f"{path.name}: use a .csv or .xlsx file")
    rows = [(n, r) for n, r in rows if any(str(c or "").strip() for c in r)]
    if not rows:
        raise TableError(f"{path.name} is empty")
    header_line, header = rows[0]
    columns = []
    for h in header:
        key = " ".join(str(h or "").strip().lower().split())
        columns.append(next((name for name, names in aliases.items() if key in names), None))
    missing = [name for name in required if name not in columns]
    if missing:
        raise TableError(f"{path.name}, line {header_line}: the header row must name the columns "
                         + " and ".join(f"'{m}'" for m in missing))
    records = [
        (line, {name: values[i] if i < len(values) else None for i, name in enumerate(columns) if name})
        for line, values in rows[1:]
    ]
    return records, len(records)
