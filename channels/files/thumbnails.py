"""Thumbnails of images, made with Pillow on a worker thread (never on the event loop), one
at a time.  The picture is turned upright by its EXIF orientation and saved anew as a small
WebP without any metadata (no EXIF, no GPS position, no camera serial).  An image is refused
when it has more pixels than MAX_PIXELS, checked from its header before anything is decoded,
so a small file that would expand to gigabytes (a decompression bomb) costs nothing."""

from __future__ import annotations

import asyncio
import io
import logging
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass

from PIL import Image, ImageOps

from channels.errors import TooLarge
from channels.languages import N_

log = logging.getLogger(__name__)

MAX_PIXELS = 50_000_000  # a 48-megapixel phone photo passes; Pillow's own alarm is at 89 M
MAX_INPUT_BYTES = 40 * 1024 * 1024  # larger images are kept, without a thumbnail
PORTRAIT = 256  # a person's photo: shown at most 128 CSS pixels wide
BOX = (640, 640)  # shown at most 320 CSS pixels wide: sharp on a double-density screen
QUALITY = 80
TOO_MANY_PIXELS = N_(
    "This image is too large to show: it has more than 50 million pixels."
    " Please make it smaller and try again."
)

Image.MAX_IMAGE_PIXELS = MAX_PIXELS  # Pillow refuses twice this before reading any pixel
# One image at a time (decoding holds a core and up to ~200 MB), whatever the event loop: the
# worker thread starts at the first image.
_DECODER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="mentorspace-thumbnails")


@dataclass(frozen=True)
class Picture:
    """An image's upright size, and its thumbnail (None when it could not be decoded)."""

    width: int
    height: int
    thumbnail: bytes | None
    thumb_width: int = 0
    thumb_height: int = 0
    thumb_mime: str = "image/webp"


async def make_picture(data: bytes) -> Picture | None:
    """The picture of an image's bytes; None when they are not an image Pillow can read.
    TooLarge when it has too many pixels."""
    return await asyncio.get_running_loop().run_in_executor(_DECODER, picture_of, data)


def picture_of(data: bytes) -> Picture | None:
    with _opened(data) as image:
        if image is None:
            return None
        try:
            return _thumbnail(image)
        except Exception:  # truncated or corrupt: the file is kept, shown as a card
            log.info("an image could not be decoded for its thumbnail")
            return None


async def make_portrait(data: bytes) -> bytes | None:
    """A person's photo as a square WebP of PORTRAIT pixels, centred, upright and without any
    metadata; None when the bytes are not an image Pillow can decode.  TooLarge as above."""
    return await asyncio.get_running_loop().run_in_executor(_DECODER, portrait_of, data)


def portrait_of(data: bytes) -> bytes | None:
    with _opened(data) as image:
        if image is None:
            return None
        try:
            if image.format == "JPEG":
                image.draft("RGB", (PORTRAIT * 2, PORTRAIT * 2))
            upright = ImageOps.exif_transpose(image).convert("RGB")
            square = ImageOps.fit(upright, (PORTRAIT, PORTRAIT), Image.Resampling.LANCZOS)
            out = io.BytesIO()
            square.save(out, "WEBP", quality=QUALITY)
            return out.getvalue()
        except Exception:
            log.info("a photo could not be decoded")
            return None


@contextmanager
def _opened(data: bytes) -> Iterator[Image.Image | None]:
    """The image (its header read, no pixel yet), or None when it is not one; TooLarge when
    it has more than MAX_PIXELS."""
    try:
        image = Image.open(io.BytesIO(data))  # reads the header only
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        # Pillow's own check (at MAX_IMAGE_PIXELS, set to ours): an error above twice the
        # limit, a warning above it (an error where warnings are errors, as in the tests).
        raise TooLarge(TOO_MANY_PIXELS) from None
    except Exception:
        log.info("an upload that looked like an image could not be opened")
        yield None
        return
    with image:
        if image.width * image.height > MAX_PIXELS:
            raise TooLarge(TOO_MANY_PIXELS)
        yield image


def _thumbnail(image: Image.Image) -> Picture:
    width, height = _upright_size(image)
    if image.format == "JPEG":
        image.draft("RGB", (BOX[0] * 2, BOX[1] * 2))  # decode at a fraction of the size
    upright = ImageOps.exif_transpose(image)
    alpha = upright.mode in ("RGBA", "LA", "P", "PA") or "transparency" in upright.info
    mode = "RGBA" if alpha else "RGB"
    small = upright.convert(mode)
    small.thumbnail(BOX, Image.Resampling.LANCZOS)
    out = io.BytesIO()
    small.save(out, "WEBP", quality=QUALITY)  # no exif=, no icc_profile=: nothing but pixels
    return Picture(width, height, out.getvalue(), small.width, small.height)


def _upright_size(image: Image.Image) -> tuple[int, int]:
    """The size the image shows at once turned by its EXIF orientation (5-8 swap the sides)."""
    orientation = image.getexif().get(0x0112, 1)
    if orientation in (5, 6, 7, 8):
        return image.height, image.width
    return image.width, image.height
