"""Start the real OpenID provider (tests/oidc/provider.mjs, the `oidc-provider` npm package) on loopback.

The npm packages are installed here from package-lock.json when node_modules is missing; a test that
needs the provider is skipped, saying why, only when node or npm cannot install them.
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.conftest import free_port

HERE = Path(__file__).resolve().parent
CLIENT_ID = "oversight-test"
CLIENT_SECRET = "test-client-secret-0123456789abcdef"
_install_lock = threading.Lock()
STARTUP_SECONDS = 60  # a start takes 1-3 s; a loaded CI machine, longer
STARTUP_ATTEMPTS = 2


def ensure_installed() -> None:
    """``npm ci`` once, when node_modules is missing; skip the test when that cannot be done."""
    with _install_lock:
        if (HERE / "node_modules" / "oidc-provider").is_dir():
            return
        if not shutil.which("node") or not shutil.which("npm"):
            pytest.skip("the OpenID provider tests need node and npm (tests/oidc/package.json)")
        result = subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund"], cwd=HERE, capture_output=True, text=True, timeout=600,
            check=False,
        )
        if result.returncode != 0:
            pytest.skip(f"npm could not install oidc-provider: {result.stderr.strip()[-500:]}")


@dataclass
class OpenIDProvider:
    """One provider process; ``issuer`` is its URL."""

    redirect_uris: list[str]
    accounts: dict[str, dict]
    clock_offset_seconds: int = 0
    foreign_jwks: bool = False
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None

    @property
    def issuer(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def discovery_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"

    def app_config(self) -> dict[str, object]:
        """The app's configuration for signing in through this provider."""
        return {
            "OIDC_DISCOVERY_URL": self.discovery_url,
            "OIDC_CLIENT_ID": CLIENT_ID,
            "OIDC_CLIENT_SECRET": CLIENT_SECRET,
            "OIDC_SCOPES": "openid email profile groups",  # as with Okta; Entra ID sends groups unasked
        }

    def start(self) -> OpenIDProvider:
        """Start the provider and wait until it listens. A start that says nothing for
        ``STARTUP_SECONDS`` (seen once in CI: node waiting forever before listening, with no output) is
        stopped and tried again, so one stuck process cannot hang the suite."""
        ensure_installed()
        output: list[str] = []
        for _attempt in range(STARTUP_ATTEMPTS):
            if self._start_once(output):
                return self
        raise RuntimeError(f"the OpenID provider did not start: {''.join(output)}")

    def _start_once(self, output: list[str]) -> bool:
        env = os.environ | {
            "PORT": str(self.port),
            "CLIENT_ID": CLIENT_ID,
            "CLIENT_SECRET": CLIENT_SECRET,
            "REDIRECT_URIS": ",".join(self.redirect_uris),
            "ACCOUNTS": json.dumps(self.accounts),
            "CLOCK_OFFSET_SECONDS": str(self.clock_offset_seconds),
            "FOREIGN_JWKS": "1" if self.foreign_jwks else "0",
        }
        self.process = subprocess.Popen(
            ["node", str(HERE / "provider.mjs")], cwd=HERE, env=env,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        lines: queue.Queue[str | None] = queue.Queue()

        def read(stream) -> None:  # warnings, then "listening …" once it accepts connections; keeps the pipe drained
            for line in stream:
                lines.put(line)
            lines.put(None)

        threading.Thread(target=read, args=(self.process.stdout,), daemon=True).start()
        deadline = time.monotonic() + STARTUP_SECONDS
        while (left := deadline - time.monotonic()) > 0:
            try:
                line = lines.get(timeout=left)
            except queue.Empty:
                break
            if line is None:  # the process ended
                break
            output.append(line)
            if line.startswith("listening"):
                return True
        self.stop(kill=True)
        return False

    def stop(self, kill: bool = False) -> None:
        if self.process is not None and self.process.poll() is None:
            if kill:
                self.process.kill()
            else:
                self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None
