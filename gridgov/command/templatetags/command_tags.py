"""Template helpers of the command center: the navigation entry and small number formats."""

from __future__ import annotations

from typing import Any

from django import template

from gridgov.accounts.permissions import Verb, can_somewhere

register = template.Library()


@register.simple_tag
def command_nav(user: Any) -> bool:
    """Show the "command center" menu entry to those who may see analysis somewhere."""
    return can_somewhere(user, Verb.VIEW_ANALYSIS)


@register.filter
def percent(value: float | None, digits: int = 1) -> str:
    """0.9234 → "92.3%"; None (no denominator) → "—"."""
    if value is None:
        return "—"
    return f"{value * 100:.{digits}f}%"


# --- Accountability (行政问效) ------------------------------------------------------------------------------------


@register.simple_tag
def accountability_row(line: Any) -> str:
    """One line of the accountability table (``views.accountability.Line``) as a ``<tr>``.

    Built here rather than in a template: a district's grid table has hundreds of lines of twenty cells, which the
    template engine (or ``format_html`` per cell) renders in a second and plain string building in milliseconds.
    Every count links to the cases behind it; a rate shows its numerator and denominator (the linked counts of the
    same line) under it. The cell texts are our own digits, percentages and "—"; only names, keys and links are
    escaped.
    """
    from django.utils.html import escape
    from django.utils.safestring import mark_safe

    parts = [
        f'<tr class="accountability-line accountability-line--{line.role}" data-line="{line.role}" '
        f'data-key="{escape(line.key)}"><td class="accountability-rank" data-rank>'
        f'{"" if line.rank is None else line.rank}</td><th scope="row" class="accountability-unit">'
    ]
    label = escape(line.label)
    parts.append(f'<a href="{escape(line.link)}">{label}</a>' if line.link else label)
    if line.detail:
        parts.append(f'<span class="accountability-detail">{escape(line.detail)}</span>')
    parts.append("</th>")
    for cell in line.cells:
        key, kind = cell.column.key, cell.column.kind
        if kind == "count":
            url = cell.url.replace("&", "&amp;")  # urlencode() leaves no other character to escape
            parts.append(f'<td class="num" data-count="{key}"><a href="{url}">{cell.text}</a></td>')
        elif kind == "rate":
            parts.append(
                f'<td class="num accountability-rate" data-rate="{key}"><span class="accountability-rate__value">'
                f'{cell.text}</span><span class="accountability-rate__fraction">{cell.numerator.text}/'
                f"{cell.denominator.text}</span></td>"
            )
        else:
            parts.append(f'<td class="num" data-days>{cell.text}</td>')
    parts.append("</tr>")
    return mark_safe("".join(parts))  # noqa: S308 - names, keys and links are escaped above
