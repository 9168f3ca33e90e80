"""The `mentorspace` command: serve, init, migrate, create-user, import-users, digests, report,
demo, backup, restore, copy-data, copy-files."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path

import uvloop
from aiohttp import web

import storage
from channels import demo
from channels.chat import directory
from channels.errors import MentorspaceError
from channels.people import accounts
from server.app import create_app
from server.cli.backup import run_backup, run_restore
from server.cli.copy_data import run_copy_data
from server.cli.copy_files import run_copy_files
from server.cli.digests import run_digests
from server.cli.importing import run_import
from server.cli.report import run_report
from server.config import Config, add_setting_flags, config_from_args
from server.operations.logs import JsonFormatter
from server.security import RedactingAccessLogger

MAIL_SETTINGS = [
    "public_url",
    "invitation_days",
    "smtp_host",
    "smtp_port",
    "smtp_security",
    "smtp_username",
    "smtp_password",
    "smtp_from",
    "smtp_retry_seconds",
    "smtp_max_attempts",
    "away_minutes",
    "mail_excerpts",
    "digest_hour",
    "digest_weekday",
]
SOCKET_SETTINGS = [
    "max_sockets_per_user",
    "max_sockets_per_address",
    "message_rate",
    "message_burst",
    "socket_check_seconds",
]
_DATA_ONLY = ["data_dir", "database_url", "log_level", "log_format"]
# Sockets are hung up first thing on shutdown; this bounds how long a peer that never finishes
# the websocket closing handshake, or a slow request, can hold a restart.
SHUTDOWN_TIMEOUT = 5.0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mentorspace", description="A real-time home for e-mentoring programmes."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", help="run the server")
    add_setting_flags(
        serve,
        [
            "data_dir",
            "database_url",
            "files_url",
            "host",
            "port",
            "secret",
            "allowed_origins",
            "log_level",
            "log_format",
            "redis_url",
            "redis_channel",
            "presence_seconds",
            "timezone",
            "locale",
            "max_recurrence_days",
            "trusted_proxies",
            "session_idle_hours",
            *MAIL_SETTINGS,
            *SOCKET_SETTINGS,
            "metrics_allow",
            "metrics_token",
        ],
    )

    init = commands.add_parser("init", help="create the data directory, schema and channels")
    add_setting_flags(init, _DATA_ONLY)

    migrate = commands.add_parser("migrate", help="apply database migrations not yet applied")
    add_setting_flags(migrate, _DATA_ONLY)

    create_user = commands.add_parser("create-user", help="create an account")
    add_setting_flags(create_user, _DATA_ONLY)
    create_user.add_argument("--email", required=True)
    create_user.add_argument("--name", required=True)
    create_user.add_argument("--role", required=True, choices=["coordinator", "mentor", "mentee"])
    secret = create_user.add_mutually_exclusive_group(required=True)
    secret.add_argument("--password-file", type=Path, help="read the password from this file")
    secret.add_argument("--password-stdin", action="store_true", help="read it from stdin")

    import_users = commands.add_parser(
        "import-users",
        help="import people from a CSV file (email, name, role, field of expertise) and invite them",
    )
    add_setting_flags(
        import_users, [*_DATA_ONLY, "public_url", "invitation_days", "smtp_from", "host", "port"]
    )
    import_users.add_argument("file", type=Path, help="the CSV file (UTF-8)")
    import_users.add_argument(
        "--dry-run", action="store_true", help="only check the file; import nobody"
    )

    digests = commands.add_parser(
        "digests", help="preview one person's digest e-mail, or send the digests due today"
    )
    add_setting_flags(
        digests, [*_DATA_ONLY, *MAIL_SETTINGS, "timezone", "locale", "secret", "host", "port"]
    )
    what = digests.add_mutually_exclusive_group(required=True)
    what.add_argument(
        "--preview",
        metavar="EMAIL",
        help="print the digest this person would get now; send nothing",
    )
    what.add_argument(
        "--send-now",
        action="store_true",
        help="queue every digest that is due or would be due today (at most one per person and period)",
    )

    report = commands.add_parser(
        "report", help="write the research reports' tables as CSV files (as /admin/reports)"
    )
    add_setting_flags(report, [*_DATA_ONLY, "report_min_cell"])
    report.add_argument(
        "--from",
        dest="since",
        metavar="DATE",
        help="the first day (2026-03-01); default: 12 weeks ago",
    )
    report.add_argument(
        "--to", dest="until", metavar="DATE", help="the last day, included; default: today"
    )
    report.add_argument(
        "--cohort", metavar="MONTH", help="only pairs started in this month (2026-03)"
    )
    report.add_argument("--role", choices=("mentor", "mentee"), help="only this role")
    report.add_argument(
        "--out",
        type=Path,
        required=True,
        metavar="DIR",
        help="where the CSV files go (made if missing)",
    )

    demo_cmd = commands.add_parser("demo", help="seed the demo programme (only for trying out)")
    add_setting_flags(demo_cmd, [*_DATA_ONLY, "files_url"])
    _add_backup_commands(commands)
    return parser


def _add_backup_commands(commands: argparse._SubParsersAction) -> None:
    backup = commands.add_parser(
        "backup",
        help="copy the data dir (database, files, secret) into a new folder, while serving",
    )
    add_setting_flags(backup, [*_DATA_ONLY, "files_url"])
    backup.add_argument("dest", type=Path, metavar="DEST", help="a new (or empty) folder")
    restore = commands.add_parser(
        "restore", help="put a backup made by `mentorspace backup` in place as the data dir"
    )
    add_setting_flags(restore, [*_DATA_ONLY, "files_url"])
    restore.add_argument("source", type=Path, metavar="SRC", help="the backup's folder")
    restore.add_argument(
        "--force",
        action="store_true",
        help="when the data dir is not empty, move it aside (DATA_DIR.before-restore-TIME)"
        " and restore in its place; refused while a server has it open",
    )
    copy_data = commands.add_parser(
        "copy-data",
        help="copy the programme from SQLite (in --data-dir) into an empty PostgreSQL database",
    )
    add_setting_flags(copy_data, _DATA_ONLY)
    copy_data.add_argument(
        "--to",
        required=True,
        metavar="URL",
        help="the empty PostgreSQL database to fill: postgresql://user@host/database",
    )
    copy_files = commands.add_parser(
        "copy-files",
        help="copy the uploaded files the database refers to into an S3 bucket (for several"
        " nodes); run again, it copies only what is missing",
    )
    add_setting_flags(copy_files, [*_DATA_ONLY, "files_url"])
    copy_files.add_argument(
        "--to", required=True, metavar="URL", help="the bucket to fill: s3://bucket/prefix"
    )
    copy_files.add_argument(
        "--read-back",
        action="store_true",
        help="also read back every file already in the bucket and check its sha256",
    )


async def _with_store(config: Config, work: Callable[[storage.Store], Awaitable[None]]):
    store = await storage.open_store(config.data_dir, config.database_url)
    try:
        await directory.set_up_programme(store)
        await work(store)
    finally:
        await store.close()


def _read_password(args: argparse.Namespace) -> str:
    text = args.password_file.read_text() if args.password_file else sys.stdin.read()
    return text.rstrip("\r\n")


# Loggers that write what a statement was given at debug level (aiosqlite: every read's
# parameters, so a search's words or a pair's message): kept at INFO whatever the level.
QUIET_LOGGERS = ("aiosqlite",)


def configure_logging(level: str, log_format: str = "text") -> None:
    logging.basicConfig(
        level=level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    if log_format == "json":
        for handler in logging.getLogger().handlers:
            handler.setFormatter(JsonFormatter())
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(max(logging.INFO, logging.getLogger().level))


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    config = config_from_args(args)
    configure_logging(config.log_level, config.log_format)
    if args.command == "backup":
        return run_backup(config, args.dest)
    if args.command == "restore":
        return run_restore(config, args.source, force=args.force)
    if args.command == "copy-data":
        return run_copy_data(config, args.to)
    if args.command == "copy-files":
        return run_copy_files(config, args.to, read_back=args.read_back)
    try:
        if args.command == "serve":
            web.run_app(
                create_app(config),
                # uvloop: the same asyncio, with its loop and sockets in C: a sixth to a fifth
                # less CPU per delivered event and per post (measured in the README)
                loop=uvloop.new_event_loop(),
                host=config.host,
                port=config.port,
                print=None,
                shutdown_timeout=SHUTDOWN_TIMEOUT,
                access_log_class=RedactingAccessLogger,
            )
            return 0

        async def init(store) -> None:
            config.secret_bytes()
            print(f"Mentorspace data is ready in {config.data_dir}")

        async def migrate(store) -> None:
            print("Database is up to date.")

        async def create_user(store) -> None:
            user = await accounts.create_user(
                store,
                email=args.email,
                name=args.name,
                role=args.role,
                password=_read_password(args),
            )
            print(f"Created {user.role} {user.name} <{user.email}> (id {user.id}).")

        async def seed(store) -> None:
            files = await storage.open_file_store(config.data_dir, config.files_url)
            try:
                await demo.seed_demo(store, files)
            finally:
                await files.close()
            print(
                f"Demo programme created. Log in with any demo account, password {demo.DEMO_PASSWORD!r}."
            )

        async def import_people(store) -> None:
            await run_import(store, config, args.file, dry_run=args.dry_run)

        async def send_digests(store) -> None:
            await run_digests(store, config, preview=args.preview)

        async def write_report(store) -> None:
            await run_report(
                store,
                config,
                args.out,
                since=args.since,
                until=args.until,
                cohort=args.cohort,
                role=args.role,
            )

        work = {
            "init": init,
            "migrate": migrate,
            "create-user": create_user,
            "demo": seed,
            "import-users": import_people,
            "digests": send_digests,
            "report": write_report,
        }
        asyncio.run(_with_store(config, work[args.command]))
    except MentorspaceError as error:
        print(f"mentorspace: {error.message}", file=sys.stderr)
        return 1
    return 0
