"""Paging GET /api/calls at millions of calls per gym (docs/calls.md, Performance).

The page itself is cheap (an index read in order); the ``total`` is not. So:

* filtered on nothing but tallied columns: the total is summed from the call tally;
* with a date range: the calls split into started ones (selected by ``start_time``) and the
  others (by ``scheduled_at``), each counted from its own index; sorted by ``start_time``, the page
  is read from those two ordered segments, so an old range is found by an index seek instead of
  scanning every newer call;
* anything else (a lead's calls): ``COUNT(*)``, which its index keeps small.

Far pages fetch their ids from the index alone first, then those rows with their joins.
"""

from django.db.models import F

from reps_dashboard.api.pagination import PageLimitPagination, parse_page_params

# From this offset on, ids first (an index-only scan skips the offset) and rows second.
DEFERRED_JOIN_OFFSET = 1000


class CallPagination(PageLimitPagination):
    def paginate_queryset(self, queryset, request, view=None):
        self.page, self.limit = parse_page_params(request.query_params)
        offset = (self.page - 1) * self.limit
        window = view.date_window()
        if window is None:
            self.total = self.count(queryset, view)
            return _slice(queryset, offset, self.limit, self.total)
        started, unstarted = window.started.count(), window.unstarted.count()
        self.total = started + unstarted
        if window.start_order is None:
            return _slice(queryset, offset, self.limit, self.total)
        # Descending: newest start first, calls without one last; ascending: the exact mirror.
        if window.start_order == "desc":
            segments = [(window.started.order_by(F("start_time").desc(nulls_last=True), "-id"), started),
                        (window.unstarted.order_by("-id"), unstarted)]
        else:  # NULLS FIRST, as the index read backwards gives it (calls.ordering)
            segments = [(window.unstarted.order_by("id"), unstarted),
                        (window.started.order_by(F("start_time").asc(nulls_first=True), "id"), started)]
        rows = []
        for segment, size in segments:
            wanted = self.limit - len(rows)
            if wanted and offset < size:
                rows += _slice(segment, offset, wanted, size)
            offset = max(0, offset - size)
        return rows


def _slice(queryset, offset, limit, total):
    if offset >= total:
        return []
    if offset < DEFERRED_JOIN_OFFSET:
        return list(queryset[offset : offset + limit])
    ids = list(queryset.values_list("pk", flat=True)[offset : offset + limit])
    rows = {row.pk: row for row in queryset.filter(pk__in=ids)}
    return [rows[pk] for pk in ids if pk in rows]
