"""Reading a file of people as spreadsheet programs save it: CSV in the encodings they use by
default, or an Excel workbook (.xlsx).  Every file becomes the same CSV text, which
`importing.parse_rows` reads, so the rules for columns and rows live in one place.

Which encoding a CSV file is in, by a rule a coordinator can be told:

1. a byte order mark says it: UTF-8, or UTF-16 (Excel's "Unicode text");
2. otherwise UTF-8 if the whole file is valid UTF-8 (it almost never is by chance);
3. otherwise one of the 8-bit encodings Excel saves "CSV" in for Western Europe: Windows-1252
   (which reads ISO-8859-1 files the same), ISO-8859-15 and Mac Roman.  Any byte is valid in
   most of them, so each reading is scored: the letters of Western European names, in a
   believable case (no "JosÈ"), count for it; other symbols count against it.  The best
   reading wins, and Windows-1252 on a tie.

Workbooks are read by openpyxl, which parses their XML with defusedxml (a dependency for that
alone): a workbook declaring XML entities is refused rather than expanded.

(charset-normalizer was tried and read short Danish Windows-1252 files as Central European
Windows-1250: "Søren" came out as "Sřren".)
"""

from __future__ import annotations

import asyncio
import codecs
import csv
import io
import unicodedata
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, time

import openpyxl

from channels.errors import Invalid, TooLarge
from channels.languages import N_
from channels.people.importing import MAX_ROWS
from channels.words import Count, Words

MAX_UNPACKED = 8 * 1024 * 1024  # a workbook of 5,000 people unpacks to some 1.3 MB
MAX_PARTS = 200
MAX_COLUMNS = 50  # of a worksheet; a people file has a handful

SAVE_AS = Words(N_("Save it as .xlsx or CSV (in Excel: File, Save As) and choose it again."))
XLS_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old binary Office files (.xls)
ZIP_MAGIC = b"PK\x03\x04"  # .xlsx is a zip archive

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig", "UTF-8"),
    (codecs.BOM_UTF16_LE, "utf-16", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16", "UTF-16"),
)
_LEGACY = (
    ("cp1252", Words(N_("Windows-1252 (Western European)"))),
    ("iso8859_15", Words(N_("ISO-8859-15 (Western European)"))),
    ("mac_roman", Words(N_("Mac Roman (Western European)"))),
)
_WESTERN_LETTERS = frozenset(  # À … ÿ but two signs: the letters of Danish, German, French …
    chr(c) for c in range(0xC0, 0x100) if c not in (0xD7, 0xF7)
)
_RARER_LETTERS = frozenset("ŒœŠšŽžŸ")
_PUNCTUATION = frozenset(
    "\u00a0\u2018\u2019\u201a\u201c\u201d\u201e\u2013\u2014\u2026\u00ab\u00bb\u20ac\u00b0\u00b7\u00b4"
)  # quotes, dashes, €, ° …


@dataclass(frozen=True)
class PeopleFile:
    text: str  # CSV, as `importing.parse_rows` reads it
    format: Words  # what was read: "CSV, Windows-1252 (Western European)"


async def read_people_file(data: bytes) -> PeopleFile:
    """The text of an uploaded CSV or XLSX file; Invalid or TooLarge, with what to do, when it
    cannot be read.  (Off the event loop: decoding and unzipping take a while.)"""
    return await asyncio.to_thread(_read, data)


def _read(data: bytes) -> PeopleFile:
    if data.startswith(XLS_MAGIC):
        raise Invalid(
            N_("This is an old Excel file (.xls), which cannot be read. %(save_as)s"),
            save_as=SAVE_AS,
        )
    if data.startswith(ZIP_MAGIC):
        return _read_workbook(data)
    text, encoding = decode_csv(data)
    return PeopleFile(text, Words(N_("CSV, %(encoding)s"), encoding=encoding))


# CSV


def decode_csv(data: bytes) -> tuple[str, Words | str]:
    """The text of a CSV file and the name of its encoding (see the module's rule)."""
    for bom, codec, name in _BOMS:
        if data.startswith(bom):
            try:
                return _check_text(data.decode(codec)), name
            except UnicodeDecodeError:
                raise Invalid(
                    N_("The file says it is %(name)s text but is not. %(save_as)s"),
                    name=name,
                    save_as=SAVE_AS,
                ) from None
    try:
        return _check_text(data.decode("utf-8")), "UTF-8"
    except UnicodeDecodeError:
        pass
    readings = []
    for order, (codec, name) in enumerate(_LEGACY):
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        if not _binary(text):
            readings.append((_plausibility(text), -order, text, name))
    if not readings:
        raise Invalid(N_("This is not a text file that can be read. %(save_as)s"), save_as=SAVE_AS)
    _, _, text, name = max(readings)
    return text, name


def _binary(text: str) -> bool:
    """Control characters (other than tabs and line breaks) are never in a spreadsheet's text."""
    return any(unicodedata.category(c) == "Cc" and c not in "\t\n\r" for c in text)


def _check_text(text: str) -> str:
    if _binary(text):
        raise Invalid(N_("This is not a text file that can be read. %(save_as)s"), save_as=SAVE_AS)
    return text


def _plausibility(text: str) -> int:
    """How much `text` reads like Western European names: each letter of theirs in a believable
    case adds, any other symbol takes away; plain ASCII does not count."""
    score = 0
    for index, char in enumerate(text):
        if char.isascii():
            continue
        before = text[index - 1] if index else ""
        after = text[index + 1 : index + 2]
        odd_case = (char.isupper() and before.islower()) or (char.islower() and after.isupper())
        if char in _WESTERN_LETTERS and not odd_case:
            score += 2
        elif char in _RARER_LETTERS and not odd_case:
            score += 1
        elif char not in _PUNCTUATION:
            score -= 1
    return score


# XLSX


NOT_A_WORKBOOK = Words(
    N_("This is not an Excel workbook that can be read. %(save_as)s"), save_as=SAVE_AS
)


def _read_workbook(data: bytes) -> PeopleFile:
    """The first worksheet as CSV, one line per row, so line numbers are the sheet's row
    numbers.  The archive's unpacked size is checked before anything is unpacked (a zip read
    never returns more than an entry declares, so the declared sizes bound the work)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
            names = {part.filename for part in parts}
    except zipfile.BadZipFile:
        raise Invalid(NOT_A_WORKBOOK) from None
    if "xl/workbook.xml" not in names or "[Content_Types].xml" not in names:
        raise Invalid(NOT_A_WORKBOOK)
    if len(parts) > MAX_PARTS or sum(part.file_size for part in parts) > MAX_UNPACKED:
        raise TooLarge(
            N_(
                "The workbook is too large: at most %(max_rows)s people. Please split it or save it as CSV."
            ),
            max_rows=Count(MAX_ROWS),
        )
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds on a damaged file; all mean the same here
        raise Invalid(NOT_A_WORKBOOK) from None
    try:
        if not workbook.worksheets:
            raise Invalid(N_("The workbook has no worksheet. %(save_as)s"), save_as=SAVE_AS)
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # a sheet's stated size may be anything: read the rows it has
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        for number, row in enumerate(sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True)):
            if number > MAX_ROWS:  # the header, then at most MAX_ROWS rows, blank or not
                raise TooLarge(
                    N_("A file can hold at most %(max_rows)s people. Please split it."),
                    max_rows=Count(MAX_ROWS),
                )
            cells = [_cell_text(value) for value in row]
            while cells and not cells[-1]:
                cells.pop()
            writer.writerow(cells)
        return PeopleFile(
            out.getvalue(),
            Words(N_("Excel workbook (.xlsx), sheet “%(sheet)s”"), sheet=sheet.title),
        )
    except (Invalid, TooLarge):
        raise
    except Exception:  # as above: a damaged sheet
        raise Invalid(NOT_A_WORKBOOK) from None
    finally:
        workbook.close()


def _cell_text(value: object) -> str:
    """A cell as a person typed it: 12.0 as 12, a date as 2026-03-01, line breaks as spaces."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime) and value.time() == time():
        return value.date().isoformat()
    if isinstance(value, (date, datetime, time)):
        return value.isoformat()
    return " ".join(str(value).splitlines())
