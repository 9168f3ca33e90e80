"""Run the whole test suite N times and report every test that failed at least once.

    .venv/bin/python scripts/repeat_tests.py 20 [pytest args...]     (or: make repeat-tests N=20)

Each run writes a JUnit XML report; a test is flaky when it failed in some runs and passed in
others.  Browser tests record Playwright traces (MENTORSPACE_TRACE=1); a run's traces of failed
tests are kept in test-artifacts/traces-runN.  Exits 1 when any test failed in any run.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ElementTree
from collections import Counter
from pathlib import Path

TRACES = Path(__file__).resolve().parents[1] / "test-artifacts" / "traces"


def failures(report: Path) -> list[tuple[str, str]]:
    """Each test that failed or errored, with the last lines of what it said."""
    failed = []
    for case in ElementTree.parse(report).getroot().iter("testcase"):
        problem = case.find("failure")
        if problem is None:
            problem = case.find("error")
        if problem is not None:
            said = (problem.text or problem.get("message") or "").strip().splitlines()
            failed.append((f"{case.get('classname')}::{case.get('name')}", "\n".join(said[-12:])))
    return failed


def main(argv: list[str]) -> int:
    if not argv or not argv[0].isdigit() or int(argv[0]) < 1:
        print(__doc__, file=sys.stderr)
        return 2
    runs, extra = int(argv[0]), argv[1:]
    failed: Counter[str] = Counter()
    with tempfile.TemporaryDirectory() as folder:
        for run in range(1, runs + 1):
            report = Path(folder) / f"run{run}.xml"
            started = time.monotonic()
            result = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "pytest",
                    "-q",
                    "-p",
                    "no:cacheprovider",
                    f"--junitxml={report}",
                    *extra,
                ],
                capture_output=True,
                text=True,
                env={**os.environ, "MENTORSPACE_TRACE": "1"},
            )
            this_run = (
                failures(report) if report.exists() else [("(no report: pytest crashed)", "")]
            )
            if result.returncode != 0 and not this_run:  # e.g. 5: no tests ran
                this_run = [(f"(pytest exited {result.returncode})", result.stderr[-2000:])]
            failed.update(name for name, _ in this_run)
            summary = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""
            print(f"run {run}/{runs}: {summary} ({time.monotonic() - started:.0f} s)", flush=True)
            if TRACES.exists():
                kept = TRACES.with_name(f"traces-run{run}")
                shutil.rmtree(kept, ignore_errors=True)
                TRACES.rename(kept)
                print(f"    traces of failed browser tests: {kept}", flush=True)
            for name, said in this_run:
                print(f"    failed: {name}", flush=True)
                for line in said.splitlines():
                    print(f"        {line}", flush=True)
    if not failed:
        print(f"every test passed in all {runs} runs")
        return 0
    print(f"\n{len(failed)} test(s) failed at least once in {runs} runs:")
    for name, count in failed.most_common():
        print(f"  {count:>3}/{runs}  {name}")
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
