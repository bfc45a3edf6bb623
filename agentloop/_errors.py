"""The exception hierarchy. Catch by meaning, never by status code.

```
AgentloopError
├── APIError                      anything that went wrong talking to the API
│   ├── APIConnectionError        no usable HTTP response (DNS, refused, reset, ...)
│   │   ├── APITimeoutError       the request timed out
│   │   └── ReplyLostError        a create reached the server and its reply was lost
│   │                             (not sent again, or every repeat was lost too)
│   ├── APIStatusError            the server answered with a 4xx/5xx status
│   │   ├── BadRequestError       400
│   │   │   └── CallAlreadyAnsweredError  a repeated create was refused: its first
│   │   │                         attempt had already answered the function calls
│   │   ├── AuthenticationError   401
│   │   ├── PermissionDeniedError 403
│   │   ├── NotFoundError         404
│   │   ├── ConflictError         409
│   │   ├── RateLimitError        429
│   │   └── ServerError           5xx
│   ├── StreamError               an SSE stream broke, or carried an `error` event
│   └── ResponseValidationError   the server answered, but not in a shape we model
├── ToolError                     a tool call failed (raised only with tool_errors="raise")
│   ├── UnknownToolError          the model called a tool that does not exist
│   ├── ToolArgumentsError        the model's arguments did not validate
│   └── ToolExecutionError        the handler raised or timed out (__cause__ says why)
├── RunError                      an agent run ended without an answer (.result: the partial run)
│   │                             (every error that ends a run has .state, to resume it)
│   ├── MaxTurnsExceeded          the model still wanted tools after max_turns rounds
│   ├── InteractionFailedError    the server reported the interaction failed
│   ├── OutputValidationError     the answer did not match response_format (.raw_text)
│   ├── RunCancelledError         the interaction was cancelled
│   ├── UsageLimitExceeded        a run went past its UsageLimits (.limit, .value)
│   └── GuardrailTripped          an input, output or tool guardrail refused (.reason)
├── SessionConflictError          another writer changed a chat session first
├── RunClaimedError               another process (or task) is driving a checkpointed run
└── UserError                     the library was used in a way it cannot work
ToolRetry                         raised BY a handler to send the model a corrective message
```

This module owns the classes and the status→class mapping. It must never put an
API key in a message: requests are described by method and URL only, the URL has
its `key` query parameter masked, and a key a server echoes back is masked too.
Messages quote at most `MESSAGE_BODY_LIMIT` characters of a body; the whole body
stays on `exc.body`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    # Annotations only: the errors are raised by the HTTP layer, which has imported
    # httpx by then; `from agentloop import Agent, tool` must not pay ~40 ms for it.
    import httpx

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "AgentloopError",
    "AuthenticationError",
    "BadRequestError",
    "CallAlreadyAnsweredError",
    "ConflictError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "ReplyLostError",
    "InteractionFailedError",
    "MaxTurnsExceeded",
    "OutputValidationError",
    "ResponseValidationError",
    "RunCancelledError",
    "RunError",
    "ServerError",
    "StreamError",
    "ToolArgumentsError",
    "ToolError",
    "ToolExecutionError",
    "ToolRetry",
    "UnknownToolError",
    "UserError",
    "UsageLimitExceeded",
    "GuardrailTripped",
    "RunClaimedError",
    "SessionConflictError",
    "bounded",
    "mask_secret",
    "status_error_from_response",
]

JsonObject = dict[str, Any]

MESSAGE_BODY_LIMIT = 2000
"""Characters of a server's body quoted in an exception message, at most."""
_MASK = "***"


def bounded(text: str, limit: int = MESSAGE_BODY_LIMIT) -> str:
    """`text`, cut to `limit` characters with a note saying how much was left out."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}... ({len(text) - limit} more characters)"


def mask_secret(value: Any, secret: str | None) -> Any:
    """`value` (a string, or JSON-like data) with every occurrence of `secret` masked."""
    if not secret:
        return value
    if isinstance(value, str):
        return value.replace(secret, _MASK) if secret in value else value
    if isinstance(value, dict):
        mapping = cast(dict[object, object], value)
        return {mask_secret(k, secret): mask_secret(v, secret) for k, v in mapping.items()}
    if isinstance(value, list):
        return [mask_secret(item, secret) for item in cast(list[object], value)]
    return value


class AgentloopError(Exception):
    """The root of every exception agentloop raises on purpose."""

    state: Any = None
    """The run's `RunState` when this error ended an agent run (fix the cause, then
    `agent.resume(error.state)`); None for errors outside a run."""


class UserError(AgentloopError):
    """The library was called in a way that cannot work; the message says how to fix it."""


class ToolError(AgentloopError):
    """A tool call failed. By default this becomes an error result the model reads;
    it is raised only with `tool_errors="raise"`.

    Attributes:
        tool_name: the tool the model called.
        call_id: the id of the `function_call`.
    """

    def __init__(self, message: str, *, tool_name: str, call_id: str) -> None:
        super().__init__(message)
        self.message = message
        self.tool_name = tool_name
        self.call_id = call_id


class UnknownToolError(ToolError):
    """The model called a tool the agent does not have."""


class ToolArgumentsError(ToolError):
    """The model's arguments did not validate against the tool's schema."""


class ToolExecutionError(ToolError):
    """The handler raised, timed out, or returned something that cannot be sent."""


class RunError(AgentloopError):
    """An agent run ended without a usable answer.

    Attributes:
        result: the run so far (`RunResult`): every interaction, tool call and the
            usage up to the failure, so no work is lost.
    """

    def __init__(self, message: str, *, result: Any, state: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.result = result
        self.state = state


class MaxTurnsExceeded(RunError):
    """The model still asked for tools after `max_turns` tool rounds."""


class InteractionFailedError(RunError):
    """The server reported the interaction `failed`; `errors` holds what it said."""

    def __init__(
        self, message: str, *, result: Any, errors: list[Any] | None = None, state: Any = None
    ) -> None:
        super().__init__(message, result=result, state=state)
        self.errors: list[Any] = errors or []


class OutputValidationError(RunError):
    """The final answer did not match `response_format`, even after the allowed retries.

    Attributes:
        raw_text: the model's last answer, as it was.
    """

    def __init__(self, message: str, *, result: Any, raw_text: str, state: Any = None) -> None:
        super().__init__(message, result=result, state=state)
        self.raw_text = raw_text


class RunCancelledError(RunError):
    """The interaction was cancelled (e.g. through `interactions.cancel`)."""


class UsageLimitExceeded(RunError):
    """The run went past one of its `UsageLimits`; raise the limit, then resume from
    `.state` (nothing already done is done again).

    Attributes:
        limit: which limit: `requests`, `tool_calls`, `input_tokens`,
            `output_tokens` or `total_tokens`.
        value: the count that went past it.
        maximum: the limit's value.
    """

    def __init__(
        self, message: str, *, result: Any, state: Any = None, limit: str, value: int, maximum: int
    ) -> None:
        super().__init__(message, result=result, state=state)
        self.limit = limit
        self.value = value
        self.maximum = maximum


class GuardrailTripped(RunError):
    """A guardrail refused the run's input, its output or a tool call; nothing after
    the check was executed.

    Attributes:
        guardrail: the guardrail's name.
        stage: `input`, `output` or `tool`.
        reason: why it tripped.
    """

    def __init__(
        self,
        message: str,
        *,
        result: Any,
        state: Any = None,
        guardrail: str,
        stage: str,
        reason: str,
    ) -> None:
        super().__init__(message, result=result, state=state)
        self.guardrail = guardrail
        self.stage = stage
        self.reason = reason


class SessionConflictError(AgentloopError):
    """Another writer (another process, another `Chat`) saved the chat session after
    this one loaded it: this turn was not saved. Open the chat again to continue from
    the latest turn."""


class RunClaimedError(AgentloopError):
    """A checkpointed run is being driven by another process (or task), or was driven
    on since this state was loaded: this one did not run it, so nothing ran twice.

    While a run goes on, its checkpoint store holds a claim on its run id, renewed as
    it runs and released when it ends, pauses or fails; a claim whose process died
    lapses after the store's `claim_ttl`. Wait for the other run, or resume by run id
    again to continue from the latest checkpoint.
    """

    def __init__(self, message: str, *, run_id: str) -> None:
        super().__init__(message)
        self.run_id = run_id
        """The run that is claimed."""


class ToolRetry(Exception):
    """Raise from a tool handler to tell the model what to do differently.

    The message goes back to the model as an error result, as is (no exception type),
    e.g. `raise ToolRetry("Use a city name, not a postcode.")`.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def describe_request(request: httpx.Request | None) -> str:
    """`METHOD url` with any `key=` query parameter masked, for messages and reprs."""
    if request is None:
        return "request"
    url = request.url
    if "key" in url.params:
        url = url.copy_set_param("key", "***")
    return f"{request.method} {url}"


class APIError(AgentloopError):
    """Something went wrong talking to the Interactions API.

    Attributes:
        message: what happened and what to do next.
        request: the request that failed, if one was built.
        body: the parsed error body, when the server sent one.
    """

    def __init__(
        self,
        message: str,
        *,
        request: httpx.Request | None = None,
        body: object | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.request = request
        self.body = body

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r})"


class APIConnectionError(APIError):
    """No usable response arrived: the connection failed, was reset or broke mid-body."""

    def __init__(
        self, message: str = "Connection error.", *, request: httpx.Request | None = None
    ) -> None:
        super().__init__(message, request=request)


class APITimeoutError(APIConnectionError):
    """The request timed out. Raise `timeout=` on the client or the call if this is expected."""

    def __init__(
        self, message: str = "Request timed out.", *, request: httpx.Request | None = None
    ) -> None:
        super().__init__(message, request=request)


class ReplyLostError(APIConnectionError):
    """A request that is not safe to repeat (a create) reached the server, and its
    reply was lost: with `retry_ambiguous=False` it is not sent again, and with
    `True` this is raised when every repeat lost its reply too.

    The server may or may not have carried it out. In an agent run, `state` holds the
    run's `RunState` as it was before the request (its `pending_input` is what was
    sent) and `result` the run so far, so the run can be inspected or continued.

    Attributes:
        state: the run's `RunState` (None outside a run).
        result: the run so far, a `RunResult` (None outside a run).
    """

    def __init__(self, message: str, *, request: httpx.Request | None = None) -> None:
        super().__init__(message, request=request)
        self.state: Any = None
        self.result: Any = None


class APIStatusError(APIError):
    """The server answered with an error status.

    Attributes:
        status_code: the HTTP status.
        response: the httpx response (its body already read).
        code: Google's error `code` (an int such as 429, or a string such as
            `"resource_exhausted"`, depending on the server).
        status: Google's error `status`, e.g. `"RESOURCE_EXHAUSTED"`, if given.
        request_id: the request id header the server sent, if any.
        detail: Google's error `message`, verbatim, if the body had one.
    """

    def __init__(
        self,
        message: str,
        *,
        response: httpx.Response,
        body: object | None,
        code: int | str | None = None,
        status: str | None = None,
        detail: str | None = None,
    ) -> None:
        super().__init__(message, request=response.request, body=body)
        self.detail: str | None = detail
        self.response: httpx.Response = response
        self.status_code: int = response.status_code
        self.code: int | str | None = code
        self.status: str | None = status
        self.request_id: str | None = _request_id(response)


class BadRequestError(APIStatusError):
    """400: the request is malformed; the message names the offending field."""


class AuthenticationError(APIStatusError):
    """401: the API key is missing or invalid."""


class PermissionDeniedError(APIStatusError):
    """403: the key is valid but not allowed to do this."""


class CallAlreadyAnsweredError(BadRequestError):
    """A create carrying function results was sent again after its reply was lost,
    and the server refused it: the first attempt had answered the calls already.

    The tools were not run again. In an agent run, `state` holds the run's `RunState`
    as it was before the request and `result` the run so far. The interaction the
    first attempt created exists on the server, but its id never reached us.

    Attributes:
        call_ids: the `call_id`s the refused request answered.
        state: the run's `RunState` (None outside a run).
        result: the run so far, a `RunResult` (None outside a run).
    """

    def __init__(
        self,
        message: str,
        *,
        response: httpx.Response,
        body: object | None,
        call_ids: list[str],
        code: int | str | None = None,
        status: str | None = None,
        detail: str | None = None,
    ) -> None:
        super().__init__(
            message, response=response, body=body, code=code, status=status, detail=detail
        )
        self.call_ids = call_ids
        self.state: Any = None
        self.result: Any = None


class NotFoundError(APIStatusError):
    """404: no such interaction (or model); it may have expired or been deleted."""


class ConflictError(APIStatusError):
    """409: the resource is in a state that conflicts with the request."""


class RateLimitError(APIStatusError):
    """429: quota or rate limit exhausted. Retried automatically; raised when retries run out."""


class ServerError(APIStatusError):
    """5xx: the service failed. Retried automatically; raised when retries run out."""


class StreamError(APIError):
    """An event stream failed: it carried an `error` event, or broke and could not resume.

    Attributes:
        code: the `error.code` of an in-stream error event, if that is what happened.
        event_id: the id of the last event delivered before the failure, if any.
    """

    def __init__(
        self,
        message: str,
        *,
        request: httpx.Request | None = None,
        body: object | None = None,
        code: int | str | None = None,
        event_id: str | None = None,
    ) -> None:
        super().__init__(message, request=request, body=body)
        self.code = code
        self.event_id = event_id


class ResponseValidationError(APIError):
    """The server answered successfully, but the body is not in a shape agentloop models."""


_STATUS_CLASSES: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    429: RateLimitError,
}

_NEXT_STEP: dict[type[APIStatusError], str] = {
    BadRequestError: "Fix the request; it will fail the same way if sent again.",
    AuthenticationError: (
        "Check the API key: pass api_key=... or set GEMINI_API_KEY (or GOOGLE_API_KEY)."
    ),
    PermissionDeniedError: "The key is not allowed to do this; check the project's access.",
    NotFoundError: "Check the id: interactions expire, and deleted ones are gone.",
    ConflictError: "The resource changed state; fetch it again before retrying.",
    RateLimitError: "Quota exhausted after retries; slow down or raise max_retries.",
    ServerError: "The service failed after retries; try again later or raise max_retries.",
}


def _not_found_hint(request: httpx.Request | None) -> str:
    """A 404's likely cause, from what was asked for (an id, a file, or an endpoint)."""
    path = request.url.path if request is not None else ""
    if "/interactions/" in path:
        return _NEXT_STEP[NotFoundError]
    if "/files/" in path:
        return (
            "Check the file name: uploaded files expire after 48 hours, and deleted ones are gone."
        )
    return "Check the base URL: the server there does not have this endpoint."


def _request_id(response: httpx.Response) -> str | None:
    for name in ("x-request-id", "x-goog-request-id", "request-id"):
        value: str | None = response.headers.get(name)
        if value:
            return value
    return None


def status_error_from_response(
    response: httpx.Response, *, secret: str | None = None
) -> APIStatusError:
    """Build the exception matching an error response (whose body must already be read).

    Google's body is `{"error": {"code", "message", "status"?}}`; `code` may be an int
    or a string. Anything else (HTML from a proxy, empty body) still maps by status.
    `secret` (the API key) is masked wherever the body or headers echo it.
    """
    body: object | None
    try:
        body = response.json() if response.content else None
    except (ValueError, RecursionError):
        body = response.text or None
    if secret:
        body = mask_secret(body, secret)
        for name, value in list(response.headers.items()):
            if secret in value:
                response.headers[name] = value.replace(secret, _MASK)
    code: int | str | None = None
    status: str | None = None
    detail: str | None = None
    error = _json_field(body, "error")
    if error is not None:
        raw_code = _json_field(error, "code")
        code = raw_code if isinstance(raw_code, int | str) else None
        raw_status = _json_field(error, "status")
        status = raw_status if isinstance(raw_status, str) else None
        raw_message = _json_field(error, "message")
        detail = raw_message if isinstance(raw_message, str) else None
    elif isinstance(body, str):
        detail = body

    status_code = response.status_code
    cls = _STATUS_CLASSES.get(status_code)
    if cls is None:
        cls = ServerError if status_code >= 500 else APIStatusError
    label = f"{status_code}" + (f" {status}" if status else "")
    message = f"{describe_request(response.request)} failed with {label}"
    if status_code in (301, 302, 303, 307, 308):
        location = mask_secret(response.headers.get("location", "?"), secret)
        message += (
            f": a redirect to {bounded(location, 200)}, not followed so that the API key "
            "stays with the configured origin. Point base_url at the final address."
        )
    elif detail:
        message += f": {bounded(detail)}"
    next_step = _NEXT_STEP.get(cls)
    if cls is NotFoundError:
        next_step = _not_found_hint(response.request)
    if next_step:
        message += f" {next_step}"
    return cls(message, response=response, body=body, code=code, status=status, detail=detail)


def _json_field(value: object, key: str) -> object:
    """`value[key]` when `value` is a JSON object, else None."""
    return cast(dict[str, object], value).get(key) if isinstance(value, dict) else None
