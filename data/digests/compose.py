"""What each digest says: pure functions from the reads' frames to a subject, a plain-text body
and an HTML body. No database, no sending.

Every digest opens with whom it is for, what it covers ("your leads" for a rep, "the whole team"
otherwise), its period and its "as of" moment in India time. User text (lead, project, source and
people's names) goes into the HTML body escaped, so ``<b>`` or ``**x**`` reads as typed; the
plain-text body carries it as it is.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd

from data.domain.filters import IST
from data.domain.rules import day_words, rupees
from data.domain.vocabulary import is_missing, label

# At most this many leads per list; the rest are counted ("… and 12 more").
ROW_LIMIT = 25
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

# How the day figures (reports.DAY_FIGURES) and the Overview's figures (reports.KPI_ORDER) read.
DAY_FIGURE_NAMES = {
    "leads": "New leads",
    "site_visits": "Site visits",
    "bookings": "Bookings",
    "cancellations": "Cancellations",
}
KPI_NAMES = {
    "leads": ("Leads", "count"),
    "contacted_rate": ("Contacted", "percent"),
    "site_visited": ("Site visits", "count"),
    "revisited": ("Revisits", "count"),
    "booked": ("Bookings", "count"),
    "cancelled": ("Cancellations", "count"),
    "net_booking_value": ("Net booking value", "money"),
    "collections": ("Collections", "money"),
    "outstanding": ("Outstanding", "money"),
    "lead_to_booking_rate": ("Lead → booking", "percent"),
    "average_days_to_booking": ("Days lead → booking", "days"),
}


@dataclass(frozen=True)
class Attachment:
    """A file sent with a digest."""

    filename: str
    content: bytes
    mime_type: str = "application/zip"


@dataclass(frozen=True)
class Section:
    """One part of a digest: a heading, a line on what it holds, and a table (perhaps empty)."""

    title: str
    note: str
    columns: tuple[str, ...] = ()
    rows: tuple[tuple[str, ...], ...] = ()
    empty: str = "Nothing."
    more: int = 0  # rows left out past ROW_LIMIT


@dataclass(frozen=True)
class Digest:
    """A digest ready to send: its kind, subject, the two bodies, and any attachments."""

    kind: str
    subject: str
    text: str
    html: str
    sections: tuple[Section, ...] = ()
    attachments: tuple[Attachment, ...] = field(default=())


@dataclass(frozen=True)
class Heading:
    """Whom a digest is for, what it covers, its period and its moment."""

    display_name: str
    role: str
    is_team: bool  # the whole team's leads, not only the recipient's own
    period: str
    as_of: dt.datetime

    def lines(self) -> tuple[tuple[str, str], ...]:
        """(name, value) lines stated at the top of every digest."""
        covers = "the whole team's leads" if self.is_team else "your leads only"
        return (
            ("For", f"{self.display_name} ({label('role', self.role)})"),
            ("Covers", covers),
            ("Period", self.period),
            ("As of", moment_text(self.as_of)),
        )


# Words for values -----------------------------------------------------------------------------


def moment_text(moment: dt.datetime) -> str:
    """A moment in India time: "07:30 IST, 1 Dec 2026"."""
    local = moment.astimezone(IST)
    return f"{local:%H:%M} IST, {day_words(local.date())}"


def span_text(first: dt.date, last: dt.date) -> str:
    """A span of days: "24 Nov 2026 – 30 Nov 2026", or one day."""
    return day_words(first) if first == last else f"{day_words(first)} – {day_words(last)}"


def _cell(value: object) -> str:
    if is_missing(value):
        return "—"
    if isinstance(value, pd.Timestamp | dt.datetime):
        return moment_text(value)
    return " ".join(str(value).split())  # one line: a name typed with line breaks stays in its cell


def _figure(value: object, kind: str) -> str:
    if is_missing(value):
        return "—"
    if kind == "percent":
        return f"{float(value) * 100:.1f}%"
    if kind == "money":
        return rupees(round(float(value)))
    if kind == "days":
        return f"{float(value):.0f}"
    return f"{int(value):,}"


def _change(current: object, previous: object, kind: str = "count") -> str:
    if is_missing(current) or is_missing(previous):
        return "—"
    difference = float(current) - float(previous)
    if kind == "percent":
        return f"{difference * 100:+.1f} pts"
    if kind == "money":
        return ("+" if difference >= 0 else "−") + rupees(round(abs(difference)))
    return f"{difference:+,.0f}"


# Sections -------------------------------------------------------------------------------------


def lead_section(
    title: str, note: str, frame: pd.DataFrame, columns: Sequence[tuple[str, str]], empty: str = "Nothing."
) -> Section:
    """A list of leads: ``columns`` are (frame column, heading); at most ``ROW_LIMIT`` rows."""
    shown = frame.head(ROW_LIMIT)
    rows = tuple(tuple(_cell(row[name]) for name, _ in columns) for _, row in shown.iterrows())
    return Section(
        title=title,
        note=note,
        columns=tuple(heading for _, heading in columns),
        rows=rows,
        empty=empty,
        more=max(len(frame) - ROW_LIMIT, 0),
    )


def per_rep_section(title: str, note: str, counts: dict[str, pd.Series], empty: str) -> Section:
    """Counts per rep, one column per named series (each indexed by the rep's name), most first."""
    table = pd.DataFrame(counts).fillna(0).astype(int)
    table = table.loc[table.sum(axis=1).sort_values(ascending=False, kind="stable").index]
    rows = tuple((_cell(name), *(f"{value:,}" for value in values)) for name, values in table.iterrows())
    return Section(title=title, note=note, columns=("Rep", *counts), rows=rows, empty=empty)


def per_rep(frame: pd.DataFrame) -> pd.Series:
    """How many rows of a lead frame each owner has ("Nobody" for unowned leads), by owner name."""
    if frame.empty:
        return pd.Series(dtype=int)
    return frame["owner_name"].fillna("Nobody").value_counts(sort=False)


def figures_section(title: str, note: str, figures: pd.DataFrame, current: str, previous: str) -> Section:
    """The day figures (reports.day_figures) with their change."""
    rows = tuple(
        (
            DAY_FIGURE_NAMES.get(row.figure, row.figure),
            _figure(row.current, "count"),
            _figure(row.previous, "count"),
            _change(row.current, row.previous),
        )
        for row in figures.itertuples()
    )
    return Section(title=title, note=note, columns=("", current, previous, "Change"), rows=rows)


def kpi_section(title: str, note: str, kpis: pd.DataFrame, current: str, previous: str) -> Section:
    """The Overview's figures (reports.overview().kpis) with their change."""
    rows = []
    for row in kpis.itertuples():
        name, kind = KPI_NAMES.get(row.kpi, (row.kpi, "count"))
        rows.append(
            (name, _figure(row.current, kind), _figure(row.previous, kind), _change(row.current, row.previous, kind))
        )
    return Section(title=title, note=note, columns=("", current, previous, "Change"), rows=tuple(rows))


# The two bodies -------------------------------------------------------------------------------


def _text_table(section: Section) -> list[str]:
    if not section.rows:
        return [section.empty]
    widths = [max(len(cell) for cell in column) for column in zip(section.columns, *section.rows, strict=True)]
    lines = [" | ".join(cell.ljust(width) for cell, width in zip(section.columns, widths, strict=True)).rstrip()]
    lines.append("-+-".join("-" * width for width in widths))
    lines += [
        " | ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in section.rows
    ]
    if section.more:
        lines.append(f"… and {section.more:,} more")
    return lines


def text_body(title: str, heading: Heading, sections: Sequence[Section], footer: str) -> str:
    """The plain-text body."""
    lines = [title, "=" * len(title), ""]
    lines += [f"{name}: {value}" for name, value in heading.lines()]
    for section in sections:
        lines += ["", section.title, "-" * len(section.title)]
        if section.note:
            lines.append(section.note)
        lines += _text_table(section)
    lines += ["", footer]
    return "\n".join(lines) + "\n"


def _html_table(section: Section) -> str:
    if not section.rows:
        return f"<p>{html.escape(section.empty)}</p>"
    head = "".join(f'<th style="text-align:left;padding:2px 8px">{html.escape(c)}</th>' for c in section.columns)
    body = "".join(
        "<tr>" + "".join(f'<td style="padding:2px 8px">{html.escape(cell)}</td>' for cell in row) + "</tr>"
        for row in section.rows
    )
    more = f"<p>… and {section.more:,} more</p>" if section.more else ""
    return f'<table style="border-collapse:collapse"><tr>{head}</tr>{body}</table>{more}'


def html_body(title: str, heading: Heading, sections: Sequence[Section], footer: str) -> str:
    """The HTML body: every value escaped."""
    parts = [f"<h1>{html.escape(title)}</h1>", "<p>"]
    parts += [f"<b>{html.escape(name)}:</b> {html.escape(value)}<br>" for name, value in heading.lines()]
    parts.append("</p>")
    for section in sections:
        parts.append(f"<h2>{html.escape(section.title)}</h2>")
        if section.note:
            parts.append(f"<p>{html.escape(section.note)}</p>")
        parts.append(_html_table(section))
    parts.append(f"<p><small>{html.escape(footer)}</small></p>")
    return '<html><body style="font-family:sans-serif">' + "".join(parts) + "</body></html>"


FOOTER = "Sent by Leadline. Choose which digests you get on My profile."


def digest(
    kind: str,
    subject: str,
    heading: Heading,
    sections: Sequence[Section],
    attachments: Sequence[Attachment] = (),
) -> Digest:
    """A digest from its parts: both bodies carry the same heading and sections."""
    title = label("digest_kind", kind)
    return Digest(
        kind=kind,
        subject=subject,
        text=text_body(title, heading, sections, FOOTER),
        html=html_body(title, heading, sections, FOOTER),
        sections=tuple(sections),
        attachments=tuple(attachments),
    )
