"""Case photos in a real S3-compatible server (MinIO), with a second API server configured for
it. deploy/test.sh builds the pinned MinIO once (deploy/tools/install-minio.sh) and gives its
path in REDGRID_TEST_MINIO_BIN; this module starts it on a free port."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator

import boto3
import httpx
import pytest
from botocore.config import Config

from .attachments_api import added, fetch, photo
from .cases_api import report
from .conftest import LiveServer, free_port

MINIO = os.environ.get("REDGRID_TEST_MINIO_BIN") or shutil.which("minio")
KEY, SECRET, BUCKET = "redgrid-test", "redgrid-test-secret", "redgrid-photos"


@pytest.fixture(scope="module")
def minio(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    # Like the other services, a missing MinIO fails the run: deploy/test.sh provides one.
    assert MINIO, (
        "no MinIO binary: run through `bash deploy/test.sh` (deploy/tools/install-minio.sh) or set "
        "REDGRID_TEST_MINIO_BIN"
    )
    port, console = free_port(), free_port()
    url = f"http://127.0.0.1:{port}"
    data = tmp_path_factory.mktemp("minio")
    process = subprocess.Popen(
        [
            str(MINIO),
            "server",
            str(data),
            "--address",
            f"127.0.0.1:{port}",
            "--console-address",
            f"127.0.0.1:{console}",
        ],
        env={**os.environ, "MINIO_ROOT_USER": KEY, "MINIO_ROOT_PASSWORD": SECRET},
        stdout=(data.parent / "minio.log").open("w"),
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/minio/health/live", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline and process.poll() is None, "MinIO did not start"
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture(scope="module")
def bucket(minio: str):
    s3 = boto3.resource(
        "s3",
        endpoint_url=minio,
        aws_access_key_id=KEY,
        aws_secret_access_key=SECRET,
        region_name="us-east-1",
        config=Config(s3={"addressing_style": "path"}),
    )
    created = s3.create_bucket(Bucket=BUCKET)
    return created


@pytest.fixture(scope="module")
def s3_server(fresh_database, minio, bucket) -> Iterator[LiveServer]:
    server = LiveServer(
        {
            **fresh_database,
            "REDGRID_S3_ENDPOINT_URL": minio,
            "REDGRID_S3_BUCKET": BUCKET,
            "REDGRID_S3_ACCESS_KEY_ID": KEY,
            "REDGRID_S3_SECRET_ACCESS_KEY": SECRET,
        }
    )
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()


async def test_photos_go_to_the_bucket_and_download_by_a_signed_redirect(s3_server, bucket, tokens):
    case = await report(s3_server, tokens)
    jpeg = photo("JPEG")
    meta = (await added(s3_server, tokens["grid-worker"], case["id"], jpeg))["attachment"]
    keys = [o.key for o in bucket.objects.all()]
    assert len(keys) == 1 and keys[0].startswith("t") and bucket.Object(keys[0]).get()["Body"].read() == jpeg

    redirect = await fetch(s3_server, tokens["secretary"], meta["url"])
    assert redirect.status_code == 307 and "X-Amz-Signature=" in redirect.headers["location"]
    async with httpx.AsyncClient(timeout=30) as client:
        signed = await client.get(redirect.headers["location"])  # no bearer token: the signature is the right
    assert signed.status_code == 200 and signed.content == jpeg
    assert signed.headers["content-type"] == "image/jpeg"
    assert (await fetch(s3_server, tokens["hushu-secretary"], meta["url"])).status_code == 404

    refused = await added(s3_server, tokens["grid-worker"], case["id"], b"not a photo" * 10, filename="x.jpg")
    assert refused["errors"][0]["code"] == "UNSUPPORTED_TYPE"
    assert [o.key for o in bucket.objects.all()] == keys  # nothing more in the bucket


async def test_the_sweep_empties_the_bucket_of_orphans_only(s3_server, bucket, minio, tokens, db, monkeypatch, street):
    from datetime import timedelta

    from redgrid.platform import storage
    from redgrid.platform.models import Tenant
    from redgrid.platform.settings import Settings
    from redgrid.platform.storage import S3Storage
    from redgrid.tenants.cases.attachments import sweep_orphans

    case = await report(s3_server, tokens)
    assert (await added(s3_server, tokens["grid-worker"], case["id"], photo()))["errors"] == []
    tenant = await Tenant.get(slug=street.slug)
    orphans = [f"t{tenant.id}/202001/{str(i) * 32}" for i in range(5)]
    for orphan in orphans:
        bucket.put_object(Key=orphan, Body=photo())
    referred = {o.key for o in bucket.objects.all()} - set(orphans)
    store = S3Storage(
        Settings(s3_bucket=BUCKET, s3_endpoint_url=minio, s3_access_key_id=KEY, s3_secret_access_key=SECRET)
    )
    monkeypatch.setattr(storage, "S3_DELETE_BATCH", 2)
    requests = []
    delete_objects = store.client.delete_objects
    monkeypatch.setattr(store.client, "delete_objects", lambda **kw: requests.append(kw) or delete_objects(**kw))
    md5s = []  # as sent: S3-compatibles that refuse a CRC32 alone want it (see storage._content_md5)
    store.client.meta.events.register(
        "before-send.s3.DeleteObjects", lambda request, **_: md5s.append(request.headers.get("Content-MD5"))
    )

    assert (await sweep_orphans(store, timedelta(hours=1))).removed == 0  # all too young to judge
    assert (await sweep_orphans(store, timedelta(0))).removed == 5
    assert {o.key for o in bucket.objects.all()} == referred
    assert [len(r["Delete"]["Objects"]) for r in requests] == [2, 2, 1]
    assert len(md5s) == 3 and all(md5s)
