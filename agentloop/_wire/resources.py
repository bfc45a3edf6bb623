"""The resources beyond `/interactions`: managed agents, environments, credentials,
triggers, webhooks and decisions, as their endpoints return them.

Field names and shapes follow google-genai 3.6.1 (`google/genai/_gaos/types/`). Every
model is open: unknown fields are kept, and status-like fields are plain strings so a
new enum value never breaks a parse. Timestamps stay the API's RFC 3339 strings.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Discriminator, Field, Tag

from .base import UNKNOWN_TAG, JsonObject, WireModel, open_tag

__all__ = [
    "Answer",
    "ChoiceAnswer",
    "Credential",
    "Decision",
    "EnvironmentFile",
    "EnvironmentResource",
    "ManagedAgent",
    "NoulAnswer",
    "PromptFeedback",
    "ScoreAnswer",
    "SigningSecret",
    "Trigger",
    "TriggerExecution",
    "UnknownAnswer",
    "WEBHOOK_EVENT_TYPES",
    "Webhook",
    "WebhookEvent",
    "WebhookSecret",
]

WEBHOOK_EVENT_TYPES = (
    "interaction.requires_action",
    "interaction.completed",
    "interaction.failed",
    "interaction.cancelled",
    "batch.succeeded",
    "batch.cancelled",
    "batch.expired",
    "batch.failed",
    "video.generated",
)
"""The events a webhook can subscribe to (the API may add more; they are accepted)."""


class ManagedAgent(WireModel):
    """A saved managed agent (`/agents`): a base agent plus instructions, tools, sandbox."""

    id: str | None = None
    """The agent's id; run it with `agent="agents/<id>"` or `Agent(agent="agents/<id>")`."""
    base_agent: str | None = None
    """The agent it extends, e.g. `antigravity-preview-09-2026`."""
    description: str | None = None
    system_instruction: str | None = None
    base_environment: JsonObject | str | None = None
    """The sandbox every run starts from: an environment id or a `{type: "remote", ...}`."""
    agent_config: JsonObject | None = None
    tools: list[JsonObject] | None = None
    """`code_execution`, `url_context`, `google_search`, `mcp_server` and `function` tools;
    function tools are answered by the client through `requires_action`."""


class EnvironmentResource(WireModel):
    """A sandbox environment (`/environments`): mounted sources, network policy, files."""

    id: str
    created: str | None = None
    updated: str | None = None
    last_accessed: str | None = None
    status: str | None = None
    """`active` or `expired`."""
    mode: str | None = None
    """`on_demand` or `self_hosted`."""
    network: JsonObject | str | None = None
    """`"disabled"`, or `{"allowlist": [{"domain": ..., "credential": ...}]}`."""
    sources: list[JsonObject] | None = None
    """How files get mounted: `{type: gcs | inline | repository | skill_registry,
    source, target, content, encoding}`."""
    custom_config: JsonObject | None = None
    environment_key: str | None = None
    file_count: int | None = None
    size_bytes: int | None = None


class EnvironmentFile(WireModel):
    """A file or directory inside an environment's workspace."""

    path: str | None = None
    name: str | None = None
    type: str | None = None
    """`file` or `directory`."""
    mime_type: str | None = None
    size_bytes: int | None = None
    created: str | None = None
    modified: str | None = None


# `type` here is a plain field (file or directory), not a union tag to always dump.
EnvironmentFile._tag_fields = ()


class Credential(WireModel):
    """A stored credential (`/credentials`). Its secret is never returned."""

    id: str
    type: str | None = None
    """`bearer_token`, `oauth2` or `environment_variable`."""
    status: str | None = None
    """`active` or `revoked`."""
    create_time: str | None = None
    update_time: str | None = None


class Trigger(WireModel):
    """A cron-scheduled agent interaction (`/triggers`)."""

    id: str
    schedule: str
    """A five-field cron expression, e.g. `0 9 * * 1-5`."""
    time_zone: str
    interaction: JsonObject
    """The create-interaction body each execution sends (an `agent` interaction)."""
    display_name: str | None = None
    environment_id: str | None = None
    execution_timeout_seconds: int | None = None
    max_consecutive_failures: int | None = None
    consecutive_failure_count: int | None = None
    status: str | None = None
    """`active`, `paused` or `error`."""
    previous_interaction_id: str | None = None
    next_run_time: str | None = None
    last_run_time: str | None = None
    last_pause_time: str | None = None
    last_resume_time: str | None = None
    create_time: str | None = None
    update_time: str | None = None


class TriggerExecution(WireModel):
    """One run of a trigger, scheduled or started by `triggers.run`."""

    id: str
    trigger_id: str
    status: str | None = None
    """`in_progress`, `completed`, `failed`, `skipped` or `timed_out`."""
    interaction_id: str | None = None
    environment_id: str | None = None
    error: str | None = None
    scheduled_time: str | None = None
    start_time: str | None = None
    end_time: str | None = None


class SigningSecret(WireModel):
    """A webhook signing secret as listed: only its truncated form."""

    truncated_secret: str | None = None
    expire_time: str | None = None


class Webhook(WireModel):
    """A registered webhook endpoint (`/webhooks`)."""

    uri: str
    subscribed_events: list[str]
    id: str | None = None
    name: str | None = None
    state: str | None = None
    """`enabled`, `disabled` or `disabled_due_to_failed_deliveries`."""
    new_signing_secret: str | None = None
    """The full signing secret: returned once, by create. Store it to verify deliveries."""
    signing_secrets: list[SigningSecret] | None = None
    create_time: str | None = None
    update_time: str | None = None


class WebhookSecret(WireModel):
    """The answer of `webhooks.rotate_secret`: the new secret, shown once."""

    secret: str | None = None


class WebhookEvent(WireModel):
    """A webhook delivery's body (`agentloop.webhooks.verify` returns one)."""

    type: str
    """E.g. `interaction.requires_action`, `interaction.completed`, `webhook.ping`."""
    data: JsonObject = Field(default_factory=dict)
    """The subject: for interaction events `{"id": <interaction id>, "status": ...}`."""
    version: str | None = None
    timestamp: str | None = None


class ChoiceAnswer(WireModel):
    """The answer to a `choice` question."""

    type: Literal["choice"] = "choice"
    choice: str
    confidence: float
    probabilities: dict[str, float] = Field(default_factory=dict)


class ScoreAnswer(WireModel):
    """The answer to a `score` question."""

    type: Literal["score"] = "score"
    score: float
    confidence: float
    probabilities: dict[str, float] = Field(default_factory=dict)
    legend: dict[str, str] = Field(default_factory=dict)


class NoulAnswer(WireModel):
    """The answer to a `noul` (yes/no likelihood) question: `noul` is P(yes)."""

    type: Literal["noul"] = "noul"
    noul: float
    confidence: float


class UnknownAnswer(WireModel):
    """An answer of a type this version of agentloop does not model (raw data kept)."""

    type: str

    @property
    def is_unknown(self) -> bool:
        return True


_ANSWER_TYPES = frozenset({"choice", "score", "noul"})

Answer = Annotated[
    Annotated[ChoiceAnswer, Tag("choice")]
    | Annotated[ScoreAnswer, Tag("score")]
    | Annotated[NoulAnswer, Tag("noul")]
    | Annotated[UnknownAnswer, Tag(UNKNOWN_TAG)],
    Discriminator(open_tag(_ANSWER_TYPES)),
]
"""An answer of `decisions.create`, by question type."""


class PromptFeedback(WireModel):
    """Why a decision's input was blocked, when it was."""

    block_reason: str | None = None
    block_reason_message: str | None = None


class Decision(WireModel):
    """The answers of `decisions.create`, one per question name."""

    answers: dict[str, Answer] = Field(default_factory=dict)
    prompt_feedback: PromptFeedback | None = None
    usage: dict[str, Any] | None = None
