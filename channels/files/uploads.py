"""Receiving an upload, attaching uploads to a message, who may download a file, and letting
go of blobs nothing refers to any more.

An upload is streamed into the file store while a Sniffer watches it go by and a counter cuts
it at the size limit; only then is its kind decided (from the content), its name cleaned, a
thumbnail made for an image, and its row written (the quota checked again inside that write,
so two uploads at once cannot both squeeze past it).  The row and the blob meet inside a
hold on the blob (`Store.hold_blobs`, which every node sharing the database keeps), and
whoever removes a blob checks inside the same hold that no row refers to it: an upload of the
same bytes never loses its blob to a deletion running beside it, on this node or another.
The person is told an upload is saved only once its blob is in place and its row committed.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import AsyncIterable, AsyncIterator, Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from channels.clock import SYSTEM_CLOCK, Clock, iso
from channels.errors import Invalid, NotFound, TooLarge
from channels.files.kinds import IMAGES, Sniffer, extension_for
from channels.files.names import clean_name
from channels.files.thumbnails import MAX_INPUT_BYTES, make_picture
from channels.languages import N_
from channels.policy import Action, check_allowed
from channels.research.usage import count_use, record_use
from channels.words import Count
from storage import Store, Tx
from storage.files import FileStore, FileStoreUnavailable, Staged, chunks_of
from storage.records import StoredFile, Thumbnail, User

log = logging.getLogger(__name__)

MAX_ATTACHMENTS = 10
STALE_AFTER = timedelta(hours=24)  # an upload not attached by then is removed
SWEEP_BATCH = 500
NO_FILE = N_("That file does not exist.")
PUBLIC_ID_BYTES = 18  # 144 bits, 24 URL-safe characters
_PUBLIC_ID_LENGTH = 24
MIB = 1024 * 1024


@dataclass(frozen=True)
class UploadLimits:
    max_file_bytes: int
    quota_bytes: int


def _mib(size: int) -> Count:
    return Count(round(size / MIB))


def too_big(limits: UploadLimits) -> TooLarge:
    return TooLarge(
        N_("That file is too large: at most %(mb)s MB a file."), mb=_mib(limits.max_file_bytes)
    )


def quota_full(limits: UploadLimits) -> TooLarge:
    return TooLarge(
        N_(
            "Your files already take up your %(mb)s MB."
            " Delete messages with files you no longer need, then try again."
        ),
        mb=_mib(limits.quota_bytes),
    )


def no_file() -> Invalid:
    return Invalid(N_("Choose a file to upload (the form field 'file')."))


async def _counted(
    chunks: AsyncIterable[bytes], sniffer: Sniffer, limits: UploadLimits
) -> AsyncIterator[bytes]:
    """The chunks, watched by the sniffer; TooLarge as soon as they pass the size limit."""
    seen = 0
    async for chunk in chunks:
        seen += len(chunk)
        if seen > limits.max_file_bytes:
            raise too_big(limits)
        sniffer.feed(chunk)
        yield chunk


async def receive_upload(
    store: Store,
    files: FileStore,
    user: User,
    *,
    name: object,
    chunks: AsyncIterable[bytes],
    limits: UploadLimits,
    clock: Clock = SYSTEM_CLOCK,
) -> StoredFile:
    """Store one upload of `user`: refused (and nothing kept) when it is too large, of a kind
    not allowed, or over the person's quota.  It is theirs alone until attached."""
    if await store.count_file_bytes(user.id) >= limits.quota_bytes:
        raise quota_full(limits)  # before a byte is read
    sniffer = Sniffer()
    staged = await files.stage(_counted(chunks, sniffer, limits))
    thumb: Staged | None = None
    try:
        mime = sniffer.kind(name if isinstance(name, str) else "")
        display = clean_name(name, extension=extension_for(mime))
        picture = None
        if mime in IMAGES and staged.size <= MAX_INPUT_BYTES:
            picture = await make_picture(await files.read_staged(staged, MAX_INPUT_BYTES))
        thumbnail = None
        if picture is not None and picture.thumbnail is not None:
            thumb = await files.stage(chunks_of(picture.thumbnail))
            thumbnail = Thumbnail(
                thumb.sha256, thumb.size, picture.thumb_mime, picture.thumb_width,
                picture.thumb_height,
            )  # fmt: skip
    except BaseException:
        await _discard(files, staged, thumb)
        raise

    now = iso(clock.now())

    async def insert(tx: Tx) -> StoredFile:
        await tx.lock_user(user.id)  # two uploads at once cannot both fit in what is left
        if await tx.count_file_bytes(user.id) + staged.size > limits.quota_bytes:
            raise quota_full(limits)
        await count_use(tx, user.id, "file.upload", now)
        return await tx.insert_file(
            public_id=secrets.token_urlsafe(PUBLIC_ID_BYTES),
            uploader_id=user.id,
            sha256=staged.sha256,
            size=staged.size,
            mime=mime,
            name=display,
            now=now,
            width=picture.width if picture else None,
            height=picture.height if picture else None,
            thumbnail=thumbnail,
        )

    shas = [staged.sha256] + ([thumb.sha256] if thumb else [])
    async with store.hold_blobs(*shas):
        try:
            await files.commit(staged)
            if thumb is not None:
                await files.commit(thumb)
            return await store.write(insert)
        except BaseException:
            await _discard(files, staged, thumb)
            try:
                await remove_unreferenced(store, files, shas)  # we hold them already
            except FileStoreUnavailable as error:
                log.warning("a blob nothing refers to stays in the file store: %s", error)
            raise


async def _discard(files: FileStore, staged: Staged, thumb: Staged | None) -> None:
    """Best effort, on the way out of a failed upload: what a file store that cannot be
    reached keeps, its start-up sweep removes a day later, and the first error goes on."""
    try:
        await files.discard(staged)
        if thumb is not None:
            await files.discard(thumb)
    except FileStoreUnavailable as error:
        log.warning("a temporary object stays in the file store: %s", error)


# attaching to a message


def check_attachments(payload: dict[str, Any]) -> tuple[str, ...]:
    """`attachments` of a message payload: up to MAX_ATTACHMENTS file ids, each once."""
    value = payload.get("attachments")
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise Invalid(N_("'attachments' must be a list of file ids."))
    if len(value) > MAX_ATTACHMENTS:
        raise Invalid(
            N_("A message can have at most %(max_attachments)s files."),
            max_attachments=MAX_ATTACHMENTS,
        )
    if len(set(value)) != len(value):
        raise Invalid(N_("Each file can be attached once."))
    return tuple(value)


async def check_own_uploads(store: Store, user: User, public_ids: tuple[str, ...]) -> None:
    """Each id names an upload of `user` not attached yet.  Someone else's upload does not
    exist, as far as anyone else can tell."""
    if not public_ids:
        return
    found = {
        f.public_id: f for f in await store.load_files([i for i in public_ids if _plausible(i)])
    }
    for public_id in public_ids:
        upload = found.get(public_id)
        if upload is None or upload.uploader_id != user.id:
            raise NotFound(NO_FILE)
        if upload.attached_at is not None:
            raise Invalid(
                N_("The file %(name)s is attached to a message already."), name=upload.name
            )


async def attach_uploads(
    tx: Tx, user: User, message_id: int | None, public_ids: tuple[str, ...], *, now: str
) -> None:
    """Inside the message's write (or a library resource's: `message_id` None): attach the
    files, or undo the whole write when one of them was taken meanwhile (attached by another
    send, or removed as stale)."""
    if not public_ids:
        return
    attached = await tx.attach_files(message_id, list(public_ids), uploader_id=user.id, now=now)
    if attached != len(public_ids):
        raise Invalid(
            N_("One of the files is no longer waiting to be sent. Please attach it again.")
        )


# who may download


def _plausible(public_id: str) -> bool:
    return (
        len(public_id) == _PUBLIC_ID_LENGTH
        and public_id.isascii()
        and all(ch.isalnum() or ch in "-_" for ch in public_id)
    )


async def load_download(
    store: Store, user: User, public_id: str, *, count: bool = False, clock: Clock = SYSTEM_CLOCK
) -> StoredFile:
    """The file, if `user` may have it now: an attachment of a message in a channel they may
    read now (checked at every download), or their own upload not sent yet.  Anything else
    is the same NotFound as an id never used.  `count`: a download (not a thumbnail, nor the
    rest of one fetched in parts), for the usage record."""
    upload = await _load_download(store, user, public_id)
    if count:
        await record_use(store, user, "file.download", clock=clock)
    return upload


async def _load_download(store: Store, user: User, public_id: str) -> StoredFile:
    upload = await store.load_file(public_id) if _plausible(public_id) else None
    if upload is None:
        raise NotFound(NO_FILE)
    if upload.message_id is None:
        if upload.attached_at is None and upload.uploader_id == user.id:
            return upload
        raise NotFound(NO_FILE)
    message = await store.load_message(upload.message_id)
    if message is None or message.deleted_at is not None:
        raise NotFound(NO_FILE)
    await check_allowed(store, user, message.channel_id, Action.READ, missing=NO_FILE)
    return upload


# letting go of blobs


async def remove_unreferenced(store: Store, files: FileStore, shas: Iterable[str]) -> list[str]:
    """Delete each blob no row refers to (the caller holds them); return those deleted."""
    removed = []
    for sha in shas:
        if await store.count_blob_references(sha) == 0:
            await files.delete(sha)
            removed.append(sha)
    return removed


async def release_blobs(store: Store, files: FileStore, shas: Iterable[str]) -> None:
    """After rows were removed (a message deleted, stale uploads swept): delete the blobs
    that no row refers to any more; a blob another upload shares stays.  When the file store
    cannot be reached the blob stays too (taking room, losing nothing): the rows are gone
    already, and what was asked for is done."""
    for sha in dict.fromkeys(shas):
        try:
            async with store.hold_blobs(sha):
                await remove_unreferenced(store, files, [sha])
        except FileStoreUnavailable as error:
            log.warning("a blob nothing refers to stays in the file store: %s", error)


async def remove_stale_uploads(
    store: Store, files: FileStore, *, clock: Clock = SYSTEM_CLOCK
) -> int:
    """Remove uploads never attached within STALE_AFTER, and their blobs when nothing else
    refers to them; return how many blobs were let go (0: nothing was stale)."""
    before = iso(clock.now() - STALE_AFTER)
    released = await store.write(lambda tx: tx.delete_stale_files(before, SWEEP_BATCH))
    await release_blobs(store, files, released)
    return len(released)
