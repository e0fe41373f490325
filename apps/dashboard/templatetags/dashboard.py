"""Filters that turn the dashboard's values into text for people."""

from django import template
from django.template.defaultfilters import filesizeformat

register = template.Library()


@register.filter
def label(identifier: str) -> str:
    """``page_view`` -> "Page view": an event type or app label as a reader would write it."""
    return str(identifier).replace("_", " ").replace(".", " ").strip().capitalize()


@register.filter
def bytes_or_dash(size) -> str:
    return "—" if size is None else filesizeformat(size)
