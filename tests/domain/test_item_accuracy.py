"""Question types, solution steps and accuracy maths of per-item evaluation results (pure)."""

from __future__ import annotations

from dataflywheel.domain.policies.item_accuracy import (
    accuracy_metrics,
    question_type,
    reasoning_steps,
)


def test_question_types_and_steps() -> None:
    assert question_type("What percent of the class passed?") == "percentage"
    assert question_type("She ate half of the 3/4 pie") == "fraction_ratio"
    assert question_type("He drives 60 miles per hour for 3 hours") == "rate_time"
    assert question_type("A pen costs $2. How much do 5 cost?") == "money"
    assert question_type("What is 7 plus 5?") == "arithmetic"
    assert reasoning_steps("a <<1+1=2>> b <<2*3=6>>") == 2


def test_accuracy_overall_and_per_category_rounded_and_sorted() -> None:
    assert accuracy_metrics(2, 3, {"money": 1, "arithmetic": 1}, {"money": 1, "arithmetic": 2}) == {
        "accuracy": 0.666667, "accuracy.arithmetic": 0.5, "accuracy.money": 1.0}
    assert list(accuracy_metrics(1, 2, {"b": 1}, {"b": 1, "a": 1})) == [
        "accuracy", "accuracy.a", "accuracy.b"]
    assert accuracy_metrics(0, 0, {}, {}) == {"accuracy": 0.0}
