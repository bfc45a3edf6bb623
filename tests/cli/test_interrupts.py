"""Ctrl+C during a streamed answer is held until the CLI waits for the next event.

Raised anywhere else it could land inside rich while the tool spinner's live display
starts, and stopping that half-started display could hang `agentloop chat` (the pty
test in test_terminal.py sends the signal at such a moment). These tests send real
SIGINTs to this process, on the main thread, as a terminal's Ctrl+C does.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Iterator

import pytest

from agentloop._cli.output import _held_interrupts  # pyright: ignore[reportPrivateUsage]


def _ctrl_c() -> None:
    os.kill(os.getpid(), signal.SIGINT)


def test_a_ctrl_c_between_events_is_raised_at_the_next_wait() -> None:
    steps: list[str] = []

    def show_two_events() -> None:
        events = iter(["first", "second"])
        with _held_interrupts() as interrupts:
            steps.append(interrupts.next_event(events))
            _ctrl_c()  # while the event is being shown: held, not raised here
            steps.append("shown")
            steps.append(interrupts.next_event(events))  # raised here instead

    with pytest.raises(KeyboardInterrupt):
        show_two_events()
    assert steps == ["first", "shown"]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_a_ctrl_c_while_waiting_interrupts_the_wait() -> None:
    def waiting() -> Iterator[str]:
        _ctrl_c()  # arrives while the caller waits for this event
        yield "never seen"

    with pytest.raises(KeyboardInterrupt), _held_interrupts() as interrupts:
        interrupts.next_event(waiting())
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_a_ctrl_c_after_the_last_event_is_raised_when_the_stream_ends() -> None:
    steps: list[str] = []

    def show_one_event() -> None:
        with _held_interrupts() as interrupts:
            steps.append(interrupts.next_event(iter(["only"])))
            _ctrl_c()
            steps.append("shown")

    with pytest.raises(KeyboardInterrupt):
        show_one_event()
    assert steps == ["only", "shown"]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_a_program_with_its_own_sigint_handler_keeps_it() -> None:
    seen: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: seen.append(signum))
    try:
        with _held_interrupts() as interrupts:
            assert interrupts.next_event(iter(["x"])) == "x"
            _ctrl_c()
        assert seen == [signal.SIGINT]
    finally:
        signal.signal(signal.SIGINT, previous)


def test_off_the_main_thread_nothing_is_installed() -> None:
    installed: list[object] = []

    def worker() -> None:
        with _held_interrupts() as interrupts:
            installed.append(signal.getsignal(signal.SIGINT))
            assert interrupts.next_event(iter([1])) == 1

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join()
    assert installed == [signal.default_int_handler]
