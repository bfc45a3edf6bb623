"""The guide's "Strumenti integrati" (built-in tools) examples, as Agents: Google
Search, code execution and URL context.

The server runs these tools itself, inside one interaction, so there is no tool
round on our side; `result.text` is the answer without the tools' own output.

Needs GEMINI_API_KEY (or AGENTLOOP_BASE_URL pointing at an Interactions server):

    python examples/agent_builtin_tools.py
"""

from agentloop import Agent, CodeExecution, GoogleSearch, UrlContext

searcher = Agent("gemini-2.5-flash", tools=[GoogleSearch()])
coder = Agent("gemini-2.5-flash", tools=[CodeExecution()])
reader = Agent("gemini-2.5-flash", tools=[UrlContext()])


def main() -> None:
    print(searcher.run("Who won the last Super Bowl?").text)
    print(coder.run("Calculate the 50th Fibonacci number.").text)
    print(reader.run("Summarize the content of https://www.wikipedia.org/").text)


if __name__ == "__main__":
    main()
