"""Credentials, triggers (with executions), webhooks and decisions.

Async implementations; the blocking faces wrap them method by method (`paging.py`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import httpx

from .._errors import UserError
from .._wire.base import JsonObject
from .._wire.requests import normalize_input
from .._wire.resources import (
    Credential,
    Decision,
    Trigger,
    TriggerExecution,
    Webhook,
    WebhookSecret,
)
from .core import HTTPCore
from .paging import AsyncPager, blocking, blocking_list, drop_none, parse, segment

__all__ = [
    "AsyncCredentials",
    "AsyncDecisions",
    "AsyncTriggerExecutions",
    "AsyncTriggers",
    "AsyncWebhooks",
    "Credentials",
    "Decisions",
    "TriggerExecutions",
    "Triggers",
    "Webhooks",
]

Timeout = float | httpx.Timeout | None


def _credential_fields(
    *,
    type: str | None,
    token: str | None,
    header_name: str | None,
    prefix: str | None,
    client_id: str | None,
    client_secret: str | None,
    refresh_token: str | None,
    token_url: str | None,
    scopes: Sequence[str] | None,
    value: str | None,
    injection_location: str | None,
    trusted_domains: Sequence[str] | None,
) -> JsonObject:
    return drop_none(
        type=type,
        token=token,
        header_name=header_name,
        prefix=prefix,
        client_id=client_id,
        client_secret=client_secret,
        refresh_token=refresh_token,
        token_url=token_url,
        scopes=list(scopes) if scopes is not None else None,
        value=value,
        injection_location=injection_location,
        trusted_domains=list(trusted_domains) if trusted_domains is not None else None,
    )


class AsyncCredentials:
    """`client.credentials` of an `AsyncClient`: secrets a managed agent may use.

    Three kinds: `bearer_token` (`token`, `header_name`, `prefix`), `oauth2`
    (`client_id`, `client_secret`, `refresh_token`, `token_url`, `scopes`) and
    `environment_variable` (`value`, `injection_location`, `trusted_domains`).
    The API never returns a secret once stored.
    """

    def __init__(self, core: HTTPCore) -> None:
        self._core = core

    async def create(
        self,
        *,
        id: str,
        type: str,
        token: str | None = None,
        header_name: str | None = None,
        prefix: str | None = None,
        client_id: str | None = None,
        client_secret: str | None = None,
        refresh_token: str | None = None,
        token_url: str | None = None,
        scopes: Sequence[str] | None = None,
        value: str | None = None,
        injection_location: str | None = None,
        trusted_domains: Sequence[str] | None = None,
        extra_body: JsonObject | None = None,
        timeout: Timeout = None,
    ) -> Credential:
        """Store a credential (`POST /credentials`) under `id`."""
        body: JsonObject = {
            "id": id,
            **_credential_fields(
                type=type,
                token=token,
                header_name=header_name,
                prefix=prefix,
                client_id=client_id,
                client_secret=client_secret,
                refresh_token=refresh_token,
                token_url=token_url,
                scopes=scopes,
                value=value,
                injection_location=injection_location,
                trusted_domains=trusted_domains,
            ),
            **(extra_body or {}),
        }
        response = await self._core.request("POST", "credentials", body=body, timeout=timeout)
        return parse(Credential, response)

    async def get(self, id: str, *, timeout: Timeout = None) -> Credential:
        """A credential's metadata (`GET /credentials/{id}`)."""
        path = f"credentials/{segment(id, 'credential', prefix='credentials')}"
        return parse(Credential, await self._core.request("GET", path, timeout=timeout))

    def list(
        self, *, page_size: int | None = None, page_token: str | None = None
    ) -> AsyncPager[Credential]:
        """Every credential, page by page (`GET /credentials`)."""
        return AsyncPager(
            self._core,
            "credentials",
            key="credentials",
            model=Credential,
            page_size=page_size,
            page_token=page_token,
        )

    async def update(
        self,
        id: str,
        *,
        type: str | None = None,
        token: str | None = None,
        header_name: str | None = None,
        prefix: str | None = None,
        client_id: str | None = None,
        client_secret: str | None = None,
        refresh_token: str | None = None,
        token_url: str | None = None,
        scopes: Sequence[str] | None = None,
        value: str | None = None,
        injection_location: str | None = None,
        trusted_domains: Sequence[str] | None = None,
        extra_body: JsonObject | None = None,
        timeout: Timeout = None,
    ) -> Credential:
        """Change a credential's fields (`PATCH /credentials/{id}`), e.g. a new token."""
        body = _credential_fields(
            type=type,
            token=token,
            header_name=header_name,
            prefix=prefix,
            client_id=client_id,
            client_secret=client_secret,
            refresh_token=refresh_token,
            token_url=token_url,
            scopes=scopes,
            value=value,
            injection_location=injection_location,
            trusted_domains=trusted_domains,
        )
        body.update(extra_body or {})
        if not body:
            raise UserError("credentials.update: pass at least one field to change")
        path = f"credentials/{segment(id, 'credential', prefix='credentials')}"
        response = await self._core.request("PATCH", path, body=body, timeout=timeout)
        return parse(Credential, response)

    async def delete(self, id: str, *, timeout: Timeout = None) -> None:
        """Delete a credential (`DELETE /credentials/{id}`)."""
        path = f"credentials/{segment(id, 'credential', prefix='credentials')}"
        await self._core.request("DELETE", path, timeout=timeout)


def _trigger_path(id: str) -> str:
    return f"triggers/{segment(id, 'trigger', prefix='triggers')}"


class AsyncTriggerExecutions:
    """`client.triggers.executions`: the runs of a trigger."""

    def __init__(self, core: HTTPCore) -> None:
        self._core = core

    def list(
        self, trigger_id: str, *, page_size: int | None = None, page_token: str | None = None
    ) -> AsyncPager[TriggerExecution]:
        """A trigger's executions, page by page (`GET /triggers/{id}/executions`)."""
        return AsyncPager(
            self._core,
            f"{_trigger_path(trigger_id)}/executions",
            key="trigger_executions",
            model=TriggerExecution,
            page_size=page_size,
            page_token=page_token,
        )


class AsyncTriggers:
    """`client.triggers` of an `AsyncClient`: cron-scheduled agent interactions."""

    def __init__(self, core: HTTPCore) -> None:
        self._core = core
        self.executions = AsyncTriggerExecutions(core)
        """The runs of a trigger."""

    async def create(
        self,
        *,
        schedule: str,
        interaction: Mapping[str, Any],
        time_zone: str = "UTC",
        display_name: str | None = None,
        environment_id: str | None = None,
        execution_timeout_seconds: int | None = None,
        max_consecutive_failures: int | None = None,
        extra_body: JsonObject | None = None,
        timeout: Timeout = None,
    ) -> Trigger:
        """Schedule an agent interaction (`POST /triggers`).

        Args:
            schedule: a five-field cron expression, e.g. `"0 9 * * 1-5"`.
            interaction: the create-interaction body each run sends, e.g.
                `{"agent": "agents/reporter", "input": "Write today's report."}`.
            time_zone: an IANA zone name the schedule is read in.
        """
        body = dict(interaction)
        if "input" in body:
            body["input"] = normalize_input(body["input"])
        request = drop_none(
            schedule=schedule,
            time_zone=time_zone,
            interaction=body,
            display_name=display_name,
            environment_id=environment_id,
            execution_timeout_seconds=execution_timeout_seconds,
            max_consecutive_failures=max_consecutive_failures,
        )
        request.update(extra_body or {})
        response = await self._core.request("POST", "triggers", body=request, timeout=timeout)
        return parse(Trigger, response)

    async def get(self, id: str, *, timeout: Timeout = None) -> Trigger:
        """A trigger (`GET /triggers/{id}`)."""
        return parse(Trigger, await self._core.request("GET", _trigger_path(id), timeout=timeout))

    def list(
        self, *, page_size: int | None = None, page_token: str | None = None
    ) -> AsyncPager[Trigger]:
        """Every trigger, page by page (`GET /triggers`)."""
        return AsyncPager(
            self._core,
            "triggers",
            key="triggers",
            model=Trigger,
            page_size=page_size,
            page_token=page_token,
        )

    async def update(
        self,
        id: str,
        *,
        display_name: str | None = None,
        status: str | None = None,
        extra_body: JsonObject | None = None,
        timeout: Timeout = None,
    ) -> Trigger:
        """Rename, pause (`status="paused"`) or resume (`"active"`) a trigger."""
        body = drop_none(display_name=display_name, status=status)
        body.update(extra_body or {})
        if not body:
            raise UserError("triggers.update: pass display_name= or status=")
        response = await self._core.request("PATCH", _trigger_path(id), body=body, timeout=timeout)
        return parse(Trigger, response)

    async def delete(self, id: str, *, timeout: Timeout = None) -> None:
        """Delete a trigger (`DELETE /triggers/{id}`)."""
        await self._core.request("DELETE", _trigger_path(id), timeout=timeout)

    async def run(self, id: str, *, timeout: Timeout = None) -> TriggerExecution:
        """Run a trigger now, outside its schedule (`POST /triggers/{id}/executions`)."""
        response = await self._core.request(
            "POST", f"{_trigger_path(id)}/executions", timeout=timeout
        )
        return parse(TriggerExecution, response)


def _webhook_path(id: str) -> str:
    return f"webhooks/{segment(id, 'webhook', prefix='webhooks')}"


class AsyncWebhooks:
    """`client.webhooks` of an `AsyncClient`: endpoints the API POSTs events to.

    Deliveries are signed per Standard Webhooks; verify them with
    `agentloop.webhooks.verify` and the secret `create` (or `rotate_secret`) returned.
    """

    def __init__(self, core: HTTPCore) -> None:
        self._core = core

    async def create(
        self,
        *,
        uri: str,
        subscribed_events: Sequence[str],
        name: str | None = None,
        extra_body: JsonObject | None = None,
        timeout: Timeout = None,
    ) -> Webhook:
        """Register an endpoint (`POST /webhooks`). The answer's `new_signing_secret` is
        shown this once: keep it to verify deliveries."""
        if isinstance(subscribed_events, str) or not subscribed_events:
            raise UserError(
                "webhooks.create: subscribed_events is a list of event names, e.g. "
                '["interaction.completed", "interaction.requires_action"]'
            )
        body = drop_none(uri=uri, subscribed_events=list(subscribed_events), name=name)
        body.update(extra_body or {})
        response = await self._core.request("POST", "webhooks", body=body, timeout=timeout)
        return parse(Webhook, response)

    async def get(self, id: str, *, timeout: Timeout = None) -> Webhook:
        """A webhook (`GET /webhooks/{id}`); secrets are shown truncated."""
        return parse(Webhook, await self._core.request("GET", _webhook_path(id), timeout=timeout))

    def list(
        self, *, page_size: int | None = None, page_token: str | None = None
    ) -> AsyncPager[Webhook]:
        """Every webhook, page by page (`GET /webhooks`)."""
        return AsyncPager(
            self._core,
            "webhooks",
            key="webhooks",
            model=Webhook,
            page_size=page_size,
            page_token=page_token,
        )

    async def update(
        self,
        id: str,
        *,
        uri: str | None = None,
        subscribed_events: Sequence[str] | None = None,
        name: str | None = None,
        state: str | None = None,
        extra_body: JsonObject | None = None,
        timeout: Timeout = None,
    ) -> Webhook:
        """Change a webhook (`PATCH /webhooks/{id}`); `state="disabled"` pauses it."""
        body = drop_none(
            uri=uri,
            subscribed_events=list(subscribed_events) if subscribed_events is not None else None,
            name=name,
            state=state,
        )
        body.update(extra_body or {})
        if not body:
            raise UserError("webhooks.update: pass at least one field to change")
        response = await self._core.request("PATCH", _webhook_path(id), body=body, timeout=timeout)
        return parse(Webhook, response)

    async def delete(self, id: str, *, timeout: Timeout = None) -> None:
        """Delete a webhook (`DELETE /webhooks/{id}`)."""
        await self._core.request("DELETE", _webhook_path(id), timeout=timeout)

    async def ping(self, id: str, *, timeout: Timeout = None) -> None:
        """Ask the API to send the endpoint a test event (`POST /webhooks/{id}:ping`)."""
        await self._core.request("POST", f"{_webhook_path(id)}:ping", timeout=timeout)

    async def rotate_secret(
        self,
        id: str,
        *,
        revocation_behavior: str | None = None,
        timeout: Timeout = None,
    ) -> WebhookSecret:
        """A new signing secret (`POST /webhooks/{id}:rotateSigningSecret`), shown once.

        Args:
            revocation_behavior: `revoke_previous_secrets_after_h24` (the default: verify
                with both secrets meanwhile) or `revoke_previous_secrets_immediately`.
        """
        body = drop_none(revocation_behavior=revocation_behavior)
        response = await self._core.request(
            "POST", f"{_webhook_path(id)}:rotateSigningSecret", body=body, timeout=timeout
        )
        return parse(WebhookSecret, response)


class AsyncDecisions:
    """`client.decisions` of an `AsyncClient`: a hosted classifier / judge."""

    def __init__(self, core: HTTPCore) -> None:
        self._core = core

    async def create(
        self,
        *,
        model: str,
        input: str | Sequence[JsonObject],
        questions: Mapping[str, JsonObject],
        extra_body: JsonObject | None = None,
        timeout: Timeout = None,
    ) -> Decision:
        """Answer named questions about `input` (`POST /decisions`).

        Questions: `{"type": "choice", "instructions": ..., "criteria": {label: meaning}}`,
        `{"type": "score", "instructions": ..., "criteria": [...]}` or `{"type": "noul",
        "instructions": ...}` (a yes/no likelihood). `Decision.answers[name]` holds a
        `ChoiceAnswer`, `ScoreAnswer` or `NoulAnswer`.
        """
        if not questions:
            raise UserError("decisions.create: pass at least one question")
        for name, question in questions.items():
            if not isinstance(question, Mapping) or not isinstance(question.get("type"), str):
                raise UserError(
                    f"decisions.create: question {name!r} needs a 'type' "
                    "(choice, score or noul) and 'instructions'"
                )
        body: JsonObject = {
            "model": model,
            "input": input if isinstance(input, str) else list(input),
            "questions": {name: dict(question) for name, question in questions.items()},
            **(extra_body or {}),
        }
        response = await self._core.request("POST", "decisions", body=body, timeout=timeout)
        return parse(Decision, response)


class Credentials:
    """`client.credentials` of a blocking `Client`; see `AsyncCredentials`."""

    def __init__(self, credentials: AsyncCredentials) -> None:
        self.create = blocking(credentials.create)
        self.get = blocking(credentials.get)
        self.list = blocking_list(credentials.list)
        self.update = blocking(credentials.update)
        self.delete = blocking(credentials.delete)


class TriggerExecutions:
    """`client.triggers.executions` of a blocking `Client`."""

    def __init__(self, executions: AsyncTriggerExecutions) -> None:
        self.list = blocking_list(executions.list)


class Triggers:
    """`client.triggers` of a blocking `Client`; see `AsyncTriggers`."""

    def __init__(self, triggers: AsyncTriggers) -> None:
        self.create = blocking(triggers.create)
        self.get = blocking(triggers.get)
        self.list = blocking_list(triggers.list)
        self.update = blocking(triggers.update)
        self.delete = blocking(triggers.delete)
        self.run = blocking(triggers.run)
        self.executions = TriggerExecutions(triggers.executions)
        """The runs of a trigger."""


class Webhooks:
    """`client.webhooks` of a blocking `Client`; see `AsyncWebhooks`."""

    def __init__(self, webhooks: AsyncWebhooks) -> None:
        self.create = blocking(webhooks.create)
        self.get = blocking(webhooks.get)
        self.list = blocking_list(webhooks.list)
        self.update = blocking(webhooks.update)
        self.delete = blocking(webhooks.delete)
        self.ping = blocking(webhooks.ping)
        self.rotate_secret = blocking(webhooks.rotate_secret)


class Decisions:
    """`client.decisions` of a blocking `Client`; see `AsyncDecisions`."""

    def __init__(self, decisions: AsyncDecisions) -> None:
        self.create = blocking(decisions.create)
