"""The guide's "Comprensione multimodale" (multimodal understanding) examples, as an
Agent: an image, audio, a video or a PDF attached with the content helpers.

`Image.from_path("car.png")` reads the file and sends it inline (base64) with its
MIME type, told from the file name; `Audio`, `Video` and `Document` work the same
way, and a list mixes them freely with text. Inline data is capped at 20 MB: upload
bigger files with the Files API (see `agent_files_upload.py`).

The guide reads fixed files (`car.png`, `speech.wav`, `video.mp4`, `sample.pdf`).
Here they come from the command line, each asked the guide's question for its kind;
without arguments the agent describes `car.png` next to this script.

Needs GEMINI_API_KEY (or AGENTLOOP_BASE_URL pointing at an Interactions server):

    python examples/agent_multimodal.py [FILE.png|.wav|.mp4|.pdf ...]
"""

import mimetypes
import sys
from pathlib import Path

from agentloop import Agent, Audio, Document, Image, UserError, Video

DEFAULT_FILE = Path(__file__).parent / "car.png"

HELPERS = {"image": Image, "audio": Audio, "video": Video}
"""The content helper for each kind of media; anything else is sent as a document."""

QUESTIONS = {
    Image: "Describe the image.",
    Audio: "What does this audio say?",
    Video: "What is happening in this video? Provide a timestamped summary.",
    Document: "What is this document about?",
}


def attach(path: Path) -> Image | Audio | Video | Document:
    """The file as inline content: the helper and MIME type follow its name."""
    mime_type = mimetypes.guess_type(path.name)[0] or ""
    helper = HELPERS.get(mime_type.split("/")[0], Document)
    return helper.from_path(path)


def main() -> None:
    agent = Agent("gemini-2.5-flash")
    paths = [Path(arg) for arg in sys.argv[1:]] or [DEFAULT_FILE]
    try:
        attachments = [attach(path) for path in paths]
    except UserError as exc:  # no such file, or a type the API does not take
        sys.exit(str(exc))

    for path, media in zip(paths, attachments, strict=True):
        print(f"--- {path.name} ({media.mime_type})")
        result = agent.run([QUESTIONS[type(media)], media])
        print(result.text)


if __name__ == "__main__":
    main()
