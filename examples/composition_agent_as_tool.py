"""An agent as a tool: a writer calls a Deep Research agent, then writes from its report.

The researcher runs in the background (polled to its end) each time the writer's
model calls it; its usage is added to the writer's, and its interactions are linked
from the writer's tool call record.

Needs GEMINI_API_KEY, or AGENTLOOP_BASE_URL pointing at an Interactions server (the
local one: `agentloop serve`, then `export AGENTLOOP_BASE_URL=http://127.0.0.1:8765`):

    python examples/composition_agent_as_tool.py
"""

from agentloop import Agent

researcher = Agent(
    agent="deep-research-pro-preview-12-2025",
    background=True,
    name="researcher",
    poll_interval=0.5,
)
writer = Agent(
    "gemini-2.5-flash",
    name="writer",
    instructions="Write short articles. Research first.",
    tools=[researcher.as_tool(description="Research a topic in depth")],
)


def main() -> None:
    result = writer.run("Research ocean tides and write a short article about them")
    for call in result.tool_calls:
        print(f"{call.name} ran {len(call.child_interactions)} interaction(s)")
    print(f"Status: {result.status}; tokens used in all: {result.usage.total_tokens}")
    print(result.text)


if __name__ == "__main__":
    main()
