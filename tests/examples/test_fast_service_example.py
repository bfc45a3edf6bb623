"""examples/fast_service.py runs offline against the local server: its inline
tool is called with the model's arguments, and each question gets its answer."""

from __future__ import annotations

import gc
from typing import Any

import pytest
from helpers.examples import load_example

from agentloop.testing import InteractionsServer, ModelRequest, ScriptedModel, serve_in_thread


def reply(request: ModelRequest) -> Any:
    if request.function_results:
        sent = request.function_results[0]["result"]  # a float is sent as {"result": x}
        return f"That is {sent['result']}."
    euros = "100 EUR" in str(request.input)
    arguments = (
        {"amount": 100, "source": "EUR", "target": "USD"}
        if euros
        else {"amount": 5000, "source": "JPY", "target": "EUR"}
    )
    return [{"type": "function_call", "id": "call_1", "name": "convert", "arguments": arguments}]


def test_fast_service_example_answers_through_its_inline_tool(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    thresholds = gc.get_threshold()
    server = InteractionsServer(ScriptedModel([reply] * 4))
    try:
        with serve_in_thread(server) as url:
            monkeypatch.setenv("AGENTLOOP_BASE_URL", url)
            monkeypatch.setenv("GEMINI_API_KEY", "example-key")
            load_example("fast_service").main()
    finally:
        gc.unfreeze()
        gc.set_threshold(*thresholds)
    printed = capsys.readouterr().out.splitlines()
    assert printed == [
        "How much is 100 EUR in USD? -> That is 108.0.",
        "How much is 5000 JPY in EUR? -> That is 30.86.",
    ]
