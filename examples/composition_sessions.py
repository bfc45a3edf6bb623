"""Persistent sessions: a chat that survives a restart.

`agent.chat(session_id=..., sessions=SQLiteSessions(path))` loads the conversation
before every turn and saves it after. With store=True the session keeps the chain
of interaction ids (the server keeps the transcript); a chat opened later, in any
process, continues it. Two writers of one session never overwrite each other: the
one that saves second is refused with `SessionConflictError`.

Needs GEMINI_API_KEY, or AGENTLOOP_BASE_URL pointing at an Interactions server:

    python examples/composition_sessions.py
"""

import tempfile
from pathlib import Path

from agentloop import Agent, SQLiteSessions

agent = Agent("gemini-2.5-flash", instructions="You are a friendly assistant.")


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        sessions = SQLiteSessions(Path(folder) / "chats.db")
        first = agent.chat(session_id="user-42", sessions=sessions)
        print(first.run("Hi, my name is Ada.").text)

        # Later (another process, after a restart): the same session id.
        again = agent.chat(session_id="user-42", sessions=sessions)
        print(again.run("What did I just say?").text)
        print(f"Turns in the session: {len(again.interaction_ids)}")
        print(f"Steps on the server: {len(again.history())}")


if __name__ == "__main__":
    main()
