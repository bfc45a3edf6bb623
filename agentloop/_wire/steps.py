"""Steps: the typed entries of an interaction's timeline (`steps[]`, also `input`).

Also owns the translation of the legacy flat `outputs[]` content list into steps,
so that both dialects parse into the same objects.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Annotated, Any, Literal, cast

from pydantic import Discriminator, Field, Tag, ValidationInfo, field_validator

from .base import UNKNOWN_TAG, JsonObject, WireModel, open_tag
from .content import CONTENT_TYPES, Content
from .limits import arguments_problem

__all__ = [
    "CodeExecutionCallStep",
    "CodeExecutionResultStep",
    "FileSearchCallStep",
    "FileSearchResultStep",
    "FunctionCallStep",
    "FunctionResultStep",
    "GoogleMapsCallStep",
    "GoogleMapsResultStep",
    "GoogleSearchCallStep",
    "GoogleSearchResultStep",
    "McpServerToolCallStep",
    "McpServerToolResultStep",
    "ModelOutputStep",
    "ProcessingCallStep",
    "ProcessingResultStep",
    "RetrievalCallStep",
    "RetrievalResultStep",
    "Status",
    "Step",
    "ThoughtStep",
    "ToolSearchCallStep",
    "ToolSearchResultStep",
    "UnknownStep",
    "UrlContextCallStep",
    "UrlContextResultStep",
    "UserInputStep",
    "outputs_to_steps",
]


class Status(WireModel):
    """A google.rpc.Status-like error attached to a step."""

    code: int | str | None = None
    message: str | None = None
    details: list[Any] | None = None


class UserInputStep(WireModel):
    """The user's turn."""

    type: Literal["user_input"] = "user_input"
    content: list[Content] = Field(default_factory=list[Content])


class ModelOutputStep(WireModel):
    """What the model shows the user: text, images, audio, ..."""

    type: Literal["model_output"] = "model_output"
    content: list[Content] = Field(default_factory=list[Content])
    error: Status | None = None


class ThoughtStep(WireModel):
    """The model's reasoning. Replay it unchanged: the signature carries its context."""

    type: Literal["thought"] = "thought"
    signature: str | None = None
    summary: list[Content] | None = None


class FunctionCallStep(WireModel):
    """A call of one of your function tools; answer it with a `function_result`."""

    type: Literal["function_call"] = "function_call"
    id: str
    name: str
    arguments: JsonObject = Field(default_factory=dict)
    arguments_error: str | None = Field(default=None, exclude=True)
    """Set (client side only) when the arguments are unusable: not a JSON object, not
    JSON, nested too deeply or too large. The run answers such a call with an error
    result the model reads, instead of calling the tool."""

    @field_validator("arguments", mode="plain")
    @classmethod
    def _check_arguments(cls, value: Any, info: ValidationInfo) -> Any:
        # Bad arguments are the model's mistake, not a broken response: keep the
        # step (so the call can be answered); `model_post_init` says what is wrong.
        # A field validator rather than a model "before" validator: one of those makes
        # pydantic turn the whole step (and the interaction holding it) into Python
        # objects before validating them, ~1.7 us per call and ~3 us per reply
        # (docs/performance.md).
        problem = arguments_problem(value)
        if problem is not None:
            return _Unusable(problem)
        # JSON input is a fresh dict already; a caller's dict is copied, as pydantic's
        # own dict validation would.
        return dict(value) if info.mode == "python" else value

    def model_post_init(self, context: Any, /) -> None:
        super().model_post_init(context)
        arguments: object = self.arguments
        if isinstance(arguments, _Unusable):
            # The validated value, replaced before anyone can read it.
            object.__setattr__(self, "arguments", {})
            object.__setattr__(self, "arguments_error", arguments.problem)
            self.__pydantic_fields_set__.add("arguments_error")


@dataclass(frozen=True, slots=True)
class _Unusable:
    """Arguments that cannot be used, and why (see `FunctionCallStep`)."""

    problem: str


class FunctionResultStep(WireModel):
    """The result of a function call, matched to it by `call_id`."""

    type: Literal["function_result"] = "function_result"
    call_id: str
    result: Any = None
    name: str | None = None
    is_error: bool | None = None


class _ServerCall(WireModel):
    """A call the server runs itself (search, code execution, ...)."""

    id: str
    arguments: JsonObject | None = None
    signature: str | None = None


class _ServerResult(WireModel):
    """The result of a server-run call, matched by `call_id`."""

    call_id: str
    result: Any = None
    is_error: bool | None = None
    signature: str | None = None


class CodeExecutionCallStep(_ServerCall):
    """Code the model runs in the server's sandbox (`arguments`: code, language)."""

    type: Literal["code_execution_call"] = "code_execution_call"


class CodeExecutionResultStep(_ServerResult):
    """The sandbox's output."""

    type: Literal["code_execution_result"] = "code_execution_result"


class GoogleSearchCallStep(_ServerCall):
    """Google Search queries (`arguments.queries`)."""

    type: Literal["google_search_call"] = "google_search_call"
    search_type: str | None = None


class GoogleSearchResultStep(_ServerResult):
    """Search results (`search_suggestions` HTML for the search widget)."""

    type: Literal["google_search_result"] = "google_search_result"


class UrlContextCallStep(_ServerCall):
    """URLs the model fetches (`arguments.urls`)."""

    type: Literal["url_context_call"] = "url_context_call"


class UrlContextResultStep(_ServerResult):
    """Fetch status per URL."""

    type: Literal["url_context_result"] = "url_context_result"


class GoogleMapsCallStep(_ServerCall):
    """Google Maps queries."""

    type: Literal["google_maps_call"] = "google_maps_call"


class GoogleMapsResultStep(_ServerResult):
    """Places found."""

    type: Literal["google_maps_result"] = "google_maps_result"


class FileSearchCallStep(_ServerCall):
    """A file search."""

    type: Literal["file_search_call"] = "file_search_call"


class FileSearchResultStep(_ServerResult):
    """File search hits."""

    type: Literal["file_search_result"] = "file_search_result"


class RetrievalCallStep(_ServerCall):
    """A retrieval query (Vertex AI Search, RAG stores, ...)."""

    type: Literal["retrieval_call"] = "retrieval_call"
    retrieval_type: str | None = None


class RetrievalResultStep(_ServerResult):
    """Retrieval hits."""

    type: Literal["retrieval_result"] = "retrieval_result"


class ToolSearchCallStep(_ServerCall):
    """Deferred tool discovery."""

    type: Literal["tool_search_call"] = "tool_search_call"


class ToolSearchResultStep(_ServerResult):
    """Tools found by a tool search."""

    type: Literal["tool_search_result"] = "tool_search_result"


class ProcessingCallStep(_ServerCall):
    """Opaque server-side processing."""

    type: Literal["processing_call"] = "processing_call"


class ProcessingResultStep(_ServerResult):
    """Opaque server-side processing result."""

    type: Literal["processing_result"] = "processing_result"


class McpServerToolCallStep(WireModel):
    """A call the server makes to a remote MCP server's tool."""

    type: Literal["mcp_server_tool_call"] = "mcp_server_tool_call"
    id: str
    name: str | None = None
    server_name: str | None = None
    arguments: JsonObject | None = None


class McpServerToolResultStep(WireModel):
    """The remote MCP tool's result."""

    type: Literal["mcp_server_tool_result"] = "mcp_server_tool_result"
    call_id: str
    result: Any = None
    name: str | None = None
    server_name: str | None = None


class UnknownStep(WireModel):
    """A step type agentloop does not model yet; every field is kept as given."""

    type: str | None = None

    @property
    def is_unknown(self) -> bool:
        return True


_STEP_CLASSES: tuple[type[WireModel], ...] = (
    UserInputStep,
    ModelOutputStep,
    ThoughtStep,
    FunctionCallStep,
    FunctionResultStep,
    CodeExecutionCallStep,
    CodeExecutionResultStep,
    GoogleSearchCallStep,
    GoogleSearchResultStep,
    UrlContextCallStep,
    UrlContextResultStep,
    GoogleMapsCallStep,
    GoogleMapsResultStep,
    FileSearchCallStep,
    FileSearchResultStep,
    RetrievalCallStep,
    RetrievalResultStep,
    ToolSearchCallStep,
    ToolSearchResultStep,
    ProcessingCallStep,
    ProcessingResultStep,
    McpServerToolCallStep,
    McpServerToolResultStep,
)
STEP_TYPES = frozenset(cls.model_fields["type"].default for cls in _STEP_CLASSES)

Step = Annotated[
    Annotated[UserInputStep, Tag("user_input")]
    | Annotated[ModelOutputStep, Tag("model_output")]
    | Annotated[ThoughtStep, Tag("thought")]
    | Annotated[FunctionCallStep, Tag("function_call")]
    | Annotated[FunctionResultStep, Tag("function_result")]
    | Annotated[CodeExecutionCallStep, Tag("code_execution_call")]
    | Annotated[CodeExecutionResultStep, Tag("code_execution_result")]
    | Annotated[GoogleSearchCallStep, Tag("google_search_call")]
    | Annotated[GoogleSearchResultStep, Tag("google_search_result")]
    | Annotated[UrlContextCallStep, Tag("url_context_call")]
    | Annotated[UrlContextResultStep, Tag("url_context_result")]
    | Annotated[GoogleMapsCallStep, Tag("google_maps_call")]
    | Annotated[GoogleMapsResultStep, Tag("google_maps_result")]
    | Annotated[FileSearchCallStep, Tag("file_search_call")]
    | Annotated[FileSearchResultStep, Tag("file_search_result")]
    | Annotated[RetrievalCallStep, Tag("retrieval_call")]
    | Annotated[RetrievalResultStep, Tag("retrieval_result")]
    | Annotated[ToolSearchCallStep, Tag("tool_search_call")]
    | Annotated[ToolSearchResultStep, Tag("tool_search_result")]
    | Annotated[ProcessingCallStep, Tag("processing_call")]
    | Annotated[ProcessingResultStep, Tag("processing_result")]
    | Annotated[McpServerToolCallStep, Tag("mcp_server_tool_call")]
    | Annotated[McpServerToolResultStep, Tag("mcp_server_tool_result")]
    | Annotated[UnknownStep, Tag(UNKNOWN_TAG)],
    Discriminator(open_tag(STEP_TYPES)),
]
"""Any step of an interaction's timeline."""


def content_to_step(block: Any) -> Any:
    """One legacy `outputs[]` block as a step: media → `model_output`, others unchanged.

    Legacy thought, call and result blocks already have their step's fields.
    """
    if isinstance(block, dict) and cast(JsonObject, block).get("type") in CONTENT_TYPES:
        return {"type": "model_output", "content": [cast(JsonObject, block)]}
    return cast(Any, block)


def outputs_to_steps(outputs: Iterable[Any]) -> list[Any]:
    """The legacy flat `outputs[]` list as steps.

    Consecutive content blocks become one `model_output` step (as the steps dialect
    groups them); thought, call and result blocks become the step of the same type.
    """
    steps: list[Any] = []
    for block in outputs:
        step = content_to_step(block)
        if step is not block and steps and _is_open_model_output(steps[-1]):
            steps[-1]["content"].append(block)
        else:
            steps.append(step)
    return steps


def _is_open_model_output(step: Any) -> bool:
    if not isinstance(step, dict):
        return False
    fields = cast(JsonObject, step)
    return fields.get("type") == "model_output" and "error" not in fields
