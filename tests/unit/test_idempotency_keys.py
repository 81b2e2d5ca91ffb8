"""The Idempotency-Key header's shape and the request digest a key is bound to."""

from __future__ import annotations

import io

from starlette.datastructures import UploadFile

from redgrid.graphql.core.idempotency import request_hash
from redgrid.platform.idempotency import caller_key, key_problem


def test_keys_are_1_to_64_url_safe_characters():
    for good in ("a", "A-z_09", "x" * 64, "0b7c4e0e-8f5c-4f7e-9d4b-0c1f5e2a9b3d"):
        assert key_problem(good) is None
    for bad in ("", "x" * 65, "has space", "中文", "a/b", "a\n", "a.b"):
        assert key_problem(bad) is not None


def test_a_long_subject_is_stored_as_its_digest():
    assert caller_key("f" * 36) == "f" * 36
    assert len(caller_key("s" * 200)) == 64


async def test_the_digest_covers_document_variables_and_file_bytes():
    base = await request_hash("mutation { a }", None, {"x": 1, "y": [1, 2]})
    assert base == await request_hash("mutation { a }", None, {"y": [1, 2], "x": 1})  # key order
    assert base != await request_hash("mutation { b }", None, {"x": 1, "y": [1, 2]})
    assert base != await request_hash("mutation { a }", "Named", {"x": 1, "y": [1, 2]})
    assert base != await request_hash("mutation { a }", None, {"x": 2, "y": [1, 2]})

    def upload(data: bytes) -> UploadFile:
        return UploadFile(io.BytesIO(data), filename="p.jpg")

    one = upload(b"photo-one")
    first = await request_hash("mutation", None, {"file": one})
    assert await one.read() == b"photo-one"  # rewound for the resolver
    assert first == await request_hash("mutation", None, {"file": upload(b"photo-one")})
    assert first != await request_hash("mutation", None, {"file": upload(b"photo-two")})
