"""Where evidence bytes are kept: a local folder (the default), an S3-compatible bucket or an Azure Blob container.

Every store keeps a blob under its SHA-256 (``<prefix>ab/cd/<sha256>``), writes it once and never overwrites
it, and moves bytes in chunks both ways: ``put`` reads from a file handle (the upload spooled to a temporary
file), ``open`` returns a readable handle on the stored bytes. The object stores are reached through their
vendors' client libraries (boto3, azure-storage-blob), imported only when configured; their credentials come
from each vendor's standard chain (environment, profile or instance role; ``DefaultAzureCredential``).

The store is picked by ``EVIDENCE_STORE`` (``local``, ``s3``, ``azure``); README lists the other settings.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, Protocol

from flask import current_app

CHUNK = 1024 * 1024
KINDS = ("local", "s3", "azure")
SHA256_NAME = re.compile(r"^[0-9a-f]{64}$")


class StoreError(RuntimeError):
    """The store is misconfigured or cannot be reached; the message says what to set."""


@dataclass(frozen=True)
class StoredBlob:
    """One blob found in a store: its SHA-256 name, size and when it was written (UTC)."""

    sha256: str
    size: int
    modified: datetime


class EvidenceStore(Protocol):
    """What every store offers."""

    kind: str

    def describe(self) -> str: ...
    def size_of(self, sha256: str) -> int | None: ...
    def put(self, sha256: str, source: IO[bytes], size: int) -> bool: ...
    def open(self, sha256: str) -> IO[bytes]: ...
    def list(self) -> Iterator[StoredBlob]: ...
    def delete(self, sha256: str) -> None: ...


def blob_name(sha256: str) -> str:
    """``ab/cd/<sha256>``: the blob's name below the store's folder or prefix."""
    if not SHA256_NAME.match(sha256 or ""):
        raise ValueError(f"not a SHA-256: {sha256!r}")
    return f"{sha256[:2]}/{sha256[2:4]}/{sha256}"


def _sha_of(name: str) -> str | None:
    last = name.rsplit("/", 1)[-1]
    return last if SHA256_NAME.match(last) else None


def sha256_of(handle: IO[bytes]) -> tuple[str, int]:
    """The SHA-256 and size of what ``handle`` reads, read in chunks."""
    digest, size = hashlib.sha256(), 0
    while chunk := handle.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
    return digest.hexdigest(), size


# --- local folder ----------------------------------------------------------------------------------


class LocalStore:
    """Blobs as files under a folder (``UPLOAD_FOLDER``), each written to a temporary name and renamed."""

    kind = "local"

    def __init__(self, folder: str | os.PathLike[str]) -> None:
        self.folder = Path(folder)

    def describe(self) -> str:
        return f"local folder {self.folder}"

    def path(self, sha256: str) -> Path:
        return self.folder / blob_name(sha256)

    def size_of(self, sha256: str) -> int | None:
        path = self.path(sha256)
        return path.stat().st_size if path.is_file() else None

    def put(self, sha256: str, source: IO[bytes], size: int) -> bool:
        path = self.path(sha256)
        if path.is_file():  # written once, never overwritten
            return False
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
        try:
            with os.fdopen(handle, "wb") as stream:
                shutil.copyfileobj(source, stream, CHUNK)
            os.chmod(temporary, 0o640)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return True

    def open(self, sha256: str) -> IO[bytes]:
        return self.path(sha256).open("rb")

    def list(self) -> Iterator[StoredBlob]:
        if not self.folder.is_dir():
            return
        for path in sorted(self.folder.glob("??/??/*")):
            sha256 = _sha_of(path.name)
            if sha256 and path.is_file():
                stat = path.stat()
                yield StoredBlob(sha256, stat.st_size, datetime.fromtimestamp(stat.st_mtime, UTC))

    def delete(self, sha256: str) -> None:
        self.path(sha256).unlink(missing_ok=True)


# --- S3 and S3-compatible stores -------------------------------------------------------------------


class S3Store:
    """Blobs as objects in an S3 bucket (AWS or any S3-compatible store at ``endpoint_url``)."""

    kind = "s3"

    def __init__(
        self,
        bucket: str,
        prefix: str = "",
        *,
        region: str | None = None,
        endpoint_url: str | None = None,
        sse: str | None = None,
        kms_key_id: str | None = None,
        client: Any = None,
    ) -> None:
        if not bucket:
            raise StoreError("EVIDENCE_STORE=s3 needs EVIDENCE_S3_BUCKET.")
        self.bucket, self.prefix = bucket, _prefix(prefix)
        self.extra: dict[str, str] = {}
        if sse:
            self.extra["ServerSideEncryption"] = sse
            if kms_key_id:
                self.extra["SSEKMSKeyId"] = kms_key_id
        if client is None:
            import boto3  # only when an S3 store is configured
            from botocore.config import Config as BotoConfig

            client = boto3.client(
                "s3",
                region_name=region or None,
                endpoint_url=endpoint_url or None,
                config=BotoConfig(retries={"mode": "standard"}),
            )
        self.client = client

    def describe(self) -> str:
        return f"S3 bucket {self.bucket} prefix {self.prefix!r}"

    def key(self, sha256: str) -> str:
        return self.prefix + blob_name(sha256)

    def size_of(self, sha256: str) -> int | None:
        from botocore.exceptions import ClientError

        try:
            return int(self.client.head_object(Bucket=self.bucket, Key=self.key(sha256))["ContentLength"])
        except ClientError as error:
            if _code(error) in {"404", "NoSuchKey", "NotFound"}:
                return None
            raise

    def put(self, sha256: str, source: IO[bytes], size: int) -> bool:
        # Written once: an object already there is left alone, and the write itself is conditional
        # (If-None-Match: *), so of two servers racing on the same new upload only one writes.
        from botocore.exceptions import ClientError

        if self.size_of(sha256) is not None:
            return False
        try:
            self.client.put_object(
                Bucket=self.bucket,
                Key=self.key(sha256),
                Body=source,
                ContentLength=size,
                ContentType="application/octet-stream",
                IfNoneMatch="*",
                **self.extra,
            )
        except ClientError as error:
            if _code(error) in {"PreconditionFailed", "412", "ConditionalRequestConflict", "409"}:
                return False
            raise
        return True

    def open(self, sha256: str) -> IO[bytes]:
        from botocore.exceptions import ClientError

        try:
            return self.client.get_object(Bucket=self.bucket, Key=self.key(sha256))["Body"]
        except ClientError as error:
            if _code(error) in {"404", "NoSuchKey", "NotFound"}:
                raise FileNotFoundError(sha256) from error
            raise

    def list(self) -> Iterator[StoredBlob]:
        paginator = self.client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=self.prefix):
            for item in page.get("Contents", ()):
                sha256 = _sha_of(item["Key"])
                if sha256 and item["Key"] == self.key(sha256):
                    yield StoredBlob(sha256, int(item["Size"]), item["LastModified"].astimezone(UTC))

    def delete(self, sha256: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self.key(sha256))


def _code(error: Any) -> str:
    return str(error.response.get("Error", {}).get("Code"))


# --- Azure Blob Storage ----------------------------------------------------------------------------


class AzureStore:
    """Blobs in an Azure Blob Storage container."""

    kind = "azure"

    def __init__(
        self,
        container: str,
        prefix: str = "",
        *,
        connection_string: str | None = None,
        account_url: str | None = None,
        encryption_scope: str | None = None,
        service: Any = None,
    ) -> None:
        if not container:
            raise StoreError("EVIDENCE_STORE=azure needs EVIDENCE_AZURE_CONTAINER.")
        self.container_name, self.prefix = container, _prefix(prefix)
        self.encryption_scope = encryption_scope or None
        if service is None:
            from azure.storage.blob import BlobServiceClient  # only when an Azure store is configured

            if connection_string:
                service = BlobServiceClient.from_connection_string(connection_string)
            elif account_url:
                try:
                    from azure.identity import DefaultAzureCredential
                except ImportError as error:
                    raise StoreError(
                        "EVIDENCE_AZURE_ACCOUNT_URL without a connection string signs in with azure-identity's "
                        "DefaultAzureCredential: pip install azure-identity, or set AZURE_STORAGE_CONNECTION_STRING."
                    ) from error
                service = BlobServiceClient(account_url, credential=DefaultAzureCredential())
            else:
                raise StoreError(
                    "EVIDENCE_STORE=azure needs AZURE_STORAGE_CONNECTION_STRING or EVIDENCE_AZURE_ACCOUNT_URL."
                )
        self.container = service.get_container_client(container)

    def describe(self) -> str:
        return f"Azure container {self.container_name} prefix {self.prefix!r}"

    def name(self, sha256: str) -> str:
        return self.prefix + blob_name(sha256)

    def size_of(self, sha256: str) -> int | None:
        from azure.core.exceptions import ResourceNotFoundError

        try:
            return int(self.container.get_blob_client(self.name(sha256)).get_blob_properties().size)
        except ResourceNotFoundError:
            return None

    def put(self, sha256: str, source: IO[bytes], size: int) -> bool:
        from azure.core.exceptions import ResourceExistsError

        options: dict[str, Any] = {"length": size, "overwrite": False, "max_concurrency": 2}
        if self.encryption_scope:
            options["encryption_scope"] = self.encryption_scope
        try:  # the service refuses to overwrite: written once
            self.container.get_blob_client(self.name(sha256)).upload_blob(source, **options)
        except ResourceExistsError:
            return False
        return True

    def open(self, sha256: str) -> IO[bytes]:
        from azure.core.exceptions import ResourceNotFoundError

        try:
            downloader = self.container.get_blob_client(self.name(sha256)).download_blob()
        except ResourceNotFoundError as error:
            raise FileNotFoundError(sha256) from error
        return _ChunkReader(downloader.chunks())

    def list(self) -> Iterator[StoredBlob]:
        for item in self.container.list_blobs(name_starts_with=self.prefix or None):
            sha256 = _sha_of(item.name)
            if sha256 and item.name == self.name(sha256):
                yield StoredBlob(sha256, int(item.size), item.last_modified.astimezone(UTC))

    def delete(self, sha256: str) -> None:
        self.container.delete_blob(self.name(sha256))


class _ChunkReader:
    """A read-only file-like object over an iterator of byte chunks."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = iter(chunks)
        self._buffer = b""

    def read(self, size: int = -1) -> bytes:
        while size < 0 or len(self._buffer) < size:
            chunk = next(self._chunks, None)
            if chunk is None:
                break
            self._buffer += chunk
        if size < 0:
            data, self._buffer = self._buffer, b""
        else:
            data, self._buffer = self._buffer[:size], self._buffer[size:]
        return data

    def close(self) -> None:
        self._chunks = iter(())

    def __enter__(self) -> _ChunkReader:
        return self

    def __exit__(self, *_exc) -> None:
        self.close()


# --- choosing a store ------------------------------------------------------------------------------


def _prefix(prefix: str | None) -> str:
    prefix = (prefix or "").strip("/")
    return f"{prefix}/" if prefix else ""


def store_for(kind: str, config: Mapping[str, Any]) -> EvidenceStore:
    """The store of ``kind`` (``local``, ``s3``, ``azure``) as the configuration describes it."""
    if kind == "local":
        return LocalStore(config["UPLOAD_FOLDER"])
    if kind == "s3":
        return S3Store(
            config.get("EVIDENCE_S3_BUCKET", ""),
            config.get("EVIDENCE_S3_PREFIX", ""),
            region=config.get("EVIDENCE_S3_REGION"),
            endpoint_url=config.get("EVIDENCE_S3_ENDPOINT_URL"),
            sse=config.get("EVIDENCE_S3_SSE"),
            kms_key_id=config.get("EVIDENCE_S3_KMS_KEY_ID"),
        )
    if kind == "azure":
        return AzureStore(
            config.get("EVIDENCE_AZURE_CONTAINER", ""),
            config.get("EVIDENCE_AZURE_PREFIX", ""),
            connection_string=config.get("AZURE_STORAGE_CONNECTION_STRING"),
            account_url=config.get("EVIDENCE_AZURE_ACCOUNT_URL"),
            encryption_scope=config.get("EVIDENCE_AZURE_ENCRYPTION_SCOPE"),
        )
    raise StoreError(f"EVIDENCE_STORE must be one of {', '.join(KINDS)}, got {kind!r}.")


_EXTENSION_KEY = "oversight_evidence_store"


def current_store() -> EvidenceStore:
    """The app's configured store (``EVIDENCE_STORE``), made once per app and process."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    kind = app.config.get("EVIDENCE_STORE", "local") or "local"
    if kind == "local":  # nothing to keep: the folder is read from the configuration each time
        return LocalStore(app.config["UPLOAD_FOLDER"])
    store = app.extensions.get(_EXTENSION_KEY)
    if store is None:
        store = store_for(kind, app.config)
        app.extensions[_EXTENSION_KEY] = store
    return store


def reset_store() -> None:
    """Forget the app's store (tests that change the configuration)."""
    current_app.extensions.pop(_EXTENSION_KEY, None)
