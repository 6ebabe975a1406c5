"""The limits every text and date that enters Leadline is held to, whoever sends it (a form, an
import, a search box, the CLI): one home, so the forms can say them beside the field and the
data layer can refuse what breaks them."""

from __future__ import annotations

import datetime as dt

# Longest text per kind of field, in characters (what a form shows beside the field).
NAME_MAX = 120  # a lead's, customer's, project's, campaign's or user's name
NOTES_MAX = 2_000  # notes, reasons, particulars
REFERENCE_MAX = 60  # cheque, UTR or transaction numbers
SHORT_TEXT_MAX = 200  # anything else on one line (a source, a channel, a search)

# Nothing Leadline records happened before this day.
EARLIEST_DATE = dt.date(2000, 1, 1)
