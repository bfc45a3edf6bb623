"""The bounded load run under random faults: no run lost or hung, no tool executed
twice, file descriptors back to their baseline. (Figures: `python -m faults.load`.)"""

from __future__ import annotations

import pytest

from .hostile import HostileServer
from .load import load_run

pytestmark = [pytest.mark.anyio, pytest.mark.slow]


@pytest.mark.parametrize("anyio_backend", ["asyncio"])
@pytest.mark.timeout(300)
async def test_load_run_under_random_faults_loses_nothing(server: HostileServer) -> None:
    figures = await load_run(server, runs=300, fault_rate=0.05, seed=13)

    assert figures.faults_injected > 0
    assert figures.lost == 0
    assert figures.hung == 0
    assert figures.wrong == 0
    assert figures.ok + sum(figures.typed_failures.values()) == figures.runs
    assert figures.double_executions == 0
    assert figures.tool_executions == figures.expected_executions
    assert figures.fds_after <= figures.fds_before
