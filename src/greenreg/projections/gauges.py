"""The read models' gauges for Prometheus, read from the database at each scrape: the log's
size, the entries folded, the lag between them, and whether the runner is stuck. The API's
``/metrics`` and the projection worker's (``greenreg project --follow --metrics-port``) both
serve them."""

from __future__ import annotations

import math
from collections.abc import Iterator

from prometheus_client.metrics_core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from greenreg.projections.lag import Lag, lag_of
from greenreg.projections.runner import Projector


class ReadModelGauges(Collector):
    """The read models' gauges, read from the database at each scrape; NaN when it does not
    answer (a scrape must answer while the database does not)."""

    def __init__(self, projector: Projector) -> None:
        self.projector = projector

    def collect(self) -> Iterator[Metric]:
        projector = self.projector
        lag = _lag(projector)
        yield from lag_gauges(lag)
        yield GaugeMetricFamily(
            "greenreg_read_models_failing",
            "1 while the read models cannot fold an event of the log (writes are refused), else 0.",
            value=float(projector.failure is not None),
        )


def lag_gauges(lag: Lag | None) -> Iterator[GaugeMetricFamily]:
    """The log's size, the entries folded and the lag (log size - folded); NaN if unknown."""
    size, folded = (math.nan, math.nan) if lag is None else (lag.log_size, lag.folded)
    yield GaugeMetricFamily(
        "greenreg_read_models_behind",
        "Log entries the read models have not folded yet, the projection lag (NaN: the "
        "database did not answer).",
        value=size - folded,
    )
    yield GaugeMetricFamily("greenreg_log_entries", "Entries in the log.", value=size)
    yield GaugeMetricFamily(
        "greenreg_log_entries_folded", "Log entries the read models have folded.", value=folded
    )


def _lag(projector: Projector) -> Lag | None:
    try:
        return lag_of(projector)
    except Exception:  # a scrape must answer while the database does not
        return None
