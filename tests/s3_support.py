"""An S3-compatible server for the tests: moto's server mode, started once per test process on
a free port, a fresh bucket for each test.  Without moto the S3 tests skip (and fail when
`CI` is set, as for PostgreSQL and Redis).

Tests look into the bucket with boto3 (moto depends on it), synchronously: moto answers on a
thread of its own, so a test may block its event loop for a moment to list what is stored."""

from __future__ import annotations

import importlib.util
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from storage import FILES_DIR
from storage.files import parse_files_url

from .support import free_port

MOTO = importlib.util.find_spec("moto") is not None
CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}
# Other AWS settings of the machine running the tests must not reach moto (or AWS).
UNSET = ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_REGION")


class MotoServer:
    def __init__(self) -> None:
        from moto.server import ThreadedMotoServer

        self.port = free_port()
        self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=self.port, verbose=False)

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> MotoServer:
        self._server.start()
        return self

    def stop(self) -> None:
        self._server.stop()


def use_s3(monkeypatch: pytest.MonkeyPatch, endpoint: str) -> None:
    """Point botocore (the server's client and boto3 here) at `endpoint` with test keys."""
    for name in UNSET:
        monkeypatch.delenv(name, raising=False)
    for name, value in CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", endpoint)


def client(endpoint: str) -> Any:
    import boto3

    return boto3.client("s3", endpoint_url=endpoint, **_keys())


def _keys() -> dict[str, str]:
    return {
        "aws_access_key_id": CREDENTIALS["AWS_ACCESS_KEY_ID"],
        "aws_secret_access_key": CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        "region_name": CREDENTIALS["AWS_DEFAULT_REGION"],
    }


def new_bucket(endpoint: str) -> str:
    """A new bucket; the files URL of a prefix in it."""
    bucket = f"mentorspace-{uuid.uuid4().hex[:16]}"
    client(endpoint).create_bucket(Bucket=bucket)
    return f"s3://{bucket}/programme"


def keys_under(endpoint: str, files_url: str, folder: str) -> list[str]:
    """The keys under `folder` ("blobs/" or "tmp/") of the files URL's prefix."""
    bucket, prefix = parse_files_url(files_url)
    pages = client(endpoint).get_paginator("list_objects_v2")
    return [
        found["Key"]
        for page in pages.paginate(Bucket=bucket, Prefix=f"{prefix}{folder}")
        for found in page.get("Contents", [])
    ]


def unfinished_uploads(endpoint: str, files_url: str) -> list[str]:
    bucket, prefix = parse_files_url(files_url)
    found = client(endpoint).list_multipart_uploads(Bucket=bucket, Prefix=prefix)
    return [upload["Key"] for upload in found.get("Uploads", [])]


def copy_blobs(files_dir: Path, endpoint: str, files_url: str) -> None:
    """The blobs of a data dir's DATA_DIR/files into the bucket (the demo library's), as an
    operator moving a programme to S3 would copy them."""
    bucket, prefix = parse_files_url(files_url)
    s3 = client(endpoint)
    for path in files_dir.glob("??/??/*"):
        s3.upload_file(str(path), bucket, f"{prefix}blobs/{path.relative_to(files_dir)}")


@pytest.fixture(scope="session")
def moto_server() -> Iterator[MotoServer]:
    if not MOTO or importlib.util.find_spec("aiobotocore") is None:
        from .conftest import require_service

        require_service("moto and aiobotocore (the dev and s3 extras; make install)", False)
    running = MotoServer().start()
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture(params=["local", "s3"])
def files_url(request: pytest.FixtureRequest, data_dir: Path) -> str:
    """MENTORSPACE_FILES_URL for a server on the test's data dir: once empty (DATA_DIR/files),
    once a new bucket on moto holding a copy of the data dir's blobs."""
    if request.param == "local":
        return ""
    url = request.getfixturevalue("s3_url")
    copy_blobs(data_dir / FILES_DIR, request.getfixturevalue("moto_server").endpoint, url)
    return url


@pytest.fixture
def s3_url(moto_server: MotoServer, monkeypatch: pytest.MonkeyPatch) -> str:
    """s3://bucket/prefix of a new bucket on the test's moto, with botocore pointed at it."""
    use_s3(monkeypatch, moto_server.endpoint)
    return new_bucket(moto_server.endpoint)
