"""The local server's resources beyond `/interactions`.

Routes, under `/v1beta` and `/v1` (uploads under `/upload/{version}`):
    GET/POST        /agents                 GET/DELETE        /agents/{id}
    GET/POST        /environments           GET/DELETE        /environments/{id}
    GET             /environments/{id}/files/{path}   (list; `?alt=media` downloads)
    PUT             /upload/{v}/environments/{id}/files/{path}   (resumable upload start)
    GET/POST        /credentials            GET/PATCH/DELETE  /credentials/{id}
    GET/POST        /triggers               GET/PATCH/DELETE  /triggers/{id}
    GET/POST        /triggers/{id}/executions
    GET/POST        /webhooks               GET/PATCH/DELETE  /webhooks/{id}
    POST            /webhooks/{id}:ping     POST              /webhooks/{id}:rotateSigningSecret
    POST            /decisions

Interactions meet these resources in two places (hooks called by `app.py`):
`prepare_interaction` checks `agent="agents/<id>"` and `environment` ids (404 when
unknown unless `lenient`) and lends a saved agent its tools and instructions;
`interaction_created` queues the webhook events the interaction will cause.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any

from .._wire.base import JsonObject
from .decisions import decide
from .engine import ApiError, Engine
from .http import Request, Response, new_id, read_request, send_response, timestamp
from .store import Record
from .triggers import Clock, TriggerStore
from .webhooks import WebhookRegistry
from .workspace import Workspaces

__all__ = ["ROOTS", "Resources"]

ROOTS = frozenset({"agents", "environments", "credentials", "triggers", "webhooks", "decisions"})
"""The first path segments (after the version) these routes own."""

_SECRET_FIELDS = ("token", "client_secret", "refresh_token", "value")
_CREDENTIAL_TYPES = ("bearer_token", "oauth2", "environment_variable")
_INTERACTION_EVENTS = {
    "requires_action": "interaction.requires_action",
    "completed": "interaction.completed",
    "failed": "interaction.failed",
}
_EXECUTION_STATUS = {
    "completed": "completed",
    "failed": "failed",
    "cancelled": "failed",
    "incomplete": "failed",
}


def _page(items: list[JsonObject], query: dict[str, str], key: str) -> JsonObject:
    try:
        size = int(query.get("page_size") or 50)
        start = int(query.get("page_token") or 0)
    except ValueError as exc:
        raise ApiError(400, "INVALID_ARGUMENT", "Invalid page_size or page_token.") from exc
    if size < 1 or start < 0:
        raise ApiError(400, "INVALID_ARGUMENT", "Invalid page_size or page_token.")
    page: JsonObject = {key: items[start : start + size]}
    if start + size < len(items):
        page["next_page_token"] = str(start + size)
    return page


def _missing(kind: str, id: str) -> ApiError:
    return ApiError(404, "NOT_FOUND", f"{kind} '{id}' was not found.")


class Resources:
    """Agents, environments, credentials, triggers, webhooks and decisions.

    Args:
        engine: the interactions engine (trigger runs create interactions through it);
            `InteractionsApp` sets it.
        data_dir: where environment files live (in memory when None).
        clock: what triggers read the time from (`ManualClock` in tests).
        lenient: accept unknown `agents/...` and environment ids on interactions.
    """

    def __init__(
        self,
        engine: Engine | None = None,
        *,
        data_dir: str | Path | None = None,
        clock: Clock = time.time,
        lenient: bool = False,
    ) -> None:
        self._engine = engine
        self.lenient = lenient
        self.agents: dict[str, JsonObject] = {}
        self.environments: dict[str, JsonObject] = {}
        self.credentials: dict[str, JsonObject] = {}
        """Stored whole, secrets included; answers never include the secrets."""
        self.workspaces = Workspaces(data_dir)
        self.triggers = TriggerStore(clock)
        self.webhooks = WebhookRegistry()

    @property
    def engine(self) -> Engine:
        """The interactions engine of the app these routes belong to."""
        if self._engine is None:
            raise RuntimeError("Resources is not attached to an InteractionsApp")
        return self._engine

    @engine.setter
    def engine(self, engine: Engine) -> None:
        self._engine = engine

    @property
    def clock(self) -> Clock:
        return self.triggers.clock

    @clock.setter
    def clock(self, clock: Clock) -> None:
        self.triggers.clock = clock

    @staticmethod
    def owns(path: str) -> bool:
        """Whether a request path is one of these routes."""
        parts = [part for part in path.split("/") if part]
        if parts[:1] == ["upload"]:
            parts = parts[1:]
        return len(parts) >= 2 and parts[1].split(":")[0] in ROOTS

    async def handle(
        self,
        scope: MutableMapping[str, Any],
        receive: Callable[[], Awaitable[MutableMapping[str, Any]]],
        send: Callable[[MutableMapping[str, Any]], Awaitable[None]],
    ) -> None:
        """Answer one request (errors are raised as `ApiError` for the app to send)."""
        request = await read_request(scope, receive)
        await self.fire_due_triggers()
        upload = scope["path"].lstrip("/").startswith("upload/")
        root = request.parts[0].split(":")[0]
        if upload:
            response = self._upload(request)
        elif root == "agents":
            response = self._agents(request)
        elif root == "environments":
            response = self._environments(request)
        elif root == "credentials":
            response = self._credentials(request)
        elif root == "triggers":
            response = await self._triggers(request)
        elif root == "webhooks":
            response = self._webhooks(request)
        else:
            response = self._decisions(request)
        await send_response(send, response)

    @staticmethod
    def _no_route(request: Request) -> ApiError:
        path = "/".join(request.parts)
        return ApiError(
            404, "NOT_FOUND", f"No route for {request.method} /{request.version}/{path}."
        )

    # ---- agents ------------------------------------------------------------------

    def _agents(self, request: Request) -> Response:
        parts, method = request.parts, request.method
        if len(parts) == 1 and method == "GET":
            return Response(_page(list(self.agents.values()), request.query, "agents"))
        if len(parts) == 1 and method == "POST":
            body = request.json()
            id = body.get("id") or new_id("agent")
            if not isinstance(id, str) or "/" in id:
                raise ApiError(400, "INVALID_ARGUMENT", f"Invalid agent id {id!r}.")
            if id in self.agents:
                raise ApiError(409, "ALREADY_EXISTS", f"Agent '{id}' already exists.")
            environment = body.get("base_environment")
            if isinstance(environment, str) and environment != "remote":
                self._environment(environment)
            self.agents[id] = {**body, "id": id}
            return Response(self.agents[id])
        if len(parts) == 2 and method in ("GET", "DELETE"):
            agent = self.agents.get(parts[1])
            if agent is None:
                raise _missing("Agent", parts[1])
            if method == "DELETE":
                del self.agents[parts[1]]
                return Response({})
            return Response(agent)
        raise self._no_route(request)

    # ---- environments ------------------------------------------------------------

    def _environment(self, id: str) -> JsonObject:
        id = id.removeprefix("environments/")
        environment = self.environments.get(id)
        if environment is None:
            raise _missing("Environment", id)
        count, size = self.workspaces.stats(id)
        environment.update(file_count=count, size_bytes=size)
        return environment

    def create_environment(self, body: JsonObject) -> JsonObject:
        """A new environment, with its inline sources written into the workspace."""
        network = body.get("network", "disabled")
        if not (network == "disabled" or isinstance(network, dict)):
            raise ApiError(
                400, "INVALID_ARGUMENT", "'network' is 'disabled' or {allowlist: [...]}."
            )
        sources = body.get("sources") or []
        if not isinstance(sources, list):
            raise ApiError(400, "INVALID_ARGUMENT", "'sources' must be a list.")
        now = timestamp()
        id = new_id("env")
        self.workspaces.create(id)
        for source in sources:
            if not isinstance(source, dict):
                raise ApiError(400, "INVALID_ARGUMENT", "Each source is an object.")
            if source.get("type") == "inline":
                target = source.get("target")
                if not isinstance(target, str):
                    raise ApiError(400, "INVALID_ARGUMENT", "An inline source needs a 'target'.")
                self.workspaces.write(id, target, str(source.get("content", "")).encode())
        base = body.get("from_environment")
        if isinstance(base, str):
            self._environment(base)
            for entry in self.workspaces.list(
                base.removeprefix("environments/"), "", recursive=True
            ):
                data = self.workspaces.read(base.removeprefix("environments/"), entry["path"])
                if data is not None:
                    self.workspaces.write(id, entry["path"], data)
        self.environments[id] = {
            "id": id,
            "status": "active",
            "mode": body.get("mode", "on_demand"),
            "network": network,
            "sources": sources,
            "created": now,
            "updated": now,
            **({"custom_config": body["custom_config"]} if "custom_config" in body else {}),
        }
        return self._environment(id)

    def _environments(self, request: Request) -> Response:
        parts, method = request.parts, request.method
        if len(parts) == 1 and method == "GET":
            items = [self._environment(id) for id in list(self.environments)]
            return Response(_page(items, request.query, "environments"))
        if len(parts) == 1 and method == "POST":
            return Response(self.create_environment(request.json()))
        if len(parts) == 2 and method == "GET":
            return Response(self._environment(parts[1]))
        if len(parts) == 2 and method == "DELETE":
            self._environment(parts[1])
            del self.environments[parts[1]]
            self.workspaces.delete(parts[1])
            return Response({})
        if len(parts) >= 3 and parts[2] == "files" and method == "GET":
            self._environment(parts[1])
            path = "/".join(parts[3:])
            if request.query.get("alt") == "media":
                data = self.workspaces.read(parts[1], path)
                if data is None:
                    raise ApiError(404, "NOT_FOUND", f"No file '{path}' in this environment.")
                return Response(data)
            entries = self.workspaces.list(
                parts[1], path, recursive=request.query.get("recursive") == "true"
            )
            return Response(_page(entries, request.query, "files"))
        raise self._no_route(request)

    def _upload(self, request: Request) -> Response:
        parts, method = request.parts, request.method
        if (
            len(parts) >= 4
            and parts[0] == "environments"
            and parts[2] == "files"
            and method == "PUT"
        ):
            self._environment(parts[1])
            if request.headers.get("x-goog-upload-command") != "start":
                raise ApiError(
                    400, "INVALID_ARGUMENT", "Start an upload with x-goog-upload-command: start."
                )
            try:
                size = int(request.headers.get("x-goog-upload-header-content-length", ""))
            except ValueError as exc:
                raise ApiError(
                    400, "INVALID_ARGUMENT", "x-goog-upload-header-content-length is required."
                ) from exc
            session = self.workspaces.start_upload(
                parts[1],
                "/".join(parts[3:]),
                size=size,
                mime_type=request.headers.get(
                    "x-goog-upload-header-content-type", "application/octet-stream"
                ),
                overwrite=request.query.get("overwrite", "true") != "false",
            )
            url = f"{request.base}/upload/{request.version}/environments/-/uploads/{session}"
            return Response(
                {}, headers={"x-goog-upload-url": url, "x-goog-upload-status": "active"}
            )
        if len(parts) == 4 and parts[:3] == ["environments", "-", "uploads"] and method == "POST":
            command = request.headers.get("x-goog-upload-command", "")
            try:
                offset = int(request.headers.get("x-goog-upload-offset", "0"))
            except ValueError as exc:
                raise ApiError(400, "INVALID_ARGUMENT", "Invalid x-goog-upload-offset.") from exc
            entry = self.workspaces.receive(
                parts[3], offset, request.body, finalize="finalize" in command
            )
            if entry is None:
                return Response({}, headers={"x-goog-upload-status": "active"})
            return Response(entry, headers={"x-goog-upload-status": "final"})
        raise self._no_route(request)

    # ---- credentials -------------------------------------------------------------

    @staticmethod
    def _shown_credential(credential: JsonObject) -> JsonObject:
        return {
            k: v
            for k, v in credential.items()
            if k in ("id", "type", "status", "create_time", "update_time")
        }

    def _credentials(self, request: Request) -> Response:
        parts, method = request.parts, request.method
        if len(parts) == 1 and method == "GET":
            items = [self._shown_credential(c) for c in self.credentials.values()]
            return Response(_page(items, request.query, "credentials"))
        if len(parts) == 1 and method == "POST":
            body = request.json()
            id, kind = body.get("id"), body.get("type")
            if not isinstance(id, str) or not id or "/" in id:
                raise ApiError(400, "INVALID_ARGUMENT", "'id' is required.")
            if kind not in _CREDENTIAL_TYPES:
                raise ApiError(
                    400,
                    "INVALID_ARGUMENT",
                    f"'type' must be one of {', '.join(_CREDENTIAL_TYPES)}.",
                )
            if not any(body.get(name) for name in _SECRET_FIELDS):
                raise ApiError(400, "INVALID_ARGUMENT", f"A {kind} credential needs its secret.")
            if id in self.credentials:
                raise ApiError(409, "ALREADY_EXISTS", f"Credential '{id}' already exists.")
            now = timestamp()
            self.credentials[id] = {
                **body,
                "status": "active",
                "create_time": now,
                "update_time": now,
            }
            return Response(self._shown_credential(self.credentials[id]))
        if len(parts) == 2 and method in ("GET", "PATCH", "DELETE"):
            credential = self.credentials.get(parts[1])
            if credential is None:
                raise _missing("Credential", parts[1])
            if method == "DELETE":
                del self.credentials[parts[1]]
                return Response({})
            if method == "PATCH":
                body = request.json()
                if body.get("type", credential["type"]) != credential["type"]:
                    raise ApiError(400, "INVALID_ARGUMENT", "A credential's type cannot change.")
                credential.update({k: v for k, v in body.items() if k not in ("id", "status")})
                credential["update_time"] = timestamp()
            return Response(self._shown_credential(credential))
        raise self._no_route(request)

    # ---- triggers ------------------------------------------------------------------

    async def fire_due_triggers(self) -> int:
        """Run every trigger whose scheduled time the clock has reached; returns how many."""
        due = self.triggers.due()
        for id, scheduled in due:
            await self.run_trigger(id, scheduled)
        return len(due)

    async def run_trigger(self, id: str, scheduled: float | None = None) -> JsonObject:
        """Start one execution of trigger `id` now."""
        trigger = self.triggers.get(id)
        execution = self.triggers.start(id, scheduled)
        body: JsonObject = {"background": True, **trigger["interaction"]}
        if trigger.get("environment_id") and "environment" not in body:
            body["environment"] = trigger["environment_id"]
        if trigger.get("previous_interaction_id") and "previous_interaction_id" not in body:
            body["previous_interaction_id"] = trigger["previous_interaction_id"]
        try:
            body = self.prepare_interaction(body)
            record = await self.engine.create(body)
        except ApiError as error:
            self.triggers.finish(id, execution, "failed", error.message)
            return execution
        execution["interaction_id"] = record.id
        trigger["previous_interaction_id"] = record.id
        self.interaction_created(record, body)
        self._settle(id, execution)
        return execution

    def _settle(self, trigger_id: str, execution: JsonObject) -> None:
        if execution["status"] != "in_progress" or "interaction_id" not in execution:
            return
        record = self.engine.store.get(execution["interaction_id"])
        if record is None:
            self.triggers.finish(trigger_id, execution, "failed", "The interaction was deleted.")
            return
        status = _EXECUTION_STATUS.get(self.engine.status_of(record))
        if status is not None:
            error = (
                "The interaction ended: " + self.engine.status_of(record)
                if status == "failed"
                else None
            )
            self.triggers.finish(trigger_id, execution, status, error)

    async def _triggers(self, request: Request) -> Response:
        parts, method = request.parts, request.method
        store = self.triggers
        if len(parts) == 1 and method == "GET":
            return Response(_page(list(store.triggers.values()), request.query, "triggers"))
        if len(parts) == 1 and method == "POST":
            body = request.json()
            if isinstance(body.get("interaction"), dict):
                self.prepare_interaction(dict(body["interaction"]))
            return Response(store.create(body))
        if len(parts) == 2 and method == "GET":
            return Response(store.get(parts[1]))
        if len(parts) == 2 and method == "PATCH":
            return Response(store.update(parts[1], request.json()))
        if len(parts) == 2 and method == "DELETE":
            store.delete(parts[1])
            return Response({})
        if len(parts) == 3 and parts[2] == "executions" and method == "POST":
            return Response(await self.run_trigger(parts[1]))
        if len(parts) == 3 and parts[2] == "executions" and method == "GET":
            store.get(parts[1])
            executions = store.executions[parts[1]]
            for execution in executions:
                self._settle(parts[1], execution)
            newest_first = list(reversed(executions))
            return Response(_page(newest_first, request.query, "trigger_executions"))
        raise self._no_route(request)

    # ---- webhooks ------------------------------------------------------------------

    def _webhooks(self, request: Request) -> Response:
        parts, method = request.parts, request.method
        hooks = self.webhooks
        if len(parts) == 1 and method == "GET":
            return Response(_page(hooks.list(), request.query, "webhooks"))
        if len(parts) == 1 and method == "POST":
            return Response(hooks.create(request.json()))
        if len(parts) == 2:
            id, _, verb = parts[1].partition(":")
            if verb == "ping" and method == "POST":
                hooks.get(id)
                hooks.emit(
                    "webhook.ping",
                    lambda: {"id": id, "message": "ping from the local Interactions server"},
                    only=id,
                )
                return Response({})
            if verb == "rotateSigningSecret" and method == "POST":
                return Response(hooks.rotate(id, request.json().get("revocation_behavior")))
            if not verb and method == "GET":
                return Response(hooks.get(id))
            if not verb and method == "PATCH":
                return Response(hooks.update(id, request.json()))
            if not verb and method == "DELETE":
                hooks.delete(id)
                return Response({})
        raise self._no_route(request)

    # ---- decisions -----------------------------------------------------------------

    def _decisions(self, request: Request) -> Response:
        if request.parts == ["decisions"] and request.method == "POST":
            return Response(decide(request.json()))
        raise self._no_route(request)

    # ---- hooks for /interactions -----------------------------------------------------

    def prepare_interaction(self, body: JsonObject) -> JsonObject:
        """Check a create body's managed agent and environment; returns the body the
        model sees (a saved agent's tools and instructions filled in)."""
        agent = body.get("agent")
        if isinstance(agent, str) and agent.startswith("agents/"):
            saved = self.agents.get(agent.removeprefix("agents/"))
            if saved is None and not self.lenient:
                raise ApiError(
                    404, "NOT_FOUND", f"Agent '{agent}' was not found; create it with POST /agents."
                )
            if saved is not None:
                body = dict(body)
                for key in ("system_instruction", "tools", "agent_config"):
                    if key in saved and key not in body:
                        body[key] = saved[key]
                if "environment" not in body and "base_environment" in saved:
                    body["environment"] = saved["base_environment"]
        environment = body.get("environment")
        if isinstance(environment, dict):
            named = environment.get("environment_id")
            if isinstance(named, str):
                if not self.lenient:
                    self._environment(named)
                body = {**body, "environment": named}
            else:
                # A new sandbox: the answer names it (`environment_id`) for reuse.
                created = self.create_environment(environment)
                body = {**body, "environment": created["id"]}
        elif isinstance(environment, str) and environment != "remote" and not self.lenient:
            self._environment(environment)
        return body

    def interaction_created(self, record: Record, body: JsonObject | None = None) -> None:
        """Show the interaction's sandbox (`environment_id`), and queue the webhook
        event for the status `record` will reach (a background interaction reaches it
        later: the event waits until then)."""
        environment = (body or {}).get("environment")
        if isinstance(environment, str) and environment != "remote":
            record.head["environment_id"] = environment.removeprefix("environments/")
            if self.engine.store.get(record.id) is not None:
                self.engine.store.put(record)
        event = _INTERACTION_EVENTS.get(record.final_status)
        if event is None or not self.webhooks.hooks:
            return
        at = record.started_at + record.step_delay * (len(record.output_steps) + 1)
        if not record.background:
            at = time.time()
        store = self.engine.store

        def data() -> JsonObject | None:
            current = record
            try:
                current = store.get(record.id) or record
            except Exception:  # a store bound to another thread: the held record will do
                current = record
            if current.cancelled_at is not None:
                return None
            shown: JsonObject = {"id": record.id, "status": record.final_status}
            for key in ("agent", "model"):
                if key in record.head:
                    shown[key] = record.head[key]
            return shown

        self.webhooks.emit(event, data, at=at)

    def interaction_cancelled(self, record: Record) -> None:
        """Queue `interaction.cancelled` for a background interaction just cancelled."""
        if record.cancelled_at is None or not self.webhooks.hooks:
            return
        shown: JsonObject = {"id": record.id, "status": "cancelled"}
        self.webhooks.emit("interaction.cancelled", lambda: shown)

    def close(self) -> None:
        """Stop webhook deliveries."""
        self.webhooks.close()
