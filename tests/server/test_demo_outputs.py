"""The demo model's generated media, and the tools it calls when plainly asked."""

from __future__ import annotations

import base64
import struct
import sys
import wave
import zlib
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest

from agentloop import Agent, MCPStdio
from agentloop.testing import DemoModel, InteractionsServer, ModelRequest

EXAMPLES = Path(__file__).parents[2] / "examples"
PRICE_TOOL = {
    "type": "function",
    "name": "shop_price",
    "description": "The price of one item, in euros.",
    "parameters": {
        "type": "object",
        "properties": {"item": {"type": "string"}},
        "required": ["item"],
    },
}


def ask(text: str, **body: Any) -> list[dict[str, Any]]:
    request = ModelRequest(
        body={"model": "gemini-2.5-flash", **body},
        history=[],
        input=[{"type": "user_input", "content": [{"type": "text", "text": text}]}],
    )
    return DemoModel().respond(request)


def read_png(data: bytes) -> tuple[int, int, bytes]:
    """Width, height and raw scanlines of a PNG, checking every chunk's CRC."""
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    position, chunks = 8, {}
    while position < len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind = data[position + 4 : position + 8]
        body = data[position + 8 : position + 8 + length]
        (crc,) = struct.unpack(">I", data[position + 8 + length : position + 12 + length])
        assert crc == zlib.crc32(kind + body) & 0xFFFFFFFF
        chunks[kind] = body
        position += 12 + length
    width, height, depth, colour = struct.unpack(">IIBB", chunks[b"IHDR"][:10])
    assert (depth, colour) == (8, 2)
    return width, height, zlib.decompress(chunks[b"IDAT"])


@pytest.mark.parametrize(
    ("body", "size"),
    [
        ({"response_modalities": ["IMAGE"]}, (64, 64)),
        ({"response_format": {"type": "image", "aspect_ratio": "16:9"}}, (96, 54)),
        ({"response_format": [{"type": "image", "mime_type": "image/png"}]}, (64, 64)),
    ],
)
def test_an_image_request_gets_a_real_png(body: dict[str, Any], size: tuple[int, int]) -> None:
    steps = ask("Generate an image of a futuristic city.", **body)
    [image] = steps[-1]["content"]
    assert image["type"] == "image"
    assert image["mime_type"] == "image/png"
    width, height, rows = read_png(base64.b64decode(image["data"]))
    assert (width, height) == size
    assert len(rows) == height * (1 + 3 * width)


def test_the_same_prompt_draws_the_same_picture_and_another_prompt_another() -> None:
    def picture(prompt: str) -> str:
        content = ask(prompt, response_modalities=["IMAGE"])[-1]["content"]
        return str(content[0]["data"])

    assert picture("a cat") == picture("a cat")
    assert picture("a cat") != picture("a dog")


def test_text_and_image_modalities_get_a_caption_too() -> None:
    content = ask("Draw a lighthouse.", response_modalities=["TEXT", "IMAGE"])[-1]["content"]
    assert [block["type"] for block in content] == ["text", "image"]
    assert "lighthouse" in content[0]["text"]


def test_an_audio_request_gets_a_real_wav() -> None:
    [audio] = ask("Say hello.", response_modalities=["AUDIO"])[-1]["content"]
    assert audio["mime_type"] == "audio/wav"
    with wave.open(BytesIO(base64.b64decode(audio["data"]))) as sound:
        assert (sound.getnchannels(), sound.getsampwidth()) == (1, 2)
        assert sound.getnframes() == sound.getframerate() // 2


def test_images_come_through_the_agent_and_save_as_files(tmp_path: Path) -> None:
    server = InteractionsServer(DemoModel(), lenient=False)
    artist = Agent(
        "gemini-3-pro-image-preview", response_modalities=["IMAGE"], client=server.sync_client()
    )
    result = artist.run("Generate an image of a futuristic city.")
    assert result.interaction is not None
    [image] = result.interaction.images
    saved = image.save(tmp_path / "city.png")
    assert read_png(Path(saved).read_bytes())[:2] == (64, 64)


# ---- tools asked for in plain words -----------------------------------------------------


@pytest.mark.parametrize(
    ("text", "item"),
    [
        ("What does an apple cost?", "apple"),
        ("How expensive are melons?", "melon"),
        ("What is the price of a pear?", "pear"),
    ],
)
def test_a_tool_is_called_with_the_thing_the_text_names(text: str, item: str) -> None:
    call = ask(text, tools=[PRICE_TOOL])[-1]
    assert call["type"] == "function_call"
    assert call["name"] == "shop_price"
    assert call["arguments"] == {"item": item}


def test_an_elliptic_follow_up_calls_the_previous_turns_tool_again() -> None:
    first = ask("What does an apple cost?", tools=[PRICE_TOOL])
    history = [
        {"type": "user_input", "content": [{"type": "text", "text": "What does an apple cost?"}]},
        *first,
        {"type": "function_result", "call_id": first[-1]["id"], "result": 0.5},
        {"type": "model_output", "content": [{"type": "text", "text": "0.5"}]},
    ]
    request = ModelRequest(
        body={"model": "gemini-2.5-flash", "tools": [PRICE_TOOL]},
        history=history,
        input=[{"type": "user_input", "content": [{"type": "text", "text": "And three pears?"}]}],
    )
    call = DemoModel().respond(request)[-1]
    assert call["name"] == "shop_price"
    assert call["arguments"] == {"item": "pear"}
    assert call["id"] != first[-1]["id"]


def test_a_remote_mcp_server_is_named_not_pretended() -> None:
    tool = {"type": "mcp_server", "name": "weather_service", "url": "https://example.org/mcp"}
    text = ask("What is the weather like in New York today?", tools=[tool])[-1]["content"][0]
    assert "weather_service" in text["text"]
    assert 'mode="local"' in text["text"]


def test_a_bridged_mcp_servers_tools_are_called_end_to_end() -> None:
    calls: list[tuple[str, dict[str, Any]]] = []

    def approve(name: str, arguments: dict[str, Any]) -> bool:
        calls.append((name, arguments))
        return True

    shop = MCPStdio(
        sys.executable,
        [str(EXAMPLES / "mcp_shop_server.py")],
        prefix="shop",
        approve=approve,
        timeout=20,
    )
    server = InteractionsServer(DemoModel(), lenient=False)
    agent = Agent("gemini-3-flash-preview", tools=[shop], client=server.sync_client())
    result = agent.run("What does an apple cost?")
    assert calls == [("shop_price", {"item": "apple"})]
    assert "shop_price (apple): 0.5" in result.text
