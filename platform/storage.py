"""Where uploaded files live: a directory on disk by default, an S3-compatible bucket when one is
configured (REDGRID_S3_*). Keys are made here, never from what a client sent, so no upload can
name a path or overwrite another.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import os
import re
import tempfile
import uuid
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import quote

from starlette.responses import FileResponse, RedirectResponse, Response

from redgrid.platform.settings import Settings, get_settings

KEY = re.compile(r"^t\d+/\d{6}/[0-9a-f]{32}$")
PRESIGNED_SECONDS = 300
PARTIAL_PREFIX = ".upload-"  # a photo being written, renamed to its key once whole
S3_DELETE_BATCH = 1000  # keys per DeleteObjects request: S3's limit


def new_key(tenant_id: int) -> str:
    """A fresh key: the tenant, the month (so no directory grows without bound), a random name."""
    return f"t{tenant_id}/{datetime.now(UTC):%Y%m}/{uuid.uuid4().hex}"


def _checked(key: str) -> str:
    if not KEY.match(key):
        raise ValueError(f"not a storage key: {key!r}")
    return key


def content_disposition(filename: str) -> str:
    """`inline`, with the original name in RFC 6266's UTF-8 form (names are often Chinese)."""
    return f"inline; filename*=UTF-8''{quote(filename, safe='')}"


class Storage(Protocol):
    async def put(self, key: str, data: bytes, content_type: str) -> None: ...

    async def delete(self, *keys: str) -> None:
        """Remove the objects; one already gone is not an error."""

    async def stored_before(self, cutoff: datetime) -> list[str]:
        """The keys of every object last written before `cutoff`."""

    async def discard_partial_writes(self, cutoff: datetime, *, dry_run: bool = False) -> int:
        """Remove what a crash in the middle of a `put` before `cutoff` left (only count it with
        `dry_run`); returns how many."""

    def download(self, key: str, *, filename: str, content_type: str) -> Response:
        """The HTTP answer that hands the object to an already authorised caller."""


class DiskStorage:
    """Files under one directory (a shared volume when there are several replicas)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, key: str) -> Path:
        return self.root / _checked(key)

    async def put(self, key: str, data: bytes, content_type: str) -> None:
        await asyncio.to_thread(self._write, self.path(key), data)

    @staticmethod
    def _write(path: Path, data: bytes) -> None:
        """Into a temporary file beside the target, synced, then renamed over it: a crash
        leaves the whole file or none, never half of one under the key."""
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=PARTIAL_PREFIX)
        try:
            with os.fdopen(fd, "wb") as file:
                file.write(data)
                file.flush()
                os.fsync(file.fileno())
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        directory = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(directory)  # the rename itself survives a power cut
        finally:
            os.close(directory)

    async def delete(self, *keys: str) -> None:
        paths = [self.path(key) for key in keys]

        def unlink() -> None:
            for path in paths:
                path.unlink(missing_ok=True)

        await asyncio.to_thread(unlink)

    async def stored_before(self, cutoff: datetime) -> list[str]:
        return await asyncio.to_thread(self._stored_before, cutoff.timestamp())

    def _stored_before(self, cutoff: float) -> list[str]:
        keys = (path.relative_to(self.root).as_posix() for path in self._older("t*/*/*", cutoff))
        return [key for key in keys if KEY.match(key)]

    async def discard_partial_writes(self, cutoff: datetime, *, dry_run: bool = False) -> int:
        return await asyncio.to_thread(self._discard_partial_writes, cutoff.timestamp(), dry_run)

    def _discard_partial_writes(self, cutoff: float, dry_run: bool) -> int:
        partial = self._older(f"t*/*/{PARTIAL_PREFIX}*", cutoff)
        if not dry_run:
            for path in partial:
                path.unlink(missing_ok=True)
        return len(partial)

    def _older(self, pattern: str, cutoff: float) -> list[Path]:
        """The files under the root matching `pattern` last written before `cutoff`; one
        removed while we look (a refused upload) is skipped."""
        found = []
        for path in self.root.glob(pattern):
            try:
                if path.stat().st_mtime < cutoff:
                    found.append(path)
            except FileNotFoundError:
                continue
        return found

    def download(self, key: str, *, filename: str, content_type: str) -> Response:
        return FileResponse(
            self.path(key),
            media_type=content_type,
            headers={"Content-Disposition": content_disposition(filename), "X-Content-Type-Options": "nosniff"},
        )


class S3Storage:
    """Objects in one bucket of an S3-compatible service. boto3 is synchronous: its calls run
    in worker threads (one client, which boto3 documents as thread-safe)."""

    def __init__(self, settings: Settings, client: Any | None = None) -> None:
        self.bucket = settings.s3_bucket
        self.client = client or _s3_client(settings)

    async def put(self, key: str, data: bytes, content_type: str) -> None:
        await asyncio.to_thread(
            self.client.put_object, Bucket=self.bucket, Key=_checked(key), Body=data, ContentType=content_type
        )

    async def delete(self, *keys: str) -> None:
        """DeleteObjects, up to its 1,000 keys a request: a sweep of many orphans is a few calls."""
        checked = [_checked(key) for key in keys]
        for start in range(0, len(checked), S3_DELETE_BATCH):
            batch = [{"Key": key} for key in checked[start : start + S3_DELETE_BATCH]]
            answer = await asyncio.to_thread(
                self.client.delete_objects, Bucket=self.bucket, Delete={"Objects": batch, "Quiet": True}
            )
            if errors := answer.get("Errors"):
                first = errors[0]
                raise RuntimeError(
                    f"S3 kept {len(errors)} of {len(batch)} objects; "
                    f"{first.get('Key')}: {first.get('Code')} {first.get('Message')}"
                )

    async def stored_before(self, cutoff: datetime) -> list[str]:
        return await asyncio.to_thread(self._stored_before, cutoff)

    async def discard_partial_writes(self, cutoff: datetime, *, dry_run: bool = False) -> int:
        return 0  # a PutObject is whole or absent

    def _stored_before(self, cutoff: datetime) -> list[str]:
        keys = []
        for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix="t"):
            keys += [o["Key"] for o in page.get("Contents", ()) if KEY.match(o["Key"]) and o["LastModified"] < cutoff]
        return keys

    def presigned_url(self, key: str, *, filename: str, content_type: str) -> str:
        """A short-lived GET link; it only signs locally, no request is made."""
        return self.client.generate_presigned_url(
            "get_object",
            Params={
                "Bucket": self.bucket,
                "Key": _checked(key),
                "ResponseContentType": content_type,
                "ResponseContentDisposition": content_disposition(filename),
            },
            ExpiresIn=PRESIGNED_SECONDS,
        )

    def download(self, key: str, *, filename: str, content_type: str) -> Response:
        url = self.presigned_url(key, filename=filename, content_type=content_type)
        return RedirectResponse(url, status_code=307, headers={"Cache-Control": "no-store"})


def _s3_client(settings: Settings) -> Any:
    import boto3
    from botocore.config import Config

    client = boto3.client(
        "s3",
        endpoint_url=settings.s3_endpoint_url or None,
        region_name=settings.s3_region,
        aws_access_key_id=settings.s3_access_key_id or None,
        aws_secret_access_key=settings.s3_secret_access_key or None,
        # Path-style addressing and SigV4: what MinIO, Ceph and the other compatibles take.
        config=Config(signature_version="s3v4", s3={"addressing_style": "path"}, retries={"mode": "standard"}),
    )
    client.meta.events.register("before-call.s3.DeleteObjects", _content_md5)
    return client


def _content_md5(params: dict[str, Any], **_: Any) -> None:
    """DeleteObjects must carry a checksum: botocore >= 1.36 sends only CRC32, which older
    MinIO, Ceph RGW and other compatibles refuse (MissingContentMD5). S3 checks both."""
    body = params["body"]
    body = body.encode() if isinstance(body, str) else body
    params["headers"]["Content-MD5"] = base64.b64encode(hashlib.md5(body, usedforsecurity=False).digest()).decode()


def build_storage(settings: Settings) -> Storage:
    if settings.s3_bucket:
        return S3Storage(settings)
    return DiskStorage(settings.effective_attachments_dir)


@lru_cache
def storage() -> Storage:
    """The process's storage, from its settings."""
    return build_storage(get_settings())
