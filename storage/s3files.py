"""The file store on an S3-compatible object store, for several nodes: the same contract as the
local disk (storage/files.py), through aiobotocore.

`s3://bucket/prefix` holds `prefix/blobs/ab/cd/<sha256>` and, while an upload arrives,
`prefix/tmp/<random>`.  `stage` streams the chunks to a temporary object (one PUT for a small
file, else a multipart upload of PART_BYTES parts, so at most one part is in memory) while
hashing them; `commit` checks that the temporary object has the size that was hashed, copies it
to its digest's key (server side) and removes it.  Nothing half-written is ever under a blob's
key: S3 shows an object only once its PUT, copy or multipart upload is complete.  Keys are
never handed to clients: every download is read here and sent by the server after its checks.

Endpoint, region and credentials come from botocore's usual sources: `AWS_ENDPOINT_URL_S3` (or
`AWS_ENDPOINT_URL`), `AWS_REGION`/`AWS_DEFAULT_REGION`, `AWS_ACCESS_KEY_ID` and
`AWS_SECRET_ACCESS_KEY`, a profile, or an instance role.  An object store that cannot be reached
or refuses us raises FileStoreUnavailable, never a half-done answer.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import secrets
from collections.abc import AsyncIterable, AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import aiohttp
from aiobotocore.config import AioConfig
from aiobotocore.session import get_session
from botocore.exceptions import BotoCoreError, ClientError

from .files import (
    READ_CHUNK,
    STALE_TEMP_SECONDS,
    BlobInfo,
    FileStore,
    FileStoreUnavailable,
    Staged,
    check_sha,
    is_sha,
    parse_files_url,
)

PART_BYTES = 5 * 1024 * 1024  # a multipart upload's part: S3's least but for the last, as an
# upload's memory is one part
COPY_BYTES = 1024 * 1024 * 1024  # one server-side copy of a part, for objects past MAX_COPY
MAX_COPY = 5 * 1024 * 1024 * 1024  # the largest object one CopyObject may copy
RESUMES = 3  # new GETs from where a broken download was, with no byte between, before it fails
MAX_CONNECTIONS = 64  # a download streams on one for as long as it lasts
_MISSING = {"404", "NoSuchKey", "NotFound"}
_TMP = "tmp/"


class S3FileStore:
    """Blobs in the bucket and under the prefix that `url` (s3://bucket/prefix) names."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.bucket, self.prefix = parse_files_url(url)
        self._exits = contextlib.AsyncExitStack()
        self._client: Any = None

    # the client

    async def start(self) -> None:
        """Open the client, and remove temporary objects and unfinished multipart uploads
        left by a crash long ago (when the store answers: /readyz says when it does not)."""
        if self._client is None:
            endpoint = os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL")
            config = AioConfig(
                s3={"addressing_style": "path" if endpoint else "auto"},
                retries={"mode": "standard"},  # 3 attempts, or AWS_MAX_ATTEMPTS
                connect_timeout=5,
                read_timeout=30,
                max_pool_connections=MAX_CONNECTIONS,
            )
            creating = get_session().create_client("s3", endpoint_url=endpoint, config=config)
            self._client = await self._exits.enter_async_context(creating)
        with contextlib.suppress(FileStoreUnavailable):
            await self.remove_stale_temporaries()

    async def close(self) -> None:
        await self._exits.aclose()
        self._client = None

    @property
    def client(self) -> Any:
        if self._client is None:
            raise RuntimeError("the S3 file store is not started")
        return self._client

    async def check_reachable(self) -> None:
        """Raise unless the bucket answers to us."""
        async with _unavailable_on_error():
            await self.client.head_bucket(Bucket=self.bucket)

    def key_of(self, sha256: str) -> str:
        sha = check_sha(sha256)
        return f"{self.prefix}blobs/{sha[:2]}/{sha[2:4]}/{sha}"

    def _staged_key(self, staged: Staged) -> str:
        name = staged.key
        if "/" in name or not name.endswith(".part"):
            raise ValueError("not a staged key")
        return f"{self.prefix}{_TMP}{name}"

    # writing

    async def stage(self, chunks: AsyncIterable[bytes]) -> Staged:
        name = f"{secrets.token_hex(16)}.part"
        key = f"{self.prefix}{_TMP}{name}"
        digest, size = hashlib.sha256(), 0
        buffer = bytearray()
        upload_id: str | None = None
        parts: list[dict[str, Any]] = []
        try:
            async with _unavailable_on_error():
                async for chunk in chunks:
                    if not chunk:
                        continue
                    digest.update(chunk)
                    size += len(chunk)
                    buffer += chunk
                    while len(buffer) >= PART_BYTES:
                        if upload_id is None:
                            created = await self.client.create_multipart_upload(
                                Bucket=self.bucket, Key=key
                            )
                            upload_id = created["UploadId"]
                        part, buffer = bytes(buffer[:PART_BYTES]), buffer[PART_BYTES:]
                        parts.append(await self._upload_part(key, upload_id, len(parts) + 1, part))
                if upload_id is None:
                    await self.client.put_object(Bucket=self.bucket, Key=key, Body=bytes(buffer))
                else:
                    if buffer:
                        parts.append(
                            await self._upload_part(key, upload_id, len(parts) + 1, bytes(buffer))
                        )
                    await self.client.complete_multipart_upload(
                        Bucket=self.bucket,
                        Key=key,
                        UploadId=upload_id,
                        MultipartUpload={"Parts": parts},
                    )
                    upload_id = None
        except BaseException:
            with contextlib.suppress(Exception):  # best effort: the start-up sweep is the rest
                if upload_id is not None:
                    await self.client.abort_multipart_upload(
                        Bucket=self.bucket, Key=key, UploadId=upload_id
                    )
                else:
                    await self.client.delete_object(Bucket=self.bucket, Key=key)
            raise
        return Staged(digest.hexdigest(), size, name)

    async def _upload_part(self, key: str, upload_id: str, number: int, body: bytes) -> dict:
        answer = await self.client.upload_part(
            Bucket=self.bucket, Key=key, UploadId=upload_id, PartNumber=number, Body=body
        )
        return {"PartNumber": number, "ETag": answer["ETag"]}

    async def read_staged(self, staged: Staged, limit: int) -> bytes:
        if limit <= 0 or staged.size == 0:
            return b""
        async with _unavailable_on_error():
            answer = await self.client.get_object(
                Bucket=self.bucket, Key=self._staged_key(staged), Range=f"bytes=0-{limit - 1}"
            )
            async with answer["Body"] as body:
                return bytes(await body.read())

    async def commit(self, staged: Staged) -> None:
        source = self._staged_key(staged)
        target = self.key_of(staged.sha256)
        async with _unavailable_on_error():
            if await self._head(target) is None:
                found = await self._head(source)
                if found is None or found["ContentLength"] != staged.size:
                    raise FileStoreUnavailable(
                        f"the staged object for {staged.sha256} is missing or not whole"
                    )
                await self._copy(source, target, staged)
            await self.client.delete_object(Bucket=self.bucket, Key=source)

    async def _copy(self, source: str, target: str, staged: Staged) -> None:
        origin = {"Bucket": self.bucket, "Key": source}
        metadata = {"sha256": staged.sha256}
        if staged.size <= MAX_COPY:
            await self.client.copy_object(
                Bucket=self.bucket,
                Key=target,
                CopySource=origin,
                Metadata=metadata,
                MetadataDirective="REPLACE",
            )
            return
        created = await self.client.create_multipart_upload(
            Bucket=self.bucket, Key=target, Metadata=metadata
        )
        upload_id, parts = created["UploadId"], []
        try:
            for number, start in enumerate(range(0, staged.size, COPY_BYTES), start=1):
                end = min(start + COPY_BYTES, staged.size) - 1
                answer = await self.client.upload_part_copy(
                    Bucket=self.bucket,
                    Key=target,
                    UploadId=upload_id,
                    PartNumber=number,
                    CopySource=origin,
                    CopySourceRange=f"bytes={start}-{end}",
                )
                parts.append({"PartNumber": number, "ETag": answer["CopyPartResult"]["ETag"]})
            await self.client.complete_multipart_upload(
                Bucket=self.bucket, Key=target, UploadId=upload_id, MultipartUpload={"Parts": parts}
            )
        except BaseException:
            with contextlib.suppress(Exception):
                await self.client.abort_multipart_upload(
                    Bucket=self.bucket, Key=target, UploadId=upload_id
                )
            raise

    async def discard(self, staged: Staged) -> None:
        async with _unavailable_on_error():
            await self.client.delete_object(Bucket=self.bucket, Key=self._staged_key(staged))

    async def put(self, chunks: AsyncIterable[bytes]) -> Staged:
        staged = await self.stage(chunks)
        await self.commit(staged)
        return staged

    # reading

    async def _head(self, key: str) -> dict[str, Any] | None:
        """The object's headers, or None when S3 says 404.  A HEAD has no body, so a missing
        bucket looks like a missing key here: `commit` then finds no staged object and fails,
        and GETs (downloads) tell NoSuchBucket apart; /readyz checks the bucket itself."""
        try:
            return await self.client.head_object(Bucket=self.bucket, Key=key)
        except ClientError as error:
            if _error_code(error) in _MISSING:
                return None
            raise

    async def exists(self, sha256: str) -> bool:
        return await self.size(sha256) is not None

    async def size(self, sha256: str) -> int | None:
        async with _unavailable_on_error():
            found = await self._head(self.key_of(sha256))
        return None if found is None else int(found["ContentLength"])

    async def open(
        self, sha256: str, start: int = 0, end: int | None = None
    ) -> AsyncIterator[bytes]:
        """A connection to S3 that breaks or idles out while a slow client downloads goes on
        with a new ranged GET from where it was: as often as bytes came since the last break,
        and RESUMES times in a row when none did."""
        key = self.key_of(sha256)
        position, resumes, broke_at = start, 0, -1
        async with _unavailable_on_error():
            if end is not None and end <= start:  # nothing wanted (S3 has no empty range)
                if await self.size(sha256) is None:
                    raise FileNotFoundError(sha256)
                return
            while True:
                body = await self._get(key, sha256, position, end)
                if body is None:
                    return
                try:
                    async with body:
                        async for chunk in body.iter_chunks(READ_CHUNK):
                            position += len(chunk)
                            yield chunk
                    return
                except _BROKEN_STREAM:
                    resumes = 1 if position > broke_at else resumes + 1
                    broke_at = position
                    if resumes > RESUMES:
                        raise
                    if end is not None and position >= end:
                        return  # all there: only the check at its end broke

    async def _get(self, key: str, sha256: str, start: int, end: int | None) -> Any:
        """The body of a GET from `start` (to `end`), or None when `start` is past the end."""
        last = "" if end is None else str(end - 1)
        wanted = {} if start == 0 and end is None else {"Range": f"bytes={start}-{last}"}
        try:
            answer = await self.client.get_object(Bucket=self.bucket, Key=key, **wanted)
        except ClientError as error:
            if _error_code(error) in _MISSING:
                raise FileNotFoundError(sha256) from None
            if _error_code(error) == "InvalidRange":  # starts past the end: nothing there
                return None
            raise
        return answer["Body"]

    # removing

    async def delete(self, sha256: str) -> None:
        async with _unavailable_on_error():
            await self.client.delete_object(Bucket=self.bucket, Key=self.key_of(sha256))

    async def _objects(self, prefix: str) -> AsyncIterator[dict[str, Any]]:
        """Every object whose key starts with `prefix`: a LIST, a page (1,000 keys) at a time."""
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=prefix
        )
        async for page in pages:
            for found in page.get("Contents", []):
                yield found

    async def list_blobs(self) -> AsyncIterator[BlobInfo]:
        async with _unavailable_on_error():
            async for found in self._objects(f"{self.prefix}blobs/"):
                sha = found["Key"].rsplit("/", 1)[-1]
                if is_sha(sha) and found["Key"] == self.key_of(sha):
                    yield BlobInfo(sha, int(found["Size"]), found["LastModified"])

    async def remove_stale_temporaries(self) -> None:
        """Delete temporary objects and abort multipart uploads older than a day: what a crash
        in the middle of an upload leaves (a lifecycle rule on the bucket may do it too)."""
        cutoff = datetime.now(UTC) - timedelta(seconds=STALE_TEMP_SECONDS)
        prefix = f"{self.prefix}{_TMP}"
        async with _unavailable_on_error():
            async for found in self._objects(prefix):
                if found["LastModified"] < cutoff:
                    await self.client.delete_object(Bucket=self.bucket, Key=found["Key"])
            uploads = self.client.get_paginator("list_multipart_uploads").paginate(
                Bucket=self.bucket, Prefix=prefix
            )
            async for page in uploads:
                for upload in page.get("Uploads", []):
                    if upload["Initiated"] < cutoff:
                        await self.client.abort_multipart_upload(
                            Bucket=self.bucket, Key=upload["Key"], UploadId=upload["UploadId"]
                        )


# What a body that breaks while it is read raises: botocore's wrappers, or aiohttp's own from
# aiobotocore's iter_chunks.
_BROKEN_STREAM = (BotoCoreError, aiohttp.ClientError, asyncio.TimeoutError)


def _error_code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


@contextlib.asynccontextmanager
async def _unavailable_on_error() -> AsyncIterator[None]:
    """botocore's failures (unreachable, refused, no credentials, no bucket) as
    FileStoreUnavailable, with the reason for the log; what we raise ourselves goes through."""
    try:
        yield
    except (*_BROKEN_STREAM, ClientError) as error:
        raise FileStoreUnavailable(f"the S3 file store failed: {error}") from error


if TYPE_CHECKING:

    def _keeps_the_contract(store: S3FileStore) -> FileStore:
        """mypy fails here when the S3 store and the FileStore contract differ."""
        return store
