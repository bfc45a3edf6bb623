"""Durable runs on Temporal. A package, so its conftest is `temporal.conftest`, not a
second top-level `conftest` shadowing the suite's."""
