"""`mutualplan remind` as cron runs it: separate processes sharing one database (SQLite here;
the lead's scale-out test runs it on PostgreSQL), started at once, send each digest once."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.mail.conftest import Inbox, free_port
from tests.server import MUTUALPLAN, server_env

SEED = """
from mutualplan.commands.common import migrate_database, setup_django
setup_django()
migrate_database()
from mutualplan.workspaces.models import Workspace
from tests.conftest import make_plan, make_seller
from tests.mail.digest_data import seed_digest_plan
workspace = Workspace.objects.create(name="Acme Software", slug="acme")
seed_digest_plan(make_plan(make_seller("olivia@acme.example", workspace, "Olivia Owner")))
"""


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    from aiosmtpd.controller import Controller

    received = Inbox()
    port = free_port()
    controller = Controller(received, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield received, port
    finally:
        controller.stop()


def test_remind_started_in_three_processes_at_once_sends_each_digest_once(
    tmp_path: Path, inbox: tuple[Inbox, int]
) -> None:
    received, port = inbox
    env = server_env(tmp_path / "data", "http://127.0.0.1:8000") | {
        "MUTUALPLAN_EMAIL_URL": f"smtp://127.0.0.1:{port}?timeout=5&from=plans@acme.example"
    }
    subprocess.run([sys.executable, "-c", SEED], env=env, check=True, timeout=120)

    runs = [
        subprocess.Popen(
            [str(MUTUALPLAN), "remind"],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for _ in range(3)
    ]
    outputs = [run.communicate(timeout=120)[0] for run in runs]

    assert all(run.returncode == 0 for run in runs), outputs
    sent = [int(re.search(r"(\d+) digests? sent", out).group(1)) for out in outputs]  # type: ignore[union-attr]
    assert sum(sent) == 2, outputs
    assert sorted(received.recipients) == ["olivia@acme.example", "sam@buyer.example"]
    again = subprocess.run(
        [str(MUTUALPLAN), "remind"], env=env, capture_output=True, text=True, timeout=120
    )
    assert "0 digests sent, 2 already sent today, 0 recipients unsubscribed" in again.stdout
    assert len(received.messages) == 2
