"""Spans reach a real OTLP/HTTP endpoint: a receiver on 127.0.0.1 decodes what arrives."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor

import agentloop
from agentloop import Agent
from agentloop.testing import InteractionsServer, ScriptedModel

from .helpers import ANSWER, KEY, MODEL, PARALLEL_CALLS, get_weather, lookup


class Receiver(BaseHTTPRequestHandler):
    received: ClassVar[list[tuple[str, ExportTraceServiceRequest]]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["content-length"]))
        request = ExportTraceServiceRequest()
        request.ParseFromString(body)
        self.received.append((self.path, request))
        reply = ExportTraceServiceResponse().SerializeToString()
        self.send_response(200)
        self.send_header("content-type", "application/x-protobuf")
        self.send_header("content-length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def receiver() -> Iterator[str]:
    Receiver.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1/traces"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def test_spans_are_exported_over_otlp_http(receiver: str) -> None:
    provider = TracerProvider(resource=Resource.create({"service.name": "weather-service"}))
    exporter = OTLPSpanExporter(endpoint=receiver, timeout=5)
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    agentloop.instrument(tracer_provider=provider)
    try:
        server = InteractionsServer(ScriptedModel([PARALLEL_CALLS, ANSWER]))
        agent = Agent(
            MODEL,
            tools=[get_weather, lookup],
            name="weather",
            client=server.sync_client(api_key=KEY),
        )
        assert agent.run("Weather?").text == "Sunny in Paris."
        provider.force_flush()
    finally:
        agentloop.instrument(enabled=False)
        provider.shutdown()

    spans = []
    for path, request in Receiver.received:
        assert path == "/v1/traces"
        for resource_spans in request.resource_spans:
            attributes = {a.key: a.value.string_value for a in resource_spans.resource.attributes}
            assert attributes["service.name"] == "weather-service"
            for scope_spans in resource_spans.scope_spans:
                assert scope_spans.scope.name == "agentloop"
                spans.extend(scope_spans.spans)
    names = sorted(span.name for span in spans)
    assert names == sorted(
        [
            "invoke_agent weather",
            f"generate_content {MODEL}",
            f"generate_content {MODEL}",
            "POST",
            "POST",
            "execute_tool get_weather",
            "execute_tool lookup",
        ]
    )
    by_id = {span.span_id: span for span in spans}
    root = next(span for span in spans if span.name == "invoke_agent weather")
    assert root.parent_span_id == b""
    for span in spans:
        if span is not root:
            assert span.parent_span_id in by_id
            assert span.trace_id == root.trace_id
    failed = next(span for span in spans if span.name == "execute_tool lookup")
    assert failed.status.code == failed.status.STATUS_CODE_ERROR
    tool_attributes = {a.key: a.value.string_value for a in failed.attributes}
    assert tool_attributes["gen_ai.tool.name"] == "lookup"
    assert tool_attributes["error.type"] == "KeyError"
    assert KEY.encode() not in b"".join(r.SerializeToString() for _, r in Receiver.received)
