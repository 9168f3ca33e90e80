"""schemathesis over /api/v1/openapi.json, as a logged-in person of each role: no request makes
the server fail (500), and every answer matches the schema documented for it, with no property
the schema does not list.

The real server runs on this test's event loop; schemathesis (synchronous, over `requests`) runs
in a worker thread and talks to it over HTTP with the session cookie.  JSON bodies pass the
cross-site guard as they are (no foreign Origin is sent)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from server.auth import COOKIE

from .openapi_check import exact
from .support import Server

EXAMPLES = 6  # per operation and generation mode: bounded, so the test stays well under a minute
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
LOG_OUT = ("DELETE", "/api/v1/session")  # ends the session the rest runs on: checked last


def _session(token: str) -> requests.Session:
    http = requests.Session()
    http.cookies.set(COOKIE, token)
    return http


def run_schemathesis(document: dict[str, Any], base_url: str, token: str) -> list[str]:
    """Every operation but logging out, then logging out; the failures, one line each."""
    schema = schemathesis.openapi.from_dict(document)
    http = _session(token)
    failures: list[str] = []

    def call(case: schemathesis.Case) -> None:
        response = case.call(base_url=base_url, session=http)
        if response.status_code == 401 and (case.method, case.path) not in NO_SESSION_NEEDED:
            alive = http.get(f"{base_url}/api/v1/me")
            assert alive.status_code == 200, f"{case.method} {case.path} ended the session"
        case.validate_response(response, checks=CHECKS)

    operations = [result.ok() for result in schema.get_all_operations()]
    for operation in sorted(operations, key=lambda op: (op.method.upper(), op.path) == LOG_OUT):
        modes = [schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE]
        for mode in modes:

            @settings(
                max_examples=EXAMPLES,
                deadline=None,
                database=None,
                derandomize=True,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            @given(case=operation.as_strategy(generation_mode=mode))
            def check(case: schemathesis.Case) -> None:
                call(case)

            try:
                check()
            except Unsatisfiable:
                pass  # no case of this mode exists (a negative case for an operation without input)
            except (Exception, BaseExceptionGroup) as error:  # reported below, one by one
                failures.append(f"{operation.label} ({mode.value}): {summary(error)}")
    http.close()
    return failures


def summary(error: BaseException) -> str:
    """A few lines per failed check, and how to reproduce it."""
    if isinstance(error, BaseExceptionGroup):
        lines = [summary(leaf) for leaf in error.exceptions]
    else:
        title = getattr(error, "title", type(error).__name__)
        text = getattr(error, "message", None) or str(error)
        lines = [f"{title}: " + " / ".join(text.strip().splitlines()[:3])]
    lines += [line.strip() for line in str(error).splitlines() if "curl " in line][:1]
    return "\n  ".join(lines)


NO_SESSION_NEEDED = {
    ("POST", "/api/v1/session"),
    ("DELETE", "/api/v1/session"),
    ("POST", "/api/v1/password"),
    ("POST", "/api/v1/me/password"),
}


@pytest.mark.long
@pytest.mark.parametrize("handle", ["coordinator", "mentor1", "mentee1"])
async def test_every_operation_answers_as_documented(server: Server, handle: str):
    client = await server.client(handle)
    response = await client.get("/api/v1/openapi.json")
    assert response.status == 200
    document = exact(await response.json())
    failures = await asyncio.to_thread(run_schemathesis, document, server.url, client.token)
    assert not failures, "\n\n".join(failures)


async def test_a_repeated_client_id_answers_as_documented(server: Server):
    """A retry with the same client_id answers 200 with the first message, which a random run
    seldom reaches: both answers must be documented."""
    client = await server.client("coordinator")
    document = exact(await (await client.get("/api/v1/openapi.json")).json())
    lounge = await server.channel_id("mentor_lounge")
    posts = [
        ("/api/v1/announcements", {}, {"body": "Twice", "client_id": "retry-1"}),
        (
            "/api/v1/channels/{channel_id}/messages",
            {"channel_id": lounge},
            {"body": "Again", "client_id": "retry-2"},
        ),
    ]

    def post_each_twice() -> list[int]:
        schema = schemathesis.openapi.from_dict(document)
        http = _session(client.token)
        statuses = []
        for path, path_parameters, body in posts:
            for _ in range(2):
                case = schema[path]["POST"].Case(path_parameters=path_parameters, body=body)
                response = case.call(base_url=server.url, session=http)
                case.validate_response(response, checks=CHECKS)
                statuses.append(response.status_code)
        http.close()
        return statuses

    assert await asyncio.to_thread(post_each_twice) == [201, 200, 201, 200]
