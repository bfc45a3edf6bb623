"""agentloop: the Python agent framework for Gemini's Interactions API."""

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
    "MCPServer",
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

# Show short, public paths in reprs and docs (agentloop.Interaction, not agentloop._x).
for _name in __all__:
    _obj = globals()[_name]
    if isinstance(_obj, type) and _obj.__module__.startswith("agentloop._"):
        _obj.__module__ = "agentloop"
del _name, _obj
