"""How a file looks on the wire: an attachment of a message, or an upload just received."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from babel.numbers import get_decimal_symbol

from channels.files.kinds import label_of
from channels.readers import ENGLISH, Reader
from storage.records import StoredFile


def file_url(upload: StoredFile) -> str:
    """Where the file downloads; its name in the path is what a browser saves it as."""
    return f"/files/{upload.public_id}/{quote(upload.name, safe='')}"


def thumbnail_url(upload: StoredFile) -> str | None:
    return None if upload.thumb_sha256 is None else f"/thumbnails/{upload.public_id}"


def attachment_json(upload: StoredFile) -> dict[str, Any]:
    """`width` and `height` are the thumbnail's, in pixels (null without one), so a page can
    keep its place for the picture before it loads."""
    return {
        "id": upload.public_id,
        "name": upload.name,
        "type": upload.mime,
        "label": label_of(upload.mime),
        "size": upload.size,
        "url": file_url(upload),
        "thumbnail_url": thumbnail_url(upload),
        "width": upload.thumb_width,
        "height": upload.thumb_height,
    }


def file_size(size: int, words: Reader = ENGLISH) -> str:
    """'512 bytes', '2.5 KB', '340 KB', '12 MB': as web/static/js/uploads_model.js writes it
    (whole-number arithmetic in both, so they round alike); 'byte' in the reader's language,
    and their locale's decimal sign (Danish: '2,5 KB')."""
    ngettext = words.ngettext
    decimal_sign = get_decimal_symbol(words.calendar.locale)
    if size < 1024:
        return ngettext("%(num)s byte", "%(num)s bytes", size) % {"num": size}
    for unit, scale in (("KB", 1024), ("MB", 1024**2), ("GB", 1024**3)):
        tenths = (size * 10 + scale // 2) // scale
        if tenths < 100:
            return f"{tenths // 10}{decimal_sign}{tenths % 10} {unit}"
        whole = (size + scale // 2) // scale
        if whole < 1024 or unit == "GB":
            return f"{whole} {unit}"
    raise AssertionError("unreachable")
