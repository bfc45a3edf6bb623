"""Pipelines: agents run one after another, each continuing the previous one's interaction.

`research.then(summarizer, input="Summarize the report in 5 bullets")` runs the
research agent, then the summarizer with `previous_interaction_id` set to the
research's last interaction, so the summarizer sees the whole report without it
being sent again. Model and agent steps mix freely. A step that pauses for approval
pauses the pipeline (`result.status == "awaiting_approval"`);
`pipeline.resume(result, approve=[...])` finishes that step and runs the rest.

A `Parallel([...])` step runs several agents at once (`parallel.py`); the step after
it gets their answers, labelled, after its own `input=` (if any).
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
from .parallel import ParallelResult, labels_of, run_branches, split_decisions
from .result import PendingApproval, RunResult
from .runner import Runnable

__all__ = ["Parallel", "Pipeline", "PipelineEvent", "PipelineResult", "PipelineStep"]


class Parallel:
    """Agents that run at the same time on the same input: a pipeline step.

    ```python
    from agentloop import Agent, Parallel

    researcher = Agent("gemini-2.5-flash", name="researcher", instructions="Research it.")
    critic = Agent("gemini-2.5-flash", name="critic", instructions="Find weak points.")
    summarizer = Agent("gemini-2.5-flash", instructions="Merge the notes.")
    pipeline = Parallel([researcher, critic]).then(summarizer, input="Merge both reports")
    print(pipeline.run("Tides").text)
    ```

    Args:
        agents: the branches (at least one).
        max_concurrency: at most this many branches at once (None: all).
    """

    def __init__(self, agents: Sequence[Runnable], *, max_concurrency: int | None = None) -> None:
        if not agents or isinstance(agents, (str, bytes)):
            raise UserError("Parallel needs a list of at least one agent")
        for agent in agents:
            if isinstance(agent, (Parallel, Pipeline)) or not hasattr(agent, "runner"):
                raise UserError(f"Parallel takes agents, not {agent!r}")
        if max_concurrency is not None and max_concurrency < 1:
            raise UserError("Parallel(max_concurrency=...) must be >= 1")
        self.agents: list[Runnable] = list(agents)
        self.max_concurrency = max_concurrency
        self.labels: list[str] = labels_of(self.agents)
        """Each branch's label: the agent's name, numbered if repeated."""

    @property
    def name(self) -> str:
        return "parallel(" + ", ".join(self.labels) + ")"

    def then(self, agent: Runnable | Parallel, *, input: Any = None) -> Pipeline:
        """A pipeline: these branches, then `agent` with their labelled answers."""
        return Pipeline([self, PipelineStep(agent, input=input)])

    async def arun(
        self, input: Any, *, deps: Any = None, previous_interaction_id: str | None = None
    ) -> ParallelResult:
        """Run every branch on `input`; failures are kept in `.errors`."""
        return await run_branches(
            self.agents,
            self.labels,
            input,
            previous_interaction_id,
            deps=deps,
            max_concurrency=self.max_concurrency,
        )

    def run(self, input: Any, *, deps: Any = None) -> ParallelResult:
        """The blocking form of `arun`."""
        refuse_inside_event_loop("parallel.run()", "await parallel.arun(...)")
        return run_sync(functools.partial(self.arun, input, deps=deps))

    async def aresume(
        self,
        paused: ParallelResult,
        *,
        approve: Sequence[str] = (),
        reject: Mapping[str, str] | None = None,
        deps: Any = None,
    ) -> ParallelResult:
        """Resume the paused branches with the decisions on their calls."""
        branches = split_decisions(paused, approve, reject)
        if not branches:
            raise UserError("this parallel result is not paused: there is nothing to approve")
        done = {k: v for k, v in paused.results.items() if k not in branches}
        resumed = await run_branches(
            self.agents,
            self.labels,
            None,
            None,
            deps=deps,
            max_concurrency=self.max_concurrency,
            resume=branches,
            done=done,
        )
        errors = {**paused.errors, **resumed.errors}
        return ParallelResult(results=resumed.results, errors=errors, labels=self.labels)

    def __repr__(self) -> str:
        return f"Parallel({self.labels!r})"


StepResult = RunResult | ParallelResult
"""What one pipeline step produced."""


def _step_input(step: PipelineStep, first_input: Any, previous: StepResult | None) -> Any:
    if previous is None:
        return first_input if step.input is None else step.input
    if isinstance(previous, ParallelResult):
        if step.input is None:
            return previous.text
        return f"{step.input}\n\n{previous.text}"
    return previous.text if step.input is None else step.input


@dataclass(frozen=True, slots=True)
class PipelineStep:
    """One step of a pipeline: an agent, and the input it gets.

    `input=None` passes the previous step's text on (the first step gets the
    pipeline's input).
    """

    agent: Runnable | Parallel
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

    steps: list[StepResult] = field(default_factory=list[StepResult])
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

    def __init__(self, steps: Sequence[Runnable | Parallel | PipelineStep]) -> None:
        if not steps:
            raise UserError("a pipeline needs at least one step")
        self.steps: list[PipelineStep] = [
            step if isinstance(step, PipelineStep) else PipelineStep(step) for step in steps
        ]
        if len(self.steps) > 1:
            for position, step in enumerate(self.steps):
                if isinstance(step.agent, Parallel):
                    continue  # the step after a fan-out gets its answers as input
                if not step.agent.runner.config.store:
                    raise UserError(
                        f"pipeline step {position} has store=False; steps are linked by "
                        "previous_interaction_id, which needs stored interactions (store=True)"
                    )

    def then(self, agent: Runnable | Parallel, *, input: Any = None) -> Pipeline:
        """This pipeline with one more step."""
        return Pipeline([*self.steps, PipelineStep(agent, input=input)])

    def _span(self) -> Any:
        # One span over the steps when any step is instrumented (None otherwise).
        names = [step.agent.name or "agent" for step in self.steps]
        return start_workflow(
            "pipeline " + " > ".join(names),
            [
                agent.runner.config.instrument
                for step in self.steps
                for agent in (
                    step.agent.agents if isinstance(step.agent, Parallel) else [step.agent]
                )
            ],
        )

    async def astream(self, input: Any, *, deps: Any = None) -> AsyncGenerator[PipelineEvent, None]:
        """Run every step, yielding each step's run events labelled with the step."""
        previous: StepResult | None = None
        span = self._span()
        error: BaseException | None = None
        try:
            for position, step in enumerate(self.steps):
                step_input = _step_input(step, input, previous)
                previous_id = previous.interaction_id if previous is not None else None
                if isinstance(step.agent, Parallel):
                    fan = await step.agent.arun(
                        step_input, deps=deps, previous_interaction_id=previous_id
                    )
                    for label, branch in fan.results.items():
                        finished = RunFinishedEvent(result=branch)
                        yield PipelineEvent(step=position, agent_name=label, event=finished)
                    previous = fan
                else:
                    runner = step.agent.runner
                    state = runner.new_state(step_input, previous_id)
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
        previous: StepResult | None = results[-1] if results else None
        span = self._span()
        error: BaseException | None = None
        try:
            for step in self.steps[len(results) :]:
                step_input = _step_input(step, done.input, previous)
                previous_id = previous.interaction_id if previous is not None else None
                if isinstance(step.agent, Parallel):
                    previous = await step.agent.arun(
                        step_input, deps=deps, previous_interaction_id=previous_id
                    )
                else:
                    runner = step.agent.runner
                    state = runner.new_state(step_input, previous_id)
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
        if last is None or last.status != "awaiting_approval":
            raise UserError("this pipeline result is not paused: there is nothing to approve")
        agent = self.steps[len(paused.steps) - 1].agent
        resumed: StepResult
        if isinstance(agent, Parallel):
            assert isinstance(last, ParallelResult)
            resumed = await agent.aresume(last, approve=approve, reject=reject, deps=deps)
        else:
            assert isinstance(last, RunResult)
            assert last.state is not None
            resumed = await agent.runner.resume(
                last.state, approve=approve, reject=reject, deps=deps
            )
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
