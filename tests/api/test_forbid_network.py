"""`agentloop.testing.forbid_network`: the guard tests/conftest.py applies to every test."""

from __future__ import annotations

import socket

import pytest

from agentloop.testing import forbid_network


@pytest.mark.parametrize(
    "address",
    [("192.0.2.1", 443), ("2001:db8::1", 443, 0, 0), ("example.org", 80)],
    ids=["ipv4", "ipv6", "a-name"],
)
def test_a_connect_beyond_loopback_is_refused_before_it_starts(address: tuple[object, ...]) -> None:
    family = socket.AF_INET6 if len(address) == 4 else socket.AF_INET
    with forbid_network(), socket.socket(family) as sock:
        with pytest.raises(RuntimeError, match="tried to reach the network"):
            sock.connect(address)
        with pytest.raises(RuntimeError, match="use a local server"):
            sock.connect_ex(address)


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_loopback_connects_go_through(host: str) -> None:
    with socket.create_server(("127.0.0.1", 0)) as server, forbid_network():
        port = server.getsockname()[1]
        with socket.create_connection((host, port), timeout=5) as client:
            accepted, _ = server.accept()
            with accepted:
                client.sendall(b"ping")
                assert accepted.recv(4) == b"ping"


def test_the_guard_in_force_before_the_block_is_back_after_it() -> None:
    before = socket.socket.connect
    with forbid_network():
        assert socket.socket.connect is not before
    assert socket.socket.connect is before
