"""agentloop: the Python agent framework for Gemini's Interactions API.

Public names load on first use (PEP 562), so `import agentloop` stays fast and a
script pays only for what it touches. Type checkers see plain re-exports.
"""

import importlib as _importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._agent import Agent as Agent
    from ._agent import Chat as Chat
    from ._background import AsyncBackgroundRun as AsyncBackgroundRun
    from ._background import BackgroundProgress as BackgroundProgress
    from ._background import BackgroundRun as BackgroundRun
    from ._builtin import BuiltinTool as BuiltinTool
    from ._builtin import CodeExecution as CodeExecution
    from ._builtin import FileSearch as FileSearch
    from ._builtin import GoogleMaps as GoogleMaps
    from ._builtin import GoogleSearch as GoogleSearch
    from ._builtin import MCPServer as MCPServer
    from ._builtin import UrlContext as UrlContext
    from ._client import AsyncClient as AsyncClient
    from ._client import Client as Client
    from ._client import ClientOptions as ClientOptions
    from ._client import InteractionStream as InteractionStream
    from ._content import Annotation as Annotation
    from ._content import AudioContent as AudioContent
    from ._content import Content as Content
    from ._content import DocumentContent as DocumentContent
    from ._content import FileCitation as FileCitation
    from ._content import ImageContent as ImageContent
    from ._content import PlaceCitation as PlaceCitation
    from ._content import TextContent as TextContent
    from ._content import UnknownContent as UnknownContent
    from ._content import UrlCitation as UrlCitation
    from ._content import VideoContent as VideoContent
    from ._context import ToolContext as ToolContext
    from ._errors import AgentloopError as AgentloopError
    from ._errors import APIConnectionError as APIConnectionError
    from ._errors import APIError as APIError
    from ._errors import APIStatusError as APIStatusError
    from ._errors import APITimeoutError as APITimeoutError
    from ._errors import AuthenticationError as AuthenticationError
    from ._errors import BadRequestError as BadRequestError
    from ._errors import ConflictError as ConflictError
    from ._errors import InteractionFailedError as InteractionFailedError
    from ._errors import MaxTurnsExceeded as MaxTurnsExceeded
    from ._errors import NotFoundError as NotFoundError
    from ._errors import OutputValidationError as OutputValidationError
    from ._errors import PermissionDeniedError as PermissionDeniedError
    from ._errors import RateLimitError as RateLimitError
    from ._errors import ResponseValidationError as ResponseValidationError
    from ._errors import RunCancelledError as RunCancelledError
    from ._errors import RunError as RunError
    from ._errors import ServerError as ServerError
    from ._errors import StreamError as StreamError
    from ._errors import ToolArgumentsError as ToolArgumentsError
    from ._errors import ToolError as ToolError
    from ._errors import ToolExecutionError as ToolExecutionError
    from ._errors import ToolRetry as ToolRetry
    from ._errors import UnknownToolError as UnknownToolError
    from ._errors import UserError as UserError
    from ._events import ArgumentsDelta as ArgumentsDelta
    from ._events import Delta as Delta
    from ._events import ErrorEvent as ErrorEvent
    from ._events import EventType as EventType
    from ._events import InteractionCompletedEvent as InteractionCompletedEvent
    from ._events import InteractionCreatedEvent as InteractionCreatedEvent
    from ._events import InteractionStatusUpdateEvent as InteractionStatusUpdateEvent
    from ._events import LegacyFunctionCallDelta as LegacyFunctionCallDelta
    from ._events import StepDeltaEvent as StepDeltaEvent
    from ._events import StepStartEvent as StepStartEvent
    from ._events import StepStopEvent as StepStopEvent
    from ._events import StreamEvent as StreamEvent
    from ._events import TextAnnotationDelta as TextAnnotationDelta
    from ._events import TextDelta as TextDelta
    from ._events import ThoughtSignatureDelta as ThoughtSignatureDelta
    from ._events import ThoughtSummaryDelta as ThoughtSummaryDelta
    from ._events import ToolDelta as ToolDelta
    from ._events import UnknownDelta as UnknownDelta
    from ._events import UnknownEvent as UnknownEvent
    from ._files import AsyncFiles as AsyncFiles
    from ._files import File as File
    from ._files import Files as Files
    from ._interaction import GeneratedImage as GeneratedImage
    from ._interaction import Interaction as Interaction
    from ._interaction import InteractionError as InteractionError
    from ._interaction import Output as Output
    from ._interaction import Usage as Usage
    from ._mcp import MCPConnectionError as MCPConnectionError
    from ._mcp import MCPHttp as MCPHttp
    from ._mcp import MCPStdio as MCPStdio
    from ._media import Audio as Audio
    from ._media import Document as Document
    from ._media import Image as Image
    from ._media import Video as Video
    from ._pipeline import Pipeline as Pipeline
    from ._pipeline import PipelineEvent as PipelineEvent
    from ._pipeline import PipelineResult as PipelineResult
    from ._pipeline import Step as Step
    from ._requests import CreateInteractionBody as CreateInteractionBody
    from ._requests import FunctionResultInput as FunctionResultInput
    from ._requests import GenerationConfig as GenerationConfig
    from ._requests import ResponseFormatEntry as ResponseFormatEntry
    from ._requests import Turn as Turn
    from ._resources import AsyncInteractions as AsyncInteractions
    from ._result import RunResult as RunResult
    from ._result import ToolCallRecord as ToolCallRecord
    from ._retry import RetryPolicy as RetryPolicy
    from ._run_events import InteractionFinishedEvent as InteractionFinishedEvent
    from ._run_events import RunEvent as RunEvent
    from ._run_events import RunFinishedEvent as RunFinishedEvent
    from ._run_events import TextDeltaEvent as TextDeltaEvent
    from ._run_events import ThoughtDeltaEvent as ThoughtDeltaEvent
    from ._run_events import ToolCallFinishedEvent as ToolCallFinishedEvent
    from ._run_events import ToolCallStartedEvent as ToolCallStartedEvent
    from ._steps import CodeExecutionCallStep as CodeExecutionCallStep
    from ._steps import CodeExecutionResultStep as CodeExecutionResultStep
    from ._steps import FileSearchCallStep as FileSearchCallStep
    from ._steps import FileSearchResultStep as FileSearchResultStep
    from ._steps import FunctionCallStep as FunctionCallStep
    from ._steps import FunctionResultStep as FunctionResultStep
    from ._steps import GoogleMapsCallStep as GoogleMapsCallStep
    from ._steps import GoogleMapsResultStep as GoogleMapsResultStep
    from ._steps import GoogleSearchCallStep as GoogleSearchCallStep
    from ._steps import GoogleSearchResultStep as GoogleSearchResultStep
    from ._steps import McpServerToolCallStep as McpServerToolCallStep
    from ._steps import McpServerToolResultStep as McpServerToolResultStep
    from ._steps import ModelOutputStep as ModelOutputStep
    from ._steps import ProcessingCallStep as ProcessingCallStep
    from ._steps import ProcessingResultStep as ProcessingResultStep
    from ._steps import RetrievalCallStep as RetrievalCallStep
    from ._steps import RetrievalResultStep as RetrievalResultStep
    from ._steps import Step as InteractionStep
    from ._steps import ThoughtStep as ThoughtStep
    from ._steps import ToolSearchCallStep as ToolSearchCallStep
    from ._steps import ToolSearchResultStep as ToolSearchResultStep
    from ._steps import UnknownStep as UnknownStep
    from ._steps import UrlContextCallStep as UrlContextCallStep
    from ._steps import UrlContextResultStep as UrlContextResultStep
    from ._steps import UserInputStep as UserInputStep
    from ._stream import AsyncInteractionStream as AsyncInteractionStream
    from ._tools import FunctionTool as FunctionTool
    from ._tools import tool as tool
    from ._version import __version__ as __version__

# public name -> (module, attribute)
_EXPORTS: dict[str, tuple[str, str]] = {
    "MCPConnectionError": ("._mcp", "MCPConnectionError"),
    "MCPHttp": ("._mcp", "MCPHttp"),
    "MCPStdio": ("._mcp", "MCPStdio"),
    "APIConnectionError": ("._errors", "APIConnectionError"),
    "APIError": ("._errors", "APIError"),
    "APIStatusError": ("._errors", "APIStatusError"),
    "APITimeoutError": ("._errors", "APITimeoutError"),
    "Agent": ("._agent", "Agent"),
    "AgentloopError": ("._errors", "AgentloopError"),
    "Annotation": ("._content", "Annotation"),
    "ArgumentsDelta": ("._events", "ArgumentsDelta"),
    "AsyncBackgroundRun": ("._background", "AsyncBackgroundRun"),
    "AsyncClient": ("._client", "AsyncClient"),
    "AsyncFiles": ("._files", "AsyncFiles"),
    "AsyncInteractionStream": ("._stream", "AsyncInteractionStream"),
    "AsyncInteractions": ("._resources", "AsyncInteractions"),
    "Audio": ("._media", "Audio"),
    "AudioContent": ("._content", "AudioContent"),
    "AuthenticationError": ("._errors", "AuthenticationError"),
    "BackgroundProgress": ("._background", "BackgroundProgress"),
    "BackgroundRun": ("._background", "BackgroundRun"),
    "BadRequestError": ("._errors", "BadRequestError"),
    "BuiltinTool": ("._builtin", "BuiltinTool"),
    "Chat": ("._agent", "Chat"),
    "Client": ("._client", "Client"),
    "ClientOptions": ("._client", "ClientOptions"),
    "CodeExecution": ("._builtin", "CodeExecution"),
    "CodeExecutionCallStep": ("._steps", "CodeExecutionCallStep"),
    "CodeExecutionResultStep": ("._steps", "CodeExecutionResultStep"),
    "ConflictError": ("._errors", "ConflictError"),
    "Content": ("._content", "Content"),
    "CreateInteractionBody": ("._requests", "CreateInteractionBody"),
    "Delta": ("._events", "Delta"),
    "Document": ("._media", "Document"),
    "DocumentContent": ("._content", "DocumentContent"),
    "ErrorEvent": ("._events", "ErrorEvent"),
    "EventType": ("._events", "EventType"),
    "File": ("._files", "File"),
    "FileCitation": ("._content", "FileCitation"),
    "FileSearch": ("._builtin", "FileSearch"),
    "FileSearchCallStep": ("._steps", "FileSearchCallStep"),
    "FileSearchResultStep": ("._steps", "FileSearchResultStep"),
    "Files": ("._files", "Files"),
    "FunctionCallStep": ("._steps", "FunctionCallStep"),
    "FunctionResultInput": ("._requests", "FunctionResultInput"),
    "FunctionResultStep": ("._steps", "FunctionResultStep"),
    "FunctionTool": ("._tools", "FunctionTool"),
    "GeneratedImage": ("._interaction", "GeneratedImage"),
    "GenerationConfig": ("._requests", "GenerationConfig"),
    "GoogleMaps": ("._builtin", "GoogleMaps"),
    "GoogleMapsCallStep": ("._steps", "GoogleMapsCallStep"),
    "GoogleMapsResultStep": ("._steps", "GoogleMapsResultStep"),
    "GoogleSearch": ("._builtin", "GoogleSearch"),
    "GoogleSearchCallStep": ("._steps", "GoogleSearchCallStep"),
    "GoogleSearchResultStep": ("._steps", "GoogleSearchResultStep"),
    "Image": ("._media", "Image"),
    "ImageContent": ("._content", "ImageContent"),
    "Interaction": ("._interaction", "Interaction"),
    "InteractionCompletedEvent": ("._events", "InteractionCompletedEvent"),
    "InteractionCreatedEvent": ("._events", "InteractionCreatedEvent"),
    "InteractionError": ("._interaction", "InteractionError"),
    "InteractionFailedError": ("._errors", "InteractionFailedError"),
    "InteractionFinishedEvent": ("._run_events", "InteractionFinishedEvent"),
    "InteractionStatusUpdateEvent": ("._events", "InteractionStatusUpdateEvent"),
    "InteractionStep": ("._steps", "Step"),
    "InteractionStream": ("._client", "InteractionStream"),
    "LegacyFunctionCallDelta": ("._events", "LegacyFunctionCallDelta"),
    "MCPServer": ("._builtin", "MCPServer"),
    "MaxTurnsExceeded": ("._errors", "MaxTurnsExceeded"),
    "McpServerToolCallStep": ("._steps", "McpServerToolCallStep"),
    "McpServerToolResultStep": ("._steps", "McpServerToolResultStep"),
    "ModelOutputStep": ("._steps", "ModelOutputStep"),
    "NotFoundError": ("._errors", "NotFoundError"),
    "Output": ("._interaction", "Output"),
    "OutputValidationError": ("._errors", "OutputValidationError"),
    "PermissionDeniedError": ("._errors", "PermissionDeniedError"),
    "Pipeline": ("._pipeline", "Pipeline"),
    "PipelineEvent": ("._pipeline", "PipelineEvent"),
    "PipelineResult": ("._pipeline", "PipelineResult"),
    "PlaceCitation": ("._content", "PlaceCitation"),
    "ProcessingCallStep": ("._steps", "ProcessingCallStep"),
    "ProcessingResultStep": ("._steps", "ProcessingResultStep"),
    "RateLimitError": ("._errors", "RateLimitError"),
    "ResponseFormatEntry": ("._requests", "ResponseFormatEntry"),
    "ResponseValidationError": ("._errors", "ResponseValidationError"),
    "RetrievalCallStep": ("._steps", "RetrievalCallStep"),
    "RetrievalResultStep": ("._steps", "RetrievalResultStep"),
    "RetryPolicy": ("._retry", "RetryPolicy"),
    "RunCancelledError": ("._errors", "RunCancelledError"),
    "RunError": ("._errors", "RunError"),
    "RunEvent": ("._run_events", "RunEvent"),
    "RunFinishedEvent": ("._run_events", "RunFinishedEvent"),
    "RunResult": ("._result", "RunResult"),
    "ServerError": ("._errors", "ServerError"),
    "Step": ("._pipeline", "Step"),
    "StepDeltaEvent": ("._events", "StepDeltaEvent"),
    "StepStartEvent": ("._events", "StepStartEvent"),
    "StepStopEvent": ("._events", "StepStopEvent"),
    "StreamError": ("._errors", "StreamError"),
    "StreamEvent": ("._events", "StreamEvent"),
    "TextAnnotationDelta": ("._events", "TextAnnotationDelta"),
    "TextContent": ("._content", "TextContent"),
    "TextDelta": ("._events", "TextDelta"),
    "TextDeltaEvent": ("._run_events", "TextDeltaEvent"),
    "ThoughtDeltaEvent": ("._run_events", "ThoughtDeltaEvent"),
    "ThoughtSignatureDelta": ("._events", "ThoughtSignatureDelta"),
    "ThoughtStep": ("._steps", "ThoughtStep"),
    "ThoughtSummaryDelta": ("._events", "ThoughtSummaryDelta"),
    "ToolArgumentsError": ("._errors", "ToolArgumentsError"),
    "ToolCallFinishedEvent": ("._run_events", "ToolCallFinishedEvent"),
    "ToolCallRecord": ("._result", "ToolCallRecord"),
    "ToolCallStartedEvent": ("._run_events", "ToolCallStartedEvent"),
    "ToolContext": ("._context", "ToolContext"),
    "ToolDelta": ("._events", "ToolDelta"),
    "ToolError": ("._errors", "ToolError"),
    "ToolExecutionError": ("._errors", "ToolExecutionError"),
    "ToolRetry": ("._errors", "ToolRetry"),
    "ToolSearchCallStep": ("._steps", "ToolSearchCallStep"),
    "ToolSearchResultStep": ("._steps", "ToolSearchResultStep"),
    "Turn": ("._requests", "Turn"),
    "UnknownContent": ("._content", "UnknownContent"),
    "UnknownDelta": ("._events", "UnknownDelta"),
    "UnknownEvent": ("._events", "UnknownEvent"),
    "UnknownStep": ("._steps", "UnknownStep"),
    "UnknownToolError": ("._errors", "UnknownToolError"),
    "UrlCitation": ("._content", "UrlCitation"),
    "UrlContext": ("._builtin", "UrlContext"),
    "UrlContextCallStep": ("._steps", "UrlContextCallStep"),
    "UrlContextResultStep": ("._steps", "UrlContextResultStep"),
    "Usage": ("._interaction", "Usage"),
    "UserError": ("._errors", "UserError"),
    "UserInputStep": ("._steps", "UserInputStep"),
    "Video": ("._media", "Video"),
    "VideoContent": ("._content", "VideoContent"),
    "__version__": ("._version", "__version__"),
    "tool": ("._tools", "tool"),
}

__all__ = (
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "Agent",
    "AgentloopError",
    "Annotation",
    "ArgumentsDelta",
    "AsyncBackgroundRun",
    "AsyncClient",
    "AsyncFiles",
    "AsyncInteractionStream",
    "AsyncInteractions",
    "Audio",
    "AudioContent",
    "AuthenticationError",
    "BackgroundProgress",
    "BackgroundRun",
    "BadRequestError",
    "BuiltinTool",
    "Chat",
    "Client",
    "ClientOptions",
    "CodeExecution",
    "CodeExecutionCallStep",
    "CodeExecutionResultStep",
    "ConflictError",
    "Content",
    "CreateInteractionBody",
    "Delta",
    "Document",
    "DocumentContent",
    "ErrorEvent",
    "EventType",
    "File",
    "FileCitation",
    "FileSearch",
    "FileSearchCallStep",
    "FileSearchResultStep",
    "Files",
    "FunctionCallStep",
    "FunctionResultInput",
    "FunctionResultStep",
    "FunctionTool",
    "GeneratedImage",
    "GenerationConfig",
    "GoogleMaps",
    "GoogleMapsCallStep",
    "GoogleMapsResultStep",
    "GoogleSearch",
    "GoogleSearchCallStep",
    "GoogleSearchResultStep",
    "Image",
    "ImageContent",
    "Interaction",
    "InteractionCompletedEvent",
    "InteractionCreatedEvent",
    "InteractionError",
    "InteractionFailedError",
    "InteractionFinishedEvent",
    "InteractionStatusUpdateEvent",
    "InteractionStep",
    "InteractionStream",
    "LegacyFunctionCallDelta",
    "MCPConnectionError",
    "MCPHttp",
    "MCPServer",
    "MCPStdio",
    "MaxTurnsExceeded",
    "McpServerToolCallStep",
    "McpServerToolResultStep",
    "ModelOutputStep",
    "NotFoundError",
    "Output",
    "OutputValidationError",
    "PermissionDeniedError",
    "Pipeline",
    "PipelineEvent",
    "PipelineResult",
    "PlaceCitation",
    "ProcessingCallStep",
    "ProcessingResultStep",
    "RateLimitError",
    "ResponseFormatEntry",
    "ResponseValidationError",
    "RetrievalCallStep",
    "RetrievalResultStep",
    "RetryPolicy",
    "RunCancelledError",
    "RunError",
    "RunEvent",
    "RunFinishedEvent",
    "RunResult",
    "ServerError",
    "Step",
    "StepDeltaEvent",
    "StepStartEvent",
    "StepStopEvent",
    "StreamError",
    "StreamEvent",
    "TextAnnotationDelta",
    "TextContent",
    "TextDelta",
    "TextDeltaEvent",
    "ThoughtDeltaEvent",
    "ThoughtSignatureDelta",
    "ThoughtStep",
    "ThoughtSummaryDelta",
    "ToolArgumentsError",
    "ToolCallFinishedEvent",
    "ToolCallRecord",
    "ToolCallStartedEvent",
    "ToolContext",
    "ToolDelta",
    "ToolError",
    "ToolExecutionError",
    "ToolRetry",
    "ToolSearchCallStep",
    "ToolSearchResultStep",
    "Turn",
    "UnknownContent",
    "UnknownDelta",
    "UnknownEvent",
    "UnknownStep",
    "UnknownToolError",
    "UrlCitation",
    "UrlContext",
    "UrlContextCallStep",
    "UrlContextResultStep",
    "Usage",
    "UserError",
    "UserInputStep",
    "Video",
    "VideoContent",
    "__version__",
    "tool",
)


def __getattr__(name: str) -> Any:
    try:
        module_name, attribute = _EXPORTS[name]
    except KeyError:
        raise AttributeError(f"module 'agentloop' has no attribute {name!r}") from None
    value = getattr(_importlib.import_module(module_name, __name__), attribute)
    # Show short, public paths in reprs and docs (agentloop.Agent, not agentloop._agent).
    if isinstance(value, type) and value.__module__.startswith("agentloop._"):
        value.__module__ = "agentloop"
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
