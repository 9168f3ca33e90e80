"""The `mentorspace` command as an operator uses it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from server.cli import main

from . import databases
from .conftest import require_service
from .support import Server


def run(
    *args: str, stdin: str | None = None, env: dict | None = None
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "server.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )


def help_of(command: str, capsys: pytest.CaptureFixture[str]) -> str:
    """What `mentorspace COMMAND --help` prints: argparse in this process, as the command line
    would run it (a process per command only paid for starting Python again)."""
    with pytest.raises(SystemExit) as leaving:
        main([command, "--help"])
    assert leaving.value.code == 0
    return capsys.readouterr().out


@pytest.mark.parametrize("command", ["serve", "init", "migrate", "create-user", "demo"])
def test_every_command_has_help(command, capsys):
    shown = help_of(command, capsys)
    assert "--data-dir" in shown and "MENTORSPACE_DATA_DIR" in shown


@pytest.mark.long
def test_init_then_create_user_then_log_in(tmp_path: Path):
    data = tmp_path / "programme"
    assert run("init", "--data-dir", str(data)).returncode == 0
    assert (data / "mentorspace.sqlite3").exists() and (data / "secret").exists()
    assert "up to date" in run("migrate", "--data-dir", str(data)).stdout

    created = run(
        "create-user",
        "--data-dir",
        str(data),
        "--email",
        "Ada@Example.org",
        "--name",
        "Ada",
        "--role",
        "coordinator",
        "--password-stdin",
        stdin="a long enough password\n",
    )
    assert created.returncode == 0, created.stderr
    assert "ada@example.org" in created.stdout

    again = run(
        "create-user",
        "--data-dir",
        str(data),
        "--email",
        "ada@example.org",
        "--name",
        "Ada",
        "--role",
        "coordinator",
        "--password-stdin",
        stdin="a long enough password\n",
    )
    assert again.returncode == 1 and "already an account" in again.stderr

    short = tmp_path / "pw"
    short.write_text("short\n")
    refused = run(
        "create-user",
        "--data-dir",
        str(data),
        "--email",
        "b@example.org",
        "--name",
        "B",
        "--role",
        "mentee",
        "--password-file",
        str(short),
    )
    assert refused.returncode == 1 and "at least 10" in refused.stderr


async def test_a_user_made_on_the_command_line_can_log_in_and_serve_adds_no_demo(tmp_path: Path):
    data = tmp_path / "programme"
    result = run(
        "create-user",
        "--data-dir",
        str(data),
        "--email",
        "m@example.org",
        "--name",
        "Mo",
        "--role",
        "mentor",
        "--password-stdin",
        stdin="correct horse battery",
    )
    assert result.returncode == 0, result.stderr
    running = await Server(data).start()
    try:
        assert [u.email for u in await running.store.list_users()] == ["m@example.org"]
        client = await running.client()
        response = await client.post(
            "/api/v1/session", {"email": "m@example.org", "password": "correct horse battery"}
        )
        assert response.status == 200
        channels = await (await client.get("/api/v1/channels")).json()
        assert [c["kind"] for c in channels["channels"]] == ["announcements", "mentor_lounge"]
        await client.close()
    finally:
        await running.stop()


def test_demo_seeds_once(tmp_path: Path):
    data = tmp_path / "demo"
    first = run("demo", "--data-dir", str(data))
    assert first.returncode == 0 and "mentorspace-demo" in first.stdout
    second = run("demo", "--data-dir", str(data))
    assert second.returncode == 1 and "already there" in second.stderr


def test_settings_come_from_the_environment(tmp_path: Path):
    env = {**os.environ, "MENTORSPACE_DATA_DIR": str(tmp_path / "from-env")}
    assert run("init", env=env).returncode == 0
    assert (tmp_path / "from-env" / "mentorspace.sqlite3").exists()
    bad = run("serve", "--port", "http", env=env)
    assert bad.returncode != 0 and "--port" in bad.stderr


STORE_COMMANDS = [
    "serve",
    "init",
    "migrate",
    "create-user",
    "import-users",
    "digests",
    "report",
    "demo",
]


@pytest.mark.parametrize("command", STORE_COMMANDS)
def test_every_command_that_opens_the_store_takes_a_database_url(command, capsys):
    shown = help_of(command, capsys)
    assert "--database-url" in shown and "MENTORSPACE_DATABASE_URL" in shown


def test_a_database_url_that_is_not_postgresql_is_refused_and_nothing_is_made(tmp_path: Path):
    data = tmp_path / "programme"
    bad = run("init", "--data-dir", str(data), "--database-url", "mysql://localhost/x")
    assert bad.returncode != 0 and "--database-url" in bad.stderr
    assert "postgresql://" in bad.stderr
    assert not data.exists()


@pytest.fixture
def postgres_url():
    """A new, empty PostgreSQL database, dropped after the test."""
    require_service("PostgreSQL", databases.postgres_reachable())
    name, url = databases.create_database()
    yield url
    databases.drop_database(name)


@pytest.mark.long
def test_the_commands_work_on_postgresql(tmp_path: Path, postgres_url: str):
    env = {**os.environ, "MENTORSPACE_DATABASE_URL": postgres_url}
    data = str(tmp_path / "programme")
    assert run("init", "--data-dir", data, env=env).returncode == 0
    assert not (tmp_path / "programme" / "mentorspace.sqlite3").exists()  # the data is there
    migrated = run("migrate", "--data-dir", data, env=env)
    assert migrated.returncode == 0 and "up to date" in migrated.stdout, migrated.stderr
    created = run(
        "create-user",
        "--data-dir",
        data,
        "--database-url",
        postgres_url,
        "--email",
        "ada@example.org",
        "--name",
        "Ada",
        "--role",
        "coordinator",
        "--password-stdin",
        stdin="a long enough password\n",
    )
    assert created.returncode == 0, created.stderr
    again = run(
        "create-user",
        "--data-dir",
        data,
        "--email",
        "ada@example.org",
        "--name",
        "Ada",
        "--role",
        "mentor",
        "--password-stdin",
        stdin="a long enough password\n",
        env=env,
    )
    assert again.returncode == 1 and "already" in again.stderr
    assert run("demo", "--data-dir", data, env=env).returncode == 0
    assert "already there" in run("demo", "--data-dir", data, env=env).stderr
