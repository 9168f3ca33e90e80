"""Log lines as JSON objects, one a line (MENTORSPACE_LOG_FORMAT=json), for log collectors.

Every message and traceback goes through the same redaction as the access log
(server.security.redact), so a JSON line never says more than a text line would: no file
names, search words or account-link tokens.  The code logs no message text or e-mail bodies
in the first place; statement parameters stay out because aiosqlite's logger is kept quiet
(server.cli.QUIET_LOGGERS)."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

from server.security import redact

# Fields aiohttp's access logger passes along (`extra`), already redacted by
# RedactingAccessLogger; kept as fields of their own so a collector can filter on them.
ACCESS_FIELDS = ("remote_address", "first_request_line", "response_status", "response_size")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        moment = datetime.fromtimestamp(record.created, UTC)
        entry: dict[str, object] = {
            "time": moment.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": redact(record.getMessage()),
        }
        for name in ACCESS_FIELDS:
            value = record.__dict__.get(name)
            if value is not None:
                entry[name] = redact(value) if isinstance(value, str) else value
        if record.exc_info:
            entry["exception"] = redact(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)
