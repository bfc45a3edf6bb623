"""Durable, scale-out agent runs on Temporal (the `agentloop[temporal]` extra).

    AgentloopPlugin      for Client.connect, Worker and Replayer: converter, activities,
                         AgentWorkflow, sandbox pass-through, the agents a worker serves
    TemporalAgent        an Agent whose requests, polls and tool calls are activities;
                         `await durable.arun(...)` from your own workflow code
    AgentWorkflow        the ready-made workflow: run, `status`/`events` queries, `decide`
    AgentWorkflowInput   its input

Workflow code runs the run layer's one driver and pure steps (`agentloop._run`);
activities (`_worker.py`) do the HTTP and run the tools. This package sits above
`_run` and below `_cli` in the layers; nothing in agentloop imports it except the
CLI's temporal commands, so `import agentloop` never imports `temporalio`.
"""

from __future__ import annotations

from ._agent import MODEL_ACTIVITY, TOOL_ACTIVITY, TemporalAgent
from ._plugin import AgentloopPlugin
from ._workflow import AgentWorkflow, AgentWorkflowInput

__all__ = [
    "MODEL_ACTIVITY",
    "TOOL_ACTIVITY",
    "AgentWorkflow",
    "AgentWorkflowInput",
    "AgentloopPlugin",
    "TemporalAgent",
]
