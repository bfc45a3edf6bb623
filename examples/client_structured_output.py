"""The guide's "Output strutturato (schema JSON)" (structured output) example, on
agentloop.

The guide passes a bare JSON schema (`ModerationResult.model_json_schema()`) as
`response_format`; agentloop sends it in today's form,
`{"type": "text", "mime_type": "application/json", "schema": ...}`. The answer
arrives as JSON text, which pydantic parses back into the model.

Needs GEMINI_API_KEY (or AGENTLOOP_BASE_URL pointing at a local server):

    python examples/client_structured_output.py
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
        model="gemini-2.5-flash",
        input="Moderate the following content: 'Congratulations! You've won a free cruise. "
        "Click here to claim your prize: www.definitely-not-a-scam.com'",
        response_format=ModerationResult.model_json_schema(),
    )

    parsed_output = ModerationResult.model_validate_json(interaction.outputs[-1].text)
    print(parsed_output)


if __name__ == "__main__":
    main()
