"""Real object-store servers on loopback for the evidence-store tests, started once per session.

- S3: moto in server mode (``ThreadedMotoServer``, the ``moto[server]`` package from requirements-dev.txt),
  a real HTTP server speaking the S3 protocol in a thread of the test process.
- Azure Blob: Azurite, Azure's own storage emulator, from npm. It is installed into ``tools/azurite``
  (package.json and package-lock.json committed, node_modules ignored) by ``make test`` or, when missing,
  by the fixture (``npm ci``); the tests are skipped, with the reason, only when that cannot be done.

Import the fixtures into a conftest: ``from tests.objectstores import azurite, s3_server  # noqa: F401``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import free_port

ROOT = Path(__file__).resolve().parent.parent
AZURITE_FOLDER = ROOT / "tools" / "azurite"
AZURITE_BIN = AZURITE_FOLDER / "node_modules" / ".bin" / "azurite-blob"
# Azurite's well-known development account (documented by Microsoft; not a secret).
AZURITE_ACCOUNT = "devstoreaccount1"
AZURITE_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
# moto accepts any credentials; boto3 reads these from the environment (its standard chain).
S3_ENVIRONMENT = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "ap-northeast-1",
}


@dataclass(frozen=True)
class S3Server:
    endpoint_url: str

    def new_bucket(self) -> str:
        """A fresh, empty bucket's name."""
        import boto3

        name = f"evidence-{uuid.uuid4().hex[:12]}"
        client = boto3.client("s3", endpoint_url=self.endpoint_url, region_name=S3_ENVIRONMENT["AWS_DEFAULT_REGION"])
        client.create_bucket(
            Bucket=name, CreateBucketConfiguration={"LocationConstraint": S3_ENVIRONMENT["AWS_DEFAULT_REGION"]}
        )
        return name

    def config(self, bucket: str, prefix: str = "evidence") -> dict[str, str]:
        """The app's settings for a store in ``bucket``."""
        return {
            "EVIDENCE_S3_BUCKET": bucket,
            "EVIDENCE_S3_PREFIX": prefix,
            "EVIDENCE_S3_ENDPOINT_URL": self.endpoint_url,
            "EVIDENCE_S3_REGION": S3_ENVIRONMENT["AWS_DEFAULT_REGION"],
        }


@dataclass(frozen=True)
class AzuriteServer:
    connection_string: str

    def new_container(self) -> str:
        """A fresh, empty container's name."""
        from azure.storage.blob import BlobServiceClient

        name = f"evidence-{uuid.uuid4().hex[:12]}"
        BlobServiceClient.from_connection_string(self.connection_string).create_container(name)
        return name

    def config(self, container: str, prefix: str = "evidence") -> dict[str, str]:
        return {
            "EVIDENCE_AZURE_CONTAINER": container,
            "EVIDENCE_AZURE_PREFIX": prefix,
            "AZURE_STORAGE_CONNECTION_STRING": self.connection_string,
        }


@pytest.fixture(scope="session")
def s3_server():
    """moto's S3 server on a loopback port, with test credentials in the environment."""
    from moto.server import ThreadedMotoServer

    saved = {name: os.environ.get(name) for name in S3_ENVIRONMENT}
    os.environ.update(S3_ENVIRONMENT)
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield S3Server(f"http://127.0.0.1:{port}")
    finally:
        server.stop()
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def ensure_azurite() -> str | None:
    """Install Azurite from the lock file when it is missing; the reason when that cannot be done."""
    if AZURITE_BIN.exists():
        return None
    npm = shutil.which("npm")
    if npm is None or shutil.which("node") is None:
        return "Azurite (npm package) is not installed and node/npm are not available to install it"
    try:
        subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=AZURITE_FOLDER, check=True, capture_output=True, timeout=600,
        )
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as error:
        output = getattr(error, "stderr", b"") or b""
        return f"Azurite could not be installed with npm ci: {error} {output.decode(errors='replace')[-500:]}"
    return None if AZURITE_BIN.exists() else "npm ci did not install Azurite"


@pytest.fixture(scope="session")
def azurite(tmp_path_factory):
    """Azurite's blob service on a loopback port, its data in a temporary folder."""
    reason = ensure_azurite()
    if reason:
        pytest.skip(reason)
    port = free_port()
    folder = tmp_path_factory.mktemp("azurite")
    log = (folder / "azurite.log").open("wb")
    process = subprocess.Popen(
        [str(AZURITE_BIN), "--blobHost", "127.0.0.1", "--blobPort", str(port), "--location", str(folder),
         "--skipApiVersionCheck", "--loose"],
        stdout=log, stderr=subprocess.STDOUT,
    )
    try:
        _wait_for_port(port, process, folder / "azurite.log")
        yield AzuriteServer(
            f"DefaultEndpointsProtocol=http;AccountName={AZURITE_ACCOUNT};AccountKey={AZURITE_KEY};"
            f"BlobEndpoint=http://127.0.0.1:{port}/{AZURITE_ACCOUNT};"
        )
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def _wait_for_port(port: int, process: subprocess.Popen, log: Path, seconds: float = 60) -> None:
    import socket

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:  # e.g. a Node.js too old for it
            pytest.skip(f"Azurite is installed but did not start: {log.read_text(errors='replace')[-1000:]}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise RuntimeError(f"Azurite did not listen on {port} within {seconds} s")
