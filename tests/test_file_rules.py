"""The rules of files that stand alone, without a server: display names and kinds."""

from __future__ import annotations

import io
import zipfile

import pytest

from channels.errors import Invalid
from channels.files.kinds import Sniffer
from channels.files.names import MAX_NAME, clean_name

from .file_support import elf, jpeg_with_exif, png, windows_exe


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("cv.pdf", "cv.pdf"),
        ("C:\\Users\\ada\\cv.pdf", "cv.pdf"),
        ("../../../etc/passwd", "passwd"),
        ("a\x00b\x07c\x1b[0md.txt", "abc[0md.txt"),
        ("line\r\nbreak.txt", "line break.txt"),
        ("cv\u202efdp.exe", "cvfdp.exe"),  # RIGHT-TO-LEFT OVERRIDE
        ("\u2067x\u2069.txt", "x.txt"),  # isolates
        ("zero\u200bwidth.txt", "zerowidth.txt"),
        ("  .hidden  ", "hidden"),
        ("...", "file"),
        ("", "file"),
        (None, "file"),
        (42, "file"),
        ("Ærø og før ✓.txt", "Ærø og før ✓.txt"),
    ],
)
def test_names_are_cleaned_for_display(raw, clean):
    assert clean_name(raw) == clean


def test_an_empty_name_gets_the_extension_of_its_kind_and_long_names_keep_theirs():
    assert clean_name("", extension="pdf") == "file.pdf"
    long = clean_name("x" * 500 + ".docx")
    assert len(long) <= MAX_NAME and long.endswith("….docx")
    assert len(clean_name("y" * 500)) <= MAX_NAME


def _kind(data: bytes, name: str = "file", chunk: int = 7) -> str:
    sniffer = Sniffer()
    for start in range(0, len(data), chunk):  # fed in small pieces, as an upload arrives
        sniffer.feed(data[start : start + chunk])
    return sniffer.kind(name)


def _zip(*names: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name in names:
            archive.writestr(name, "<x/>")
    return out.getvalue()


def test_kinds_come_from_the_content():
    assert _kind(png(), "photo.exe") == "image/png"
    assert _kind(jpeg_with_exif(1)) == "image/jpeg"
    assert _kind(b"%PDF-1.7\n...") == "application/pdf"
    assert _kind(_zip("a.txt")) == "application/zip"
    assert _kind(_zip("[Content_Types].xml", "word/document.xml")) == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    assert _kind("Grüße ✓ — a split multibyte text".encode(), "notes", chunk=1) == "text/plain"
    assert _kind(b"a,b\n", "table.CSV") == "text/csv"
    assert _kind(b"# Title", "readme.md") == "text/markdown"
    assert _kind(b"", "empty.txt") == "text/plain"


@pytest.mark.parametrize("data", [elf(), windows_exe(), b"\xff\xfe\x00broken", "é".encode()[:1]])
def test_programs_and_binary_noise_are_refused(data):
    with pytest.raises(Invalid) as refused:
        _kind(data, "harmless.png")
    assert "cannot be shared here" in refused.value.message
