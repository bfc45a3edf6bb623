"""agentloop's local Interactions server in a test: strict names, files, a clock.

`InteractionsServer(DemoModel(), lenient=False)` refuses a model name the API would
refuse (a typo fails here, not in production), serves the Files API, and runs
background work on a clock the test moves instead of sleeping.

Needs no GEMINI_API_KEY and no AGENTLOOP_BASE_URL: the server runs in-process.

    python examples/testing_local_server.py
"""

from agentloop import Image, NotFoundError
from agentloop.testing import DemoModel, InteractionsServer

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00"
    b"\x00\x90wS\xde\x00\x00\x00\x0cIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00"
    b"\x00\x00\x00IEND\xaeB`\x82"
)
"""A 1x1 PNG."""


def main() -> None:
    now = [1_800_000_000.0]
    server = InteractionsServer(
        DemoModel(), lenient=False, background_step_delay=10, clock=lambda: now[0]
    )
    with server.sync_client() as client:
        try:
            client.interactions.create(model="gemini-2.5-flsh", input="Hi")
        except NotFoundError as error:
            print(f"Refused as the API would: {error.detail}")

        file = client.files.upload(PNG, mime_type="image/png", display_name="dot.png")
        print(f"Uploaded {file.display_name} as {file.name} ({file.state})")
        reply = client.interactions.create(
            model="gemini-2.5-flash",
            input=[Image.from_uri(str(file.uri), "image/png"), "What is this?"],
        )
        print(f"The model: {reply.text}")

        run = client.interactions.create(
            agent="deep-research-pro-preview-12-2025", input="TPUs", background=True
        )
        print(f"Research: {client.interactions.get(run.id).status}")
        now[0] += 3600  # an hour later, without waiting an hour
        print(f"An hour later: {client.interactions.get(run.id).status}")


if __name__ == "__main__":
    main()
