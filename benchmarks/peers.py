"""Other frameworks on the same scenario and the same mock server (`--peers`).

Only what can talk to the mock server's Interactions API offline is here:

* `google-genai`: Google's SDK (`client.aio.interactions.create`) with the tool loop
  written by hand, as its documentation shows; the tool is the plain `def lookup`,
  called directly (a hand loop has no thread pool).

PydanticAI (its Google model speaks `generateContent`) and the OpenAI Agents SDK
(OpenAI's Responses / Chat Completions) cannot be pointed at an Interactions server;
the report says so (`plan.PEER_NOTES`). Nothing is installed at run time: the peers
come from the `bench` extra, and a missing one is a note.
"""

from __future__ import annotations

from typing import Any

from .scenario import API_KEY, FINAL_TEXT, PROMPT, TOOL_DECLARATIONS, Scenario, lookup

__all__ = ["GenaiLoop"]


class GenaiLoop:
    """The K x T loop on `google.genai.Client(...).aio.interactions`."""

    def __init__(self, base_url: str, stream: bool) -> None:
        if stream:
            raise ValueError("the google-genai peer is measured unstreamed only")
        from google.genai import Client

        self._client = Client(
            api_key=API_KEY, http_options={"base_url": base_url, "timeout": 600_000}
        )

    async def __aenter__(self) -> GenaiLoop:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self._client.aio.aclose()

    async def run(self, scenario: Scenario) -> None:
        create = self._client.aio.interactions.create
        interaction: Any = await create(model=scenario.model, input=PROMPT, tools=TOOL_DECLARATIONS)
        while interaction.status == "requires_action":
            calls = [step for step in interaction.steps if step.type == "function_call"]
            results = [
                {
                    "type": "function_result",
                    "call_id": call.id,
                    "name": call.name,
                    "result": lookup(**call.arguments),
                }
                for call in calls
            ]
            interaction = await create(
                model=scenario.model,
                previous_interaction_id=interaction.id,
                input=results,
                tools=TOOL_DECLARATIONS,
            )
        if interaction.output_text != FINAL_TEXT:
            raise RuntimeError(f"unexpected final text: {interaction.output_text!r:.200}")
