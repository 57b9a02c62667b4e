"""What every analytics selector shares: the choice of counting path, rates, breakdowns, series."""

from dataclasses import dataclass

from django.conf import settings

from analytics import rollups
from analytics.counting import Cell, counter
from analytics.period import Period


@dataclass(frozen=True)
class Ask:
    """One analytics request: the gym, its period, an optional branch and the series' granularity."""

    gym: object
    period: Period
    branch: object = None
    granularity: str = "day"
    rollups: bool | None = None  # None: the rollups whenever they can answer

    def counter(self, fact):
        return counter(fact, gym=self.gym, period=self.period, branch=self.branch, rollups=self._rollups(self.period))

    def _rollups(self, period: Period) -> bool:
        if self.rollups is not None:
            return self.rollups
        # ANALYTICS_ROLLUPS=False turns them off (tests and the benchmark compare both paths).
        return rollups.active() and period.whole_days and getattr(settings, "ANALYTICS_ROLLUPS", True)


def rate(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 4) if denominator else None


def average(total: int, count: int) -> float | None:
    return round(total / count, 2) if count else None


def breakdown_cells(fact, dimension: str, measure: str = "total") -> dict[str, Cell]:
    return {f"{dimension}_{key}": Cell(measure, dimension, key) for key in fact.values(dimension)}


def breakdown(fact, dimension: str, totals: dict, measure: str = "total") -> dict[str, int]:
    """Every enum key of the dimension, 0 where nothing matched."""
    return {key: totals[name] for key, name in zip(fact.values(dimension), breakdown_cells(fact, dimension, measure),
                                                   strict=True)}


def series(ask: Ask, counted: dict, zero: dict) -> list[dict]:
    """An entry for every bucket of the period, zeros included, oldest first."""
    return [{"date": day, **counted.get(day, zero)} for day in ask.period.buckets(ask.granularity)]


def period_payload(ask: Ask) -> dict:
    return {"start": ask.period.start, "end": ask.period.end, "timezone": ask.gym.timezone}
