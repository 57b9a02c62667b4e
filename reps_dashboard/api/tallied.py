"""Lists whose exact total comes from a tally table instead of COUNT(*)."""

from reps_dashboard.tally import tally_total


class TalliedListMixin:
    """Lists whose exact ``total`` comes from a tally table (reps_dashboard/tally.py) when the
    request filters on nothing but tallied columns: a big gym's count costs a few rows, not a scan.

    ``tally_model``: the tally; ``tally_filters``: filter name -> (tally column, "id" | "in");
    ``tally_actions``: the actions whose queryset is exactly the gym's rows narrowed by those
    filters (plus ``path_filters``, set by an action that takes a filter from its path). Anything
    else answers None, and the paginator counts rows.
    """

    tally_model = None
    tally_filters = {}
    tally_actions = ("list",)
    path_filters = {}

    def tally_total(self):
        filterset = getattr(self, "filterset", None)
        if self.action not in self.tally_actions or filterset is None:
            return None
        filters = filterset.used()
        if any(name in filters for name in self.path_filters):
            return None  # the same filter twice (path and query): let COUNT(*) apply both
        return tally_total(self.tally_model, gym=self.gym, filters={**filters, **self.path_filters},
                           mapping=self.tally_filters)
