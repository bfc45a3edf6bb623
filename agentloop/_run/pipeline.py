"""Pipelines: agents run one after another, each continuing the previous one's interaction.

`research.then(summarizer, input="Summarize the report in 5 bullets")` runs the
research agent, then the summarizer with `previous_interaction_id` set to the
research's last interaction, so the summarizer sees the whole report without it
being sent again. Model and agent steps mix freely.
"""

from __future__ import annotations

import functools
from collections.abc import AsyncGenerator, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from .._errors import UserError
from .._sync import SyncIterator, refuse_inside_event_loop, run_sync
from .events import RunEvent, RunFinishedEvent
from .result import RunResult
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

    async def astream(self, input: Any, *, deps: Any = None) -> AsyncGenerator[PipelineEvent, None]:
        """Run every step, yielding each step's run events labelled with the step."""
        previous: RunResult | None = None
        for position, step in enumerate(self.steps):
            step_input = step.input
            if step_input is None:
                step_input = input if previous is None else previous.text
            runner = step.agent.runner
            state = runner.new_state(step_input, previous.interaction_id if previous else None)
            async for event in runner.events(state, deps=deps):
                yield PipelineEvent(step=position, agent_name=step.agent.name, event=event)
                if isinstance(event, RunFinishedEvent):
                    previous = event.result

    async def arun(self, input: Any, *, deps: Any = None) -> PipelineResult:
        """Run every step and return all their results."""
        results: list[RunResult] = []
        previous: RunResult | None = None
        for step in self.steps:
            step_input = step.input
            if step_input is None:
                step_input = input if previous is None else previous.text
            runner = step.agent.runner
            state = runner.new_state(step_input, previous.interaction_id if previous else None)
            previous = await runner.run(state, deps=deps)
            results.append(previous)
        return PipelineResult(steps=results)

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
