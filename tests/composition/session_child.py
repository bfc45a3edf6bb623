"""One chat turn in its own process: `session_child.py URL DB SESSION STORE MESSAGE`.

Prints the answer as JSON; with `retry` as a sixth argument, a turn refused because
another process saved first is tried again on a freshly opened chat."""

from __future__ import annotations

import json
import sys

from agentloop import Agent, Client, SessionConflictError, SQLiteSessions


def main() -> None:
    url, db, session_id, store, message = sys.argv[1:6]
    retry = sys.argv[6:] == ["retry"]
    client = Client(api_key="local-test-key", base_url=url, max_retries=0)
    agent = Agent("gemini-2.5-flash", instructions="chat", store=store == "stored", client=client)
    for _ in range(50 if retry else 1):
        chat = agent.chat(session_id=session_id, sessions=SQLiteSessions(db))
        try:
            result = chat.run(message)
        except SessionConflictError:
            if not retry:
                raise
            continue
        print(json.dumps({"text": result.text, "interaction_id": result.interaction_id}))
        return
    raise SystemExit("no turn saved after 50 tries")


if __name__ == "__main__":
    main()
