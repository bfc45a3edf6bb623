"""The speed-ups keep behaviour: orjson bodies decode to what `json` would send, and
the first use of agentloop does not import httpx's command-line client."""

from __future__ import annotations

import json
import tracemalloc
from typing import Any

import pytest
from helpers.fresh import run_fresh
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel

from agentloop._http.encoding import _stdlib_encode, encode_json

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.text(max_size=8) | st.integers(), children, max_size=4)
    ),
    max_leaves=20,
)


@given(json_values)
def test_encoded_bodies_decode_to_what_json_would_send(value: Any) -> None:
    assert json.loads(encode_json(value)) == json.loads(_stdlib_encode(value))


def test_pydantic_objects_become_dicts_and_the_unsendable_raises_as_json_does() -> None:
    class Answer(BaseModel):
        city: str
        temperature: int | None = None

    body = {"input": [{"type": "function_result", "result": Answer(city="Paris")}]}
    assert json.loads(encode_json(body)) == {
        "input": [{"type": "function_result", "result": {"city": "Paris"}}]
    }
    with pytest.raises(TypeError, match="object is not JSON serializable"):
        encode_json({"result": object()})


def test_small_encoded_bodies_hold_only_their_own_bytes() -> None:
    # A body stays alive while its request is in flight: 1,000 small ones must not
    # each keep an encoder's whole buffer (orjson's is 4 KB at least).
    body = {"model": "m", "input": "x" * 200}
    tracemalloc.start()
    try:
        before = tracemalloc.take_snapshot()
        kept = [encode_json(body) for _ in range(1000)]
        after = tracemalloc.take_snapshot()
    finally:
        tracemalloc.stop()
    held = sum(stat.size_diff for stat in after.compare_to(before, "filename"))
    assert json.loads(kept[0]) == body
    assert held < 1000 * 1024, f"{held / 1000:.0f} bytes held per body"


def test_first_use_skips_httpx_cli_and_leaves_it_importable() -> None:
    code = (
        "import sys\n"
        "from agentloop import Agent, AsyncClient, tool\n"
        "assert 'httpx' in sys.modules\n"
        "print(sorted(m for m in ('click', 'rich', 'pygments') if m in sys.modules))\n"
        "import httpx._main\n"
        "print(callable(httpx._main.main))\n"
    )
    skipped, importable = run_fresh(code).split("\n")[:2]
    assert skipped == "[]"
    assert importable == "True"
