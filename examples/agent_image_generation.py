"""The guide's "Generazione di immagini" (image generation) example, as an Agent:
the model answers with an image, saved to a file.

`response_modalities=["IMAGE"]` asks for an image, as in the guide (agentloop sends
it in today's form, `response_format={"type": "image"}`, which you may pass to the
Agent instead). `result.interaction.images` holds the generated images already
decoded, and `image.save(path)` writes one. The image lands in the current
directory as `generated_city.png` (`generated_city_2.png`, ... if there are more).

Needs GEMINI_API_KEY (or AGENTLOOP_BASE_URL pointing at an Interactions server):

    python examples/agent_image_generation.py
"""

from agentloop import Agent


def main() -> None:
    artist = Agent("gemini-3-pro-image-preview", response_modalities=["IMAGE"])

    result = artist.run("Generate an image of a futuristic city.")

    images = result.interaction.images if result.interaction else []
    for number, image in enumerate(images, start=1):
        path = image.save("generated_city.png" if number == 1 else f"generated_city_{number}.png")
        print(f"Generated image with mime_type: {image.mime_type}, saved to {path}")
    if not images:
        print(f"No image came back; the model said: {result.text}")


if __name__ == "__main__":
    main()
