"""`UsageLimits`: hard caps on what one run (or one chat) may spend, checked as it goes.

    before each request      requests (predictable: the request is not sent)
    before each tool round   tool_calls (the calls do not run)
    after each response      input / output / total tokens (counted from `usage`),
                             when the run would go on

A limit that trips raises `UsageLimitExceeded` with the run so far and its state;
resuming that state with a higher limit continues where the run stopped. A
sub-agent run as a tool (`agent.as_tool`) counts against its parent's limits too,
and every run of a chat against the chat's (`agent.chat(usage_limits=...)`).
No I/O here.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

from .._errors import UsageLimitExceeded, UserError
from .._wire.interaction import Usage
from .result import result_of
from .state import RunState

__all__ = ["Spent", "UsageLimits", "requests_of"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Spent:
    """What a run (and the runs above it) spent before the current one started."""

    requests: int = 0
    tool_calls: int = 0
    usage: Usage = field(default_factory=Usage)

    def plus(self, state: RunState, since: RunState | None = None) -> Spent:
        """These counts plus what `state`'s run spent so far; `since`: an earlier state
        of the same run (it was resumed from it), whose spending is left out. The
        token totals the limits read are then all `usage` keeps."""
        spent = Spent(
            requests=self.requests + requests_of(state),
            tool_calls=self.tool_calls + len(state.tool_calls),
            usage=self.usage + state.usage,
        )
        if since is None:
            return spent

        def after(name: str) -> int:
            return int(getattr(spent.usage, name) or 0) - int(getattr(since.usage, name) or 0)

        return Spent(
            requests=spent.requests - requests_of(since),
            tool_calls=spent.tool_calls - len(since.tool_calls),
            usage=Usage(
                total_input_tokens=after("total_input_tokens"),
                total_output_tokens=after("total_output_tokens"),
                total_tokens=after("total_tokens"),
            ),
        )


def requests_of(state: RunState) -> int:
    """The requests `state`'s run made, its sub-agents' (`agent.as_tool`) included."""
    made = len(state.interactions)
    for record in state.tool_calls:
        made += len(record.child_interactions)
    if state.round is not None:
        for ids in state.round.child_interactions.values():
            made += len(ids)
    return made


_TOKEN_FIELDS = {
    "input_tokens": "total_input_tokens",
    "output_tokens": "total_output_tokens",
    "total_tokens": "total_tokens",
}
"""Each token limit and the `Usage` total it caps."""


@dataclass(frozen=True, slots=True, kw_only=True)
class UsageLimits:
    """Caps on one run (None: no cap). A sub-agent's spending counts toward them.

    ```python
    from agentloop import Agent, UsageLimits

    agent = Agent("gemini-2.5-flash", usage_limits=UsageLimits(requests=20, total_tokens=50_000))
    print(agent.run("Hello").text)
    ```
    """

    requests: int | None = None
    """Create requests (continuation hops and output retries included)."""
    tool_calls: int | None = None
    """Function calls run; checked before a round runs, for the whole round."""
    input_tokens: int | None = None
    """`usage.total_input_tokens`, summed over the run."""
    output_tokens: int | None = None
    """`usage.total_output_tokens`, summed over the run."""
    total_tokens: int | None = None
    """`usage.total_tokens`, summed over the run."""

    def __post_init__(self) -> None:
        for item in fields(self):
            value = getattr(self, item.name)
            if value is not None and (
                isinstance(value, bool) or not isinstance(value, int) or value < 0
            ):
                raise UserError(
                    f"UsageLimits({item.name}=...) must be an int >= 0 or None, not {value!r}"
                )

    def check_request(self, spent: Spent, state: RunState, *, chat: bool = False) -> None:
        """Raise if one more request would pass `requests` (`chat`: these are a
        chat's limits, for the message)."""
        if self.requests is not None:
            made = spent.requests + requests_of(state)
            if made + 1 > self.requests:
                _exceed(state, "requests", made + 1, self.requests, "another request", chat)

    def check_tools(self, spent: Spent, state: RunState, *, chat: bool = False) -> None:
        """Raise if running the state's unanswered calls would pass `tool_calls`."""
        if self.tool_calls is None or state.round is None:
            return
        done = spent.tool_calls + len(state.tool_calls) + len(state.round.results)
        wanted = done + len(state.round.unanswered)
        if wanted > self.tool_calls:
            _exceed(state, "tool_calls", wanted, self.tool_calls, "this tool round", chat)

    def check_tokens(self, spent: Spent, state: RunState, *, chat: bool = False) -> None:
        """Raise if the run's tokens so far passed a token limit."""
        usage = spent.usage + state.usage
        for name, field_name in _TOKEN_FIELDS.items():
            maximum = getattr(self, name)
            value = getattr(usage, field_name) or 0
            if maximum is not None and value > maximum:
                _exceed(state, name, value, maximum, "the next step", chat)


def _exceed(state: RunState, limit: str, value: int, maximum: int, what: str, chat: bool) -> None:
    message = (
        f"the chat's usage limit {limit}={maximum} reached ({value}, over all its turns) "
        f"before {what}; open the chat with a higher agent.chat(usage_limits=...) to go on"
        if chat
        else f"usage limit {limit}={maximum} reached ({value}) before {what}; raise "
        f"UsageLimits({limit}=...) and resume from error.state to go on"
    )
    raise UsageLimitExceeded(
        message,
        result=result_of(state),
        state=state,
        limit=limit,
        value=value,
        maximum=maximum,
    )
