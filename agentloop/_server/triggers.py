"""Triggers for the local server: cron schedules read on an injectable clock.

A trigger fires when the clock reaches its `next_run_time` (once, however many runs
were missed, as cron does after a pause). Tests drive time with `ManualClock`;
`agentloop serve` uses the wall clock and checks for due triggers every second
(`trigger_interval`) as well as on each request.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import cast
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .._wire.base import JsonObject
from .engine import ApiError
from .http import new_id, timestamp

__all__ = ["Clock", "CronSchedule", "ManualClock", "TriggerStore"]

Clock = Callable[[], float]
"""Seconds since the epoch, like `time.time`."""

_RANGES = ((0, 59), (0, 23), (1, 31), (1, 12), (0, 7))
_NAMES = ("minute", "hour", "day of month", "month", "day of week")


class ManualClock:
    """A clock that moves only when told: `clock.advance(3600)` (for tests and demos)."""

    def __init__(self, start: float | datetime | None = None) -> None:
        if isinstance(start, datetime):
            start = start.timestamp()
        self.now: float = time.time() if start is None else float(start)
        """Seconds since the epoch."""

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> float:
        """Move forward by `seconds`; returns the new time."""
        if seconds < 0:
            raise ValueError("a clock does not go backwards")
        self.now += seconds
        return self.now


def _field(text: str, index: int) -> frozenset[int]:
    low, high = _RANGES[index]
    values: set[int] = set()
    for item in text.split(","):
        body, _, step_text = item.partition("/")
        step = int(step_text) if step_text else 1
        if step < 1:
            raise ValueError(f"bad step in {item!r}")
        if body == "*":
            start, end = low, high
        elif "-" in body:
            first, _, last = body.partition("-")
            start, end = int(first), int(last)
        else:
            start = int(body)
            end = high if step_text else start
        if not (low <= start <= end <= high):
            raise ValueError(f"{item!r} is outside {low}-{high}")
        values.update(range(start, end + 1, step))
    if index == 4 and 7 in values:  # 7 is Sunday too
        values = (values - {7}) | {0}
    return frozenset(values)


class CronSchedule:
    """A five-field cron expression (`minute hour day-of-month month day-of-week`)."""

    def __init__(self, expression: str) -> None:
        fields = expression.split()
        if len(fields) != 5:
            raise ValueError(f"a cron schedule has 5 fields, {expression!r} has {len(fields)}")
        parsed: list[frozenset[int]] = []
        for index, text in enumerate(fields):
            try:
                parsed.append(_field(text, index))
            except ValueError as exc:
                raise ValueError(f"bad {_NAMES[index]} field {text!r}: {exc}") from None
        self.minutes: frozenset[int] = parsed[0]
        self.hours: frozenset[int] = parsed[1]
        self.days: frozenset[int] = parsed[2]
        self.months: frozenset[int] = parsed[3]
        self.weekdays: frozenset[int] = parsed[4]
        self._any_day = fields[2] == "*"
        self._any_weekday = fields[4] == "*"

    def _day_matches(self, day: datetime) -> bool:
        if day.month not in self.months:
            return False
        in_month = day.day in self.days
        in_week = (day.isoweekday() % 7) in self.weekdays
        if self._any_day or self._any_weekday:
            return in_month and in_week
        return in_month or in_week  # cron: either restricted field matching is enough

    def next_after(self, moment: float, zone: ZoneInfo) -> float:
        """The first scheduled time strictly after `moment` (epoch seconds)."""
        local = datetime.fromtimestamp(moment, zone).replace(second=0, microsecond=0)
        day = local.replace(hour=0, minute=0)
        for _ in range(366 * 5):
            if self._day_matches(day):
                for hour in sorted(self.hours):
                    for minute in sorted(self.minutes):
                        candidate = day.replace(hour=hour, minute=minute).timestamp()
                        if candidate > moment:
                            return candidate
            day = (day + timedelta(days=1)).replace(hour=0, minute=0)
        raise ValueError("the schedule never fires")


def _zone(name: object) -> ZoneInfo:
    if not isinstance(name, str) or not name:
        raise ApiError(400, "INVALID_ARGUMENT", "'time_zone' is required (e.g. 'UTC').")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ApiError(400, "INVALID_ARGUMENT", f"Unknown time_zone {name!r}.") from exc


def _schedule(expression: object) -> CronSchedule:
    if not isinstance(expression, str):
        raise ApiError(400, "INVALID_ARGUMENT", "'schedule' is required (a cron expression).")
    try:
        return CronSchedule(expression)
    except ValueError as exc:
        raise ApiError(400, "INVALID_ARGUMENT", f"Invalid schedule: {exc}.") from exc


class TriggerStore:
    """Triggers and their executions."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.triggers: dict[str, JsonObject] = {}
        self.executions: dict[str, list[JsonObject]] = {}
        self._next: dict[str, float] = {}

    def _plan(self, id: str, after: float) -> None:
        trigger = self.triggers[id]
        moment = _schedule(trigger["schedule"]).next_after(after, _zone(trigger["time_zone"]))
        self._next[id] = moment
        trigger["next_run_time"] = timestamp(moment)

    def create(self, body: JsonObject) -> JsonObject:
        _schedule(body.get("schedule"))
        _zone(body.get("time_zone"))
        interaction = body.get("interaction")
        if not isinstance(interaction, dict) or not isinstance(
            cast(JsonObject, interaction).get("agent"), str
        ):
            raise ApiError(
                400, "INVALID_ARGUMENT", "'interaction' must be an agent interaction body."
            )
        now = self.clock()
        id = new_id("trigger")
        trigger: JsonObject = {
            key: body[key]
            for key in (
                "schedule",
                "time_zone",
                "interaction",
                "display_name",
                "environment_id",
                "execution_timeout_seconds",
                "max_consecutive_failures",
            )
            if key in body
        }
        trigger.update(
            id=id,
            status="active",
            consecutive_failure_count=0,
            create_time=timestamp(now),
            update_time=timestamp(now),
        )
        self.triggers[id] = trigger
        self.executions[id] = []
        self._plan(id, now)
        return trigger

    def get(self, id: str) -> JsonObject:
        trigger = self.triggers.get(id)
        if trigger is None:
            raise ApiError(404, "NOT_FOUND", f"Trigger '{id}' was not found.")
        return trigger

    def update(self, id: str, body: JsonObject) -> JsonObject:
        trigger = self.get(id)
        now = self.clock()
        status = body.get("status")
        if status is not None:
            if status not in ("active", "paused"):
                raise ApiError(400, "INVALID_ARGUMENT", "'status' must be 'active' or 'paused'.")
            if status == "paused" and trigger["status"] != "paused":
                trigger["last_pause_time"] = timestamp(now)
                trigger.pop("next_run_time", None)
                self._next.pop(id, None)
            elif status == "active" and trigger["status"] != "active":
                trigger["last_resume_time"] = timestamp(now)
                trigger["consecutive_failure_count"] = 0
                self._plan(id, now)
            trigger["status"] = status
        if "display_name" in body:
            trigger["display_name"] = body["display_name"]
        trigger["update_time"] = timestamp(now)
        return trigger

    def delete(self, id: str) -> None:
        self.get(id)
        del self.triggers[id]
        self.executions.pop(id, None)
        self._next.pop(id, None)

    def due(self) -> list[tuple[str, float]]:
        """Triggers whose time has come, with the scheduled time; each is re-planned."""
        now = self.clock()
        fired: list[tuple[str, float]] = []
        for id, moment in list(self._next.items()):
            if moment <= now and self.triggers[id]["status"] == "active":
                fired.append((id, moment))
                self._plan(id, now)
        return sorted(fired, key=lambda item: item[1])

    def start(self, id: str, scheduled: float | None) -> JsonObject:
        """Record a new execution of trigger `id` (in progress)."""
        now = self.clock()
        execution: JsonObject = {
            "id": new_id("execution"),
            "trigger_id": id,
            "status": "in_progress",
            "start_time": timestamp(now),
            "scheduled_time": timestamp(scheduled if scheduled is not None else now),
        }
        trigger = self.get(id)
        if "environment_id" in trigger:
            execution["environment_id"] = trigger["environment_id"]
        trigger["last_run_time"] = timestamp(now)
        self.executions[id].append(execution)
        return execution

    def finish(self, id: str, execution: JsonObject, status: str, error: str | None) -> None:
        """Settle an execution; repeated failures put the trigger in `error`."""
        execution["status"] = status
        execution["end_time"] = timestamp(self.clock())
        if error:
            execution["error"] = error
        trigger = self.triggers.get(id)
        if trigger is None:
            return
        if status == "failed":
            trigger["consecutive_failure_count"] = trigger.get("consecutive_failure_count", 0) + 1
            limit = trigger.get("max_consecutive_failures")
            if isinstance(limit, int) and trigger["consecutive_failure_count"] >= limit > 0:
                trigger["status"] = "error"
                self._next.pop(id, None)
                trigger.pop("next_run_time", None)
        elif status == "completed":
            trigger["consecutive_failure_count"] = 0


def utc_now() -> float:
    """The wall clock (the default `Clock`)."""
    return datetime.now(UTC).timestamp()
