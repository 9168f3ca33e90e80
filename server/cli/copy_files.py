"""`mentorspace copy-files --to s3://bucket/prefix`: the uploaded files the programme's
database refers to copied from its file store (DATA_DIR/files, or --files-url) into an S3
bucket that several nodes share (storage/copy_files.py), with a progress bar on a terminal;
run again after an interruption, it copies only what is not there yet."""

from __future__ import annotations

import asyncio
import sys

from tqdm import tqdm

import storage
from server.config import Config
from storage.copy_files import (
    CopyFilesFailed,
    CopyFilesRefused,
    CopyFilesReport,
    copy_files,
    load_references,
)
from storage.files import FileStoreUnavailable, parse_files_url

from .backup import size_of
from .copy_data import shown


def run_copy_files(config: Config, to_url: str, *, read_back: bool = False) -> int:
    try:
        print(asyncio.run(_copy_files(config, to_url, read_back)))
    except (CopyFilesRefused, ValueError) as error:
        print(f"mentorspace: {error}", file=sys.stderr)
        return 1
    except (CopyFilesFailed, FileStoreUnavailable) as error:
        print(
            f"mentorspace: the copy is not complete: {error}. What was copied stays;"
            " run the same command again to finish it.",
            file=sys.stderr,
        )
        return 1
    return 0


async def _copy_files(config: Config, to_url: str, read_back: bool) -> str:
    if not to_url.startswith("s3://"):
        raise CopyFilesRefused(
            f"copy-files copies to an S3 bucket: --to s3://bucket/prefix, not {to_url[:60]!r}"
        )
    parse_files_url(to_url)  # ValueError: a clear sentence
    if parse_files_url(to_url) == _bucket_of(config.files_url):
        raise CopyFilesRefused(
            "the target is where the files are already (--files-url): give another bucket or prefix."
        )
    try:
        from storage.s3files import S3FileStore
    except ImportError as error:
        raise CopyFilesRefused(f"copy-files needs the s3 extra ({error}).") from None
    wanted = await load_references(config.data_dir, config.database_url, storage.DATABASE_FILE)
    source = storage.file_store(config.data_dir, config.files_url)
    target = S3FileStore(to_url)
    await source.start()
    try:
        await target.start()
        try:
            for name, files in (("the files' store", source), (shown(to_url), target)):
                try:
                    await files.check_reachable()
                except FileStoreUnavailable as error:
                    raise CopyFilesRefused(f"cannot reach {name}: {error}") from None
            total = sum(wanted.values())
            with tqdm(
                total=total,
                unit="B",
                unit_scale=True,
                desc="Copying",
                disable=None,
                file=sys.stderr,
            ) as bar:
                report = await copy_files(
                    source, target, wanted, read_back=read_back, progress=bar.update
                )
        finally:
            await target.close()
    finally:
        await source.close()
    return _said(to_url, report)


def _bucket_of(files_url: str) -> tuple[str, str] | None:
    return parse_files_url(files_url) if files_url else None


def _said(to_url: str, report: CopyFilesReport) -> str:
    checked = "their size" + (" and, read back, their sha256" if report.read_back else "")
    lines = [
        f"Copied {report.copied} files ({size_of(report.copied_size)}) to {shown(to_url)};"
        f" {report.kept} were there already"
        + (
            f" (and {report.replaced} copied in place of one that held other bytes)"
            if report.replaced
            else ""
        )
        + ".",
        f"Checked: all {report.referenced} files the database refers to are in {shown(to_url)}"
        f" with {checked}.",
        f"Serve every node with --files-url {to_url} (MENTORSPACE_FILES_URL).",
    ]
    return "\n".join(lines)
