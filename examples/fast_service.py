"""A service-shaped agent tuned for throughput (docs/performance.md).

Three knobs, each measured by `python -m benchmarks`:

- `@tool(inline=True)` on a plain `def` that returns at once: it runs on the event
  loop's thread instead of a worker thread, saving the hop on every call (a plain
  `@tool` gets there by itself after 8 quick calls; `inline=True` skips the trial);
- `gc.freeze()` once start-up is done, and a higher gen-0 threshold: the collector
  stops rescanning the long-lived modules and models on every collection;
- `uvloop`, when installed (`pip install 'agentloop[speed]'`), as the event loop.

Needs GEMINI_API_KEY (or AGENTLOOP_BASE_URL pointing at an Interactions server):

    python examples/fast_service.py
"""

import asyncio
import gc

from agentloop import Agent, tool

RATES = {"EUR": 1.0, "USD": 1.08, "JPY": 162.0}


@tool(inline=True)  # a dict lookup: no I/O, returns at once, so no worker thread
def convert(amount: float, source: str, target: str) -> float:
    """Convert an amount between currencies.

    Args:
        amount: The amount in the source currency.
        source: The source currency code, e.g. EUR.
        target: The target currency code, e.g. USD.
    """
    return round(amount / RATES[source] * RATES[target], 2)


agent = Agent("gemini-2.5-flash", tools=[convert])


async def serve(questions: list[str]) -> list[str]:
    """Answer every question concurrently, as a service handles requests."""
    results = await asyncio.gather(*(agent.arun(question) for question in questions))
    return [result.text for result in results]


def tune_gc() -> None:
    """After imports and set-up: freeze what exists, collect young objects less often."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(7000, 10, 10)


def main() -> None:
    tune_gc()
    try:
        import uvloop  # the optional `speed` extra
    except ImportError:
        run = asyncio.run
    else:
        run = uvloop.run
    questions = ["How much is 100 EUR in USD?", "How much is 5000 JPY in EUR?"]
    for question, answer in zip(questions, run(serve(questions)), strict=True):
        print(f"{question} -> {answer}")


if __name__ == "__main__":
    main()
