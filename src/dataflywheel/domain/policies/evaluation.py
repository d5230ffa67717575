"""Reading an evaluation against its baseline: which way a metric is better, which metric is the
run's key one, how much it improved, and whether only the data changed.

Why here: the experiment comparison (flows) and the model-outcome metrics (metrics) must agree on
what "better" and "the key metric" mean, or a run reported as a regression could count as an
improvement. Pure: no I/O, no clock.

The key metric: no record names one yet, so it is the run's `params["key_metric"]`, else its
baseline's (a series of runs usually states it once, on the baseline), else — when neither states
one — the only metric both runs measured. Two or more shared metrics and none named: there is no
key metric, and the run is not counted (a figure is never built on a guessed metric).
"""

from __future__ import annotations

from collections.abc import Collection

from dataflywheel.domain.records.experiment import Experiment

LOWER_IS_BETTER_MARKERS = ("loss", "error", "perplexity", "ppl", "wer", "cer", "latency")
KEY_METRIC_PARAM = "key_metric"


def higher_is_better(name: str, lower_is_better: frozenset[str] | None = None) -> bool:
    """A metric is better higher unless it is listed as lower-is-better or its name says so
    (loss, error rate, perplexity, WER/CER, latency)."""
    if lower_is_better is not None and name in lower_is_better:
        return False
    low = name.lower()
    return not any(marker in low for marker in LOWER_IS_BETTER_MARKERS)


def key_metric(run: Experiment, baseline: Experiment) -> str | None:
    """The metric a run is judged on against its baseline (see the module's note), or None. A
    named key metric that one of the two did not measure is None too: not a fallback."""
    for source in (run, baseline):
        named = source.params.get(KEY_METRIC_PARAM)
        if isinstance(named, str) and named:
            return named if named in run.metrics and named in baseline.metrics else None
    shared = set(run.metrics) & set(baseline.metrics)
    return next(iter(shared)) if len(shared) == 1 else None


def relative_gain(value: float, base: float, *, higher: bool) -> float | None:
    """The change from `base` to `value` as a share of |base|, positive when better; None when
    the base is 0 (no share of nothing)."""
    if base == 0:
        return None
    return (value - base) / abs(base) if higher else (base - value) / abs(base)


def key_improvement(run: Experiment, baseline: Experiment) -> tuple[str, float] | None:
    """The key metric and its relative gain over the baseline (positive = better), or None when
    the pair has no key metric or the baseline's value is 0."""
    name = key_metric(run, baseline)
    if name is None:
        return None
    gain = relative_gain(run.metrics[name], baseline.metrics[name], higher=higher_is_better(name))
    return None if gain is None else (name, gain)


def only_data_changed(run: Experiment, baseline: Experiment, run_versions: Collection[str],
                      baseline_versions: Collection[str]) -> bool:
    """The same model version and the same params, and different dataset versions: whatever the
    key metric did, the data did (Table 24-15's misuse risk is crediting data with a model's
    change, so a run that changed anything else is not a data gain). The key-metric note is not
    a param that shapes the model, so it may differ."""
    return (run.model_version == baseline.model_version
            and _training_params(run) == _training_params(baseline)
            and set(run_versions) != set(baseline_versions))


def _training_params(run: Experiment) -> dict[str, object]:
    """The params that shape the model: all but the key-metric note."""
    return {k: v for k, v in run.params.items() if k != KEY_METRIC_PARAM}
