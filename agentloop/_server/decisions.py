"""`POST /decisions` for the local server: deterministic demo answers.

The demo judge reads words, not meaning: an option wins by how many of its words
(label and description) appear in the input. Same input, same answer, every time,
which is what a test needs; the probabilities are normalized and well-formed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from .._wire.base import JsonObject
from .engine import ApiError

__all__ = ["decide"]

_STOP = frozenset(
    {
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "for",
        "from",
        "has",
        "have",
        "i",
        "in",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "that",
        "the",
        "this",
        "to",
        "was",
        "were",
        "will",
        "with",
        "you",
        "your",
        "yes",
        "no",
        "not",
        "does",
        "do",
        "did",
    }
)


def _words(text: str) -> set[str]:
    return {word for word in re.findall(r"[a-z0-9]+", text.lower()) if word not in _STOP}


def _text_of(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return " ".join(_text_of(v) for k, v in value.items() if k in ("text", "content"))
    if isinstance(value, list):
        return " ".join(_text_of(item) for item in value)
    return ""


def _normalized(weights: Sequence[float]) -> list[float]:
    total = sum(weights)
    return [round(weight / total, 4) for weight in weights]


def _choice(question: JsonObject, words: set[str]) -> JsonObject:
    criteria = question.get("criteria")
    if not isinstance(criteria, dict) or not criteria:
        raise ApiError(
            400, "INVALID_ARGUMENT", "A choice question needs 'criteria' {label: meaning}."
        )
    labels = list(criteria)
    weights = [1.0 + 2 * len(_words(f"{label} {criteria[label]}") & words) for label in labels]
    probabilities = _normalized(weights)
    best = max(range(len(labels)), key=lambda i: (weights[i], -i))
    return {
        "type": "choice",
        "choice": labels[best],
        "confidence": probabilities[best],
        "probabilities": dict(zip(labels, probabilities, strict=True)),
    }


def _score(question: JsonObject, words: set[str]) -> JsonObject:
    criteria = question.get("criteria")
    if not isinstance(criteria, list) or not criteria:
        raise ApiError(400, "INVALID_ARGUMENT", "A score question needs 'criteria' [levels].")
    levels = [str(level) for level in criteria]
    weights = [1.0 + 2 * len(_words(level) & words) for level in levels]
    probabilities = _normalized(weights)
    best = max(range(len(levels)), key=lambda i: (weights[i], -i))
    keys = [str(number) for number in range(1, len(levels) + 1)]
    return {
        "type": "score",
        "score": float(best + 1),
        "confidence": probabilities[best],
        "probabilities": dict(zip(keys, probabilities, strict=True)),
        "legend": dict(zip(keys, levels, strict=True)),
    }


def _noul(question: JsonObject, words: set[str]) -> JsonObject:
    criteria = question.get("criteria") if isinstance(question.get("criteria"), dict) else {}
    assert isinstance(criteria, dict)
    yes = _words(f"{_text_of(question.get('instructions'))} {criteria.get('true_description', '')}")
    no = _words(str(criteria.get("false_description", "")))
    hits, misses = len(yes & words), len(no & words)
    probability = round((1 + 2 * hits) / (2 + 2 * hits + 2 * misses), 4)
    return {
        "type": "noul",
        "noul": probability,
        "confidence": round(max(probability, 1 - probability), 4),
    }


_KINDS = {"choice": _choice, "score": _score, "noul": _noul}


def decide(body: JsonObject) -> JsonObject:
    """Answer a create-decision body, or raise a 400 saying what is wrong."""
    if not isinstance(body.get("model"), str) or not body["model"]:
        raise ApiError(400, "INVALID_ARGUMENT", "'model' is required.")
    if "input" not in body:
        raise ApiError(400, "INVALID_ARGUMENT", "'input' is required.")
    questions = body.get("questions")
    if not isinstance(questions, dict) or not questions:
        raise ApiError(400, "INVALID_ARGUMENT", "'questions' must name at least one question.")
    words = _words(_text_of(body["input"]))
    answers: JsonObject = {}
    for name, question in questions.items():
        kind = question.get("type") if isinstance(question, dict) else None
        if kind not in _KINDS:
            raise ApiError(
                400,
                "INVALID_ARGUMENT",
                f"Question '{name}' has type {kind!r}; expected one of choice, score, noul.",
            )
        if not question.get("instructions"):
            raise ApiError(400, "INVALID_ARGUMENT", f"Question '{name}' needs 'instructions'.")
        answers[name] = _KINDS[kind](question, words)
    tokens = len(_text_of(body["input"])) // 4 + 1
    return {
        "answers": answers,
        "usage": {
            "total_input_tokens": tokens,
            "total_output_tokens": 8 * len(answers),
            "total_tokens": tokens + 8 * len(answers),
        },
    }
