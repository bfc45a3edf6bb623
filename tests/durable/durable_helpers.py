"""What the durability tests share: a shop's tools that count their executions, and
scripted model steps."""

from __future__ import annotations

from collections import Counter
from typing import Any

from agentloop import Agent, ToolContext, tool
from agentloop.testing import InteractionsServer, ModelRequest, ScriptedModel


def call(call_id: str, name: str, **arguments: Any) -> dict[str, Any]:
    """A `function_call` step."""
    return {"type": "function_call", "id": call_id, "name": name, "arguments": arguments}


def summary(request: ModelRequest) -> str:
    """A model answer naming every function result it got, in order."""
    parts = []
    for result in request.function_results:
        flag = " (error)" if result.get("is_error") else ""
        parts.append(f"{result['call_id']}={result['result']}{flag}")
    return "results: " + "; ".join(parts)


def result_ids(request: ModelRequest) -> list[str]:
    return [result["call_id"] for result in request.function_results]


class Shop:
    """Tools whose every execution is counted by call id."""

    def __init__(self) -> None:
        self.executions: Counter[str] = Counter()
        self.run_ids: list[str | None] = []

        @tool(requires_approval=True)
        def refund(order_id: str, amount: float, ctx: ToolContext) -> str:
            """Refund an order.

            Args:
                order_id: the order.
                amount: how much to refund.
            """
            self.executions[ctx.call_id] += 1
            self.run_ids.append(ctx.run_id)
            return f"refunded {amount:g} on {order_id}"

        @tool
        def lookup_order(order_id: str, ctx: ToolContext) -> str:
            """Look an order up.

            Args:
                order_id: the order.
            """
            self.executions[ctx.call_id] += 1
            return f"order {order_id}: 2 mugs"

        self.refund = refund
        self.lookup_order = lookup_order

    @property
    def tools(self) -> list[Any]:
        return [self.refund, self.lookup_order]


def shop_agent(script: list[Any], shop: Shop, **options: Any) -> tuple[Agent, ScriptedModel]:
    model = ScriptedModel(script)
    server = InteractionsServer(model)
    agent = Agent("gemini-2.5-flash", tools=shop.tools, client=server.client(), **options)
    return agent, model


MIXED_ROUND = [
    call("call_1", "refund", order_id="42", amount=30.0),
    call("call_2", "lookup_order", order_id="42"),
]
