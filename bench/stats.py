"""Percentiles as the benchmark reports them (nearest rank over every request's latency)."""

from __future__ import annotations

import math


def percentile(latencies: list[float], share: float) -> float:
    """The nearest-rank percentile of ``latencies`` (sorted or not), ``share`` in 0..1."""
    ordered = sorted(latencies)
    return ordered[max(0, math.ceil(len(ordered) * share) - 1)]
