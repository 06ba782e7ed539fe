"""The multi-server deployment of the README, for real: two gunicorn servers on different ports, each with its
own instance folder, sharing one PostgreSQL database, the S3 evidence store (moto's server) and SECRET_KEY;
the reminder sweep runs from a third process while both serve.

- evidence uploaded through one server downloads through the other (nothing on either server's disk);
- a user signed in on one continues on the other (the session cookie and the CSRF token are accepted by both);
- ``flask reminders send`` run from a third process sends its digest while both servers are up, and both still
  answer afterwards.
"""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from sqlalchemy import create_engine

from oversight import config as app_config
from oversight import create_app
from oversight.evidence import storage
from oversight.evidence.models import EvidenceFile
from oversight.extensions import db
from tests.conftest import SMTPCatcher, free_port, scratch_postgresql_database
from tests.evidence.conftest import PDF_BYTES
from tests.objectstores import S3_ENVIRONMENT, s3_server  # noqa: F401 - fixture

ROOT = Path(__file__).resolve().parents[2]
DATABASE = os.environ.get("TEST_DATABASE_URL", "")
PASSWORD = "x" * 16  # tests.audits.helpers.user's password
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')

pytestmark = [
    pytest.mark.postgresql,
    pytest.mark.skipif(
        not DATABASE.startswith("postgresql"),
        reason="servers on several machines share one PostgreSQL database: set "
        "TEST_DATABASE_URL=postgresql+psycopg://… (a SQLite file cannot be shared between servers)",
    ),
]


@pytest.fixture(scope="module")
def shared_database():
    """A fresh PostgreSQL database next to the test database, dropped afterwards."""
    with scratch_postgresql_database("servers") as url:
        yield url


@pytest.fixture(scope="module")
def smtp():
    catcher = SMTPCatcher()
    catcher.start()
    yield catcher
    catcher.stop()


@pytest.fixture(scope="module")
def environment(shared_database, s3_server, smtp):  # noqa: F811
    """The environment every process of the deployment shares (one environment file in production)."""
    keep = {key: value for key, value in os.environ.items() if key in ("PATH", "HOME", "LANG", "TMPDIR")}
    return {
        **keep,
        **S3_ENVIRONMENT,
        **s3_server.config(s3_server.new_bucket()),
        "OVERSIGHT_ENV": "production",
        "SECRET_KEY": secrets.token_hex(32),
        "DATABASE_URL": shared_database,
        "EVIDENCE_STORE": "s3",
        "BASE_URL": "http://127.0.0.1",
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(smtp.port),
        "PYTHONUNBUFFERED": "1",
    }


def _flask(environment: dict[str, str], instance: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app", *args],
        check=False, cwd=ROOT, env={**environment, "INSTANCE_PATH": str(instance)},
        capture_output=True, text=True, timeout=300,
    )


@pytest.fixture(scope="module")
def deployment(environment, tmp_path_factory):
    """The schema migrated and an auditor with a planned audit; then two gunicorn servers started."""
    setup = tmp_path_factory.mktemp("setup-instance")
    for command in (("db", "upgrade"), ("checklists", "sync")):
        done = _flask(environment, setup, *command)
        assert done.returncode == 0, done.stdout + done.stderr
    audit_id = _seed(environment)
    servers = [_Server(environment, tmp_path_factory.mktemp(f"server-{n}-instance")) for n in (1, 2)]
    try:
        for server in servers:
            server.wait()
        yield servers, audit_id
    finally:
        for server in servers:
            server.stop()


def _seed(environment: dict[str, str]) -> int:
    from tests.audits.helpers import active_vendor, planned, user

    seeding = create_app(app_config.TestConfig(environment["DATABASE_URL"], UPLOAD_FOLDER="/nonexistent"))
    with seeding.app_context():
        auditor = user("auditor", email="auditor@example.com")
        audit = planned(active_vendor(), auditor)
        db.session.commit()
        audit_id = audit.id
        db.session.remove()
        db.engine.dispose()
    return audit_id


class _Server:
    def __init__(self, environment: dict[str, str], instance: Path) -> None:
        self.instance, self.port = instance, free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = instance / "gunicorn.log"
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "--workers", "1", "--bind", f"127.0.0.1:{self.port}", "app:app"],
                cwd=ROOT, env={**environment, "INSTANCE_PATH": str(instance)}, stdout=log, stderr=subprocess.STDOUT,
            )

    def wait(self, seconds: float = 120) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"gunicorn exited: {self.log.read_text(errors='replace')[-3000:]}")
            try:
                if requests.get(f"{self.url}/auth/login", timeout=60).status_code == 200:
                    return
            except (requests.ConnectionError, requests.Timeout):
                pass
            time.sleep(0.3)
        pytest.fail(f"gunicorn did not answer on {self.url}: {self.log.read_text(errors='replace')[-3000:]}")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()


def _csrf(response: requests.Response) -> str:
    match = CSRF.search(response.text)
    assert match, response.text[:500]
    return match.group(1)


def test_two_servers_share_sessions_evidence_and_the_reminder_sweep(deployment, environment, smtp, tmp_path):
    (first, second), audit_id = deployment
    # One browser behind a load balancer that sends each request to either server: one cookie jar
    # (cookies are per host, not per port).
    browser = requests.Session()
    token = _csrf(browser.get(f"{first.url}/auth/login", timeout=30))
    signed_in = browser.post(
        f"{first.url}/auth/login",
        data={"csrf_token": token, "email": "auditor@example.com", "password": PASSWORD},
        allow_redirects=False, timeout=30,
    )
    assert signed_in.status_code == 302, signed_in.text[:500]

    # The second server knows the session the first one started (same SECRET_KEY, nothing kept per server).
    page = browser.get(f"{second.url}/audits/{audit_id}", allow_redirects=False, timeout=30)
    assert page.status_code == 200, page.headers.get("Location")

    # A form of the first server is accepted by the second (the CSRF token is signed with the shared key):
    # the file is uploaded through the second server and downloaded through the first.
    token = _csrf(browser.get(f"{first.url}/audits/{audit_id}", timeout=30))
    uploaded = browser.post(
        f"{second.url}/audits/{audit_id}/evidence",
        data={"csrf_token": token, "item_id": "", "description": "実地調査の報告書"},
        files={"file": ("報告書.pdf", PDF_BYTES, "application/pdf")},
        allow_redirects=False, timeout=60,
    )
    assert uploaded.status_code == 302, re.findall(r'(?:name="[^"]+"|invalid-feedback[^<]*<[^<]*)', uploaded.text)
    evidence_id, sha256 = _latest_evidence(environment)
    downloaded = browser.get(f"{first.url}/evidence/{evidence_id}/download", timeout=60)
    assert downloaded.status_code == 200
    assert downloaded.content == PDF_BYTES
    assert "attachment" in downloaded.headers["Content-Disposition"]
    s3 = storage.store_for("s3", environment)
    assert s3.size_of(sha256) == len(PDF_BYTES)  # in the shared store
    for server in (first, second):  # and on neither server's disk
        assert not [path for path in (server.instance / "uploads").rglob("*") if path.is_file()]

    # The reminder sweep from a third process (the scheduler's own command), both servers up.
    sweep = _flask(environment, tmp_path / "scheduler-instance", "reminders", "send")
    assert sweep.returncode == 0, sweep.stdout + sweep.stderr
    assert any("auditor@example.com" in envelope.rcpt_tos for envelope in smtp.envelopes), sweep.stdout
    for server in (first, second):
        assert browser.get(f"{server.url}/audits/{audit_id}", allow_redirects=False, timeout=30).status_code == 200


def _latest_evidence(environment: dict[str, str]) -> tuple[int, str]:
    engine = create_engine(environment["DATABASE_URL"])
    try:
        with engine.connect() as conn:
            row = conn.execute(
                db.select(EvidenceFile.id, EvidenceFile.sha256).order_by(EvidenceFile.id.desc()).limit(1)
            ).one()
    finally:
        engine.dispose()
    return row.id, row.sha256
