"""The streaming fast paths give what the slow paths gave (issue 20).

`parse_event` builds plain text / arguments deltas without pydantic's union, the SSE
decoder frames a chunk lazily, and the accumulator joins text fragments late and
copies a `step.start` step only when it changes it. Each is checked against the
general path it shortcuts, on generated input. Private imports: these are pure
pieces users reach through `AsyncInteractionStream`.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from agentloop._wire.accumulate import InteractionAccumulator
from agentloop._wire.events import _event_adapter, _json_loader, _plain_delta, parse_event
from agentloop._wire.sse import SSEDecoder
from agentloop.types import ModelOutputStep, StepStartEvent, TextContent

LOADERS = (_json_loader(), _json_loader(use_orjson=False))
"""orjson's (when installed, as in the dev venv) and the standard library's."""
JSON_SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text()


def slow_parse(data: str) -> Any:
    return _event_adapter().validate_json(data)


def same_event(fast: Any, slow: Any) -> None:
    assert type(fast) is type(slow)
    assert fast == slow
    assert fast.model_fields_set == slow.model_fields_set
    assert fast.model_extra == slow.model_extra
    assert type(fast.event_type) is type(slow.event_type)
    assert type(fast.delta) is type(slow.delta)
    assert fast.delta.model_fields_set == slow.delta.model_fields_set
    assert fast.delta.model_extra == slow.delta.model_extra
    assert fast.to_dict() == slow.to_dict()
    assert fast.model_dump_json() == slow.model_dump_json()


@settings(max_examples=300, deadline=None)
@given(
    kind=st.sampled_from(["text", "arguments_delta"]),
    fragment=st.text() | JSON_SCALARS,
    index=st.integers(-5, 2**70) | JSON_SCALARS,
    event_id=st.none() | st.text(max_size=8) | st.integers(),
    drop=st.sets(st.sampled_from(["event_id", "index", "fragment", "delta_type", "delta"])),
    extra_event=st.none() | st.dictionaries(st.text(max_size=5), JSON_SCALARS, max_size=2),
    extra_delta=st.none() | st.dictionaries(st.text(max_size=5), JSON_SCALARS, max_size=2),
    ascii_only=st.booleans(),
)
def test_plain_deltas_parse_as_the_union_does(
    kind: str,
    fragment: Any,
    index: Any,
    event_id: Any,
    drop: set[str],
    extra_event: dict[str, Any] | None,
    extra_delta: dict[str, Any] | None,
    ascii_only: bool,
) -> None:
    field = "text" if kind == "text" else "arguments"
    delta: dict[str, Any] = {} if "delta_type" in drop else {"type": kind}
    if "fragment" not in drop:
        delta[field] = fragment
    delta |= extra_delta or {}
    event: dict[str, Any] = {"event_type": "step.delta"}
    if "delta" not in drop:
        event["delta"] = delta
    if "index" not in drop:
        event["index"] = index
    if "event_id" not in drop:
        event["event_id"] = event_id
    event = {**(extra_event or {}), **event}
    data = json.dumps(event, ensure_ascii=ascii_only)
    try:
        slow = slow_parse(data)
    except ValueError:
        slow = None
    for loads in LOADERS:
        fast = _plain_delta(data, loads)
        if fast is not None:
            assert slow is not None, "the fast path accepted what pydantic rejects"
            same_event(fast, slow)
    if slow is not None:
        same_event(parse_event(data), slow)
        same_event(parse_event(data.encode()), slow)


def test_the_fast_path_takes_the_common_shapes_and_nothing_else() -> None:
    text = (
        '{"event_type":"step.delta","index":1,'
        '"delta":{"type":"text","text":"It is"},"event_id":"e.3"}'
    )
    arguments = (
        '{"event_type":"step.delta","index":0,'
        '"delta":{"type":"arguments_delta","arguments":"{\\"a\\""}}'
    )
    for loads in LOADERS:
        assert _plain_delta(text, loads) is not None
        assert _plain_delta(arguments, loads) is not None
    # The standard library's json takes a lone surrogate pydantic rejects: with it,
    # any `\\u` escape goes the slow way.
    escaped = '{"event_type":"step.delta","index":1,"delta":{"type":"text","text":"\\u00e9"}}'
    assert _plain_delta(escaped, LOADERS[1]) is None
    same_event(parse_event(escaped), slow_parse(escaped))
    for other in (
        # annotations, metadata, a null id, a bool index, a legacy name, a lone surrogate
        '{"event_type":"step.delta","index":1,"delta":{"type":"text","text":"x","annotations":[]}}',
        '{"event_type":"step.delta","index":1,"metadata":{},"delta":{"type":"text","text":"x"}}',
        '{"event_type":"step.delta","index":1,"event_id":null,"delta":{"type":"text","text":"x"}}',
        '{"event_type":"step.delta","index":true,"delta":{"type":"text","text":"x"}}',
        '{"event_type":"content.delta","index":1,"delta":{"type":"text","text":"x"}}',
        '{"event_type":"step.delta","index":1,"delta":{"type":"text","text":"\\ud800"}}',
        '{"event_type":"step.delta","index":1,"delta":{"type":"text","text":"x"}',
        '{"event_type":"step.stop","index":1}',
    ):
        for loads in LOADERS:
            assert _plain_delta(other, loads) is None, other
    # Bad JSON is still pydantic's to report.
    with pytest.raises(ValidationError, match="json_invalid"):
        parse_event(
            '{"event_type":"step.delta","index":1,"delta":{"type":"text","text":"\\ud800"}}'
        )


FRAMES = [
    'event: step.delta\ndata: {"n": 1}\n\n',
    "data: a\ndata: b\n\n",
    ": comment\n\n",
    "id: 7\nretry: 50\n\n",
    "data: c\n\n",
    "event: x\nid: 8\ndata:d\n\n",
]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.sampled_from(FRAMES), max_size=8),
    st.lists(st.integers(0, 400), max_size=6),
    st.booleans(),
)
def test_lazy_framing_matches_eager_framing(frames: list[str], cuts: list[int], crlf: bool) -> None:
    body = "".join(frames)
    if crlf:
        body = body.replace("\n", "\r\n")
    raw = body.encode()
    points = sorted({cut % (len(raw) + 1) for cut in cuts})
    chunks = [raw[a:b] for a, b in zip([0, *points], [*points, len(raw)], strict=True)]
    eager, lazy = SSEDecoder(), SSEDecoder()
    expected = [(e.data, e.event, e.id, e.retry) for chunk in chunks for e in eager.feed(chunk)]
    got = []
    for chunk in chunks:
        for data in lazy.data_of(chunk):
            got.append((data, lazy.last_event, lazy.last_id, lazy.last_retry))
    assert got == expected
    assert lazy.pending_data == eager.pending_data


def test_a_chunk_is_framed_only_as_far_as_it_is_read() -> None:
    decoder = SSEDecoder()
    frames = decoder.data_of(b"data: 1\n\ndata: 2\n\ndata: 3\n\ndata: 4")
    assert next(frames) == "1"
    frames.close()  # the consumer stopped: the rest stays buffered, unframed
    assert [e.data for e in decoder.feed(b"\n\n")] == ["2", "3", "4"]


def stream(*events: str) -> list[Any]:
    return [parse_event(event) for event in events]


def test_text_fragments_join_across_steps_and_snapshots() -> None:
    events = stream(
        '{"event_type":"interaction.created","interaction":{"id":"i"}}',
        '{"event_type":"step.start","index":0,"step":{"type":"model_output","content":[{"type":"text","text":"A"}]}}',
        '{"event_type":"step.delta","index":0,"delta":{"type":"text","text":"b"}}',
        '{"event_type":"step.delta","index":1,"delta":{"type":"text","text":"X"}}',
        '{"event_type":"step.delta","index":0,"delta":{"type":"text","text":"c"}}',
        '{"event_type":"step.delta","index":0,"delta":{"type":"image","data":"aGk=","mime_type":"image/png"}}',
        '{"event_type":"step.delta","index":0,"delta":{"type":"text","text":"d"}}',
        '{"event_type":"step.delta","index":0,"delta":{"type":"text","text":"e",'
        '"annotations":[{"type":"url_citation","url":"https://x.test"}]}}',
        '{"event_type":"step.delta","index":0,"delta":{"type":"text","text":"f"}}',
    )
    accumulator = InteractionAccumulator()
    for event in events:
        accumulator.feed(event)
    middle = accumulator.snapshot()
    assert [block.to_dict() for block in middle.steps[0].content] == [  # type: ignore[union-attr]
        {"type": "text", "text": "Abc"},
        {"type": "image", "data": "aGk=", "mime_type": "image/png"},
        {
            "type": "text",
            "text": "def",
            "annotations": [{"type": "url_citation", "url": "https://x.test"}],
        },
    ]
    assert middle.steps[1].to_dict() == {  # no step.start: the delta implies the step
        "type": "model_output",
        "content": [{"type": "text", "text": "X"}],
    }
    for event in stream(
        '{"event_type":"step.delta","index":0,"delta":{"type":"text","text":"g"}}',
        '{"event_type":"step.stop","index":0}',
        '{"event_type":"interaction.completed","interaction":{"id":"i","status":"completed"}}',
    ):
        accumulator.feed(event)
    assert accumulator.snapshot().text == "AbcdefgX"


def test_the_consumers_step_start_event_is_never_changed() -> None:
    start = parse_event(
        '{"event_type":"step.start","index":0,"step":{"type":"model_output","content":[{"type":"text","text":"A"}]}}'
    )
    call = parse_event(
        '{"event_type":"step.start","index":1,"step":{"type":"function_call","id":"c","name":"f","arguments":{}}}'
    )
    before = (start.to_dict(), call.to_dict())
    accumulator = InteractionAccumulator()
    for event in [
        start,
        *stream(
            '{"event_type":"step.delta","index":0,"delta":{"type":"text","text":"b"}}',
            '{"event_type":"step.stop","index":0}',
        ),
        call,
        *stream(
            '{"event_type":"step.delta","index":1,'
            '"delta":{"type":"arguments_delta","arguments":"{\\"x\\": 1}"}}',
            '{"event_type":"step.stop","index":1}',
            '{"event_type":"interaction.completed","interaction":{"id":"i","status":"requires_action"}}',
        ),
    ]:
        accumulator.feed(event)
    final = accumulator.snapshot()
    assert (start.to_dict(), call.to_dict()) == before
    assert isinstance(start, StepStartEvent)
    assert final.steps[0] is not start.step
    assert isinstance(final.steps[0], ModelOutputStep)
    assert final.steps[0].content == [TextContent(text="Ab")]
    assert final.function_calls[0].arguments == {"x": 1}


def test_a_long_event_over_many_small_chunks_is_framed_once_whole() -> None:
    data = "x" * 200_000
    raw = f"data: {data}\n\ndata: after\n\n".encode()
    decoder = SSEDecoder()
    got = [
        event.data
        for start in range(0, len(raw), 97)
        for event in decoder.feed(raw[start : start + 97])
    ]
    assert got == [data, "after"]
    assert decoder.pending_data == ""


def test_a_cut_long_event_keeps_its_data_pending() -> None:
    decoder = SSEDecoder()
    for piece in (b"data: ab", b"cd", b"ef"):
        assert decoder.feed(piece) == []
    assert decoder.pending_data == "abcdef"


def test_a_lone_cr_at_a_chunk_end_is_resolved_by_the_next_chunk() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b"data: x\r\r") == []  # the last CR may be half of a CRLF
    assert [e.data for e in decoder.feed(b"abc")] == ["x"]  # it was not: a blank line
    assert decoder.pending_data == ""
    assert [e.data for e in decoder.feed(b"\r\ndata: y\r\n\r\n")] == ["y"]
