"""Planted cases for every metric of the built-in checks (not B's similarity/statistics checks)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from checkhelp import check, plan, write_jsonl

from dataflywheel.checks.builtin.charset import anomalies
from dataflywheel.checks.builtin.duplicates import normalise
from dataflywheel.checks.builtin.length import summary
from dataflywheel.checks.builtin.pii import luhn
from dataflywheel.reports.render import render


def test_structural_metrics_and_rejects(tmp_path: Path) -> None:
    p = plan(
        schema={
            "fields": [
                {"name": "id", "type": "string"},
                {"name": "text", "type": "string"},
                {"name": "label", "type": "string", "enum": ["good", "bad"], "required": False},
                {"name": "score", "type": "number", "nullable": True, "required": False},
                {"name": "tags", "type": "array", "items": "string", "required": False},
            ],
            "additional_fields": "reject",
        }
    )
    path = write_jsonl(
        tmp_path / "s.jsonl",
        [
            {"id": "1", "text": "fine", "label": "good", "score": 1, "tags": ["a"]},
            {"id": "2", "text": "  ", "score": None},
            {"id": "3", "label": "ugly"},
            {"id": 4, "text": "x", "score": True, "tags": ["a", 2], "extra": 1},
        ],
    )
    path.write_text(path.read_text() + '{"id": "5", "text": \n', encoding="utf-8")
    report = check(path, p)
    m = report.metrics
    assert m["record_count"] == 5
    assert m["invalid_json_count"] == 1 and m["invalid_json_rate"] == 0.2
    assert m["schema_violation_count"] == 2 and m["schema_violation_rate"] == 0.4
    assert m["reject_count"] == 3 and m["reject_rate"] == 0.6
    assert m["field_null_rate.text"] == 0.25
    assert m["field_blank_rate.text"] == 0.25
    assert m["field_null_rate.label"] == 0.5
    assert [(r.line, r.record_id, r.reason) for r in report.rejects] == [
        (
            3,
            "3",
            "missing required field 'text'; field 'label': 'ugly' is not one of the allowed values",
        ),
        (
            4,
            "4",
            (
                "field 'id': expected string, got integer; field 'score': expected number, got "
                "boolean; field 'tags'[1]: expected string, got integer; fields not in the schema: "
                "'extra'"
            ),
        ),
        (5, None, "invalid JSON: Input data was truncated"),
    ]


def test_normalisation_is_nfkc_casefold_and_whitespace() -> None:
    assert normalise("  Hello\tWORLD \n") == "hello world"
    assert normalise("Straße ﬁne") == "strasse fine"
    assert normalise("Ｆｕｌｌ") == "full"


def test_exact_duplicates_across_shards_with_groups(tmp_path: Path) -> None:
    recs = [{"id": f"u{i}", "text": f"unique text number {i} " * 20} for i in range(3000)]
    recs[2500] = {"id": "dup-late", "text": "  UNIQUE text number 7 " * 20}
    recs[10] = {"id": "dup-early", "text": recs[7]["text"]}
    recs[20] = {"id": "blank", "text": "   "}
    recs[21] = {"id": "blank2", "text": ""}
    path = write_jsonl(tmp_path / "d.jsonl", recs)
    report = check(path, shard_bytes=50_000, engine="local", workers=2)
    m = report.metrics
    assert m["duplicate_count"] == 2 and m["duplicate_group_count"] == 1
    assert m["duplicate_rate"] == 2 / 3000
    groups = report.checks["exact_duplicates"].sections["groups"]
    assert groups == [
        {
            "size": 3,
            "records": [
                {"file": str(path), "line": 8, "record_id": "u7"},
                {"file": str(path), "line": 11, "record_id": "dup-early"},
                {"file": str(path), "line": 2501, "record_id": "dup-late"},
            ],
        }
    ]
    ex = report.checks["exact_duplicates"].examples["duplicate_rate"]
    assert [(e.line, e.detail) for e in ex] == [
        (11, f"duplicate of {path}:8 (id u7)"),
        (2501, f"duplicate of {path}:8 (id u7)"),
    ]


def test_blank_records(tmp_path: Path) -> None:
    p = plan(text_fields=["instruction", "output"], schema={"fields": []})
    path = write_jsonl(
        tmp_path / "b.jsonl",
        [
            {"id": "1", "instruction": "q", "output": "a"},
            {"id": "2", "instruction": "q", "output": " \n\t"},
            {"id": "3", "instruction": "", "output": "a"},
            {"id": "4", "other": "x"},
            {"id": "5", "instruction": "q"},
        ],
    )
    report = check(path, p)
    assert report.metrics["blank_count"] == 3 and report.metrics["blank_rate"] == 0.6
    assert [(e.record_id, e.detail) for e in report.checks["blank"].examples["blank_rate"]] == [
        ("2", "output is blank"),
        ("3", "instruction is blank"),
        ("4", "no text under the plan's text fields"),
    ]


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        ("plain text, with tabs\tand\nnewlines\r", []),
        ("bell \x07 here", ["control_char"]),
        ("delete \x7f", ["control_char"]),
        ("bad \ufffd byte", ["replacement_char"]),
        ("lone \ud800 surrogate", ["lone_surrogate"]),
        ("cafÃ© au lait", ["mojibake"]),
        ("a â€” dash and â€\ufffdquote", ["mojibake"]),
        ("café, naïve, Zürich, São Paulo, “quoted” — déjà vu", []),
    ],
)
def test_charset_anomaly_kinds(text: str, kinds: list[str]) -> None:
    assert [k for k, _ in anomalies(text)] == kinds


def test_charset_metrics(tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "c.jsonl",
        [
            {"id": "1", "text": "ok"},
            {"id": "2", "text": "x\u0001"},
            {"id": "3", "text": "cafÃ©\ufffd"},
            {"id": "4", "text": "fine too"},
        ],
    )
    m = check(path).metrics
    assert m["charset_anomaly_count"] == 2 and m["charset_anomaly_rate"] == 0.5
    assert m["control_char_rate"] == 0.25 and m["mojibake_rate"] == 0.25
    assert m["replacement_char_rate"] == 0.25 and m["lone_surrogate_rate"] == 0.0


def test_length_percentiles_are_exact_nearest_rank() -> None:
    counts = {n: 1 for n in range(1, 101)}
    s = summary(counts, "chars")
    assert s == {
        "chars_min": 1.0,
        "chars_p50": 50.0,
        "chars_p90": 90.0,
        "chars_p99": 99.0,
        "chars_max": 100.0,
        "chars_mean": 50.5,
    }
    assert summary({}, "words")["words_p50"] == 0.0


def test_length_metrics_and_histogram(tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "l.jsonl", [{"id": str(i), "text": "ab " * i} for i in range(1, 11)]
    )
    report = check(path)
    m = report.metrics
    assert m["words_min"] == 1 and m["words_max"] == 10 and m["words_p50"] == 5
    assert m["chars_min"] == 3 and m["chars_max"] == 30 and m["chars_mean"] == 16.5
    hist = report.checks["length"].sections["histogram"]["words"]
    assert hist == [
        {"from": 1, "to": 2, "count": 1},
        {"from": 2, "to": 4, "count": 2},
        {"from": 4, "to": 8, "count": 4},
        {"from": 8, "to": 16, "count": 3},
    ]


def test_luhn() -> None:
    assert luhn("4111111111111111") and luhn("378282246310005")
    assert not luhn("4111111111111112")


PII_CASES = [
    ("write to john.doe42@example.com today", "email"),
    ("call +1 (571) 517-5828 now", "phone"),
    ("call 263-750-1242 now", "phone"),
    ("ring +44 20 4750 2159 please", "phone"),
    ("server at 192.168.10.254 is down", "ipv4"),
    ("v6 host 2001:db8::8a2e:370:7334 here", "ipv6"),
    ("card 4111 1111 1111 1111 exp", "card"),
    ("card 4111-1111-1111-1111 exp", "card"),
    ("employee E-123456 joined", "employee_id"),
]
NOT_PII = [
    "He paid 1000-300=$700 and 960-480-120 = 73 seconds",
    "version 1.2.3 of the app, 2019 was a year",
    "card 4111 1111 1111 1112 fails Luhn",
    "time 10:30:00 and std::vector<int>",
    "email me at home",
    "number 1234567 and 12345678901",
]


def test_pii_kinds_found_and_never_revealed(tmp_path: Path) -> None:
    recs = [{"id": f"p{i}", "text": t} for i, (t, _) in enumerate(PII_CASES)]
    recs += [{"id": f"n{i}", "text": t} for i, t in enumerate(NOT_PII)]
    p = plan(checks={"pii": {"id_patterns": {"employee_id": r"\bE-\d{6}\b"}}})
    report = check(write_jsonl(tmp_path / "p.jsonl", recs), p)
    m = report.metrics
    assert m["pii_count"] == len(PII_CASES)
    assert m["pii_rate"] == len(PII_CASES) / len(recs)
    expected = {"email": 1, "phone": 3, "ipv4": 1, "ipv6": 1, "card": 2, "employee_id": 1}
    assert {k: m[f"pii_{k}_count"] for k in expected} == expected
    text = report.to_json()
    for secret in (
        "john.doe42",
        "517-5828",
        "263-750-1242",
        "4750 2159",
        "192.168",
        "2001:db8",
        "4111",
        "123456",
    ):
        assert secret not in text
    assert report.checks["pii"].examples["pii_email_rate"][0].detail == "email at chars 9-31"


def test_pii_reveal_shows_the_match(tmp_path: Path) -> None:
    p = plan(checks={"pii": {"reveal": True, "kinds": ["email"]}})
    report = check(write_jsonl(tmp_path / "p.jsonl", [{"id": "1", "text": "mail a@b.io now"}]), p)
    assert report.checks["pii"].examples["pii_email_rate"][0].detail == "email 'a@b.io'"
    assert "pii_phone_rate" not in report.metrics


def test_breakdown_by_field(tmp_path: Path) -> None:
    p = plan(breakdown_by="source")
    path = write_jsonl(
        tmp_path / "g.jsonl",
        [
            {"id": "1", "text": "same", "source": "a"},
            {"id": "2", "text": "same", "source": "b"},
            {"id": "3", "text": " ", "source": "b"},
            {"id": "4", "text": "other", "source": "a"},
        ],
    )
    report = check(path, p)
    assert report.checks["exact_duplicates"].breakdown == {
        "a": {"duplicate_rate": 0.0},
        "b": {"duplicate_rate": 0.5},
    }
    assert report.checks["blank"].breakdown == {"a": {"blank_rate": 0.0}, "b": {"blank_rate": 0.5}}
    assert "## Breakdown by source" in render(report, "markdown")


def test_normalise_equals_the_reference_definition() -> None:
    import unicodedata

    samples = [
        "a\x1cb\x1fc",
        "  Tabs\tand\r\nCR ",
        "x\u00a0y\u2003z",
        "NEL\x85here",
        "line\u2028sep",
        "ΣΊΣΥΦΟΣ ς",
        "ﬁ ligature",
        "",
        "   ",
        "mixed é\x1e\u3000Ｗ",
        "lone \ud800 surrogate",
    ]
    for text in samples:
        assert normalise(text) == " ".join(
            unicodedata.normalize("NFKC", text).casefold().split()
        ), text


def test_the_struct_fast_path_never_accepts_what_the_validator_refuses() -> None:
    import random

    from dataflywheel.checks.builtin.schema_struct import StructConformance
    from dataflywheel.checks.builtin.structural import SchemaValidator

    p = plan(
        schema={
            "fields": [
                {"name": "id", "type": "string"},
                {"name": "n", "type": "integer", "required": False, "nullable": True},
                {"name": "x", "type": "number", "required": False},
                {"name": "b", "type": "boolean", "required": False},
                {"name": "tags", "type": "array", "items": "string", "required": False},
                {"name": "meta", "type": "object", "required": False},
                {"name": "anything", "type": "any", "required": False},
                {"name": "kind", "type": "string", "enum": ["a", "b"], "required": False},
                {"name": "level", "type": "integer", "enum": [1, 2], "required": False},
            ],
            "additional_fields": "reject",
        }
    )
    fast, slow = StructConformance(p), SchemaValidator(p)
    assert fast.struct is not None
    pool = [None, True, False, 0, 1, 2, 1.5, "a", "b", "", [], ["s"], ["s", 1], {}, {"k": 1}]
    names = ["id", "n", "x", "b", "tags", "meta", "anything", "kind", "level", "extra"]
    rng = random.Random(11)
    accepted = 0
    for _ in range(20000):
        record = {k: rng.choice(pool) for k in rng.sample(names, rng.randint(0, 5))}
        if rng.random() < 0.5:
            record["id"] = "x"
        if fast.conforms(record):
            accepted += 1
            assert slow.problems(record) == [], record
    assert accepted > 100


@pytest.mark.parametrize("enum", [["a", "b"], [1.5, 2.5]])  # the second has no Struct: all slow
def test_null_and_blank_counts_match_the_per_record_rule(enum: list[Any]) -> None:
    import random

    from dataflywheel.checks.base import RecordBatch
    from dataflywheel.checks.builtin.structural import StructuralCheck

    fields = [
        {"name": "id", "type": "string"},
        {"name": "text", "type": "string", "nullable": True, "required": False},
        {"name": "any", "type": "any", "nullable": True, "required": False},
        {"name": "n", "type": "number", "required": False},
        {"name": "e", "type": "any", "enum": enum, "required": False},
    ]
    check = StructuralCheck(plan(schema={"fields": fields}))
    rng = random.Random(3)
    pool = ["", " ", "\t\n", "\u3000", "x", " y ", None, 0, 1.5, True, [], {}, ["  "]]
    values: list[Any] = []
    for i in range(2000):
        if rng.random() < 0.02:
            values.append(rng.choice([[1], "text", 7, None]))  # not an object
            continue
        record = {"id": rng.choice([str(i), "", "  ", i])}
        for name in ("text", "any", "n", "e"):
            if rng.random() < 0.8:
                record[name] = rng.choice(pool + enum + ["a"])
        values.append(record)
    batch = RecordBatch("x.jsonl", ids=[str(i) for i in range(len(values))],
                        lines=list(range(1, len(values) + 1)), values=values,
                        groups=[None] * len(values))
    part = check.partial(batch)
    for spec in fields:
        column = [v.get(spec["name"]) if type(v) is dict else None for v in values]
        blanks = sum(1 for v in column if type(v) is str and not v.strip())
        assert part.nulls.get(spec["name"], 0) == column.count(None), spec
        assert part.blanks.get(spec["name"], 0) == blanks, spec
    assert 0 < len(part.rejects) < len(values)  # both paths were taken
