"""Reading people files as spreadsheet programs save them: CSV in each encoding Excel and
friends use by default, semicolons, and XLSX workbooks; anything else refused with what to do
(pure functions, no server)."""

from __future__ import annotations

import io
import os
import zipfile
from datetime import date

import openpyxl
import pytest

from channels.errors import Invalid, TooLarge
from channels.people.import_files import MAX_UNPACKED, read_people_file
from channels.people.importing import MAX_ROWS, parse_rows

DANISH = (
    "Email;Name;Role;Field of expertise\n"
    "soeren@example.org;Søren Ærø Åse;mentor;Økonomi\n"
    "maja@example.org;Maja Bæk;mentee;Jura og forvaltning\n"
)
NAMES = ["Søren Ærø Åse", "Maja Bæk"]


@pytest.mark.parametrize(
    ("codec", "encoding"),
    [
        ("utf-8", "UTF-8"),
        ("utf-8-sig", "UTF-8"),  # Excel's "CSV UTF-8", with a byte order mark
        ("utf-16", "UTF-16"),  # Excel's "Unicode text", with a byte order mark
        ("cp1252", "Windows-1252 (Western European)"),  # Excel's "CSV" on Windows
        ("latin-1", "Windows-1252 (Western European)"),  # the same letters, read the same
        ("mac_roman", "Mac Roman (Western European)"),  # Excel's "CSV" on an older Mac
    ],
)
async def test_danish_letters_come_out_right_from_every_encoding(codec, encoding):
    people_file = await read_people_file(DANISH.encode(codec))
    assert people_file.format == f"CSV, {encoding}"
    rows, problems = parse_rows(people_file.text)
    assert problems == []
    assert [row.name for row in rows] == NAMES
    assert rows[0].expertise == "Økonomi" and rows[1].email == "maja@example.org"


async def test_iso_8859_15_is_told_from_windows_1252_by_its_own_letters():
    text = "email,name,role\nsarka@example.org,Šárka Nováková,mentee\n"
    people_file = await read_people_file(text.encode("iso8859_15"))
    assert people_file.text == text
    assert people_file.format == "CSV, ISO-8859-15 (Western European)"
    windows = await read_people_file(text.encode("cp1252"))
    assert (windows.text, windows.format) == (text, "CSV, Windows-1252 (Western European)")


async def test_a_legacy_file_with_only_lowercase_danish_letters_is_read_right_too():
    text = "email;name;role\nj@example.org;Jørgen Bæk;mentor\n"
    for codec in ("cp1252", "mac_roman"):
        assert (await read_people_file(text.encode(codec))).text == text, codec


def _workbook(rows: list[list[object]], title: str = "People") -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


async def test_the_first_sheet_of_a_workbook_reads_like_csv_with_the_sheets_row_numbers():
    data = _workbook(
        [
            ["Email", "Name", "Role", "Field of expertise", "Joined"],
            ["soeren@example.org", "Søren Ærø Åse", "mentor", "Økonomi", date(2026, 3, 1)],
            [None, None, None],
            ["maja@example.org", "Maja\nBæk", "mentee", 42.0],
            ["bad", "Bo, Berg", "boss", "Law"],
        ]
    )
    people_file = await read_people_file(data)
    assert people_file.format == "Excel workbook (.xlsx), sheet “People”"
    rows, problems = parse_rows(people_file.text)
    assert [(r.line, r.name, r.expertise) for r in rows] == [
        (2, "Søren Ærø Åse", "Økonomi"),
        (4, "Maja Bæk", "42"),  # a line break in a cell is a space; 42.0 is what was typed
    ]
    assert [p.line for p in problems] == [5]
    assert "unknown role 'boss'" in problems[0].reason


async def test_a_workbook_over_the_row_limit_is_refused_before_it_is_all_read():
    header = [["email", "name", "role"]]
    fits = _workbook(header + [[f"p{i}@example.org", f"P {i}", "mentee"] for i in range(MAX_ROWS)])
    rows, _ = parse_rows((await read_people_file(fits)).text)
    assert len(rows) == MAX_ROWS

    one_more = _workbook(
        header + [[f"p{i}@example.org", "P", "mentee"] for i in range(MAX_ROWS + 1)]
    )
    with pytest.raises(TooLarge, match="at most 5,000 people"):
        await read_people_file(one_more)

    # A row far down the sheet: the empty rows before it count too, so none of them is made.
    workbook = openpyxl.Workbook()
    workbook.active.append(["email", "name", "role"])
    workbook.active.cell(row=1_000_000, column=1, value="far@example.org")
    buffer = io.BytesIO()
    workbook.save(buffer)
    with pytest.raises(TooLarge):
        await read_people_file(buffer.getvalue())


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


async def test_a_workbook_that_unpacks_too_large_is_refused_unopened():
    bomb = _zip(
        {
            "[Content_Types].xml": b"<Types/>",
            "xl/workbook.xml": b"<workbook/>",
            "xl/worksheets/sheet1.xml": b" " * (MAX_UNPACKED + 1),
        }
    )
    assert len(bomb) < 100_000
    with pytest.raises(TooLarge, match="too large"):
        await read_people_file(bomb)


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + os.urandom(2000), "old Excel file (.xls)"),
        (_zip({"readme.txt": b"hello"}), "not an Excel workbook"),
        (_zip({"[Content_Types].xml": b"<", "xl/workbook.xml": b"<nope"}), "not an Excel workbook"),
        (b"PK\x03\x04" + os.urandom(2000), "not an Excel workbook"),
        (bytes(range(256)) * 8, "not a text file"),
        (b"email,name,role\n\x00\x01\x02", "not a text file"),
        (b"\xff\xfe" + b"\x00\xd8" * 10, "says it is UTF-16"),
    ],
)
async def test_files_that_are_not_a_spreadsheet_say_how_to_save_one(data, says):
    with pytest.raises(Invalid) as refused:
        await read_people_file(data)
    assert says in refused.value.message
    assert "Save it as .xlsx or CSV" in refused.value.message


async def test_a_real_workbook_cut_short_is_refused():
    data = _workbook([["email", "name", "role"], ["a@example.org", "A", "mentee"]])
    with pytest.raises(Invalid, match="not an Excel workbook"):
        await read_people_file(data[: len(data) // 2])


async def test_a_workbook_with_xml_entities_is_refused_not_expanded():
    """defusedxml (which openpyxl uses when it is installed) refuses every entity declaration,
    so no sheet can grow by expanding them (a "billion laughs")."""
    data = _workbook([["email", "name", "role"], ["a@example.org", "A", "mentee"]])
    rebuilt = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as original,
        zipfile.ZipFile(rebuilt, "w", zipfile.ZIP_DEFLATED) as archive,
    ):
        for part in original.infolist():
            content = original.read(part)
            if part.filename == "xl/worksheets/sheet1.xml":
                content = content.replace(
                    b"<worksheet", b'<!DOCTYPE worksheet [<!ENTITY who "Eve">]><worksheet', 1
                ).replace(b"<t>A</t>", b"<t>&who;</t>")
                assert b"<t>&who;</t>" in content
            archive.writestr(part, content)
    with pytest.raises(Invalid, match="not an Excel workbook"):
        await read_people_file(rebuilt.getvalue())


@pytest.mark.parametrize(
    "header",
    [
        "Navn;E-mail;Rolle;Fagområde",
        "navn;email;rolle;ekspertise",
        "NAVN;E-mailadresse;ROLLE",
        "Fulde navn;Mailadresse;Rolle;Felt",
    ],
)
async def test_danish_column_names_and_roles_are_read_as_the_english_ones(header):
    """A Danish coordinator's spreadsheet, as Danish Excel on Windows saves it: its columns
    named in Danish, in any order and case, and the roles as Danes write them."""
    text = (
        f"{header}\n"
        "Søren Ærø Åse;soeren@example.org;Mentor;Økonomi\n"
        "Maja Bæk;maja@example.org;mentee;Jura\n"
        "Lise Holm;lise@example.org;Koordinator;\n"
    )
    rows, problems = parse_rows((await read_people_file(text.encode("cp1252"))).text)
    assert problems == []
    expertise = ["Økonomi", "Jura", ""] if header.count(";") == 3 else ["", "", ""]
    assert [(r.line, r.name, r.email, r.role, r.expertise) for r in rows] == [
        (2, "Søren Ærø Åse", "soeren@example.org", "mentor", expertise[0]),
        (3, "Maja Bæk", "maja@example.org", "mentee", expertise[1]),
        (4, "Lise Holm", "lise@example.org", "coordinator", expertise[2]),
    ]


async def test_a_danish_workbook_is_read_and_a_role_neither_language_knows_is_a_row_to_fix():
    data = _workbook(
        [
            ["E-mail", "Navn", "Rolle", "Fagområde"],
            ["soeren@example.org", "Søren Ærø Åse", "koordinator", "Økonomi"],
            ["maja@example.org", "Maja Bæk", "leder", "Jura"],
            ["bo@example.org", "Bo Berg", "", "Jura"],
        ]
    )
    rows, problems = parse_rows((await read_people_file(data)).text)
    assert [(r.name, r.role) for r in rows] == [("Søren Ærø Åse", "coordinator")]
    assert [(p.line, p.reason) for p in problems] == [
        (3, "unknown role 'leder' (use coordinator, mentor or mentee)"),
        (4, "no role (use coordinator, mentor or mentee)"),
    ]


def test_a_header_in_neither_language_says_both_and_what_is_missing():
    with pytest.raises(Invalid) as refused:
        parse_rows("Fornavn;E-post;Rolle\nSøren;s@example.org;mentor\n")
    assert refused.value.message == (
        "The first line must name the columns: email, name, role, field of expertise"
        " (or in Danish: e-mail, navn, rolle, fagområde). Missing: email, name."
    )
