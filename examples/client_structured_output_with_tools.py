"""The guide's "Combinare strumenti e output strutturato" (tools plus structured
output) example, on agentloop: a built-in tool gathers facts, and the answer comes
back as JSON matching the schema.

Needs GEMINI_API_KEY (or AGENTLOOP_BASE_URL pointing at a local server):

    python examples/client_structured_output_with_tools.py
"""

from typing import Literal, Union

from pydantic import BaseModel, Field

from agentloop import Client


class SpamDetails(BaseModel):
    reason: str = Field(description="The reason why the content is considered spam.")
    spam_type: Literal["phishing", "scam", "unsolicited promotion", "other"]


class NotSpamDetails(BaseModel):
    summary: str = Field(description="A brief summary of the content.")
    is_safe: bool = Field(description="Whether the content is safe for all audiences.")


class ModerationResult(BaseModel):
    # The guide's spelling; `SpamDetails | NotSpamDetails` is the same type.
    decision: Union[SpamDetails, NotSpamDetails]  # noqa: UP007


def main() -> None:
    client = Client()

    interaction = client.interactions.create(
        model="gemini-3-pro-preview",
        input="Moderate the following content: 'Congratulations! You've won a free cruise. "
        "Click here to claim your prize: www.definitely-not-a-scam.com'",
        response_format=ModerationResult.model_json_schema(),
        tools=[{"type": "url_context"}],
    )

    parsed_output = ModerationResult.model_validate_json(interaction.outputs[-1].text)
    print(parsed_output)


if __name__ == "__main__":
    main()
