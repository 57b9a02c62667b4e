from django.db.models import F, OrderBy


class Mirrored(F):
    """A sort field whose ascending order is the exact mirror of its descending one.

    SortByFilter sorts descending as ``col DESC NULLS LAST, id DESC``. Sorting ascending as
    ``col ASC NULLS FIRST, id ASC`` (rows without a value first) lets one ``(gym, col DESC NULLS
    LAST, id DESC)`` index, scanned forwards or backwards, serve both directions; PostgreSQL only
    uses an index whose NULLS placement matches the ORDER BY exactly.
    """

    def asc(self, **kwargs):
        return OrderBy(self, nulls_first=True)


def mirrored(*names):
    return {name: Mirrored(name) for name in names}


def requested_sort(view):
    """(field, descending) of the list as SortByFilter orders it for this request."""
    sort_by, sort_order = view.request.query_params.get("sort_by"), view.request.query_params.get("sort_order")
    if sort_by is None:
        return view.default_sort.lstrip("-"), sort_order != "asc"
    return sort_by, sort_order == "desc"
