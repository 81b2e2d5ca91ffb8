"""The request-head bound counts the head only, never the body that shares a read with it."""

from redgrid.platform.http_protocol import _head_part

HEAD = b"POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\n"


def test_a_read_with_head_and_body_counts_the_head_only() -> None:
    assert _head_part(b"", HEAD + b"BODY" * 30000) == len(HEAD)


def test_a_read_without_the_heads_end_counts_whole() -> None:
    assert _head_part(b"", HEAD[:20]) == 20


def test_the_heads_end_split_across_two_reads() -> None:
    for cut in (1, 2, 3):
        first, second = HEAD[: len(HEAD) - cut], HEAD[len(HEAD) - cut :] + b"BODY"
        tail = first[-3:]
        assert _head_part(tail, second) == cut
