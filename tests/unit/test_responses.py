"""The server's JSON writer: nodes that compiled pages took from PostgreSQL as JSON are pasted
in unchanged, and what it writes is text, which websockets send as text frames."""

from __future__ import annotations

import json

import orjson

from redgrid.graphql.core.fanout import RenderedData
from redgrid.graphql.core.responses import encode_json


def test_json_fragments_are_pasted_in_and_the_result_is_text():
    node = '{"address":"金水花园3号楼2单元301","members":[{"name":"李四","tags":["OVER_60"]}]}'
    body = {"data": {"households": {"edges": [{"node": orjson.Fragment(node.encode())}], "totalCount": 1}}}
    encoded = encode_json(body)
    assert isinstance(encoded, str)
    assert json.loads(encoded) == {"data": {"households": {"edges": [{"node": json.loads(node)}], "totalCount": 1}}}


def test_shared_event_renderings_are_still_pasted_into_their_envelope():
    data = RenderedData({"events": {"seq": 3}})
    message = {"id": "1", "type": "next", "payload": {"data": data}}
    assert json.loads(encode_json(message)) == {"id": "1", "type": "next", "payload": {"data": {"events": {"seq": 3}}}}


def test_what_orjson_refuses_is_written_by_json():
    # graphql-core's error for a bad enum value quotes it as the client sent it.
    message = {"errors": [{"message": "Value '\ud800' does not exist in 'Colour' enum."}], "data": None}
    assert json.loads(encode_json(message)) == message
    assert json.loads(encode_json({"data": {"big": 2**70}})) == {"data": {"big": 2**70}}
