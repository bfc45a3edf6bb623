"""Fan-out: several agents on the same input at once, their results kept together.

`Parallel([a, b, c])` (in `pipeline.py`, so it can `.then(...)`) runs its branches
concurrently, at most `max_concurrency` at a time. A branch that fails is reported
in `ParallelResult.errors` and the others' results are kept; the next pipeline
step's input lists every branch's answer, labelled with the agent's name.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import anyio

from .._errors import AgentloopError, UserError
from .._wire.interaction import Usage
from .result import PendingApproval, RunResult
from .runner import Runnable

__all__ = ["ParallelResult", "labels_of", "run_branches", "split_decisions"]


@dataclass(frozen=True, slots=True, kw_only=True)
class ParallelResult:
    """The branches of a `Parallel` step: each result by label, and each failure."""

    results: dict[str, RunResult] = field(default_factory=dict[str, RunResult])
    """The result of every branch that finished (or paused), by label."""
    errors: dict[str, BaseException] = field(default_factory=dict[str, BaseException])
    """The error of every branch that failed, by label."""
    labels: list[str] = field(default_factory=list[str])
    """Every branch's label (the agent's name), in branch order."""

    @property
    def status(self) -> str:
        """`awaiting_approval` if a branch paused, `failed` if every branch failed,
        `partial` if some did, `completed` otherwise."""
        if any(r.status == "awaiting_approval" for r in self.results.values()):
            return "awaiting_approval"
        if self.errors:
            return "failed" if not self.results else "partial"
        return "completed"

    @property
    def pending_approvals(self) -> list[PendingApproval]:
        """The paused branches' calls waiting for a decision."""
        return [p for r in self.results.values() for p in r.pending_approvals]

    @property
    def output(self) -> dict[str, Any]:
        """Each finished branch's output, by label."""
        return {label: result.output for label, result in self.results.items()}

    @property
    def text(self) -> str:
        """Every branch's answer (or failure), labelled, in branch order."""
        parts: list[str] = []
        for label in self.labels:
            if label in self.results:
                parts.append(f"## {label}\n{self.results[label].text}")
            elif label in self.errors:
                parts.append(f"## {label} (failed)\n{self.errors[label]}")
        return "\n\n".join(parts)

    @property
    def usage(self) -> Usage:
        """Token usage summed over the branches that finished."""
        total = Usage()
        for result in self.results.values():
            total = total + result.usage
        return total

    @property
    def interaction_id(self) -> None:
        """None: a fan-out has no single last interaction to continue."""
        return None

    @property
    def state(self) -> None:
        return None


def labels_of(agents: Sequence[Runnable]) -> list[str]:
    """A distinct label per branch: the agent's name (numbered when repeated)."""
    labels: list[str] = []
    for position, agent in enumerate(agents):
        base = agent.name or f"branch_{position}"
        label, n = base, 2
        while label in labels:
            label, n = f"{base}_{n}", n + 1
        labels.append(label)
    return labels


async def run_branches(
    agents: Sequence[Runnable],
    labels: Sequence[str],
    input: Any,
    previous_interaction_id: str | None,
    *,
    deps: Any,
    max_concurrency: int | None,
    resume: Mapping[str, tuple[RunResult, list[str], dict[str, str]]] | None = None,
    done: Mapping[str, RunResult] | None = None,
) -> ParallelResult:
    """Run (or resume) every branch concurrently and gather their outcomes."""
    results: dict[str, RunResult] = dict(done or {})
    errors: dict[str, BaseException] = {}
    limiter = anyio.CapacityLimiter(max_concurrency) if max_concurrency else None

    async def branch(agent: Runnable, label: str) -> None:
        runner = agent.runner
        try:
            if resume is not None:
                paused, approve, reject = resume[label]
                assert paused.state is not None
                results[label] = await runner.resume(
                    paused.state, approve=approve, reject=reject, deps=deps
                )
                return
            previous = previous_interaction_id if runner.config.store else None
            results[label] = await runner.run(runner.new_state(input, previous), deps=deps)
        except AgentloopError as exc:
            errors[label] = exc  # one branch's failure: the others go on

    async def limited(agent: Runnable, label: str) -> None:
        if limiter is None:
            await branch(agent, label)
        else:
            async with limiter:
                await branch(agent, label)

    async with anyio.create_task_group() as group:
        for agent, label in zip(agents, labels, strict=True):
            if resume is None or label in resume:
                group.start_soon(limited, agent, label)
    ordered = {label: results[label] for label in labels if label in results}
    return ParallelResult(results=ordered, errors=errors, labels=list(labels))


def split_decisions(
    paused: ParallelResult, approve: Sequence[str], reject: Mapping[str, str] | None
) -> dict[str, tuple[RunResult, list[str], dict[str, str]]]:
    """Each paused branch with the decisions on its own calls."""
    reject = dict(reject or {})
    branches: dict[str, tuple[RunResult, list[str], dict[str, str]]] = {}
    known: set[str] = set()
    for label, result in paused.results.items():
        if result.status != "awaiting_approval":
            continue
        ids = {p.call_id for p in result.pending_approvals}
        known |= ids
        branches[label] = (
            result,
            [i for i in approve if i in ids],
            {i: r for i, r in reject.items() if i in ids},
        )
    unknown = sorted((set(approve) | set(reject)) - known)
    if unknown:
        raise UserError(f"calls {unknown} are not awaiting approval in any branch")
    return branches
