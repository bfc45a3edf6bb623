"""The guide's "Comprensione multimodale" (multimodal understanding) examples, on
agentloop: an image, audio, a video or a PDF sent inline as base64 next to a prompt.

The guide reads fixed files (`car.png`, `speech.wav`, `video.mp4`, `sample.pdf`).
Here the files come from the command line, and the example picks the guide's
snippet by file suffix; without arguments it describes `car.png` next to this
script.

Needs GEMINI_API_KEY (or AGENTLOOP_BASE_URL pointing at a local server):

    python examples/client_multimodal_input.py [FILE.png|.wav|.mp4|.pdf ...]
"""

import base64
import sys
from pathlib import Path

from agentloop import Client

DEFAULT_FILE = Path(__file__).parent / "car.png"


def image_understanding(client: Client, path: Path) -> None:
    # Read and encode the image
    with open(path, "rb") as f:
        base64_image = base64.b64encode(f.read()).decode("utf-8")

    interaction = client.interactions.create(
        model="gemini-2.5-flash",
        input=[
            {"type": "text", "text": "Describe the image."},
            {"type": "image", "data": base64_image, "mime_type": "image/png"},
        ],
    )

    print(interaction.outputs[-1].text)


def audio_understanding(client: Client, path: Path) -> None:
    # Read and encode the audio
    with open(path, "rb") as f:
        base64_audio = base64.b64encode(f.read()).decode("utf-8")

    interaction = client.interactions.create(
        model="gemini-2.5-flash",
        input=[
            {"type": "text", "text": "What does this audio say?"},
            {"type": "audio", "data": base64_audio, "mime_type": "audio/wav"},
        ],
    )

    print(interaction.outputs[-1].text)


def video_understanding(client: Client, path: Path) -> None:
    # Read and encode the video
    with open(path, "rb") as f:
        base64_video = base64.b64encode(f.read()).decode("utf-8")

    print("Analyzing video...")
    interaction = client.interactions.create(
        model="gemini-2.5-flash",
        input=[
            {
                "type": "text",
                "text": "What is happening in this video? Provide a timestamped summary.",
            },
            {"type": "video", "data": base64_video, "mime_type": "video/mp4"},
        ],
    )

    print(interaction.outputs[-1].text)


def document_understanding(client: Client, path: Path) -> None:
    with open(path, "rb") as f:
        base64_pdf = base64.b64encode(f.read()).decode("utf-8")

    interaction = client.interactions.create(
        model="gemini-2.5-flash",
        input=[
            {"type": "text", "text": "What is this document about?"},
            {"type": "document", "data": base64_pdf, "mime_type": "application/pdf"},
        ],
    )
    print(interaction.outputs[-1].text)


# The guide's snippets send these exact MIME types, so each takes only its own suffix.
SNIPPETS = {
    ".png": image_understanding,
    ".wav": audio_understanding,
    ".mp4": video_understanding,
    ".pdf": document_understanding,
}


def main() -> None:
    paths = [Path(arg) for arg in sys.argv[1:]] or [DEFAULT_FILE]
    unsupported = [str(path) for path in paths if path.suffix.lower() not in SNIPPETS]
    if unsupported:
        sys.exit(f"unsupported file type: {', '.join(unsupported)} (use .png, .wav, .mp4, .pdf)")

    client = Client()
    for path in paths:
        SNIPPETS[path.suffix.lower()](client, path)


if __name__ == "__main__":
    main()
