"""Guardrails: checks on a run's input, its final output, and its tool calls.

A guardrail is a function (sync or async) of the value checked, optionally with a
`GuardrailContext`; it returns None (or True) to let the run go on, and False or a
reason (a string) to stop it. `Guardrail.decision(question, model=...)` asks a
model instead: through `client.decisions` (the hosted classifier) when the client
has it, otherwise with a one-shot yes/no prompt through the same client.

A tripped guardrail raises `GuardrailTripped`; nothing after the check runs (an
input guardrail that runs in parallel with the first request cancels it, and no
tool of that response runs).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, cast

from .._errors import GuardrailTripped, UserError
from .result import result_of
from .state import RunState

if TYPE_CHECKING:
    from .._http.client import AsyncClient

__all__ = ["Guardrail", "GuardrailContext", "GuardrailLike", "Stage", "as_guardrails", "check_all"]

Stage = Literal["input", "output", "tool"]

GuardrailFunction = Callable[..., Any]
"""`(value) -> None | bool | str` or `(value, ctx) -> ...`, sync or async."""


@dataclass(frozen=True, slots=True, kw_only=True)
class GuardrailContext:
    """What a guardrail may know besides the value it checks."""

    stage: Stage
    """`input` (the run's input), `output` (its final output) or `tool` (a call)."""
    agent_name: str | None
    """The agent whose run is checked."""
    client: AsyncClient
    """The agent's client (what `Guardrail.decision` asks through)."""
    deps: Any = None
    """The run's `deps=`."""


class Guardrail:
    """A named check; plain functions passed as guardrails are wrapped in one.

    Args:
        check: `(value) -> None | bool | str` or `(value, ctx: GuardrailContext)`,
            sync or async: None/True passes, False or a reason (str) trips.
        name: for the error (default: the function's name).
        parallel: for input guardrails, run concurrently with the first request
            (cancelled if the guardrail trips; its tools never run) instead of
            before it. A streamed run reads nothing of its stream until it passes.
    """

    def __init__(
        self, check: GuardrailFunction, *, name: str | None = None, parallel: bool = False
    ) -> None:
        if not callable(check):
            raise UserError(f"a guardrail must be a function, not {check!r}")
        self.check = check
        self.name: str = name or getattr(check, "__name__", None) or "guardrail"
        """The guardrail's name."""
        self.parallel = parallel
        """Runs concurrently with the first request (input guardrails only)."""
        self._takes_context = _arity(check) >= 2

    @classmethod
    def decision(
        cls,
        question: str,
        *,
        model: str,
        trip_on: Literal["yes", "no"] = "no",
        name: str | None = None,
        parallel: bool = False,
    ) -> Guardrail:
        """A guardrail that asks `model` a yes/no `question` about the value.

        Uses `client.decisions.create` when the agent's client has it; otherwise one
        interaction with `model` asked to answer yes or no. By default it trips when
        the answer is "no" (`"Is this answer safe?"`); `trip_on="yes"` suits
        questions like `"Does this text contain personal data?"`.
        """
        if not question or not isinstance(cast(object, question), str):
            raise UserError("Guardrail.decision needs a question, e.g. 'Is this answer safe?'")
        if trip_on not in ("yes", "no"):
            raise UserError(f"trip_on must be 'yes' or 'no', not {trip_on!r}")

        async def decide(value: Any, ctx: GuardrailContext) -> str | None:
            answer = await _ask(ctx.client, model, question, _as_text(value))
            if answer == trip_on:
                return f"{question} -> {answer}"
            return None

        return cls(decide, name=name or f"decision({question!r})", parallel=parallel)

    async def run(self, value: Any, ctx: GuardrailContext) -> str | None:
        """The reason this guardrail trips on `value`, or None if it passes."""
        verdict = self.check(value, ctx) if self._takes_context else self.check(value)
        if inspect.isawaitable(verdict):
            verdict = await verdict
        if verdict is None or verdict is True:
            return None
        if verdict is False:
            return f"guardrail {self.name!r} refused"
        if isinstance(verdict, str):
            return verdict
        raise UserError(
            f"guardrail {self.name!r} returned {verdict!r}: return None/True to pass, "
            "or False / a reason (str) to stop the run"
        )

    def __repr__(self) -> str:
        return f"Guardrail({self.name!r}, parallel={self.parallel})"


GuardrailLike = Guardrail | GuardrailFunction
"""What `input_guardrails=` / `output_guardrails=` / `tool_guardrails=` take."""


def as_guardrails(items: Sequence[GuardrailLike], option: str) -> tuple[Guardrail, ...]:
    """`items` as `Guardrail`s; `UserError` for anything that is not a function."""
    if isinstance(items, (str, bytes)) or not isinstance(cast(object, items), Sequence):
        raise UserError(f"{option}= takes a list of guardrails, e.g. {option}=[no_pii]")
    return tuple(item if isinstance(item, Guardrail) else Guardrail(item) for item in items)


async def check_all(
    guards: Sequence[Guardrail], value: Any, ctx: GuardrailContext, state: RunState
) -> None:
    """Run `guards` in order; raise `GuardrailTripped` at the first that trips."""
    for guard in guards:
        reason = await guard.run(value, ctx)
        if reason is not None:
            raise GuardrailTripped(
                f"{ctx.stage} guardrail {guard.name!r} tripped: {reason}",
                result=result_of(state),
                state=state,
                guardrail=guard.name,
                stage=ctx.stage,
                reason=reason,
            )


def _arity(function: Callable[..., Any]) -> int:
    try:
        parameters = inspect.signature(function).parameters.values()
    except (TypeError, ValueError):  # builtins without a signature
        return 1
    if any(p.kind is p.VAR_POSITIONAL for p in parameters):
        return 2
    return sum(p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) for p in parameters)


def _as_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    from .._http.encoding import encode_json  # lazy: a guardrail's check runs mid-run

    return encode_json(value).decode()


async def _ask(client: AsyncClient, model: str, question: str, text: str) -> str:
    """ "yes" or "no": the decision of `model` on `question` about `text`."""
    decisions = getattr(client, "decisions", None)
    if decisions is not None:
        decision = await decisions.create(
            model=model,
            input=text,
            questions={
                "check": {
                    "type": "choice",
                    "instructions": question,
                    "criteria": {"yes": "the answer is yes", "no": "the answer is no"},
                }
            },
        )
        answer = decision.answers.get("check")
        choice = getattr(answer, "choice", None)
        return "yes" if str(choice).strip().lower() == "yes" else "no"
    interaction = await client.interactions.create(
        model=model,
        input=(f"{question}\nAnswer with one word, yes or no.\n\n<text>\n{text}\n</text>"),
    )
    first = interaction.text.strip().lower().lstrip("\"'*").split()
    return "yes" if first and first[0].startswith("yes") else "no"
