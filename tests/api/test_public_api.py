"""The public surface is a decision: `__all__` lists exactly what users may import."""

from __future__ import annotations

import types

import agentloop


def test_all_is_sorted_and_complete() -> None:
    public = {
        name
        for name in dir(agentloop)
        if not name.startswith("_") and not isinstance(getattr(agentloop, name), types.ModuleType)
    }
    assert list(agentloop.__all__) == sorted(agentloop.__all__)
    assert set(agentloop.__all__) - {"__version__"} == public


def test_public_classes_show_short_paths() -> None:
    for name in agentloop.__all__:
        value = getattr(agentloop, name)
        if isinstance(value, type):
            assert value.__module__ == "agentloop", name


def test_exception_tree() -> None:
    assert issubclass(agentloop.APITimeoutError, agentloop.APIConnectionError)
    for name in (
        "BadRequestError",
        "AuthenticationError",
        "PermissionDeniedError",
        "NotFoundError",
        "ConflictError",
        "RateLimitError",
        "ServerError",
    ):
        assert issubclass(getattr(agentloop, name), agentloop.APIStatusError)
    for name in ("APIConnectionError", "APIStatusError", "StreamError", "ResponseValidationError"):
        assert issubclass(getattr(agentloop, name), agentloop.APIError)
    assert issubclass(agentloop.APIError, agentloop.AgentloopError)
    assert issubclass(agentloop.UserError, agentloop.AgentloopError)
