"""Storage keys, the disk backend's writes and the S3 backend's signed URLs (signing is local:
no server is asked here; tests/integration/test_case_attachments_s3.py talks to MinIO)."""

from __future__ import annotations

import io
from urllib.parse import parse_qs, urlsplit

import pytest
from PIL import Image

from redgrid.platform.errors import InvalidInput
from redgrid.platform.settings import Settings
from redgrid.platform.storage import DiskStorage, S3Storage, new_key
from redgrid.tenants.cases.attachments import FILENAME_MAX, accept, clean_filename, stored_filename

PIXELS = 50_000_000


async def test_disk_writes_whole_files_under_made_keys_only(tmp_path):
    disk = DiskStorage(tmp_path)
    key = new_key(7)
    assert key.startswith("t7/") and key != new_key(7)
    await disk.put(key, b"bytes", "image/png")
    assert disk.path(key).read_bytes() == b"bytes"
    assert [p.name for p in disk.path(key).parent.iterdir()] == [disk.path(key).name]  # no temporary left
    await disk.delete(key)
    await disk.delete(key)  # already gone is fine
    for bad in ("../etc/passwd", "t7/202601/../../x", "/abs", "t7/202601/ABC"):
        with pytest.raises(ValueError):
            disk.path(bad)


def test_s3_signed_url_is_path_style_and_names_the_file():
    settings = Settings(
        s3_endpoint_url="http://127.0.0.1:9", s3_bucket="photos", s3_access_key_id="k", s3_secret_access_key="s"
    )
    key = new_key(3)
    url = S3Storage(settings).presigned_url(key, filename="现场 1.jpg", content_type="image/jpeg")
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    assert parts.netloc == "127.0.0.1:9" and parts.path == f"/photos/{key}"
    assert query["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"] and query["X-Amz-Expires"] == ["300"]
    assert query["response-content-disposition"] == ["inline; filename*=UTF-8''%E7%8E%B0%E5%9C%BA%201.jpg"]


def test_s3_settings_need_a_bucket():
    with pytest.raises(ValueError, match="REDGRID_S3_BUCKET"):
        Settings(s3_endpoint_url="http://127.0.0.1:9")


def test_types_come_from_the_bytes():
    for fmt, expected in (("JPEG", "image/jpeg"), ("PNG", "image/png"), ("WEBP", "image/webp")):
        buffer = io.BytesIO()
        Image.new("RGB", (5, 3)).save(buffer, format=fmt)
        photo = accept(buffer.getvalue(), PIXELS)  # re-encoded without metadata, in its own type
        assert (photo.content_type, photo.width, photo.height, photo.converted) == (expected, 5, 3, False)
    for bad in (
        b"",
        b"hello",
        b"\x89PNG\r\n\x1a\n" + b"\x00" * 40,
        b"RIFF\x00\x00\x00\x00WEBPjunk",
        b"\x00\x00\x00\x1cftypheic" + b"\x00" * 40,
    ):
        with pytest.raises(InvalidInput):
            accept(bad, PIXELS)
    assert clean_filename("C:\\photos\\..\\现场\x00.jpg") == "现场.jpg" and clean_filename("") == "photo"


def test_heic_is_stored_as_an_upright_jpeg_without_its_metadata():
    """An iPhone photo held sideways: 40 wide, 30 high, EXIF orientation 6 (turn right)."""
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation
    exif[0x010F] = "Apple"  # Make: metadata that must not survive
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(buffer, format="HEIF", exif=exif.tobytes())
    photo = accept(buffer.getvalue(), PIXELS)
    assert (photo.content_type, photo.width, photo.height) == ("image/jpeg", 30, 40)
    with Image.open(io.BytesIO(photo.data)) as stored:
        assert stored.format == "JPEG" and stored.size == (30, 40) and not stored.getexif()
        red, green, _ = stored.getpixel((15, 20))
        assert red > 150 and green < 80
    assert stored_filename("IMG_0001.HEIC", photo) == "IMG_0001.jpg"
    assert stored_filename("现场.png", photo) == "现场.jpg" and stored_filename("现场", photo) == "现场.jpg"
    assert stored_filename("现场.png", accept(photo.data, PIXELS)) == "现场.png"  # a JPEG sent as JPEG keeps its name
    for long in ("长" * 300, "a" * 252 + ".xy"):  # still within the column once .jpg is added
        assert len(stored_filename(long, photo)) == FILENAME_MAX and stored_filename(long, photo).endswith(".jpg")


def test_a_heic_of_too_many_pixels_is_refused_before_decoding():
    """Pixels, not bytes, cost memory when decoding: a small file may hold a huge picture."""
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30)).save(buffer, format="HEIF")
    with pytest.raises(InvalidInput, match="megapixels"):
        accept(buffer.getvalue(), 40 * 30 - 1)


def test_delete_objects_carries_a_content_md5_for_the_compatibles_that_want_one():
    """botocore >= 1.36 sends only a CRC32 with DeleteObjects; older MinIO, Ceph RGW and others
    refuse it without Content-MD5 (the pinned test MinIO takes either, so it cannot show this)."""
    from redgrid.platform.storage import _content_md5

    params = {"body": b"<Delete><Quiet>true</Quiet></Delete>", "headers": {}}
    _content_md5(params)
    assert params["headers"]["Content-MD5"] == "l/kaH4kX+6APpvyDt6+W2w=="
