"""Configuration: command-line flags over `MENTORSPACE_*` environment variables over safe
defaults.  Every option is listed in `SETTINGS` and documented in README.md."""

from __future__ import annotations

import argparse
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# (flag, environment variable, default, help)
SETTINGS = [
    ("--data-dir", "MENTORSPACE_DATA_DIR", "./data", "where the database, secret and files live"),
    ("--host", "MENTORSPACE_HOST", "127.0.0.1", "address to listen on"),
    ("--port", "MENTORSPACE_PORT", "8080", "port to listen on"),
    ("--secret", "MENTORSPACE_SECRET", "", "key for CSRF tokens (default: made once, kept in the data dir)"),
    ("--allowed-origins", "MENTORSPACE_ALLOWED_ORIGINS", "", "comma-separated origins allowed to call the API and connect sockets (default: the server's own)"),
    ("--log-level", "MENTORSPACE_LOG_LEVEL", "info", "debug, info, warning or error"),
    ("--redis-url", "MENTORSPACE_REDIS_URL", "", "redis:// URL to share real-time events between server processes"),
    ("--redis-channel", "MENTORSPACE_REDIS_CHANNEL", "mentorspace", "Redis pub/sub channel: one per programme sharing a Redis server"),
    ("--timezone", "MENTORSPACE_TIMEZONE", "UTC", "the programme's time zone (IANA name such as Europe/Copenhagen): scheduled tasks follow its wall clock"),
    ("--max-recurrence-days", "MENTORSPACE_MAX_RECURRENCE_DAYS", "366", "how far ahead a recurring task schedule may run, and the latest day of a pairing a task may be set for"),
]  # fmt: skip


@dataclass(frozen=True)
class Config:
    data_dir: Path = Path("./data")
    host: str = "127.0.0.1"
    port: int = 8080
    secret: str = ""
    allowed_origins: tuple[str, ...] = field(default=())
    log_level: str = "info"
    redis_url: str = ""
    redis_channel: str = "mentorspace"
    timezone: str = "UTC"
    max_recurrence_days: int = 366

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
    max_days = str(values.get("max_recurrence_days", "366"))
    if not max_days.isdigit() or not 1 <= int(max_days) <= 3660:
        raise SystemExit(
            f"mentorspace: --max-recurrence-days must be a number from 1 to 3660, not {max_days!r}"
        )
    return Config(
        data_dir=Path(values.get("data_dir", "./data")),
        host=values.get("host", "127.0.0.1"),
        port=int(port),
        secret=values.get("secret", ""),
        allowed_origins=origins,
        log_level=level,
        redis_url=values.get("redis_url", ""),
        redis_channel=values.get("redis_channel", "mentorspace"),
        timezone=timezone,
        max_recurrence_days=int(max_days),
    )
