"""PackedText: texts packed once as UTF-8 and handed to polars as one String column."""

from __future__ import annotations

from checkhelp import run_fresh

from dataflywheel.checks.textpack import pack_utf8


def test_the_series_holds_every_text_lone_surrogates_as_replacement() -> None:
    texts = ["", "plain", "naïve café", "日本語", "a\nb\t", "x\ud800y", " "]
    packed = pack_utf8(texts)
    column = packed.series()
    assert str(column.dtype) == "String" and column.null_count() == 0
    assert column.to_list() == [*texts[:5], "x\ufffdy", " "]
    assert packed.lossy == (5,)


def test_an_empty_pack_is_an_empty_column() -> None:
    column = pack_utf8([]).series()
    assert len(column) == 0 and str(column.dtype) == "String"


def test_building_the_column_does_not_import_pyarrow() -> None:
    """Importing pyarrow costs ~0.1 s, paid by every process of a run; the column is built with
    nanoarrow and reaches polars through the Arrow PyCapsule interface instead."""
    script = (
        "import sys\n"
        "from dataflywheel.checks.textpack import pack_utf8\n"
        "column = pack_utf8(['a', 'bé']).series()\n"
        "print(column.to_list(), 'pyarrow' in sys.modules)\n"
    )
    assert run_fresh(script) == "['a', 'bé'] False\n"
