"""Every CSV file tito writes, written here: rows of names and numbers that a spreadsheet opens as data.

A CSV cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read by Excel, LibreOffice
and Google Sheets as a formula, and a formula can fetch a URL with the sheet's data or run a command
(OWASP's "CSV injection"). Student ids, assignment names and messages in our CSV files come from students and
instructors, so each such text cell is written with a single quote in front (OWASP's advice): the spreadsheet
shows it as text, and a reader of the CSV sees the quote. Numbers are written as numbers (a negative score
stays a number). The JSON files beside the CSV keep every name exactly as it is.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence

#: What makes a spreadsheet read a cell as a formula (OWASP, "CSV Injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """``value`` as a spreadsheet shows it as text: a string that would start a formula gets a ``'`` in front."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_text(rows: Iterable[Mapping], columns: Sequence[str]) -> str:
    """``rows`` (dicts; keys outside ``columns`` left out) as CSV text with a header, every text cell safe."""
    buffer = io.StringIO()
    # Lines end in CRLF (RFC 4180, what spreadsheets write): then the csv module quotes a cell holding a lone
    # CR too, which with a "\n" terminator it writes bare, and which a reader takes for the end of the row.
    writer = csv.DictWriter(buffer, fieldnames=list(columns), extrasaction="ignore", lineterminator="\r\n")
    writer.writeheader()
    writer.writerows({key: safe_cell(row.get(key)) for key in columns} for row in rows)
    return buffer.getvalue()
