"""A file's name is for display only (the bytes are kept by their sha256): whatever a browser
or a script sends, the name shown and offered for saving is one plain line with no path, no
control characters and no bidi tricks (an RTL override can make `cv.exe.pdf` read as
`cv.fdp.exe`), never empty and never too long."""

from __future__ import annotations

import re
import unicodedata

MAX_NAME = 120  # characters
MAX_EXTENSION = 12
FALLBACK = "file"

# Control (Cc), format (Cf: bidi overrides and isolates, zero-width characters), surrogates,
# private-use and unassigned code points: none of them belongs in a name a person reads.
_DROPPED = {"Cc", "Cf", "Cs", "Co", "Cn"}
_PATH = re.compile(r"[\\/]")


def clean_name(raw: object, *, extension: str = "") -> str:
    """The name to show for an upload.  `extension` ("pdf") names an empty one `file.pdf`."""
    text = raw if isinstance(raw, str) else ""
    text = unicodedata.normalize("NFC", text[:4096])
    text = _PATH.split(text)[-1]  # "C:\\Users\\ada\\cv.pdf", "../../etc/passwd": the last part
    text = "".join(
        " " if ch.isspace() else ch
        for ch in text
        if unicodedata.category(ch) not in _DROPPED or ch.isspace()
    )
    text = " ".join(text.split())  # one line, single spaces
    text = text.strip(" .")  # no ".", "..", hidden-file dots or trailing dots
    if not text:
        return f"{FALLBACK}.{extension}" if extension else FALLBACK
    return _shorten(text)


def _shorten(name: str) -> str:
    if len(name) <= MAX_NAME:
        return name
    stem, dot, extension = name.rpartition(".")
    if dot and stem and 0 < len(extension) <= MAX_EXTENSION:
        return stem[: MAX_NAME - len(extension) - 2].rstrip(" .") + "…." + extension
    return name[: MAX_NAME - 1].rstrip(" .") + "…"


def extension_of(name: str) -> str:
    """'Report.CSV' -> 'csv'; '' when there is none."""
    stem, dot, extension = name.rpartition(".")
    return extension.lower() if dot and stem else ""
