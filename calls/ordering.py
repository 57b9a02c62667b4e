"""How the call and campaign lists are ordered for a request (``SortByFilter``'s choice)."""


def requested_sort(view):
    """(field, descending) of the list as SortByFilter orders it for this request."""
    sort_by, sort_order = view.request.query_params.get("sort_by"), view.request.query_params.get("sort_order")
    if sort_by is None:
        return view.default_sort.lstrip("-"), sort_order != "asc"
    return sort_by, sort_order == "desc"
