"""agentloop: the Python agent framework for Gemini's Interactions API.

Public names load on first use (PEP 562), so `import agentloop` stays fast and a
script pays only for what it touches. The import list below is the one list of
public names: type checkers read it as re-exports, and at run time `_lazy` reads the
same lines to know where each name lives. The wire models are in `agentloop.types`.
"""

from typing import TYPE_CHECKING, Any

from ._httpx_cli import skip_httpx_cli
from ._lazy import LazyExports

skip_httpx_cli()  # ~45 ms of every first use: httpx would import its CLI (click, rich)

if TYPE_CHECKING:
    from ._durable.checkpoints import Checkpoints as Checkpoints
    from ._durable.checkpoints import MemoryCheckpoints as MemoryCheckpoints
    from ._durable.checkpoints import SQLiteCheckpoints as SQLiteCheckpoints
    from ._durable.sessions import MemorySessions as MemorySessions
    from ._durable.sessions import Sessions as Sessions
    from ._durable.sessions import SQLiteSessions as SQLiteSessions
    from ._errors import AgentloopError as AgentloopError
    from ._errors import APIConnectionError as APIConnectionError
    from ._errors import APIError as APIError
    from ._errors import APIStatusError as APIStatusError
    from ._errors import APITimeoutError as APITimeoutError
    from ._errors import AuthenticationError as AuthenticationError
    from ._errors import BadRequestError as BadRequestError
    from ._errors import CallAlreadyAnsweredError as CallAlreadyAnsweredError
    from ._errors import ConflictError as ConflictError
    from ._errors import GuardrailTripped as GuardrailTripped
    from ._errors import InteractionFailedError as InteractionFailedError
    from ._errors import MaxTurnsExceeded as MaxTurnsExceeded
    from ._errors import NotFoundError as NotFoundError
    from ._errors import OutputValidationError as OutputValidationError
    from ._errors import PermissionDeniedError as PermissionDeniedError
    from ._errors import RateLimitError as RateLimitError
    from ._errors import ReplyLostError as ReplyLostError
    from ._errors import ResponseValidationError as ResponseValidationError
    from ._errors import RunCancelledError as RunCancelledError
    from ._errors import RunClaimedError as RunClaimedError
    from ._errors import RunError as RunError
    from ._errors import ServerError as ServerError
    from ._errors import SessionConflictError as SessionConflictError
    from ._errors import StreamError as StreamError
    from ._errors import ToolArgumentsError as ToolArgumentsError
    from ._errors import ToolError as ToolError
    from ._errors import ToolExecutionError as ToolExecutionError
    from ._errors import ToolRetry as ToolRetry
    from ._errors import UnknownToolError as UnknownToolError
    from ._errors import UsageLimitExceeded as UsageLimitExceeded
    from ._errors import UserError as UserError
    from ._http.client import AsyncClient as AsyncClient
    from ._http.client import Client as Client
    from ._http.client import ClientOptions as ClientOptions
    from ._http.client import InteractionStream as InteractionStream
    from ._http.files import AsyncFiles as AsyncFiles
    from ._http.files import Files as Files
    from ._http.interactions import AsyncInteractions as AsyncInteractions
    from ._http.retry import RetryPolicy as RetryPolicy
    from ._http.stream import AsyncInteractionStream as AsyncInteractionStream
    from ._mcp.bridge import MCPHttp as MCPHttp
    from ._mcp.bridge import MCPStdio as MCPStdio
    from ._mcp.connection import MCPConnectionError as MCPConnectionError
    from ._obs.config import instrument as instrument
    from ._obs.hooks import HookContext as HookContext
    from ._obs.hooks import HookError as HookError
    from ._obs.hooks import RunHooks as RunHooks
    from ._obs.trace import RunTrace as RunTrace
    from ._obs.trace import TraceEvent as TraceEvent
    from ._obs.trace import TraceSpan as TraceSpan
    from ._run.agent import Agent as Agent
    from ._run.agent_tool import AgentTool as AgentTool
    from ._run.background import AsyncBackgroundRun as AsyncBackgroundRun
    from ._run.background import BackgroundProgress as BackgroundProgress
    from ._run.background import BackgroundRun as BackgroundRun
    from ._run.chat import Chat as Chat
    from ._run.compaction import HistoryLimit as HistoryLimit
    from ._run.environment import Environment as Environment
    from ._run.events import ApprovalRequestedEvent as ApprovalRequestedEvent
    from ._run.events import HandoffEvent as HandoffEvent
    from ._run.events import InteractionFinishedEvent as InteractionFinishedEvent
    from ._run.events import RunEvent as RunEvent
    from ._run.events import RunFinishedEvent as RunFinishedEvent
    from ._run.events import TextDeltaEvent as TextDeltaEvent
    from ._run.events import ThoughtDeltaEvent as ThoughtDeltaEvent
    from ._run.events import ToolCallFinishedEvent as ToolCallFinishedEvent
    from ._run.events import ToolCallStartedEvent as ToolCallStartedEvent
    from ._run.guardrails import Guardrail as Guardrail
    from ._run.guardrails import GuardrailContext as GuardrailContext
    from ._run.handoffs import Handoff as Handoff
    from ._run.limits import UsageLimits as UsageLimits
    from ._run.parallel import ParallelResult as ParallelResult
    from ._run.pipeline import Parallel as Parallel
    from ._run.pipeline import Pipeline as Pipeline
    from ._run.pipeline import PipelineEvent as PipelineEvent
    from ._run.pipeline import PipelineResult as PipelineResult
    from ._run.pipeline import PipelineStep as PipelineStep
    from ._run.result import HandoffRecord as HandoffRecord
    from ._run.result import PendingApproval as PendingApproval
    from ._run.result import RunResult as RunResult
    from ._run.result import ToolCallRecord as ToolCallRecord
    from ._run.state import RunState as RunState
    from ._run.tool_search import ToolSearch as ToolSearch
    from ._run.tool_search import rank_tools as rank_tools
    from ._tools.builtin import BuiltinTool as BuiltinTool
    from ._tools.builtin import CodeExecution as CodeExecution
    from ._tools.builtin import FileSearch as FileSearch
    from ._tools.builtin import GoogleMaps as GoogleMaps
    from ._tools.builtin import GoogleSearch as GoogleSearch
    from ._tools.builtin import MCPServer as MCPServer
    from ._tools.builtin import UrlContext as UrlContext
    from ._tools.context import ToolContext as ToolContext
    from ._tools.function import FunctionTool as FunctionTool
    from ._tools.function import tool as tool
    from ._version import __version__ as __version__
    from ._wire.interaction import Interaction as Interaction
    from ._wire.interaction import Usage as Usage
    from ._wire.media import Audio as Audio
    from ._wire.media import Document as Document
    from ._wire.media import Image as Image
    from ._wire.media import Video as Video

_exports = LazyExports(__name__, __file__)


def __getattr__(name: str) -> Any:
    return _exports.load(name, globals())


def __dir__() -> list[str]:
    return sorted(_exports.names)
