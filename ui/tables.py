"""Tables with a safe CSV download of exactly what they show.

A table is described by its columns: a label and a kind (text, count, id, inr, inr_paise,
percent, date, moment, days, yes_no, number, or ``code:<kind>`` for a stored code of one of
data.domain.vocabulary' closed lists). The screen shows Indian formats; the CSV has the same rows and
columns under the same headings, with numbers as numbers, codes and booleans in words (a code
is never shown raw, on screen or in a download) and formula-like text defused.

A wide table names its decision columns (``primary``): the screen shows those first, the first
one pinned, so they fit a laptop screen without sideways scrolling; a "More columns" toggle adds
the rest, and the CSV always holds every column.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pandas as pd
import streamlit as st

from data.domain import vocabulary as labels
from data.exports.csv_files import to_csv_bytes
from data.reports.ledger import with_closing_balance
from ui import format as fmt

CODE = "code:"


def _yes_no(value) -> str:
    if labels.is_missing(value):
        return ""
    return "Yes" if bool(value) else "No"


FORMATTERS: dict[str, Callable] = {
    "text": lambda value: "" if pd.isna(value) else str(value),
    "count": fmt.count,
    # Entry and record numbers: never grouped, marked as numbers ("#1747", as reversals name them).
    "id": lambda value: "" if pd.isna(value) else f"#{int(value)}",
    "inr": fmt.inr,
    "inr_paise": lambda value: fmt.inr(value, paise=True),
    "percent": fmt.percent,
    "date": lambda value: "" if pd.isna(value) else fmt.date(pd.Timestamp(value).to_pydatetime()),
    "moment": lambda value: "" if pd.isna(value) else fmt.moment(pd.Timestamp(value).to_pydatetime()),
    "days": lambda value: "" if pd.isna(value) else f"{value:.0f}",
    "yes_no": _yes_no,
    "number": lambda value: "" if pd.isna(value) else f"{value:,.1f}",
}


def formatter(kind: str) -> Callable:
    """The function that turns a value of this column kind into what the screen shows."""
    if kind.startswith(CODE):
        return labels.labeller(kind.removeprefix(CODE))
    return FORMATTERS[kind]


def labelled(frame: pd.DataFrame, columns: dict[str, tuple[str, str]]) -> pd.DataFrame:
    """The chosen columns under their labels (what the CSV holds): numbers, dates and text as they
    are, codes as their labels and booleans as Yes/No, as on screen."""
    saved = pd.DataFrame(index=frame.index)
    for name, (label, kind) in columns.items():
        words = kind.startswith(CODE) or kind == "yes_no"
        saved[label] = frame[name].map(formatter(kind)).astype("string") if words else frame[name]
    return saved


def formatted(frame: pd.DataFrame, columns: dict[str, tuple[str, str]]) -> pd.DataFrame:
    """The chosen columns under their labels, formatted for reading (what the screen shows)."""
    shown = pd.DataFrame(index=frame.index)
    for name, (label, kind) in columns.items():
        shown[label] = frame[name].map(formatter(kind))
    return shown


# A customer's statement of account, as the ledger screens show it: the dates and amounts first,
# the references behind "More columns".
STATEMENT_COLUMNS = {
    "ledger_entry_id": ("Entry", "id"),
    "entry_date": ("Date", "date"),
    "description": ("Entry type", "text"),
    "notes": ("Particulars", "text"),
    "due_date": ("Due", "date"),
    "payment_mode": ("Mode", "code:payment_mode"),
    "reference": ("Reference", "text"),
    "debit_amount": ("Debit", "inr_paise"),
    "credit_amount": ("Credit", "inr_paise"),
    "running_balance": ("Balance", "inr_paise"),
}
STATEMENT_PRIMARY = ("entry_date", "description", "due_date", "debit_amount", "credit_amount", "running_balance")


# Numbers a sortable table may lack (a rate without leads, a median without answers). The grid
# draws a missing value as "None" whatever its display text, so it holds minus infinity instead,
# shown as a dash: it sorts below every figure, as "no figure" should.
_NO_FIGURE = float("-inf")
_NUMBER_KINDS = ("count", "inr", "inr_paise", "percent", "days", "number")


def _dash_for_no_figure(show: Callable) -> Callable:
    return lambda value: fmt.MISSING if value == _NO_FIGURE else show(value)


def sortable(frame: pd.DataFrame, columns: dict[str, tuple[str, str]]):
    """The chosen columns under their labels, values kept and only their display formatted, so a
    click on a header sorts numbers as numbers (formatted text would put "10" before "9")."""
    kept = labelled(frame, columns)  # codes and booleans are words already
    shown = {}
    for label, kind in columns.values():
        if kind in _NUMBER_KINDS and kept[label].isna().any():
            kept[label] = kept[label].astype("float64").fillna(_NO_FIGURE)
            shown[label] = _dash_for_no_figure(formatter(kind))
        else:
            words = kind.startswith(CODE) or kind == "yes_no"
            shown[label] = formatter("text" if words else kind)
    return kept.style.format(shown)


def _on_screen(columns: dict[str, tuple[str, str]], primary: Sequence[str], more: bool) -> dict:
    """The columns the screen shows: the primary ones in their order, then (with ``more``) the rest
    in the registry's order."""
    unknown = [name for name in primary if name not in columns]
    if unknown:
        raise KeyError(f"primary columns not in the table: {unknown}")
    first = {name: columns[name] for name in primary}
    rest = {name: column for name, column in columns.items() if name not in first} if more else {}
    return first | rest


def show_table(
    frame: pd.DataFrame,
    columns: dict[str, tuple[str, str]],
    file_stem: str,
    *,
    key: str,
    height: int | str = "auto",
    sort_by_value: bool = False,
    primary: Sequence[str] | None = None,
    on_pick: Callable[[pd.Series, str, str], None] | None = None,
) -> None:
    """Show the table and, under it, a button that downloads the same table as CSV.

    With ``primary`` (column names, in the order to show them) the screen shows those columns and
    a "More columns" toggle that adds the others; the CSV holds every column whatever the toggle.
    The first column shown (the name a row is read by) stays pinned while the rest scroll.
    With ``sort_by_value`` the table holds the values themselves, formatted for display only, so
    sorting by a header orders them by value.

    With ``on_pick`` a click on a cell calls ``on_pick(row, column, widget_key)``: the frame's row
    (whatever order the reader sorted the table in), the column's name in ``frame``, and the key
    of the table's selection, for the caller to forget once it has acted on the click.
    """
    shown_columns = columns
    secondary = [label for name, (label, _) in columns.items() if primary and name not in primary]
    if secondary:
        more = st.toggle(
            "More columns",
            key=f"more-columns-{key}",
            help="Adds " + ", ".join(secondary) + ". The CSV always holds every column.",
        )
        shown_columns = _on_screen(columns, primary, more)
    shown = sortable(frame, shown_columns) if sort_by_value else formatted(frame, shown_columns)
    name_label = next(iter(shown_columns.values()))[0]
    picking = {} if on_pick is None else {"on_select": "rerun", "selection_mode": "single-cell", "key": f"pick-{key}"}
    event = st.dataframe(
        shown,
        hide_index=True,
        height=height,
        column_config={name_label: st.column_config.Column(pinned=True)},
        **picking,
    )
    st.download_button(
        "Download CSV",
        to_csv_bytes(labelled(frame, columns)),
        file_name=f"{file_stem}.csv",
        mime="text/csv",
        key=f"download-{key}",
        icon=":material/download:",
        on_click="ignore",
    )
    if on_pick is not None and event.selection.cells:
        position, label = event.selection.cells[0]
        names = {shown_label: name for name, (shown_label, _) in shown_columns.items()}
        if 0 <= position < len(frame) and label in names:
            on_pick(frame.iloc[position], names[label], f"pick-{key}")


def show_statement(statement: pd.DataFrame, file_stem: str, *, key: str) -> None:
    """A customer's statement of account ending with its closing balance, screen and CSV alike."""
    show_table(
        with_closing_balance(statement),
        STATEMENT_COLUMNS,
        file_stem,
        key=key,
        primary=STATEMENT_PRIMARY,
    )


def requested_page(key: str) -> int:
    """The page of a server-paged table the reader last asked for (1 at first)."""
    return int(st.session_state.get(key, 1))


def pager(*, key: str, page: int, page_count: int, total_rows: int, page_size: int, noun: str) -> None:
    """Say which rows are shown and, when there is more than one page, let the reader turn it.

    The table itself holds one page: the server sorts and cuts, the browser never gets more.
    """
    # The read may have given a different page than asked (the filters shrank the list).
    st.session_state[key] = page
    first = (page - 1) * page_size + 1 if total_rows else 0
    last = min(page * page_size, total_rows)
    st.caption(f"{noun} {first:,}–{last:,} of {total_rows:,}.")
    if page_count > 1:
        st.number_input(f"Page (of {page_count:,})", min_value=1, max_value=page_count, step=1, key=key)
