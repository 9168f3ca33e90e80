"""Configuration: command-line flags over `MENTORSPACE_*` environment variables over safe
defaults.  Every option is listed in `SETTINGS` and documented in README.md."""

from __future__ import annotations

import argparse
import importlib.util
import ipaddress
import os
import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from channels.dates import Calendar
from channels.errors import Invalid
from channels.files.uploads import MIB, UploadLimits
from storage import check_database_url, check_files_url

# (flag, environment variable, default, help): one setting a line, so the list reads as a table
# (ruff format would break each into five lines).
SETTINGS = [
    ("--data-dir", "MENTORSPACE_DATA_DIR", "./data", "where the database, secret and files live"),
    ("--database-url", "MENTORSPACE_DATABASE_URL", "", "postgresql:// URL of a PostgreSQL database to keep the data in (default: SQLite in the data dir)"),
    ("--files-url", "MENTORSPACE_FILES_URL", "", "s3://bucket/prefix of an S3-compatible store for uploaded files, which several nodes share (default: DATA_DIR/files); endpoint, region and keys from AWS_ENDPOINT_URL_S3, AWS_REGION, AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"),
    ("--host", "MENTORSPACE_HOST", "127.0.0.1", "address to listen on"),
    ("--port", "MENTORSPACE_PORT", "8080", "port to listen on"),
    ("--secret", "MENTORSPACE_SECRET", "", "key for CSRF tokens (default: made once, kept in the data dir)"),
    ("--allowed-origins", "MENTORSPACE_ALLOWED_ORIGINS", "", "comma-separated origins allowed to call the API and connect sockets (default: the server's own)"),
    ("--log-level", "MENTORSPACE_LOG_LEVEL", "info", "debug, info, warning or error"),
    ("--log-format", "MENTORSPACE_LOG_FORMAT", "text", "text, or json for one JSON object a line (no message text, tokens or e-mail bodies either way)"),
    ("--redis-url", "MENTORSPACE_REDIS_URL", "", "redis:// URL to share real-time events between server processes"),
    ("--redis-channel", "MENTORSPACE_REDIS_CHANNEL", "mentorspace", "Redis pub/sub channel: one per programme sharing a Redis server (also the prefix of its presence keys)"),
    ("--presence-seconds", "MENTORSPACE_PRESENCE_SECONDS", "60", "with Redis: how long a node's word that someone is online holds unless renewed (every third of it); a node that dies leaves people shown online at most this long"),
    ("--timezone", "MENTORSPACE_TIMEZONE", "UTC", "the programme's time zone (IANA name such as Europe/Copenhagen): scheduled tasks follow its wall clock"),
    ("--locale", "MENTORSPACE_LOCALE", "en_GB", "how dates and times read (a locale such as en_GB or da_DK), in the programme's time zone"),
    ("--max-recurrence-days", "MENTORSPACE_MAX_RECURRENCE_DAYS", "366", "how far ahead a recurring task schedule may run, and the latest day of a pairing a task may be set for"),
    ("--public-url", "MENTORSPACE_PUBLIC_URL", "", "the address people open, for links in e-mails (default: http://HOST:PORT)"),
    ("--invitation-days", "MENTORSPACE_INVITATION_DAYS", "7", "how many days an invitation link works"),
    ("--smtp-host", "MENTORSPACE_SMTP_HOST", "", "SMTP server for outgoing mail (default: none, mails are written as .eml files under DATA_DIR/outbox)"),
    ("--smtp-port", "MENTORSPACE_SMTP_PORT", "587", "SMTP port"),
    ("--smtp-security", "MENTORSPACE_SMTP_SECURITY", "starttls", "starttls, tls (implicit, usually port 465) or none"),
    ("--smtp-username", "MENTORSPACE_SMTP_USERNAME", "", "SMTP login (default: none)"),
    ("--smtp-password", "MENTORSPACE_SMTP_PASSWORD", "", "SMTP password (prefer the environment variable to the flag)"),
    ("--smtp-from", "MENTORSPACE_SMTP_FROM", "Mentorspace <mentorspace@localhost>", "the From address of every mail"),
    ("--smtp-retry-seconds", "MENTORSPACE_SMTP_RETRY_SECONDS", "30", "wait before the first retry of a failed mail; doubles each time, at most an hour"),
    ("--smtp-max-attempts", "MENTORSPACE_SMTP_MAX_ATTEMPTS", "12", "attempts before a mail is given up and shown as failed"),
    ("--trusted-proxies", "MENTORSPACE_TRUSTED_PROXIES", "", "comma-separated networks (CIDR) of reverse proxies whose X-Forwarded-For names the client (default: none, the header is ignored)"),
    ("--session-idle-hours", "MENTORSPACE_SESSION_IDLE_HOURS", "8", "a session unused for this long ends (besides the absolute 30 days)"),
    ("--max-sockets-per-user", "MENTORSPACE_MAX_SOCKETS_PER_USER", "10", "open sockets (tabs) one person may hold on one server process; the next is refused"),
    ("--max-sockets-per-address", "MENTORSPACE_MAX_SOCKETS_PER_ADDRESS", "50", "open sockets one client address may hold on one server process; the next is refused"),
    ("--message-rate", "MENTORSPACE_MESSAGE_RATE", "5", "message events (send, edit, delete, reaction, task done) one socket, and one person, may make per second on average"),
    ("--message-burst", "MENTORSPACE_MESSAGE_BURST", "20", "message events allowed at once before the rate applies"),
    ("--away-minutes", "MENTORSPACE_AWAY_MINUTES", "10", "minutes without an open socket after which mentions, pair messages and questionnaires waiting for an answer are e-mailed (one e-mail for all of them)"),
    ("--mail-excerpts", "MENTORSPACE_MAIL_EXCERPTS", "yes", "yes or no: may e-mails quote the start of a mention or thread outside pair channels (pair channels are never quoted)"),
    ("--digest-hour", "MENTORSPACE_DIGEST_HOUR", "8", "the hour (0-23, programme time zone) at which digest e-mails go out"),
    ("--digest-weekday", "MENTORSPACE_DIGEST_WEEKDAY", "monday", "the day weekly digests go out"),
    ("--socket-check-seconds", "MENTORSPACE_SOCKET_CHECK_SECONDS", "10", "how often every open socket's session is checked again (at most 30): ended or expired sessions are hung up"),
    ("--max-file-mb", "MENTORSPACE_MAX_FILE_MB", "25", "the largest file one may upload, in MiB"),
    ("--quota-mb", "MENTORSPACE_QUOTA_MB", "500", "what one person's uploads may take up in all, in MiB"),
    ("--report-min-cell", "MENTORSPACE_REPORT_MIN_CELL", "5", "research reports leave empty every figure that counts fewer than this many people (or pairs)"),
    ("--metrics-allow", "MENTORSPACE_METRICS_ALLOW", "", "comma-separated networks (CIDR) that may read GET /metrics (default: none; with neither this nor a token, /metrics is off)"),
    ("--metrics-token", "MENTORSPACE_METRICS_TOKEN", "", "a bearer token (at least 16 characters) that GET /metrics asks for (default: none)"),
]  # fmt: skip


@dataclass(frozen=True)
class Config:
    data_dir: Path = Path("./data")
    database_url: str = ""  # PostgreSQL's postgresql://…; empty: SQLite in data_dir
    files_url: str = ""  # s3://bucket/prefix; empty: DATA_DIR/files
    host: str = "127.0.0.1"
    port: int = 8080
    secret: str = ""
    allowed_origins: tuple[str, ...] = field(default=())
    log_level: str = "info"
    log_format: str = "text"
    redis_url: str = ""
    redis_channel: str = "mentorspace"
    presence_seconds: float = 60.0
    timezone: str = "UTC"
    locale: str = "en_GB"
    max_recurrence_days: int = 366
    public_url: str = ""
    invitation_days: int = 7
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_security: str = "starttls"
    smtp_username: str = ""
    smtp_password: str = ""
    smtp_from: str = "Mentorspace <mentorspace@localhost>"
    smtp_retry_seconds: float = 30.0
    smtp_max_attempts: int = 12
    trusted_proxies: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = ()
    session_idle_hours: float = 8.0
    max_sockets_per_user: int = 10
    max_sockets_per_address: int = 50
    socket_check_seconds: float = 10.0
    message_rate: float = 5.0
    message_burst: int = 20
    away_minutes: float = 10.0
    mail_excerpts: bool = True
    digest_hour: int = 8
    digest_weekday: str = "monday"
    max_file_mb: float = 25.0
    quota_mb: float = 500.0
    report_min_cell: int = 5
    metrics_allow: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = ()
    metrics_token: str = ""

    def base_url(self) -> str:
        """Where links in mails point: never taken from a request's Host header."""
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")

    def secure_site(self) -> bool:
        """Whether people reach the server over https (so cookies are Secure)."""
        return self.public_url.startswith("https://")

    def upload_limits(self) -> UploadLimits:
        return UploadLimits(
            max_file_bytes=int(self.max_file_mb * MIB), quota_bytes=int(self.quota_mb * MIB)
        )

    def calendar(self) -> Calendar:
        return Calendar.of(self.locale, self.timezone)

    def session_idle(self) -> timedelta:
        return timedelta(hours=self.session_idle_hours)

    def secret_bytes(self) -> bytes:
        """The configured secret, or one made on first start and kept in the data dir."""
        if self.secret:
            return self.secret.encode()
        path = self.data_dir / "secret"
        if not path.exists():
            self.data_dir.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as out:
                out.write(secrets.token_hex(32))
        return path.read_text().strip().encode()


def add_setting_flags(parser: argparse.ArgumentParser, names: list[str]) -> None:
    for flag, env, default, help_text in SETTINGS:
        if flag.removeprefix("--").replace("-", "_") in names:
            parser.add_argument(
                flag,
                default=os.environ.get(env, default),
                help=f"{help_text} [env {env}, default {default or 'none'}]",
            )


def config_from_args(args: argparse.Namespace) -> Config:
    values = vars(args)
    port = values.get("port", "8080")
    if not str(port).isdigit() or not 0 <= int(port) < 65536:
        raise SystemExit(f"mentorspace: --port must be a number from 0 to 65535, not {port!r}")
    level = values.get("log_level", "info").lower()
    if level not in ("debug", "info", "warning", "error"):
        raise SystemExit(
            f"mentorspace: --log-level must be debug, info, warning or error, not {level!r}"
        )
    origins = tuple(
        o.strip().rstrip("/") for o in values.get("allowed_origins", "").split(",") if o.strip()
    )
    timezone = values.get("timezone", "UTC")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise SystemExit(
            f"mentorspace: --timezone must be a time zone name such as Europe/Copenhagen, not {timezone!r}"
        ) from None
    locale = values.get("locale", "en_GB")
    try:
        Calendar.of(locale)
    except Invalid:
        raise SystemExit(
            f"mentorspace: --locale must be a locale such as en_GB or da_DK, not {locale!r}"
        ) from None
    max_days = str(values.get("max_recurrence_days", "366"))
    if not max_days.isdigit() or not 1 <= int(max_days) <= 3660:
        raise SystemExit(
            f"mentorspace: --max-recurrence-days must be a number from 1 to 3660, not {max_days!r}"
        )
    mail = _mail_values(values)
    database_url = values.get("database_url", "").strip()
    try:
        check_database_url(database_url)
    except ValueError as error:
        raise SystemExit(f"mentorspace: --database-url: {error}") from None
    return Config(
        data_dir=Path(values.get("data_dir", "./data")),
        database_url=database_url,
        files_url=_files_url(values),
        host=values.get("host", "127.0.0.1"),
        port=int(port),
        secret=values.get("secret", ""),
        allowed_origins=origins,
        log_level=level,
        redis_url=values.get("redis_url", ""),
        redis_channel=values.get("redis_channel", "mentorspace"),
        presence_seconds=_number(values, "presence_seconds", "60", 1, 3600, float),
        timezone=timezone,
        locale=locale,
        max_recurrence_days=int(max_days),
        trusted_proxies=_networks(values.get("trusted_proxies", ""), "--trusted-proxies"),
        session_idle_hours=_number(values, "session_idle_hours", "8", 0.1, 720, float),
        **mail,
        max_sockets_per_user=_number(values, "max_sockets_per_user", "10", 1, 1000),
        max_sockets_per_address=_number(values, "max_sockets_per_address", "50", 1, 100_000),
        socket_check_seconds=_number(values, "socket_check_seconds", "10", 0.1, 30, float),
        message_rate=_number(values, "message_rate", "5", 0.1, 1_000_000, float),
        message_burst=_number(values, "message_burst", "20", 1, 1_000_000),
        **_notify_values(values),
        max_file_mb=_number(values, "max_file_mb", "25", 0.01, 10_240, float),
        quota_mb=_number(values, "quota_mb", "500", 0.01, 10_485_760, float),
        report_min_cell=_number(values, "report_min_cell", "5", 1, 1000),
        **_operations_values(values),
    )


def _files_url(values: dict) -> str:
    files_url = str(values.get("files_url", "")).strip()
    try:
        check_files_url(files_url)
    except ValueError as error:
        raise SystemExit(f"mentorspace: --files-url: {error}") from None
    if files_url and importlib.util.find_spec("aiobotocore") is None:
        raise SystemExit(
            "mentorspace: --files-url needs the S3 client: pip install 'mentorspace[s3]'"
        )
    return files_url


LOG_FORMATS = ("text", "json")
MIN_METRICS_TOKEN = 16


def _operations_values(values: dict) -> dict:
    log_format = str(values.get("log_format", "text")).lower()
    if log_format not in LOG_FORMATS:
        raise SystemExit(f"mentorspace: --log-format must be text or json, not {log_format!r}")
    token = str(values.get("metrics_token", "")).strip()
    if token and (len(token) < MIN_METRICS_TOKEN or any(c.isspace() for c in token)):
        raise SystemExit(
            f"mentorspace: --metrics-token must be at least {MIN_METRICS_TOKEN} characters"
            " without spaces (make one with: openssl rand -hex 32)"
        )
    return {
        "log_format": log_format,
        "metrics_allow": _networks(values.get("metrics_allow", ""), "--metrics-allow"),
        "metrics_token": token,
    }


WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def _notify_values(values: dict) -> dict:
    excerpts = str(values.get("mail_excerpts", "yes")).lower()
    if excerpts not in ("yes", "no"):
        raise SystemExit(f"mentorspace: --mail-excerpts must be yes or no, not {excerpts!r}")
    weekday = str(values.get("digest_weekday", "monday")).lower()
    if weekday not in WEEKDAYS:
        raise SystemExit(
            f"mentorspace: --digest-weekday must be a day such as monday, not {weekday!r}"
        )
    return {
        "away_minutes": _number(values, "away_minutes", "10", 1, 10_080, float),
        "mail_excerpts": excerpts == "yes",
        "digest_hour": _number(values, "digest_hour", "8", 0, 23),
        "digest_weekday": weekday,
    }


def _networks(text: str, flag: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    try:
        return tuple(ipaddress.ip_network(n.strip()) for n in text.split(",") if n.strip())
    except ValueError as error:
        raise SystemExit(
            f"mentorspace: {flag} must be networks such as 10.0.0.0/8, ::1/128: {error}"
        ) from None


def _number(values: dict, name: str, default: str, low: float, high: float, kind=int):
    text = str(values.get(name, default))
    try:
        number = kind(text)
    except ValueError:
        number = None
    if number is None or not low <= number <= high:
        flag = "--" + name.replace("_", "-")
        raise SystemExit(f"mentorspace: {flag} must be a number from {low} to {high}, not {text!r}")
    return number


def _mail_values(values: dict) -> dict:
    security = values.get("smtp_security", "starttls").lower()
    if security not in ("starttls", "tls", "none"):
        raise SystemExit(
            f"mentorspace: --smtp-security must be starttls, tls or none, not {security!r}"
        )
    public_url = values.get("public_url", "").strip().rstrip("/")
    if public_url and not public_url.startswith(("http://", "https://")):
        raise SystemExit(f"mentorspace: --public-url must start with https://, not {public_url!r}")
    return {
        "public_url": public_url,
        "invitation_days": _number(values, "invitation_days", "7", 1, 365),
        "smtp_host": values.get("smtp_host", "").strip(),
        "smtp_port": _number(values, "smtp_port", "587", 1, 65535),
        "smtp_security": security,
        "smtp_username": values.get("smtp_username", ""),
        "smtp_password": values.get("smtp_password", ""),
        "smtp_from": values.get("smtp_from", "Mentorspace <mentorspace@localhost>"),
        "smtp_retry_seconds": _number(values, "smtp_retry_seconds", "30", 0.01, 3600, float),
        "smtp_max_attempts": _number(values, "smtp_max_attempts", "12", 1, 100),
    }
