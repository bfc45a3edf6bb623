"""The guide's "Strumenti integrati" (built-in tools) examples, on agentloop: Google
Search grounding, code execution and URL context. The server runs these tools itself
within one interaction; no round trip through the client is needed.

Needs GEMINI_API_KEY (or AGENTLOOP_BASE_URL pointing at a local server):

    python examples/client_builtin_tools.py
"""

from agentloop import Client


def google_search(client: Client) -> None:
    interaction = client.interactions.create(
        model="gemini-2.5-flash",
        input="Who won the last Super Bowl?",
        tools=[{"type": "google_search"}],
    )
    # Find the text output (not the GoogleSearchResultContent)
    text_output = next((o for o in interaction.outputs if o.type == "text"), None)
    if text_output:
        print(text_output.text)


def code_execution(client: Client) -> None:
    interaction = client.interactions.create(
        model="gemini-2.5-flash",
        input="Calculate the 50th Fibonacci number.",
        tools=[{"type": "code_execution"}],
    )
    print(interaction.outputs[-1].text)


def url_context(client: Client) -> None:
    interaction = client.interactions.create(
        model="gemini-2.5-flash",
        input="Summarize the content of https://www.wikipedia.org/",
        tools=[{"type": "url_context"}],
    )
    # Find the text output (not the URLContextResultContent)
    text_output = next((o for o in interaction.outputs if o.type == "text"), None)
    if text_output:
        print(text_output.text)


def main() -> None:
    client = Client()
    google_search(client)
    code_execution(client)
    url_context(client)


if __name__ == "__main__":
    main()
