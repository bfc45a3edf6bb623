"""What the composition tests share: a model that answers as several agents, told
apart by their instructions, and step builders."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from agentloop.testing import FunctionModel, ModelRequest

Answer = Callable[[ModelRequest], Any]


def call(call_id: str, name: str, **arguments: Any) -> dict[str, Any]:
    """A `function_call` step."""
    return {"type": "function_call", "id": call_id, "name": name, "arguments": arguments}


def text(value: str) -> list[dict[str, Any]]:
    """An answer: one `model_output` step with text."""
    return [{"type": "model_output", "content": [{"type": "text", "text": value}]}]


class Agents:
    """A model answering as each agent by its `instructions`: every agent's requests
    are kept in order, and its answers come from its own script."""

    def __init__(self, scripts: dict[str, list[Any]]) -> None:
        self.scripts = {name: list(script) for name, script in scripts.items()}
        self.requests: dict[str, list[ModelRequest]] = {name: [] for name in scripts}
        self.order: list[str] = []
        self.model = FunctionModel(self._respond)

    def _respond(self, request: ModelRequest) -> Any:
        name = str(request.body.get("system_instruction", ""))
        if name not in self.scripts:
            raise AssertionError(f"a request from an unknown agent: {name!r}")
        self.requests[name].append(request)
        self.order.append(name)
        if not self.scripts[name]:
            raise AssertionError(f"{name} got an unexpected request: {request.input!r:.200}")
        entry = self.scripts[name].pop(0)
        return entry(request) if callable(entry) else entry

    def left(self) -> dict[str, int]:
        """Script entries never used, by agent (empty when every one was)."""
        return {name: len(script) for name, script in self.scripts.items() if script}
