"""The guide's "Generazione di immagini" (image generation) example, on agentloop.

The guide asks for `response_modalities=["IMAGE"]`; agentloop sends it in today's
form, `response_format={"type": "image"}`. The image is written to
`generated_city.png` in the current directory. (`interaction.images[0].save(path)`
does the decoding for you.)

Needs GEMINI_API_KEY (or AGENTLOOP_BASE_URL pointing at a local server):

    python examples/client_image_generation.py
"""

import base64

from agentloop import Client


def main() -> None:
    client = Client()

    interaction = client.interactions.create(
        model="gemini-3-pro-image-preview",
        input="Generate an image of a futuristic city.",
        response_modalities=["IMAGE"],
    )

    for output in interaction.outputs:
        if output.type == "image":
            print(f"Generated image with mime_type: {output.mime_type}")
            # Save the image
            with open("generated_city.png", "wb") as f:
                f.write(base64.b64decode(output.data))


if __name__ == "__main__":
    main()
