"""Importing people from CSV and XLSX files: the whole file is checked first, every bad row is
reported with its line and reason, nothing is imported until it is clean (on the page, not until
the preview is confirmed), and importing twice creates nobody twice."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import aiohttp
import openpyxl
import pytest

from channels.errors import Invalid
from server.pages.admin.importing import Sealed, open_seal, seal

from .support import email

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

BAD = (
    "Email,Name,Role,Field of expertise\n"
    "ann@example.org,Ann Lund,mentor,Finance\n"
    "not-an-address,Bo Berg,mentee,Law\n"
    "cai@example.org,Cai Dahl,boss,Marketing\n"
    "ANN@example.org,Ann Again,mentee,Finance\n"
    "dan@example.org,,mentee,Law\n"
    f"{email('mentor1')},Maria Jensen,mentor,Finance\n"
)
FIXED = (
    "Email,Name,Role,Field of expertise\n"
    "ann@example.org,Ann Lund,mentor,Finance\n"
    "bo@example.org,Bo Berg,mentee,Law\n"
    "cai@example.org,Cai Dahl,mentor,Marketing\n"
    "\n"
    "dan@example.org,Dan Holm,mentee,Law\n"
    f"{email('mentor1')},Maria Jensen,mentor,Finance\n"
)


def workbook(rows: list[list[object]]) -> bytes:
    book = openpyxl.Workbook()
    book.active.title = "People"
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


NEW_PEOPLE = ["ann@example.org", "bo@example.org", "cai@example.org", "dan@example.org"]


async def _import(client, text: str, *, dry_run: bool = False):
    return await client.http.post(
        "/api/v1/users/import" + ("?dry_run=1" if dry_run else ""),
        data=text.encode(),
        headers={"Content-Type": "text/csv"},
    )


async def test_a_file_with_bad_rows_reports_all_of_them_and_imports_nothing(mail_server, smtp):
    coordinator = await mail_server.client("coordinator")
    store = mail_server.store
    before = len(await store.list_users())
    audit_before = await store.list_audit()

    response = await _import(coordinator, BAD)
    assert response.status == 400
    body = await response.json()
    assert body["error"]["code"] == "invalid" and "Nothing was imported" in body["error"]["message"]
    problems = {p["line"]: p["reason"] for p in body["problems"]}
    assert set(problems) == {3, 4, 5, 6}
    assert "bad e-mail address 'not-an-address'" in problems[3]
    assert "unknown role 'boss'" in problems[4]
    assert "duplicate: ann@example.org is already on line 2" in problems[5]
    assert "name cannot be empty" in problems[6]

    assert len(await store.list_users()) == before
    assert await store.list_audit() == audit_before
    assert (await store.count_mail())["pending"] == 0

    dry = await _import(coordinator, BAD, dry_run=True)
    assert dry.status == 200
    assert (await dry.json())["clean"] is False


async def test_the_fixed_file_imports_everyone_once_with_invitations(mail_server, smtp):
    coordinator = await mail_server.client("coordinator")
    store = mail_server.store
    before = len(await store.list_users())

    dry = await (await _import(coordinator, FIXED, dry_run=True)).json()
    assert dry["clean"] is True and (dry["new"], dry["existing"]) == (4, 1)
    assert len(await store.list_users()) == before

    response = await _import(coordinator, FIXED)
    assert response.status == 201, await response.text()
    body = await response.json()
    assert sorted(u["email"] for u in body["created"]) == NEW_PEOPLE
    assert len(await store.list_users()) == before + 4
    cai = await store.load_user_by_email("cai@example.org")
    assert (cai.name, cai.role, cai.expertise) == ("Cai Dahl", "mentor", "Marketing")
    for address in NEW_PEOPLE:
        mail = await smtp.wait_for(address)
        assert mail.link().startswith(mail_server.url)
    assert smtp.to(email("mentor1")) == []

    again = await _import(coordinator, FIXED)
    assert again.status == 200
    body = await again.json()
    assert body["created"] == [] and body["existing"] == 5
    assert len(await store.list_users()) == before + 4
    assert len([e for e in await store.list_audit() if e.action == "user.created"]) == 4
    # One read: the sender may move a mail from pending to sent between two.
    assert sum((await store.count_mail()).values()) == 4


async def test_semicolon_files_from_spreadsheets_and_bad_headers(mail_server):
    coordinator = await mail_server.client("coordinator")
    semicolons = "email;name;role\nemma@example.org;Emma Krog;mentee\n"
    response = await _import(coordinator, semicolons, dry_run=True)
    assert (await response.json())["new"] == 1

    for text, expected in [
        ("mail,who\nx@example.org,X\n", "Missing: email, name, role"),
        ("", "empty"),
        ("email,name,role\n", "no people"),
    ]:
        response = await _import(coordinator, text)
        assert response.status == 400
        assert expected in (await response.json())["error"]["message"]


async def test_the_api_reads_legacy_encodings_and_workbooks_and_refuses_junk(mail_server):
    coordinator = await mail_server.client("coordinator")
    store = mail_server.store
    danish = "email;name;role\nsoeren@example.org;Søren Ærø Åse;mentor\n"
    response = await coordinator.http.post(
        "/api/v1/users/import?dry_run=1",
        data=danish.encode("cp1252"),
        headers={"Content-Type": "text/csv"},
    )
    body = await response.json()
    assert body["format"] == "CSV, Windows-1252 (Western European)"
    assert [p["name"] for p in body["people"]] == ["Søren Ærø Åse"]

    before = await store.list_users()
    for data, content_type, status in [
        (os.urandom(3000), "text/csv", 400),
        (b"PK\x03\x04" + os.urandom(3000), XLSX, 400),
        (danish.encode(), "application/vnd.ms-excel", 403),  # not a body the API takes
    ]:
        refused = await coordinator.http.post(
            "/api/v1/users/import", data=data, headers={"Content-Type": content_type}
        )
        assert refused.status == status, await refused.text()
        assert "xlsx" in (await refused.json())["error"]["message"] or status == 403
    assert await store.list_users() == before

    response = await coordinator.http.post(
        "/api/v1/users/import",
        data=workbook([["Email", "Name", "Role"], ["ase@example.org", "Åse Ørsted", "mentee"]]),
        headers={"Content-Type": XLSX},
    )
    assert response.status == 201, await response.text()
    assert (await response.json())["format"] == "Excel workbook (.xlsx), sheet “People”"
    assert (await store.load_user_by_email("ase@example.org")).name == "Åse Ørsted"


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "server.cli", *args], capture_output=True, text=True, timeout=120
    )


def test_the_command_line_import_checks_first_then_imports_with_progress(data_dir, tmp_path):
    bad, fixed = tmp_path / "bad.csv", tmp_path / "fixed.csv"
    bad.write_text(BAD)
    fixed.write_text(FIXED)

    refused = _cli("import-users", str(bad), "--data-dir", str(data_dir))
    assert refused.returncode == 1
    for line in ("line 3:", "line 4:", "line 5:", "line 6:", "Nothing was imported"):
        assert line in refused.stderr, refused.stderr

    done = _cli("import-users", str(fixed), "--data-dir", str(data_dir))
    assert done.returncode == 0, done.stderr
    assert "4/4" in done.stdout and "Imported 4 people" in done.stdout
    assert "1 already had an account" in done.stdout

    again = _cli("import-users", str(fixed), "--data-dir", str(data_dir))
    assert again.returncode == 0 and "Imported 0 people" in again.stdout


def test_the_command_line_imports_a_workbook(data_dir, tmp_path):
    path = tmp_path / "people.xlsx"
    path.write_bytes(
        workbook(
            [
                ["Email", "Name", "Role", "Field of expertise"],
                ["soeren@example.org", "Søren Ærø Åse", "mentor", "Økonomi"],
                ["maja@example.org", "Maja Bæk", "mentee", None],
            ]
        )
    )
    done = _cli("import-users", str(path), "--data-dir", str(data_dir))
    assert done.returncode == 0, done.stderr
    assert "Excel workbook (.xlsx)" in done.stdout and "Imported 2 people" in done.stdout

    xls = tmp_path / "people.xls"
    xls.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500))
    refused = _cli("import-users", str(xls), "--data-dir", str(data_dir))
    assert refused.returncode == 1 and "Save it as .xlsx or CSV" in refused.stderr


# The page: a preview first, the import only on confirmation.


async def _csrf(client) -> str:
    html = await (await client.get("/admin/import")).text()
    return re.search(r'name="csrf_token" value="([0-9a-f]+)"', html).group(1)


async def _preview(client, data: bytes, filename: str) -> tuple[int, str]:
    form = aiohttp.FormData()
    form.add_field("csrf_token", await _csrf(client))
    form.add_field("file", data, filename=filename)
    response = await client.http.post("/admin/import", data=form)
    return response.status, await response.text()


def _seal(html: str) -> str:
    return re.search(r'name="seal" value="([^"]+)"', html).group(1)


async def _confirm(client, seal: str):
    return await client.http.post(
        "/admin/import/confirm",
        data={"csrf_token": await _csrf(client), "seal": seal},
        allow_redirects=False,
    )


def _danish_people(n: int) -> str:
    rows = [f"p{i}@example.org;Søren Ærø {i};mentee;Økonomi" for i in range(1, n + 1)]
    return "E-mail;Name;Role;Field of expertise\n" + "\n".join(rows) + "\n"


async def test_the_page_shows_how_the_file_is_read_and_imports_only_when_confirmed(mail_server):
    coordinator = await mail_server.client("coordinator")
    store = mail_server.store
    before, audit_before = await store.list_users(), await store.list_audit()

    status, html = await _preview(coordinator, _danish_people(12).encode("cp1252"), "people.csv")
    assert status == 200, html
    assert "read as CSV, Windows-1252 (Western European)" in html
    for i in range(1, 11):
        assert f"Søren Ærø {i}</td>" in html and f"p{i}@example.org" in html
    assert "Søren Ærø 11" not in html and "and 2 more rows" in html
    assert "Import 12 people</button>" in html
    assert await store.list_users() == before and await store.list_audit() == audit_before
    assert sum((await store.count_mail()).values()) == 0

    done = await _confirm(coordinator, _seal(html))
    assert done.status == 303 and done.headers["Location"] == "/admin/users?notice=imported"
    assert len(await store.list_users()) == len(before) + 12
    assert (await store.load_user_by_email("p12@example.org")).name == "Søren Ærø 12"

    # The same confirmation again imports nobody: the preview promised 12 new people.
    again = await _confirm(coordinator, _seal(html))
    assert again.status == 409
    assert "there is nobody to import" in await again.text()
    assert len(await store.list_users()) == len(before) + 12


async def test_a_confirmation_imports_what_was_previewed_or_nothing(mail_server, clock):
    coordinator = await mail_server.client("coordinator")
    store = mail_server.store
    _, html = await _preview(coordinator, workbook_of_people(3), "people.xlsx")
    assert "read as Excel workbook (.xlsx), sheet “People”" in html
    assert "Import 3 people</button>" in html
    seal = _seal(html)
    before = await store.list_users()

    body, _, signature = seal.rpartition(".")
    changed_text = body[:-4] + ("AAAA" if body[-4:] != "AAAA" else "BBBB") + "." + signature
    for forged in (changed_text, seal + "0", "", "x.y"):
        refused = await _confirm(coordinator, forged)
        assert refused.status == 400 and "expired" in await refused.text()
    assert await store.list_users() == before

    # Someone in the file got an account meanwhile: a new preview, to confirm again.
    await coordinator.post(
        "/api/v1/users", {"email": "p1@example.org", "name": "Pia", "role": "mentee"}
    )
    changed = await _confirm(coordinator, seal)
    assert changed.status == 409
    html = await changed.text()
    assert "Accounts changed since the preview" in html and "Import 2 people</button>" in html
    assert len(await store.list_users()) == len(before) + 1

    clock.advance(hours=1, minutes=1)
    late = await _confirm(coordinator, _seal(html))
    assert late.status == 400 and "expired" in await late.text()
    assert len(await store.list_users()) == len(before) + 1


def workbook_of_people(n: int) -> bytes:
    rows = [[f"p{i}@example.org", f"Åse {i}", "mentor"] for i in range(1, n + 1)]
    return workbook([["email", "name", "role"], *rows])


async def test_the_page_refuses_what_is_not_a_spreadsheet_and_lists_rows_to_fix(mail_server):
    coordinator = await mail_server.client("coordinator")
    store = mail_server.store
    before = await store.list_users()
    for data, name, says in [
        (os.urandom(4000), "people.xlsx", "not a text file"),  # what is in it decides
        (b"PK\x03\x04" + os.urandom(4000), "people.xlsx", "not an Excel workbook"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4000), "people.xls", "old Excel file"),
    ]:
        status, html = await _preview(coordinator, data, name)
        assert status == 400 and says in html and "Save it as .xlsx or CSV" in html, name
    assert await store.list_users() == before

    status, html = await _preview(coordinator, BAD.encode("utf-16"), "people.txt")
    assert status == 200 and "read as CSV, UTF-16" in html
    assert 'import-count">4</span> rows to fix' in html and "unknown role &#39;boss&#39;" in html
    assert "Nothing can be imported until every row is right" in html
    assert 'name="seal"' not in html


def test_a_sealed_preview_opens_only_for_its_coordinator_within_the_hour():
    secret, made = b"s" * 32, datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    sealed = Sealed(7, made.isoformat(), "people.csv", "CSV, UTF-8", 1, "email,name,role\n")
    carla, other = SimpleNamespace(id=7), SimpleNamespace(id=8)
    assert open_seal(secret, seal(secret, sealed), carla, made + timedelta(minutes=59)) == sealed
    for secret_used, who, when in [
        (b"t" * 32, carla, made),  # another server's secret
        (secret, other, made),  # another coordinator
        (secret, carla, made + timedelta(minutes=61)),
    ]:
        with pytest.raises(Invalid, match="expired"):
            open_seal(secret, seal(secret_used, sealed), who, when)
