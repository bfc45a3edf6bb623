"""`Environment`: the sandbox a managed agent runs in, as an Agent option.

`Agent(agent="antigravity-preview-09-2026", environment=Environment(sources=[...]))`
sends it with the first request; the API answers with the sandbox's `environment_id`,
which the rest of the run (and every later turn of a `Chat`) sends instead, so the
files the agent wrote are still there.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from .._errors import UserError
from .._wire.base import JsonObject

__all__ = ["Environment", "environment_wire"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Environment:
    """A remote sandbox for a managed agent.

    Args:
        id: an existing environment (`client.environments.create(...)`) to reuse.
        sources: what to mount, e.g. `Environment.inline("AGENTS.md", "# Rules")`, or
            `{"type": "repository" | "gcs" | "skill_registry", "source": ..., "target": ...}`.
        network: `"disabled"`, or an allowlist: `{"allowlist": [{"domain": ...}]}`.
        env: environment variables: `{"NAME": {"value": ...}}` or `{"credential": id}`.
        mode: `on_demand` (default) or `self_hosted`.
        custom_config: fields passed as they are.
    """

    id: str | None = None
    sources: Sequence[Mapping[str, Any]] = field(default_factory=tuple)
    network: str | Mapping[str, Any] | None = None
    env: Mapping[str, Mapping[str, str]] | None = None
    mode: str | None = None
    custom_config: Mapping[str, Any] | None = None

    def __post_init__(self) -> None:
        if isinstance(self.sources, Mapping | str):
            raise UserError("Environment(sources=...) is a list of sources")
        for source in self.sources:
            # Callers without a type checker may pass anything.
            unchecked = cast(object, source)
            if not isinstance(unchecked, Mapping) or not isinstance(source.get("type"), str):
                raise UserError(
                    f"an environment source needs a 'type' (inline, gcs, repository, "
                    f"skill_registry); got {source!r}"
                )

    @staticmethod
    def inline(target: str, content: str) -> JsonObject:
        """A source that writes `content` to `target` (e.g. `AGENTS.md`, a `SKILL.md`)."""
        return {"type": "inline", "target": target, "content": content}

    def to_wire(self) -> JsonObject | str:
        """The create body's `environment` field: the id alone, or a remote spec."""
        spec: JsonObject = {"type": "remote"}
        if self.id is not None:
            spec["environment_id"] = self.id
        if self.sources:
            spec["sources"] = [dict(source) for source in self.sources]
        if self.network is not None:
            spec["network"] = self.network if isinstance(self.network, str) else dict(self.network)
        if self.env is not None:
            spec["env"] = {name: dict(value) for name, value in self.env.items()}
        if self.mode is not None:
            spec["mode"] = self.mode
        if self.custom_config is not None:
            spec["custom_config"] = dict(self.custom_config)
        if self.id is not None and len(spec) == 2:
            return self.id
        return spec


def environment_wire(
    environment: Environment | str | None, agent: str | None
) -> JsonObject | str | None:
    """`Agent(environment=...)` as the create body sends it (refused for models)."""
    if environment is None:
        return None
    if agent is None:
        raise UserError("environment= is for managed agents: pass agent=, not model=")
    if isinstance(environment, str):
        return environment
    # Callers without a type checker may pass anything.
    if not isinstance(environment, Environment):  # pyright: ignore[reportUnnecessaryIsInstance]
        raise UserError(f"environment= takes an Environment or an id, not {environment!r}")
    return environment.to_wire()
