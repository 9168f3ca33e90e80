"""What a file is, from its content: the signature the `filetype` library knows, or plain
text when no signature matches and the bytes are UTF-8 without NUL.  Never from the name or
what the browser claims.  Only the kinds on the allow-list may be shared; an executable
renamed `.png` is still an executable, and is refused."""

from __future__ import annotations

import codecs

import filetype

from channels.errors import Invalid
from channels.files.names import extension_of
from channels.languages import N_
from channels.words import Words

HEAD = 8192  # what filetype reads (office formats are recognised from their first entries)

# mime -> what a person calls it
ALLOWED: dict[str, str] = {
    "image/png": N_("PNG image"),
    "image/jpeg": N_("JPEG image"),
    "image/gif": N_("GIF image"),
    "image/webp": N_("WebP image"),
    "application/pdf": N_("PDF document"),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": N_("Word document"),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": N_("Excel spreadsheet"),
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": N_("PowerPoint presentation"),
    "application/vnd.oasis.opendocument.text": N_("OpenDocument text"),
    "application/vnd.oasis.opendocument.spreadsheet": N_("OpenDocument spreadsheet"),
    "application/vnd.oasis.opendocument.presentation": N_("OpenDocument presentation"),
    "application/msword": N_("Word document"),
    "application/vnd.ms-excel": N_("Excel spreadsheet"),
    "application/vnd.ms-powerpoint": N_("PowerPoint presentation"),
    "text/plain": N_("Text"),
    "text/csv": N_("CSV table"),
    "text/markdown": N_("Markdown text"),
    "application/zip": N_("ZIP archive"),
    "application/gzip": N_("Gzip archive"),
    "application/x-7z-compressed": N_("7-Zip archive"),
}  # fmt: skip
IMAGES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})
# Shown in the browser rather than saved: images, and PDFs (whose viewer runs scripts in no
# origin of ours: the response is sandboxed).
INLINE = IMAGES | {"application/pdf"}
_SAME_AS = {"image/apng": "image/png"}  # an animated PNG is a PNG to every browser
_TEXT_BY_EXTENSION = {"csv": "text/csv", "md": "text/markdown", "markdown": "text/markdown"}
ALLOWED_TEXT = N_(
    "Allowed: images (PNG, JPEG, GIF, WebP), PDF, Word, Excel, PowerPoint and OpenDocument"
    " files, plain text, CSV, Markdown, and ZIP, gzip or 7-Zip archives."
)


def label_of(mime: str) -> str:
    return ALLOWED.get(mime, N_("File"))


class Sniffer:
    """Watches an upload go by, chunk by chunk: keeps its first bytes for the signature and
    checks, as it goes, whether all of it is UTF-8 text without NUL."""

    def __init__(self) -> None:
        self._head = bytearray()
        self._decoder = codecs.getincrementaldecoder("utf-8")()
        self._text = True

    def feed(self, chunk: bytes) -> None:
        if len(self._head) < HEAD:
            self._head += chunk[: HEAD - len(self._head)]
        if self._text:
            if b"\0" in chunk:
                self._text = False
            else:
                try:
                    self._decoder.decode(chunk)
                except UnicodeDecodeError:
                    self._text = False

    def kind(self, name: str) -> str:
        """The allowed mime type of everything fed, or Invalid with what is allowed."""
        found = filetype.guess(bytes(self._head))
        if found is not None:
            mime = _SAME_AS.get(found.mime, found.mime)
            if mime in ALLOWED:
                return mime
            raise Invalid(
                N_("This file is of a kind that cannot be shared here (%(kind)s). %(allowed)s"),
                kind=found.extension.upper(),
                allowed=Words(ALLOWED_TEXT),
            )
        if self._text:
            try:
                self._decoder.decode(b"", final=True)
            except UnicodeDecodeError:
                self._text = False
        if self._text:
            return _TEXT_BY_EXTENSION.get(extension_of(name), "text/plain")
        raise Invalid(
            N_("This kind of file cannot be shared here. %(allowed)s"), allowed=Words(ALLOWED_TEXT)
        )


def extension_for(mime: str) -> str:
    """A usual extension for a kind ('pdf'), to name a file that came without a name."""
    guessed = filetype.get_type(mime=mime)
    if guessed is not None:
        return str(guessed.extension)
    return {"text/csv": "csv", "text/markdown": "md"}.get(mime, "txt")
