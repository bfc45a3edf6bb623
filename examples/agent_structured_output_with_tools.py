"""The guide's "Combinare strumenti e output strutturato" (tools plus structured
output) example, as an Agent.

The model may read the URL with the URL context tool before it answers; the answer
is still parsed into `ModerationResult`.

Needs GEMINI_API_KEY (or AGENTLOOP_BASE_URL pointing at an Interactions server):

    python examples/agent_structured_output_with_tools.py
"""

from typing import Literal

from pydantic import BaseModel, Field

from agentloop import Agent, UrlContext


class SpamDetails(BaseModel):
    reason: str = Field(description="The reason why the content is considered spam.")
    spam_type: Literal["phishing", "scam", "unsolicited promotion", "other"]


class NotSpamDetails(BaseModel):
    summary: str = Field(description="A brief summary of the content.")
    is_safe: bool = Field(description="Whether the content is safe for all audiences.")


class ModerationResult(BaseModel):
    decision: SpamDetails | NotSpamDetails


agent = Agent(
    "gemini-3-pro-preview",
    tools=[UrlContext()],
    response_format=ModerationResult,
)


def main() -> None:
    result = agent.run(
        "Moderate the following content: 'Congratulations! You've won a free cruise. "
        "Click here to claim your prize: www.definitely-not-a-scam.com'"
    )
    print(result.output)


if __name__ == "__main__":
    main()
