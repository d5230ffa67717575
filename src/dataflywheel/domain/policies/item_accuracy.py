"""Accuracy over per-item evaluation results, and what an item's wording says about it.

Pure: the flow (`flows/experiments/experiment_results.py`) reads and validates the results file;
these functions only classify a question, count a solution's steps and turn tallies into metrics.
Guarantees: `question_type` is the first matching cue of `QUESTION_TYPES`, else `arithmetic`;
`accuracy_metrics` gives `accuracy` and `accuracy.<category>` (categories sorted), rounded to 6
places, and an accuracy of 0.0 for no items.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

# First match wins; the order puts the most specific cues first.
QUESTION_TYPES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("percentage", re.compile(r"%|\bpercent", re.IGNORECASE)),
    ("fraction_ratio", re.compile(r"\b(half|halves|third|quarter|fraction|ratio|twice|double|"
                                  r"triple|times as)\b|\d+/\d+", re.IGNORECASE)),
    ("rate_time", re.compile(r"\b(per hour|an hour|mph|minutes?|hours?|speed|per day|each day|"
                             r"a day|weeks?|days?)\b", re.IGNORECASE)),
    ("money", re.compile(r"\$|\b(dollars?|cents?|price|cost|pay|paid|earn|sells?|bought|buy)\b",
                         re.IGNORECASE)),
)
_STEP = re.compile(r"<<[^>]*>>")


def question_type(question: str) -> str:
    """A coarse question type from the wording: percentage, fraction_ratio, rate_time, money,
    else arithmetic."""
    for name, pattern in QUESTION_TYPES:
        if pattern.search(question):
            return name
    return "arithmetic"


def reasoning_steps(ground_truth: str) -> int:
    """Calculator annotations (`<<a+b=c>>`) in a GSM8K solution: its number of steps."""
    return len(_STEP.findall(ground_truth))


def accuracy_metrics(correct: int, total: int, right: Mapping[str, int],
                     totals: Mapping[str, int]) -> dict[str, float]:
    """`accuracy` (correct of total) and `accuracy.<category>` (right of totals per category)."""
    found = {"accuracy": round(correct / total, 6) if total else 0.0}
    for category in sorted(totals):
        found[f"accuracy.{category}"] = round(right.get(category, 0) / totals[category], 6)
    return found
