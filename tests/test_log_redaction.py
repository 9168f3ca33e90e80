"""The access log never carries a pair's words: a file's name and id, a search's words and an
account link's token are replaced, whatever else the line holds."""

from __future__ import annotations

from server.security import redact


def test_file_names_search_words_and_tokens_are_left_out_of_log_lines():
    line = (
        'GET /files/AbC123xyz/CV%20draft%20zyxmarker.pdf HTTP/1.1 200 "/search?q=zyxmarker&'
        'channel_id=4" GET /thumbnails/AbC123xyz GET /password/secret-token'
    )
    logged = redact(line)
    assert "zyxmarker" not in logged and "AbC123xyz" not in logged
    assert "secret-token" not in logged
    assert "/files/[redacted] HTTP/1.1 200" in logged
    assert "/search?q=[redacted]&channel_id=4" in logged
    assert "/thumbnails/[redacted]" in logged
    assert redact("GET /channels/4?message=9") == "GET /channels/4?message=9"


def test_debug_logging_never_writes_statement_parameters(caplog):
    """aiosqlite logs each statement's parameters at debug level (a search's words, a pair's
    message): even at --log-level debug, its logger stays at INFO."""
    import logging

    from server.cli import QUIET_LOGGERS, configure_logging

    root = logging.getLogger()
    level = root.level
    try:
        configure_logging("debug")
        for name in QUIET_LOGGERS:
            assert not logging.getLogger(name).isEnabledFor(logging.DEBUG)
        assert "aiosqlite" in QUIET_LOGGERS
    finally:
        root.setLevel(level)
        for name in QUIET_LOGGERS:
            logging.getLogger(name).setLevel(logging.NOTSET)
