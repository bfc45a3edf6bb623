"""The guide's "Utilizzo dell'API Gemini Files" (Gemini Files API) example, as an
Agent: upload a file once, wait until it is processed, then refer to it by URI.

`client.files.upload(path)` streams the file to the Files API in chunks (resumable,
so a big video never sits in memory), `client.files.wait_until_active(file)` polls
until the API can use it, and `Image.from_uri(file.uri, file.mime_type)` (or `Audio`,
`Video`, `Document` for other kinds) puts it in the input by reference: the bytes
are not sent again, however often you ask. Use it for files over 20 MB (the inline
limit) or for a file several requests look at. Uploaded files expire after 48
hours; this example deletes its own at the end.

The guide downloads `cats-and-dogs.jpg` first; here the file comes from the command
line (by default `car.png` next to this script).

Needs GEMINI_API_KEY (or AGENTLOOP_BASE_URL pointing at a server that also has the
Files API, such as `agentloop serve`):

    python examples/agent_files_upload.py [FILE]
"""

import sys
from pathlib import Path

from agentloop import Agent, Audio, Client, Document, Image, Video

DEFAULT_FILE = Path(__file__).parent / "car.png"
POLL_INTERVAL = 2.0
"""Seconds between checks of the file's state (as the guide's loop)."""

HELPERS = {"image": Image, "audio": Audio, "video": Video}


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_FILE
    with Client() as client:
        agent = Agent("gemini-2.5-flash", client=client)

        file = client.files.upload(path)
        print(f"Uploaded {path.name} as {file.name} ({file.state})")
        file = client.files.wait_until_active(file, poll_interval=POLL_INTERVAL)
        print(f"{file.name} is {file.state}: {file.uri}")

        kind = (file.mime_type or "").split("/")[0]
        media = HELPERS.get(kind, Document).from_uri(str(file.uri), file.mime_type)
        try:
            result = agent.run([media, "Describe what you see."])
            print(result.text)
        finally:
            client.files.delete(file)
            print(f"Deleted {file.name}")


if __name__ == "__main__":
    main()
