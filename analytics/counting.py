"""Counting a fact over a period: from the daily rollups, or from the raw rows.

Both answer the same three questions with one query each, whatever the data size:

* ``totals(cells)``: named numbers over the whole period;
* ``series(cells, granularity)``: the same per bucket (local day, Monday-started week, month);
* ``grouped(measures, by)``: measures per branch, or per key of a dimension (campaigns);

and ``totals_with_previous(cells, previous)`` answers ``totals`` for the period and the one before
it in one query (the overview).

A cell is a measure over the rows of one dimension's key (or over every row). Local days are
computed by the database (``created_at AT TIME ZONE <gym tz>``), never in Python.
"""

from dataclasses import dataclass

from django.db.models import DateField, F, Q, Sum
from django.db.models.functions import Coalesce, Trunc, TruncDate

from .facts import ALL

NIL_UUID = "00000000-0000-0000-0000-000000000000"


@dataclass(frozen=True)
class Cell:
    measure: str
    dimension: str = ALL
    key: str = ""


def counter(fact, *, gym, period, branch=None, rollups: bool):
    return (RollupCounter if rollups else RawCounter)(fact, gym=gym, period=period, branch=branch)


class _Counter:
    def __init__(self, fact, *, gym, period, branch=None):
        self.fact, self.gym, self.period, self.branch = fact, gym, period, branch

    def totals(self, cells: dict[str, Cell]) -> dict[str, int]:
        return _named(cells, self._rows(cells).aggregate(**self._exprs(cells)))

    def totals_with_previous(self, cells: dict[str, Cell], previous) -> tuple[dict, dict]:
        """``totals`` of the period and of ``previous`` (which ends where the period starts)."""
        now, before = self._within(self.period), self._within(previous)
        exprs = {}
        for index, cell in enumerate(cells.values()):
            exprs[f"c{index}"], exprs[f"p{index}"] = self._expr(cell, now), self._expr(cell, before)
        found = self._rows(cells, since=previous).aggregate(**exprs)
        return _named(cells, found), {name: found[f"p{index}"] for index, name in enumerate(cells)}

    def series(self, cells: dict[str, Cell], granularity: str) -> dict:
        """{bucket's first day: {name: value}} for the buckets that have rows."""
        rows = (self._rows(cells).annotate(bucket=self._bucket(granularity)).values("bucket")
                .annotate(**self._exprs(cells)).order_by())
        return {row.pop("bucket"): _named(cells, row) for row in rows}

    def _exprs(self, cells):
        # Positional aliases: a cell's name may be a column's ("duration").
        return {f"c{index}": self._expr(cell) for index, cell in enumerate(cells.values())}

    def _rows(self, cells=None, since=None):
        """The rows of the period (from the start of ``since``, when given), of the branch if any."""
        return self._period_rows(since or self.period, cells).filter(**self._branch())


def _named(cells, row):
    return {name: row[f"c{index}"] for index, name in enumerate(cells)}


class RawCounter(_Counter):
    def _period_rows(self, first, cells):
        time = self.fact.time_field
        return self.fact.source.objects.for_gym(self.gym).filter(
            **{f"{time}__gte": first.start, f"{time}__lt": self.period.end})

    def _branch(self):
        return {"branch": self.branch} if self.branch is not None else {}

    def _within(self, period):
        time = self.fact.time_field
        return Q(**{f"{time}__gte": period.start, f"{time}__lt": period.end})

    def _expr(self, cell: Cell, within: Q | None = None):
        q = None if cell.dimension == ALL else Q(**{self.fact.column(cell.dimension): cell.key})
        if within is not None:
            q = within if q is None else q & within
        return Coalesce(self.fact.measures[cell.measure].raw(q), 0)

    def _bucket(self, granularity):
        day = TruncDate(self.fact.time_field, tzinfo=self.period.tz)
        return day if granularity == "day" else Trunc(day, granularity, output_field=DateField())

    def grouped(self, measures: dict[str, str], by: str) -> dict:
        column = "branch_id" if by == "branch" else self.fact.column(by)
        cells = {name: Cell(measure) for name, measure in measures.items()}
        rows = (self._rows().exclude(**{f"{column}__isnull": True}).values(column)
                .annotate(**self._exprs(cells)).order_by())
        return {str(row[column]): _named(cells, row) for row in rows}


class RollupCounter(_Counter):
    def _period_rows(self, first, cells):
        rows = self.fact.rollup.objects.filter(gym_id=self.gym.pk, day__gte=first.first_day,
                                               day__lte=self.period.last_day)
        if cells is not None:  # only the dimensions asked for: the key's index leads with them
            rows = rows.filter(dimension__in=sorted({cell.dimension for cell in cells.values()}))
        return rows

    def _branch(self):
        return {"branch_key": self.branch.pk} if self.branch is not None else {}

    @staticmethod
    def _within(period):
        return Q(day__gte=period.first_day, day__lte=period.last_day)

    @staticmethod
    def _expr(cell: Cell, within: Q | None = None):
        q = Q(dimension=cell.dimension, key=cell.key)
        return Coalesce(Sum(cell.measure, filter=q & within if within is not None else q), 0)

    @staticmethod
    def _bucket(granularity):
        return F("day") if granularity == "day" else Trunc("day", granularity, output_field=DateField())

    def grouped(self, measures: dict[str, str], by: str) -> dict:
        if by == "branch":
            rows, column = self._rows().filter(dimension=ALL), "branch_key"
        else:
            rows, column = self._rows().filter(dimension=by), "key"
        cells = {name: Cell(measure, by if by != "branch" else ALL) for name, measure in measures.items()}
        rows = rows.values(column).annotate(**{f"c{index}": Coalesce(Sum(cell.measure), 0)
                                               for index, cell in enumerate(cells.values())}).order_by()
        return {str(row[column]): _named(cells, row) for row in rows if str(row[column]) != NIL_UUID}
