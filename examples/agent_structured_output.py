"""The guide's "Output strutturato (schema JSON)" (structured output) example, as an Agent.

Pass the pydantic model itself as `response_format`: the agent sends its JSON
schema and parses the answer into `result.output`. An answer that does not
validate is sent back once with the errors (`output_retries=1`) before the run
fails with `OutputValidationError`.

Needs GEMINI_API_KEY (or AGENTLOOP_BASE_URL pointing at an Interactions server):

    python examples/agent_structured_output.py
"""

from typing import Literal

from pydantic import BaseModel, Field

from agentloop import Agent


class SpamDetails(BaseModel):
    reason: str = Field(description="The reason why the content is considered spam.")
    spam_type: Literal["phishing", "scam", "unsolicited promotion", "other"]


class NotSpamDetails(BaseModel):
    summary: str = Field(description="A brief summary of the content.")
    is_safe: bool = Field(description="Whether the content is safe for all audiences.")


class ModerationResult(BaseModel):
    decision: SpamDetails | NotSpamDetails


agent = Agent("gemini-2.5-flash", response_format=ModerationResult)


def main() -> None:
    result = agent.run(
        "Moderate the following content: 'Congratulations! You've won a free cruise. "
        "Click here to claim your prize: www.definitely-not-a-scam.com'"
    )
    moderation: ModerationResult = result.output
    print(moderation)


if __name__ == "__main__":
    main()
