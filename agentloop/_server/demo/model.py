"""`DemoModel`: a deterministic stand-in for Gemini that exercises a whole agent.

It calls declared function tools with arguments taken from the user's words, answers
from their results, fills `response_format` schemas, remembers the conversation,
writes "research reports" as a background agent and summarises them in as many
bullets as asked. No network and no randomness: the same request always gets the
same answer. Its understanding is a few word heuristics (`_demo_text.py`,
`_demo_schema.py`): enough to drive an agent end to end, never to be right about
the world. `agentloop serve` and `agentloop demo` answer with it.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from typing import Any, cast

from ..._wire.base import JsonObject
from ..models import ModelRequest
from .media import png, size_for, wav
from .schema import PERSON_KEYS, PLACE_KEYS, Context, fill, has_key, resolve, type_of
from .search import search_steps
from .text import (
    NAME_RE,
    Entity,
    bullets,
    compact,
    count_asked,
    entities_in,
    gist,
    keywords,
    number_near,
    numbers_in,
    research_report,
    stem,
    user_facts,
    words_of,
    wordset,
)

__all__ = ["DemoModel"]

_GENERIC = wordset(
    """get gets fetch set lookup look find search query list make do run call tool current
    info information data given return returns function value specified provided using"""
)
_QUERY_KEYS = wordset("query q question text prompt topic message input content keyword term")
_MATH_KEYS = wordset("expression formula equation calculation math")
_WHEN_KEYS = {"date": "date", "day": "date", "time": "time", "hour": "time"}
_WHEN = {
    "date": re.compile(r"(?i)\b\d{4}-\d{2}-\d{2}\b|\b(?:to|yester)day\b|\btomorrow\b|\b\w+day\b"),
    "time": re.compile(r"(?i)\b\d{1,2}(?::\d{2})?\s*[ap]m\b|\b\d{1,2}:\d{2}\b|\bnoon\b"),
}
_MATH = re.compile(r"-?\d+(?:\.\d+)?(?:\s*[-+*/x^]\s*-?\d+(?:\.\d+)?)+")
_SUMMARY_ASKED = re.compile(r"(?i)summar|bullet|tl;?dr|key points")
_RECALL_ASKED = re.compile(
    r"what did i (just )?(ask|say|tell|write)|my (first|last|previous|earlier) (question|message)"
)
_MAX_CALLS = 8
# Words that ask for what a tool with another name does ("what does it cost" -> price).
_SYNONYMS = {
    "cost": "price",
    "expensive": "price",
    "cheap": "price",
    "much": "price",
    "temperature": "weather",
    "forecast": "weather",
    "rain": "weather",
    "sunny": "weather",
    "inventory": "stock",
    "available": "stock",
    "sell": "stock",
    "sale": "stock",
    "sum": "add",
    "plus": "add",
}
_ELLIPTIC = re.compile(r"(?i)^\s*(?:and|what about|how about)\b")
_NOT_NOUNS = wordset(
    """one two three four five six seven eight nine ten dozen half what does cost much
    many price costs today tomorrow"""
)
_JOKE = "Why do programmers prefer dark mode? Because light attracts bugs."

Call = tuple[str, JsonObject, Any, bool]
"""An answered function call: (name, arguments, result, is_error)."""


class DemoModel:
    """A local model for demos and tests that needs no script: it answers anything.

    - With function tools and a user turn: a `thought` step (with a signature), then
      one `function_call` per tool and entity it can fill ("Paris and Tokyo" gives
      two parallel calls of a one-city tool). Tools are chosen by the words of their
      name and description; when none matches, every tool whose required
      parameters the text can fill is called.
    - With function results: an answer naming each tool and its result.
    - With a JSON `response_format`: JSON valid against the schema, filled from the
      conversation and the tool results.
    - As an agent (`agent=...`) or in the background: a research run of thoughts,
      searches and a numbered report; the server reveals its steps over time.
    - "Summarize ... in N bullets" after an earlier answer: exactly N bullets.
    - Follow-ups recall the history ("What is my name?"); anything else gets a
      short, friendly echo.
    """

    def respond(self, request: ModelRequest) -> list[JsonObject]:
        """The steps answering `request` (always the same for the same request)."""
        texts = [t for s in request.all_steps if s.get("type") == "user_input" if (t := _text(s))]
        latest = texts[-1] if texts else ""
        names = [name for text in texts for name in NAME_RE.findall(text)]
        calls = _answered_calls(request.all_steps)
        ctx = Context.build(
            texts[::-1], [(n, a, r) for n, a, r, _ in calls], names[-1] if names else None
        )
        seed = f"{len(request.all_steps)}:{latest}"
        schema = _json_schema(request.body.get("response_format"))
        media = _media_asked(request.body)
        if media and not request.function_results:
            return [_thought(seed, f"Drawing: {gist(latest, 8)}.", request), _media(latest, media)]
        tool_search = search_steps(request, latest, lambda r, text: _plan_calls(r, ctx, text))
        if tool_search:
            return tool_search
        if request.function_results:
            if schema is not None:
                return _answer(json.dumps(fill(schema, ctx), ensure_ascii=False), seed)
            return _answer(_from_results(calls[-len(request.function_results) :], latest), seed)
        report = _last_output(request.history)
        if report and _SUMMARY_ASKED.search(latest):
            return _answer(bullets(report, count_asked(latest)), seed)
        if _wants_tools(request):
            planned = _plan_calls(request, ctx, latest)
            if planned:
                called = ", ".join(dict.fromkeys(str(call["name"]) for call in planned))
                return [_thought(seed, f"I'll call {called}.", request), *planned]
        if schema is not None:
            return _answer(json.dumps(fill(schema, ctx), ensure_ascii=False), seed)
        if request.body.get("agent") or request.body.get("background"):
            return _research(latest, seed)
        remote = [t for t in request.tools if t.get("type") == "mcp_server"]
        if remote and latest:
            return _answer(_remote_mcp(remote), seed)
        searched = any(t.get("type") == "google_search" for t in request.tools)
        steps = _search_steps(1, [gist(latest, 8)]) if searched and latest else []
        if steps and not request.history:
            found = (
                f"I searched for “{gist(latest, 8)}”, but agentloop's local demo search finds "
                "no real pages, so I have no sourced answer."
            )
            return [*steps, *_answer(found, seed)]
        offline = _offline_tools(request.tools) if latest and not request.history else ""
        if offline:
            return [*steps, *_answer(offline, seed)]
        if request.history:
            return [*steps, *_answer(_follow_up(latest, texts[:-1], ctx, calls), seed)]
        return [*steps, *_answer(_plain(latest, ctx, request.input), seed)]

    def __repr__(self) -> str:
        return "DemoModel()"


# ---- reading the request -------------------------------------------------------------


def _text(step: JsonObject) -> str:
    content: str | list[object] = step.get("content") or []
    if isinstance(content, str):
        return content.strip()
    blocks = [cast(JsonObject, b) for b in content if isinstance(b, dict)]
    texts = (b.get("text", "") for b in blocks if b.get("type") == "text")
    return " ".join(str(text) for text in texts).strip()


def _answered_calls(steps: list[JsonObject]) -> list[Call]:
    """Every function call that got a result, oldest first."""
    asked: dict[str, JsonObject] = {}
    answered: list[Call] = []
    for step in steps:
        if step.get("type") == "function_call":
            asked[str(step.get("id"))] = step
        elif step.get("type") == "function_result":
            call = asked.get(str(step.get("call_id")), {})
            name = str(call.get("name") or step.get("name") or "tool")
            raw_arguments: object = call.get("arguments")
            arguments = cast(JsonObject, raw_arguments) if isinstance(raw_arguments, dict) else {}
            answered.append((name, arguments, step.get("result"), bool(step.get("is_error"))))
    return answered


def _json_schema(response_format: Any) -> Any:
    """The JSON schema the answer must follow, or None for free text."""
    entries = (
        cast(list[object], response_format)
        if isinstance(response_format, list)
        else [response_format]
    )
    for item in entries:
        if not isinstance(item, dict):
            continue
        entry = cast(JsonObject, item)
        if entry.get("mime_type") == "application/json":
            return entry.get("schema") or {"type": "object"}
        if entry.get("type") not in (None, "text", "image", "audio", "video"):
            return entry  # a raw schema, as the legacy API took it
    return None


def _last_output(history: list[JsonObject]) -> str:
    outputs = [_text(s) for s in history if s.get("type") == "model_output"]
    return next((text for text in reversed(outputs) if text), "")


def _wants_tools(request: ModelRequest) -> bool:
    config: JsonObject = request.body.get("generation_config") or {}
    return (
        bool(request.function_tools)
        and any(s.get("type") == "user_input" for s in request.input)
        and config.get("tool_choice") != "none"
    )


# ---- steps ---------------------------------------------------------------------------


def _signature(seed: str) -> str:
    return base64.b64encode(hashlib.sha256(seed.encode()).digest()[:24]).decode()


def _thought(seed: str, summary: str, request: ModelRequest | None = None) -> JsonObject:
    """A signed thought; a model's shows its summary only when asked for (as the API)."""
    step: JsonObject = {"type": "thought", "signature": _signature(seed + summary)}
    config: JsonObject = (request.body.get("generation_config") or {}) if request else {}
    if request is None or config.get("thinking_summaries") == "auto":
        step["summary"] = [{"type": "text", "text": summary}]
    return step


def _answer(text: str, seed: str) -> list[JsonObject]:
    return [
        {"type": "thought", "signature": _signature(seed)},
        {"type": "model_output", "content": [{"type": "text", "text": text}]},
    ]


def _search_steps(number: int, queries: list[str]) -> list[JsonObject]:
    chips = "".join(f'<div class="chip">{query}</div>' for query in queries)
    return [
        {
            "type": "google_search_call",
            "id": f"gs_{number}",
            "search_type": "web_search",
            "arguments": {"queries": queries},
        },
        {
            "type": "google_search_result",
            "call_id": f"gs_{number}",
            "result": [{"search_suggestions": f'<div class="search">{chips}</div>'}],
        },
    ]


def _research(text: str, seed: str) -> list[JsonObject]:
    """A deep-research run: planning, two searches, reading, then a numbered report."""
    research = research_report(text)
    subject, sources = research.subject, research.sources
    return [
        _thought(seed, f"Planning: origins, milestones and outlook of {subject}."),
        _thought(seed, f"Searching: looking for primary sources on {subject}."),
        *_search_steps(1, [subject, f"{subject} milestones", f"{subject} latest news"]),
        _thought(seed, "Searching: filling gaps in the timeline and checking dates."),
        *_search_steps(2, [f"{subject} timeline", f"{subject} open questions"]),
        _thought(seed, f"Reading: comparing {len(sources)} sources and noting where they agree."),
        {"type": "url_context_call", "id": "uc_1", "arguments": {"urls": sources}},
        {
            "type": "url_context_result",
            "call_id": "uc_1",
            "result": [{"url": url, "status": "success"} for url in sources],
        },
        _thought(seed, "Writing: drafting the report with numbered findings."),
        {"type": "model_output", "content": [{"type": "text", "text": research.report}]},
    ]


def _media_asked(body: JsonObject) -> JsonObject | None:
    """The media answer asked for: `{"type": "image"|"audio", ...options}`, or None."""
    formats = body.get("response_format")
    entries = cast(list[object], formats if isinstance(formats, list) else [formats])
    for entry in entries:
        if isinstance(entry, dict) and cast(JsonObject, entry).get("type") in ("image", "audio"):
            return cast(JsonObject, entry)
    config: JsonObject = body.get("generation_config") or {}
    modalities: Any = body.get("response_modalities") or config.get("response_modalities") or []
    wanted: set[str] = (
        {str(m).lower() for m in cast(list[object], modalities)}
        if isinstance(modalities, list)
        else set()
    )
    for kind in ("image", "audio"):
        if kind in wanted:
            return {"type": kind, "with_text": "text" in wanted}
    return None


def _media(prompt: str, asked: JsonObject) -> JsonObject:
    """A model_output holding a generated PNG (or WAV), with a caption when text is wanted."""
    if asked["type"] == "image":
        width, height = size_for(asked.get("aspect_ratio"))
        data, mime_type = png(prompt, width, height), "image/png"
        caption = f"A {width}x{height} demo picture for “{gist(prompt, 10)}”."
    else:
        data, mime_type = wav(prompt), "audio/wav"
        caption = f"A short demo tone for “{gist(prompt, 10)}”."
    block: JsonObject = {
        "type": asked["type"],
        "data": base64.b64encode(data).decode(),
        "mime_type": mime_type,
    }
    content = [{"type": "text", "text": caption}, block] if asked.get("with_text") else [block]
    return {"type": "model_output", "content": content}


def _offline_tools(tools: list[JsonObject]) -> str:
    """What the demo cannot do of the server-side tools asked for, said plainly."""
    kinds = {str(t.get("type")) for t in tools}
    said: list[str] = []
    if "code_execution" in kinds:
        said.append("run code (code_execution)")
    if "url_context" in kinds:
        said.append("fetch pages (url_context)")
    if not said:
        return ""
    return (
        f"agentloop's local demo model cannot {' or '.join(said)}: it runs offline. "
        "With Gemini, the API would run the tool and answer from its result."
    )


def _remote_mcp(servers: list[JsonObject]) -> str:
    named = ", ".join(f"{s.get('name')} ({s.get('url')})" for s in servers)
    return (
        f"I would call the remote MCP server {named}, but agentloop's local server does not "
        "reach remote MCP servers. Bridge it from your process instead "
        '(MCPServer(..., mode="local")) and I will call its tools.'
    )


# ---- tool calls ----------------------------------------------------------------------


def _plan_calls(request: ModelRequest, ctx: Context, latest: str) -> list[JsonObject]:
    """The function calls to make: the tools the text names, else all it can fill."""
    said = set(words_of(latest))
    said |= {_SYNONYMS[word] for word in said if word in _SYNONYMS}
    current = entities_in(latest)
    # "And three pears?": the tools of the previous turn, asked again.
    again: set[str] = _last_called(request.history) if _ELLIPTIC.match(latest) else set()
    named: list[JsonObject] = []
    fillable: list[JsonObject] = []
    for tool in request.function_tools:
        name_words = set(words_of(str(tool.get("name", ""))))
        described = {w for w in words_of(str(tool.get("description", ""))) if len(w) > 3}
        is_named = bool(said & ((name_words | described) - _GENERIC)) or tool.get("name") in again
        # Entities of earlier turns only for a tool this turn asks for ("and in Rome?");
        # for such a tool, plain nouns do too ("what does an apple cost?").
        found = current or (list(ctx.entities) if is_named else [])
        if not found and is_named:
            found = _nouns(latest, name_words | described)
        plan = _arguments(tool, found, latest, ctx, any_kind=is_named)
        if plan is None:
            continue
        arguments, derived = plan
        calls = [{"name": tool.get("name"), "arguments": a} for a in arguments]
        if is_named:
            named += calls
        elif derived:
            fillable += calls
    first = 1 + sum(1 for s in request.all_steps if s.get("type") == "function_call")
    return [
        {"type": "function_call", "id": f"call_{first + number}", **call}
        for number, call in enumerate((named or fillable)[:_MAX_CALLS])
    ]


def _last_called(history: list[JsonObject]) -> set[str]:
    """The names of the function calls of the latest model turn that made any."""
    names: set[str] = set()
    for step in reversed(history):
        if step.get("type") == "function_call":
            names.add(str(step.get("name")))
        elif step.get("type") == "user_input" and names:
            break
    return names


def _nouns(text: str, tool_words: set[str]) -> list[Entity]:
    """Lowercase content words as things ("apple"), for a tool the text asks for."""
    skip = tool_words | set(_SYNONYMS) | set(_SYNONYMS.values()) | _NOT_NOUNS
    return [
        Entity(stem(word), "thing")
        for word in keywords(text)
        if stem(word) not in skip and not numbers_in(word)
    ]


def _is_entity_parameter(key: str, schema: JsonObject) -> bool:
    return (
        type_of(schema) == "string"
        and not {"enum", "const", "format"} & set(schema)
        and not set(words_of(key)) & (_QUERY_KEYS | _MATH_KEYS | set(_WHEN_KEYS))
    )


def _arguments(
    tool: JsonObject, entities: list[Entity], latest: str, ctx: Context, *, any_kind: bool = True
) -> tuple[list[JsonObject], bool] | None:
    """The arguments of each call (one call per entity for a one-entity tool) and
    whether the text supplied any; None when a required parameter stays empty. Unless
    `any_kind` (the text names the tool), a place parameter takes no person and a
    person parameter no place: "I'm Ada" asks for no weather."""
    params = resolve(tool.get("parameters") or {}, tool.get("parameters"))
    properties: JsonObject = params.get("properties") or {}
    schemas = {k: resolve(v, params) for k, v in properties.items()}
    listed: list[str] = params.get("required") or []
    required = [k for k in listed if k in schemas]
    entity_keys = [k for k in required if _is_entity_parameter(k, schemas[k])]
    base: JsonObject = {}
    derived = False
    for key, schema in schemas.items():
        if key in entity_keys:
            continue
        found = _parameter(key, schema, latest, required=key in required, ctx=ctx, root=params)
        if found is None and key in required:
            return None
        if found is not None:
            base[key], from_text = found
            derived = derived or from_text
    if not entity_keys:
        return [base], derived
    if not entities:
        return None
    first = entity_keys[0]
    kind = (
        "place" if has_key(first, PLACE_KEYS) else "person" if has_key(first, PERSON_KEYS) else ""
    )
    pool = [e.text for e in entities if e.kind == kind] or [e.text for e in entities]
    if kind and not any_kind and all(e.kind not in (kind, "thing") for e in entities):
        return None  # only people for a place (or places for a person)
    if len(entity_keys) == 1:
        chosen = [{first: text} for text in pool]
    else:  # several entity parameters ("from Paris to Rome"): one call, in order
        chosen = [{k: pool[min(i, len(pool) - 1)] for i, k in enumerate(entity_keys)}]
    return [{k: {**base, **c}[k] for k in schemas if k in base or k in c} for c in chosen], True


def _parameter(
    key: str, schema: JsonObject, latest: str, *, required: bool, ctx: Context, root: JsonObject
) -> tuple[Any, bool] | None:
    """A non-entity parameter's value and whether the text gave it (None: leave it out)."""
    kind, key_words = type_of(schema), set(words_of(key))
    if "enum" in schema:
        said = set(words_of(latest))
        mentioned = [v for v in schema["enum"] if isinstance(v, str) and set(words_of(v)) <= said]
        if mentioned:
            return mentioned[0], True
        return (schema.get("default", schema["enum"][0]), False) if required else None
    when = next((_WHEN[_WHEN_KEYS[w]] for w in words_of(key) if w in _WHEN_KEYS), None)
    if kind == "string" and when is not None and (found := when.search(latest)):
        return found.group(), True
    if kind == "string" and key_words & _MATH_KEYS and (math := _MATH.search(latest)):
        return math.group(), True
    about = re.search(r"(?i)\babout (.+?)[.?!]*$", latest)
    if kind == "string" and key_words & {"topic", "subject"} and about:
        return about.group(1), True
    if kind == "string" and key_words & (_QUERY_KEYS | _MATH_KEYS):
        return (gist(latest, 30), True) if latest else None
    if kind in ("integer", "number"):
        near = number_near(latest, key)
        if near is None and required and numbers_in(latest):
            near = numbers_in(latest)[0]
        if near is not None:
            return fill(schema, Context(numbers=(near,))), True
        return (fill(schema, Context()), False) if required else None
    return (fill(schema, ctx, key=key, root=root), False) if required else None


# ---- answers -------------------------------------------------------------------------


def _from_results(answered: list[Call], latest: str) -> str:
    lines: list[str] = []
    for name, arguments, result, is_error in answered:
        said = ", ".join(str(v) for v in arguments.values() if isinstance(v, str | int | float))
        label = f"{name} ({said})" if said else name
        lines.append(f"- {label}: {'failed: ' if is_error else ''}{compact(result)}")
    topic = f" for “{gist(latest, 16)}”" if latest else ""
    return f"Here is what I found{topic}:\n" + "\n".join(lines)


def _plain(latest: str, ctx: Context, input_steps: list[JsonObject]) -> str:
    blocks = [
        cast(JsonObject, block)
        for step in input_steps
        for block in cast(list[object], step.get("content") or [])
        if isinstance(block, dict)
    ]
    attached = [str(b.get("type")) for b in blocks if b.get("type") not in (None, "text")]
    note = f"I received {len(attached)} attachment(s) ({', '.join(attached)}). " if attached else ""
    lowered = latest.lower()
    if not latest:
        return note + "I'm here. Send me a message and I'll answer (deterministically)."
    if ctx.name and NAME_RE.search(latest):
        return f"{note}Nice to meet you, {ctx.name}! I'll remember that."
    if re.match(r"(hi|hello|hey)\b", lowered):
        return f"{note}Hello! I'm agentloop's demo model, answering from a local server."
    if "joke" in lowered:
        return note + _JOKE
    if latest.rstrip().endswith("?"):
        topics = ", ".join(keywords(latest, 3)) or "your question"
        return (
            f"{note}You asked: “{gist(latest)}”. I'm agentloop's local demo model, so I "
            f"can't look that up, but I noted what it is about: {topics}."
        )
    return f"{note}Got it: “{gist(latest)}”. (agentloop demo model, running locally.)"


def _follow_up(latest: str, earlier: list[str], ctx: Context, calls: list[Call]) -> str:
    """Answer questions about the conversation, else say what it has established."""
    lowered = latest.lower()
    facts = user_facts(earlier)
    if ctx.name:
        facts["name"] = ctx.name
    answers: list[str] = []
    for key in re.findall(r"what(?:'s| is) my ([a-z][a-z ]{0,24}?)\s*(?:[?,.!]|$| and )", lowered):
        told = facts.get(key)
        answers.append(f"Your {key} is {told}." if told else f"You haven't told me your {key}.")
    if re.search(r"\bwho am i\b", lowered):
        answers.append(f"You're {ctx.name}." if ctx.name else "You haven't told me your name.")
    if re.search(r"where do i live|where am i from", lowered):
        home = facts.get("home")
        answers.append(f"You live in {home}." if home else "You haven't told me where you live.")
    if _RECALL_ASKED.search(lowered):
        if not earlier:
            answers.append("This is the first thing you've said to me.")
        else:
            which, quoted = ("first", earlier[0]) if "first" in lowered else ("last", earlier[-1])
            answers.append(f"Your {which} message was: “{' '.join(quoted.split()[:30])}”")
    if answers:
        return " ".join(answers)
    known = [f"your {key} is {value}" for key, value in facts.items()]
    mentioned = [e.text for e in ctx.entities if e.text not in facts.values()]
    if mentioned:
        known.append("you mentioned " + ", ".join(mentioned[:5]))
    known += [f"{name} returned {compact(result, 60)}" for name, _, result, _ in calls[-3:]]
    if earlier:
        known.append(f"you first said “{' '.join(earlier[0].split()[:12])}”")
    summary = "; ".join(known) or "nothing yet beyond this message"
    return f"About “{gist(latest)}”: here is what I know from our conversation: {summary}."
