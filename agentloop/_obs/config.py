"""`instrument()`: the process-wide switch, and the OpenTelemetry objects it resolves.

OpenTelemetry is an extra (`agentloop[otel]`) imported here only, and only once
instrumentation is turned on. Without it, an instrumented run still records its
`RunTrace` (for `result.print_trace()`) and logs; it just emits no spans or metrics.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from .._version import __version__

__all__ = ["Settings", "Telemetry", "instrument", "is_instrumented", "settings", "telemetry"]


@dataclass(frozen=True, slots=True)
class Settings:
    """What `instrument()` chose."""

    enabled: bool = False
    tracer_provider: Any = None
    meter_provider: Any = None
    capture_content: bool = False


_settings = Settings()
_lock = threading.Lock()
_telemetry: dict[int, Telemetry | None] = {}


def instrument(
    tracer_provider: Any = None,
    meter_provider: Any = None,
    capture_content: bool = False,
    *,
    enabled: bool = True,
) -> None:
    """Trace and measure every agent run of the process (idempotent: the last call wins).

    Spans follow the OpenTelemetry GenAI conventions (see docs/observability.md);
    without `agentloop[otel]` installed, runs still record a `RunTrace`.

    Args:
        tracer_provider: where spans go; OpenTelemetry's global provider by default.
        meter_provider: where metrics go; OpenTelemetry's global provider by default.
        capture_content: also record prompts, tool arguments and results, and answers
            on spans. Off by default: they may hold personal data.
        enabled: False turns instrumentation off again (agents with `instrument=True`
            stay instrumented).
    """
    global _settings
    with _lock:
        _settings = Settings(
            enabled=enabled,
            tracer_provider=tracer_provider,
            meter_provider=meter_provider,
            capture_content=capture_content,
        )
        _telemetry.clear()


def settings() -> Settings:
    """The current process-wide settings."""
    return _settings


def is_instrumented(agent_flag: bool | None) -> bool:
    """Whether a run of an agent built with `instrument=agent_flag` is instrumented."""
    return _settings.enabled if agent_flag is None else agent_flag


@dataclass(frozen=True, slots=True)
class Telemetry:
    """The tracer, the instruments and the modules spans are built with."""

    trace: ModuleType
    """`opentelemetry.trace`."""
    context: ModuleType
    """`opentelemetry.context`."""
    attrs: ModuleType
    """The GenAI attribute names (`gen_ai_attributes`, incubating semconv)."""
    tracer: Any
    legacy_names: bool
    """Also set the attributes the GenAI conventions renamed (`gen_ai.system`), unless
    `OTEL_SEMCONV_STABILITY_OPT_IN` holds `gen_ai_latest_experimental`."""
    operation_duration: Any
    token_usage: Any
    tool_duration: Any


def telemetry() -> Telemetry | None:
    """The OpenTelemetry objects for the current settings; None without OpenTelemetry."""
    current = _settings
    key = id(current)
    if key in _telemetry:
        return _telemetry[key]
    with _lock:
        if key not in _telemetry:
            _telemetry[key] = _load(current)
        return _telemetry[key]


def _load(current: Settings) -> Telemetry | None:
    try:
        from opentelemetry import context, metrics, trace
        from opentelemetry.semconv._incubating.attributes import (  # pyright: ignore[reportMissingTypeStubs]
            gen_ai_attributes,
        )
        from opentelemetry.semconv._incubating.metrics import (  # pyright: ignore[reportMissingTypeStubs]
            gen_ai_metrics,
        )
    except ImportError:
        return None

    tracer = trace.get_tracer("agentloop", __version__, tracer_provider=current.tracer_provider)
    meter = metrics.get_meter("agentloop", __version__, meter_provider=current.meter_provider)
    return Telemetry(
        trace=trace,
        context=context,
        attrs=gen_ai_attributes,
        tracer=tracer,
        legacy_names="gen_ai_latest_experimental"
        not in os.environ.get("OTEL_SEMCONV_STABILITY_OPT_IN", ""),
        operation_duration=gen_ai_metrics.create_gen_ai_client_operation_duration(meter),
        token_usage=gen_ai_metrics.create_gen_ai_client_token_usage(meter),
        tool_duration=meter.create_histogram(
            "agentloop.tool.duration",
            unit="s",
            description="Duration of client-side tool calls",
        ),
    )
