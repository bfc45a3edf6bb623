"""A checkpointed run's writer at the run's two edges: its claim taken (and checked)
when the run starts, the state saved when it fails."""

from __future__ import annotations

from .._durable.checkpoints import CheckpointWriter
from .._errors import AgentloopError, RunClaimedError, UserError
from .state import RunState

__all__ = ["claimed", "failed"]


async def claimed(checkpoint: CheckpointWriter, state: RunState, new_run: bool) -> None:
    """Claim the run for this process (`RunClaimedError` if another one drives it), and
    check that it may start from `state`; the claim is released if it may not."""
    await checkpoint.claim()
    try:
        saved = await checkpoint.load()
        if new_run and saved is not None:
            raise UserError(
                f"run {state.run_id!r} already has a checkpoint: continue it with "
                f"agent.resume({state.run_id!r}), or choose another run_id"
            )
        loaded = state._checkpoint  # pyright: ignore[reportPrivateUsage]
        state._checkpoint = None  # pyright: ignore[reportPrivateUsage]  # checked once: live from here
        if loaded is not None and saved != loaded:
            raise RunClaimedError(
                f"run {state.run_id!r} went on in another process or task after this "
                "state was loaded (its checkpoint changed); nothing ran here. Resume it "
                "by run id again to continue from its latest checkpoint.",
                run_id=checkpoint.run_id,
            )
    except BaseException:
        await checkpoint.release()
        raise


async def failed(exc: AgentloopError, state: RunState, checkpoint: CheckpointWriter | None) -> None:
    # Every run error carries the state, so the run can resume once the cause is fixed.
    if exc.state is None:
        exc.state = state
    if checkpoint is not None and not checkpoint.lost:  # a lost run is no longer ours
        await checkpoint.save(state.to_json)
