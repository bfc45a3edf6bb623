"""The media and research examples (multimodal, Files API, image generation, research
pipeline, background handle) run offline: what each sends and what it prints.

The examples build their own clients from the environment, so the tests point
AGENTLOOP_BASE_URL at a made-up host and respx hands every request for it to the
local Interactions server, in-process. The Files API (which the local server does
not have) is answered by respx routes. The examples use the blocking API, which
refuses to run inside an event loop, so these tests are plain sync functions.
"""

from __future__ import annotations

import base64
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx
from helpers.examples import EXAMPLES, MEDIA_RESEARCH_EXAMPLES, load_example

from agentloop.testing import (
    DemoModel,
    FunctionModel,
    InteractionsServer,
    LocalTransport,
    ModelRequest,
)

CAR = EXAMPLES / "car.png"
URL = "http://interactions.test"


@dataclass
class Local:
    """The local server behind AGENTLOOP_BASE_URL, and what reached it."""

    server: InteractionsServer
    model: FunctionModel
    router: respx.MockRouter

    @property
    def requests(self) -> list[ModelRequest]:
        """What the model was asked, in order."""
        return self.model.requests

    def calls(self) -> list[tuple[str, str]]:
        """Every HTTP request: method and path."""
        return [(c.request.method, c.request.url.path) for c in self.router.calls]


@contextmanager
def serving(
    monkeypatch: pytest.MonkeyPatch, model: FunctionModel, step_delay: float
) -> Iterator[Local]:
    server = InteractionsServer(model, background_step_delay=step_delay)
    transport = LocalTransport(server)
    monkeypatch.setenv("AGENTLOOP_BASE_URL", URL)
    with respx.mock(using="httpx", base_url=URL, assert_all_called=False) as router:
        router.route(path__startswith="/v1beta/interactions").mock(
            side_effect=transport.handle_async_request
        )
        yield Local(server, model, router)


Start = Callable[..., Local]


@pytest.fixture
def start(monkeypatch: pytest.MonkeyPatch) -> Iterator[Start]:
    """`start(model, step_delay=0.01)`: serve `model` until the test ends."""
    with ExitStack() as stack:

        def start(model: FunctionModel, step_delay: float = 0.01) -> Local:
            return stack.enter_context(serving(monkeypatch, model, step_delay))

        yield start


@pytest.fixture
def local(start: Start) -> Local:
    """The demo model answers; background steps appear 10 ms apart."""
    return start(FunctionModel(DemoModel().respond))


@pytest.fixture
def slow(start: Start) -> Local:
    """The demo model answers; background steps appear 30 s apart (never, in a test)."""
    return start(FunctionModel(DemoModel().respond), step_delay=30.0)


def content_of(request: ModelRequest) -> list[dict[str, Any]]:
    [turn] = request.input
    blocks: list[dict[str, Any]] = turn["content"]
    return blocks


# ---- every example -------------------------------------------------------------------


@pytest.mark.parametrize("name", MEDIA_RESEARCH_EXAMPLES)
def test_example_is_a_runnable_script_that_names_its_guide_section(name: str) -> None:
    module = load_example(name)
    source = (EXAMPLES / f"{name}.py").read_text()
    doc = module.__doc__ or ""
    assert doc.startswith("The guide's ")
    assert "Agent" in doc.split("\n\n")[0]
    assert "GEMINI_API_KEY" in doc
    assert "AGENTLOOP_BASE_URL" in doc
    assert f"python examples/{name}.py" in doc
    assert callable(module.main)
    assert "from google" not in source
    assert source.endswith('\n\nif __name__ == "__main__":\n    main()\n')


# ---- multimodal ----------------------------------------------------------------------


def test_multimodal_describes_car_png_by_default(
    local: Local, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "argv", ["agent_multimodal.py"])

    load_example("agent_multimodal").main()

    [request] = local.requests
    assert request.body["model"] == "gemini-2.5-flash"
    question, image = content_of(request)
    assert question == {"type": "text", "text": "Describe the image."}
    assert image["type"] == "image"
    assert image["mime_type"] == "image/png"
    assert base64.b64decode(image["data"]) == CAR.read_bytes()
    assert capsys.readouterr().out == (
        "--- car.png (image/png)\n"
        "I received 1 attachment(s) (image). Got it: “Describe the image”. "
        "(agentloop demo model, running locally.)\n"
    )


def test_multimodal_sends_audio_video_and_pdf_with_the_guides_questions(
    local: Local,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    names = ("speech.wav", "video.mp4", "sample.pdf")
    for name in names:
        (tmp_path / name).write_bytes(name.encode())
    monkeypatch.setattr(sys, "argv", ["agent_multimodal.py", *(str(tmp_path / n) for n in names)])

    load_example("agent_multimodal").main()

    sent = [content_of(request) for request in local.requests]
    assert [(text["text"], media["type"]) for text, media in sent] == [
        ("What does this audio say?", "audio"),
        ("What is happening in this video? Provide a timestamped summary.", "video"),
        ("What is this document about?", "document"),
    ]
    assert [base64.b64decode(media["data"]) for _, media in sent] == [n.encode() for n in names]
    assert sent[2][1]["mime_type"] == "application/pdf"
    out = capsys.readouterr().out
    assert "--- sample.pdf (application/pdf)\n" in out
    assert out.count("I received 1 attachment(s)") == 3


def test_multimodal_refuses_a_missing_file_before_any_request(
    local: Local, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(sys, "argv", ["agent_multimodal.py", str(tmp_path / "gone.png")])

    with pytest.raises(SystemExit, match="no such file"):
        load_example("agent_multimodal").main()

    assert local.calls() == []


# ---- Files API -----------------------------------------------------------------------

GOOGLE = "https://generativelanguage.googleapis.com"
UPLOAD_URL = f"{GOOGLE}/upload/v1beta/files/session-1?upload_protocol=resumable"
FILE = {
    "name": "files/car123",
    "displayName": "car.png",
    "mimeType": "image/png",
    "uri": f"{GOOGLE}/v1beta/files/car123",
}


def test_files_upload_waits_until_active_and_sends_the_uri(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GEMINI_API_KEY", "test-key")
    monkeypatch.setattr(sys, "argv", ["agent_files_upload.py"])
    example = load_example("agent_files_upload")
    monkeypatch.setattr(example, "POLL_INTERVAL", 0.0)
    answer = {
        "id": "int_files",
        "status": "completed",
        "steps": [{"type": "model_output", "content": [{"type": "text", "text": "A red car."}]}],
    }
    with respx.mock(using="httpx") as api:
        start = api.post(f"{GOOGLE}/upload/v1beta/files").respond(
            headers={"x-goog-upload-url": UPLOAD_URL}
        )
        upload = api.post(UPLOAD_URL).respond(json={"file": {**FILE, "state": "PROCESSING"}})
        state = api.get(f"{GOOGLE}/v1beta/files/car123").mock(
            side_effect=[
                httpx.Response(200, json={**FILE, "state": "PROCESSING"}),
                httpx.Response(200, json={**FILE, "state": "ACTIVE"}),
            ]
        )
        create = api.post(f"{GOOGLE}/v1beta/interactions").respond(json=answer)
        delete = api.delete(f"{GOOGLE}/v1beta/files/car123").respond(json={})

        example.main()

    assert start.calls.last.request.headers["x-goog-upload-header-content-type"] == "image/png"
    assert upload.calls.last.request.content == CAR.read_bytes()
    assert state.call_count == 2
    assert json.loads(create.calls.last.request.content) == {
        "model": "gemini-2.5-flash",
        "input": [
            {
                "type": "user_input",
                "content": [
                    {"type": "image", "uri": FILE["uri"], "mime_type": "image/png"},
                    {"type": "text", "text": "Describe what you see."},
                ],
            }
        ],
    }
    assert delete.called
    assert capsys.readouterr().out == (
        "Uploaded car.png as files/car123 (PROCESSING)\n"
        f"files/car123 is ACTIVE: {FILE['uri']}\n"
        "A red car.\n"
        "Deleted files/car123\n"
    )


# ---- image generation ----------------------------------------------------------------

PNG = CAR.read_bytes()


def draw(request: ModelRequest) -> list[dict[str, Any]]:
    """A model that answers an image request with two PNGs."""
    assert request.body["response_format"] == {"type": "image"}
    image = {"type": "image", "data": base64.b64encode(PNG).decode(), "mime_type": "image/png"}
    return [{"type": "model_output", "content": [image, image]}]


def test_image_generation_saves_every_image(
    start: Start,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    local = start(FunctionModel(draw))

    load_example("agent_image_generation").main()

    [request] = local.requests
    assert request.body["model"] == "gemini-3-pro-image-preview"
    assert "response_modalities" not in request.body
    assert (tmp_path / "generated_city.png").read_bytes() == PNG
    assert (tmp_path / "generated_city_2.png").read_bytes() == PNG
    assert capsys.readouterr().out == (
        "Generated image with mime_type: image/png, saved to generated_city.png\n"
        "Generated image with mime_type: image/png, saved to generated_city_2.png\n"
    )


def test_image_generation_says_when_no_image_came_back(
    start: Start,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    start(FunctionModel(lambda request: "I can't draw that."))

    load_example("agent_image_generation").main()

    assert list(tmp_path.iterdir()) == []
    assert capsys.readouterr().out == "No image came back; the model said: I can't draw that.\n"


# ---- research, then summarize --------------------------------------------------------


def test_research_then_summarize_continues_the_research_interaction(
    local: Local, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    example = load_example("agent_research_then_summarize")
    monkeypatch.setattr(example, "POLL_INTERVAL", 0.02)

    example.main()

    research, summary = local.requests
    assert research.body["agent"] == "deep-research-pro-preview-12-2025"
    assert research.body["background"] is True
    assert research.input[0]["content"][0]["text"].startswith("Research the history of the")
    assert summary.body["model"] == "gemini-2.5-flash"
    assert "background" not in summary.body
    assert content_of(summary) == [{"type": "text", "text": "Summarize the report in 5 bullets."}]
    research_id = summary.body["previous_interaction_id"]
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith(f"Research: {research_id} (")
    assert lines[1].endswith(f", continuing {research_id}")
    assert lines[2] == ""
    assert len(lines[3:]) == 5
    assert all(line.startswith("- ") for line in lines[3:])


# ---- background handle ---------------------------------------------------------------


def test_background_handle_reattaches_and_waits_for_the_report(
    local: Local, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    example = load_example("agent_background_handle")
    monkeypatch.setattr(example, "POLL_INTERVAL", 0.02)

    example.main()

    [request] = local.requests
    assert request.body["background"] is True
    out = capsys.readouterr().out
    started = out.splitlines()[0]
    assert started.startswith("Started int_")
    id = started.split()[1]
    assert f"Re-attached to {id} (" in out
    assert "completed  Writing: drafting the report with numbered findings." in out
    assert "\nFinal Report:\n # The history of the Google TPUs" in out
    assert ("POST", f"/v1beta/interactions/{id}/cancel") not in local.calls()


def test_background_handle_cancels_after_the_timeout(
    slow: Local, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    example = load_example("agent_background_handle")
    monkeypatch.setattr(example, "POLL_INTERVAL", 0.02)
    monkeypatch.setattr(example, "WAIT_SECONDS", 0.1)

    example.main()

    out = capsys.readouterr().out.splitlines()
    id = out[0].split()[1]
    assert out[0] == f"Started {id} (in_progress)"
    assert out[1] == f"Re-attached to {id} (in_progress)"
    assert "in_progress  (no thoughts yet)" in out[2]
    assert out[-1] == "Not done after 0.1 s; cancelled: cancelled"
    assert slow.calls()[-1] == ("POST", f"/v1beta/interactions/{id}/cancel")
