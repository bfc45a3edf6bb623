"""The guide's "Utilizzare i file remoti" (remote files) example, on agentloop: the
image is passed by URL (`uri`) instead of inline data.

The guide's URL is a placeholder (`https://github.com/<github-path>/cats-and-dogs.jpg`);
this uses the real file the guide's next example downloads.

The guide's following example ("Utilizzo dell'API Gemini Files": upload with
`client.files.upload`, then pass `file.uri`) has no twin here: agentloop covers the
Interactions API only, and has no Files API client.

Needs GEMINI_API_KEY (or AGENTLOOP_BASE_URL pointing at a local server):

    python examples/client_remote_files.py
"""

from agentloop import Client

IMAGE_URL = (
    "https://github.com/philschmid/gemini-samples/raw/refs/heads/main/assets/cats-and-dogs.jpg"
)


def main() -> None:
    client = Client()

    interaction = client.interactions.create(
        model="gemini-2.5-flash",
        input=[
            {
                "type": "image",
                "uri": IMAGE_URL,
            },
            {"type": "text", "text": "Describe what you see."},
        ],
    )
    for output in interaction.outputs:
        if output.type == "text":
            print(output.text)


if __name__ == "__main__":
    main()
