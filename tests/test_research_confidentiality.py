"""What a pair says never reaches the research (issue 12).  With everyone consenting, and the
smallest cells shown, a marker is written in a pair's message, a goal and its milestone, a
satisfaction comment and a file name in the pair channel; the pair reacts, searches, does a
task, and every e-mail goes out.  Then a coordinator reads every page and API answer of the
coordinator area, every report table as CSV and JSON, and the command line's report; the log is
kept.  No marker is in any of it, except the comment where it is addressed to the coordinators."""

from __future__ import annotations

import asyncio
import logging
import subprocess
import sys

import pytest

from server import keys

from .file_support import uploaded
from .goal_support import add_goal, pair_of
from .mail_support import running_server
from .notify_support import marker, start_clean
from .research_support import TABLES, consent, post
from .support import DAYS_AWAKE
from .task_support import create_task, expect, post_now, task_messages

COMMENT_IS_FOR = {"/admin/satisfaction", "/api/v1/satisfaction"}
WITH_A_PARAMETER = (
    "/admin/menu/mentee",
    "/admin/menu/mentor",
    "/api/v1/menus/mentee",
    "/api/v1/audit?format=csv",
    "/api/v1/satisfaction/scores",
    "/api/v1/pairs/goals",
)


@pytest.fixture
async def research_server(data_dir, smtp, clock):
    config = {**smtp.config(), **DAYS_AWAKE, "report_min_cell": 1}
    async with running_server(data_dir, clock=clock, config_changes=config) as running:
        yield running


def coordinator_reads(server) -> list[str]:
    """Every page and API answer of the coordinator area that needs no id: all of them, as
    the app's router lists them, so a page added later is read too."""
    paths = set(WITH_A_PARAMETER)
    for route in server.app.router.routes():
        path = route.resource.canonical if route.resource else ""
        if route.method == "GET" and "{" not in path and path.startswith(("/admin", "/api/v1")):
            paths.add(path)
    return sorted(paths)


async def test_no_word_of_a_pair_reaches_the_research(
    research_server, smtp, clock, caplog, tmp_path
):
    caplog.set_level(logging.INFO)
    for name in ("server", "channels", "storage", "aiohttp"):
        caplog.set_level(logging.DEBUG, logger=name)
    server = research_server
    words = {
        "message": marker("PAIRWORD"),
        "goal": marker("GOALWORD"),
        "milestone": marker("STEPWORD"),
        "comment": marker("NOTEWORD"),
        "file": marker("FILEWORD"),
    }
    carla = await server.client("coordinator")
    people = {h: await server.client(h) for h in ("mentee1", "mentor1", "mentee2", "mentor2")}
    await start_clean(carla, *people.values())
    for client in people.values():
        await consent(client)
    sara, maria = people["mentee1"], people["mentor1"]
    channel = await server.pair_channel_id(1)

    said = await post(sara, channel, f"My secret plan {words['message']}")
    await post(maria, channel, "A reply", thread_id=said["id"])
    await expect(await maria.post(f"/api/v1/messages/{said['id']}/reactions", {"emoji": "🎉"}), 200)
    cv = await uploaded(sara, b"my cv", f"cv-{words['file']}.txt")
    await post(sara, channel, "My CV", attachments=[cv["id"]])
    assert (await maria.get(cv["url"])).status == 200
    await expect(await sara.get("/api/v1/search", params={"q": words["message"]}), 200)
    await add_goal(sara, channel, f"Become a {words['goal']}", f"First {words['milestone']}")
    await post_now(carla, await create_task(carla), {"all": True})
    [card] = await task_messages(sara, channel)
    await expect(await sara.post(f"/api/v1/messages/{card['id']}/complete", {"done": True}), 200)
    pair = await pair_of(server, 1)
    asked = await expect(await carla.post(f"/api/v1/pairs/{pair.id}/satisfaction"), 201)
    answer = {"relationship": 4, "progress": 2, "comment": f"Call me {words['comment']}"}
    await expect(
        await sara.put(f"/api/v1/satisfaction/{asked['request']['id']}/answer", answer), 200
    )

    # Every e-mail: away mail for the pair, and everyone's weekly digest.
    news = await carla.post("/api/v1/announcements", {"body": "Spring meetup on Friday"})
    assert news.status == 201
    clock.advance(days=8)
    await server.app[keys.AWAY_MAILER].run_once()
    await server.app[keys.DIGESTS].run_once()
    await server.app[keys.MAILER].send_due()
    mails = [m.message for m in await server.store.list_mail(limit=1000)]
    assert len(mails) >= 3, [m.split("Subject:")[1][:60] for m in mails]

    seen: dict[str, str] = {}
    for path in coordinator_reads(server):
        seen[path] = await (await carla.get(path)).text()
    assert "/admin/reports" in seen
    span = {"from": pair.started_at[:10], "to": clock.now().date().isoformat()}
    seen["reports page"] = await (await carla.get("/admin/reports", params=span)).text()
    for table in TABLES:
        for fmt in ("csv", "json"):
            got = await carla.get(f"/admin/reports/{table}.{fmt}", params=span)
            assert got.status == 200
            seen[f"{table}.{fmt}"] = await got.text()
    out = tmp_path / "report"
    command = [
        sys.executable,
        "-m",
        "server.cli",
        "report",
        "--data-dir",
        str(server.app[keys.CONFIG].data_dir),
    ]
    done = await asyncio.to_thread(
        subprocess.run,
        [*command, "--from", span["from"], "--to", span["to"], "--out", str(out), "--report-min-cell", "1"],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    for path in out.iterdir():
        seen[f"command line {path.name}"] = path.read_text()

    # The markers are real: the reports do count the pair, and the coordinators read the
    # comment addressed to them.
    assert "message.pair" in seen["usage.csv"] and "pair-" in seen["pairs.csv"]
    assert "achieved" in seen["goals.csv"] and "relationship" in seen["satisfaction.csv"]
    for path in COMMENT_IS_FOR:
        assert words["comment"] in seen[path]
    for where, text in seen.items():
        for what, word in words.items():
            if word in text:
                assert what == "comment" and where in COMMENT_IS_FOR, f"the {what} reached {where}"
    for mail in mails:
        for what, word in words.items():
            assert word not in mail, f"the {what} was e-mailed"
    logged = "\n".join(f"{r.getMessage()} {r.__dict__}" for r in caplog.records)
    assert "GET /admin/reports" in logged
    for what, word in words.items():
        assert word not in logged, f"the {what} was logged"
