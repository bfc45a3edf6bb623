"""Pipelines: agents run one after another, each continuing the previous one's interaction.

`research.then(summarizer, input="Summarize the report in 5 bullets")` runs the
research agent, then the summarizer with `previous_interaction_id` set to the
research's last interaction, so the summarizer sees the whole report without it
being sent again. Model and agent steps mix freely. A step that pauses for approval
pauses the pipeline (`result.status == "awaiting_approval"`);
`pipeline.resume(result, approve=[...])` finishes that step and runs the rest.
"""

from __future__ import annotations

import functools
from collections.abc import AsyncGenerator, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .._errors import UserError
from .._obs.spans import end_workflow, start_workflow
from .._sync import SyncIterator, refuse_inside_event_loop, run_sync
from .events import RunEvent, RunFinishedEvent
from .result import PendingApproval, RunResult
from .runner import Runnable

__all__ = ["Pipeline", "PipelineEvent", "PipelineResult", "PipelineStep"]


@dataclass(frozen=True, slots=True)
class PipelineStep:
    """One step of a pipeline: an agent, and the input it gets.

    `input=None` passes the previous step's text on (the first step gets the
    pipeline's input).
    """

    agent: Runnable
    input: Any = None


@dataclass(frozen=True, slots=True, kw_only=True)
class PipelineEvent:
    """An event of one step of a running pipeline."""

    step: int
    """The step's position, from 0."""
    agent_name: str | None
    event: RunEvent[Any]


@dataclass(frozen=True, slots=True, kw_only=True)
class PipelineResult:
    """Every step's result; `output`/`text`/`interaction_id` are the last step's."""

    steps: list[RunResult[Any]] = field(default_factory=list[RunResult[Any]])
    """The result of every step run so far (the last one paused, if the pipeline is)."""
    input: Any = None
    """The pipeline's input (what a resumed pipeline's later steps may need)."""

    @property
    def status(self) -> str:
        """The last step's status (`awaiting_approval` when the pipeline is paused)."""
        return self.steps[-1].status if self.steps else "in_progress"

    @property
    def pending_approvals(self) -> list[PendingApproval]:
        """The paused step's calls waiting for a decision."""
        return self.steps[-1].pending_approvals if self.steps else []

    @property
    def output(self) -> Any:
        return self.steps[-1].output if self.steps else None

    @property
    def text(self) -> str:
        return self.steps[-1].text if self.steps else ""

    @property
    def interaction_id(self) -> str | None:
        return self.steps[-1].interaction_id if self.steps else None


class Pipeline:
    """Agents that run in order, each continuing from the previous step's last interaction."""

    def __init__(self, steps: Sequence[Runnable | PipelineStep]) -> None:
        if not steps:
            raise UserError("a pipeline needs at least one step")
        self.steps: list[PipelineStep] = [
            step if isinstance(step, PipelineStep) else PipelineStep(step) for step in steps
        ]
        if len(self.steps) > 1:
            for position, step in enumerate(self.steps):
                if not step.agent.runner.config.store:
                    raise UserError(
                        f"pipeline step {position} has store=False; steps are linked by "
                        "previous_interaction_id, which needs stored interactions (store=True)"
                    )

    def then(self, agent: Runnable, *, input: Any = None) -> Pipeline:
        """This pipeline with one more step."""
        return Pipeline([*self.steps, PipelineStep(agent, input=input)])

    def _span(self) -> Any:
        # One span over the steps when any step is instrumented (None otherwise).
        names = [step.agent.name or "agent" for step in self.steps]
        return start_workflow(
            "pipeline " + " > ".join(names),
            [step.agent.runner.config.instrument for step in self.steps],
        )

    async def astream(self, input: Any, *, deps: Any = None) -> AsyncGenerator[PipelineEvent, None]:
        """Run every step, yielding each step's run events labelled with the step."""
        previous: RunResult[Any] | None = None
        span = self._span()
        error: BaseException | None = None
        try:
            for position, step in enumerate(self.steps):
                step_input = step.input
                if step_input is None:
                    step_input = input if previous is None else previous.text
                runner = step.agent.runner
                state = runner.new_state(step_input, previous.interaction_id if previous else None)
                async for event in runner.events(state, deps=deps, parent=span):
                    yield PipelineEvent(step=position, agent_name=step.agent.name, event=event)
                    if isinstance(event, RunFinishedEvent):
                        previous = event.result
                if previous is not None and previous.status == "awaiting_approval":
                    return  # paused: the last event's result holds the state
        except Exception as exc:
            error = exc
            raise
        finally:
            end_workflow(span, error)

    async def arun(self, input: Any, *, deps: Any = None) -> PipelineResult:
        """Run every step and return all their results (stopping at a paused step)."""
        return await self._run_from(PipelineResult(input=input), deps)

    async def _run_from(self, done: PipelineResult, deps: Any) -> PipelineResult:
        results = list(done.steps)
        previous: RunResult[Any] | None = results[-1] if results else None
        span = self._span()
        error: BaseException | None = None
        try:
            for step in self.steps[len(results) :]:
                step_input = step.input
                if step_input is None:
                    step_input = done.input if previous is None else previous.text
                runner = step.agent.runner
                state = runner.new_state(step_input, previous.interaction_id if previous else None)
                previous = await runner.run(state, deps=deps, parent=span)
                results.append(previous)
                if previous.status == "awaiting_approval":
                    break
        except Exception as exc:
            error = exc
            raise
        finally:
            end_workflow(span, error)
        return PipelineResult(steps=results, input=done.input)

    async def aresume(
        self,
        paused: PipelineResult,
        *,
        approve: Sequence[str] = (),
        reject: Mapping[str, str] | None = None,
        deps: Any = None,
    ) -> PipelineResult:
        """Finish the paused step with these decisions, then run the steps after it."""
        last = paused.steps[-1] if paused.steps else None
        if last is None or last.status != "awaiting_approval" or last.state is None:
            raise UserError("this pipeline result is not paused: there is nothing to approve")
        runner = self.steps[len(paused.steps) - 1].agent.runner
        resumed = await runner.resume(last.state, approve=approve, reject=reject, deps=deps)
        done = PipelineResult(steps=[*paused.steps[:-1], resumed], input=paused.input)
        if resumed.status == "awaiting_approval":
            return done
        return await self._run_from(done, deps)

    def resume(
        self,
        paused: PipelineResult,
        *,
        approve: Sequence[str] = (),
        reject: Mapping[str, str] | None = None,
        deps: Any = None,
    ) -> PipelineResult:
        """The blocking form of `aresume`."""
        refuse_inside_event_loop("pipeline.resume()", "await pipeline.aresume(...)")
        return run_sync(
            functools.partial(self.aresume, paused, approve=approve, reject=reject, deps=deps)
        )

    def run(self, input: Any, *, deps: Any = None) -> PipelineResult:
        """The blocking form of `arun`."""
        refuse_inside_event_loop("pipeline.run()", "await pipeline.arun(...)")
        return run_sync(functools.partial(self.arun, input, deps=deps))

    def stream(self, input: Any, *, deps: Any = None) -> Iterator[PipelineEvent]:
        """The blocking form of `astream`."""
        refuse_inside_event_loop("pipeline.stream()", "pipeline.astream(...)")
        return SyncIterator(self.astream(input, deps=deps))

    def __repr__(self) -> str:
        return f"Pipeline({[step.agent for step in self.steps]!r})"
