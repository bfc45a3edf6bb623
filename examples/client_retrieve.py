"""The guide's "Recuperare interazioni stateful precedenti" (retrieve a stored
interaction) example, on agentloop.

The guide's snippet passes the placeholder "<YOUR_INTERACTION_ID>", which the real
API answers with 404. To keep the script runnable, the id comes from the command
line; without one, the script first creates an interaction and then retrieves it.

Needs GEMINI_API_KEY (or AGENTLOOP_BASE_URL pointing at a local server):

    python examples/client_retrieve.py [INTERACTION_ID]
"""

import sys

from agentloop import Client


def main() -> None:
    client = Client()

    if len(sys.argv) > 1:
        interaction_id = sys.argv[1]
    else:
        interaction_id = client.interactions.create(
            model="gemini-2.5-flash",
            input="Tell me a short joke about programming.",
        ).id

    previous_interaction = client.interactions.get(interaction_id)

    print(previous_interaction)


if __name__ == "__main__":
    main()
