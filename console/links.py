"""Links between related rows of the admin."""

from django.urls import reverse
from django.utils.html import format_html


def change_link(obj, label=None):
    """A link to ``obj``'s admin page, labelled ``label`` (default: the object itself)."""
    if obj is None:
        return "-"
    opts = obj._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
    return format_html('<a href="{}">{}</a>', url, obj if label is None else label)
