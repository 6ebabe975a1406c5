"""What the Integrations screen reads: the tenant's API keys, and the health of lead intake.

Intake health counts the intake log (``intake_events``), one row per delivery, by source,
subsource, channel and day in India time:

- **received**: every delivery that reached Leadline, whatever became of it;
- **created**: deliveries that made a new lead (outcome ``created``);
- **reengaged**: deliveries of a phone already a lead, logged as a re-enquiry (``reengaged``);
- **replayed**: repeat deliveries of one already taken, by its platform lead id or idempotency
  key, which changed nothing (``replayed``);
- **rejected**: deliveries that could not become a lead, with why (``rejected``).

So received = created + reengaged + replayed + rejected, and the leads a sender's deliveries
became are created + reengaged: "the portal sent 7, Leadline has 5" reads off one row.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from data.db import Scope
from data.domain.filters import IST
from data.reports._query import read_frame, read_frames
from data.reports.cache import cached_read

# How many of the latest rejected deliveries the screen lists, with their payloads.
LAST_ERRORS_LIMIT = 20

_API_KEYS = """
    select
        api_keys.api_key_id,
        api_keys.name,
        api_keys.role,
        api_keys.key_prefix,
        api_keys.user_id,
        api_keys.rate_limit_per_minute,
        api_keys.created_at,
        case when api_keys.created_by is null then 'Command line' else creators.display_name end as created_by_name,
        api_keys.last_used_at,
        api_keys.revoked_at,
        case
            when api_keys.revoked_at is null then null
            when api_keys.revoked_by is null then 'Command line'
            else revokers.display_name
        end as revoked_by_name
    from api_keys
    left join app_users as creators
        on creators.tenant_id = api_keys.tenant_id and creators.user_id = api_keys.created_by
    left join app_users as revokers
        on revokers.tenant_id = api_keys.tenant_id and revokers.user_id = api_keys.revoked_by
    order by api_keys.revoked_at is not null, api_keys.created_at desc, api_keys.api_key_id desc
"""

# The deliveries the filters select: received in the period (India time), of the source if one is named.
_EVENTS_CTE = """
    events as (
        select
            intake_event_id, received_at, leadline_date(received_at) as received_date, channel, source,
            subsource, outcome, errors, payload, reprocessed_at
        from intake_events
        where received_at >= :start_at and received_at < :end_at
            and (cast(:source as text) is null or source = :source)
    )
"""

_DAILY = (
    "with"
    + _EVENTS_CTE
    + """,
    final as (
        select
            received_date,
            source,
            subsource,
            channel,
            count(*) as received,
            count(*) filter (where outcome = 'created') as created,
            count(*) filter (where outcome = 'reengaged') as reengaged,
            count(*) filter (where outcome = 'replayed') as replayed,
            count(*) filter (where outcome = 'rejected') as rejected
        from events
        group by received_date, source, subsource, channel
    )
    select * from final
    order by received_date desc, source, subsource, channel
"""
)

_REASONS = (
    "with"
    + _EVENTS_CTE
    + """,
    reasons as (
        select events.source, events.subsource, events.channel, reason.key as field, reason.value as message
        from events
        cross join lateral jsonb_each_text(events.errors) as reason
        where events.outcome = 'rejected'
    ),
    final as (
        select source, subsource, channel, field, message, count(*) as rejections
        from reasons
        group by source, subsource, channel, field, message
    )
    select * from final
    order by rejections desc, source, subsource, channel, field, message
"""
)

_LAST_ERRORS = (
    "with"
    + _EVENTS_CTE
    + """,
    final as (
        select
            events.intake_event_id,
            events.received_at,
            events.channel,
            events.source,
            events.subsource,
            (
                select string_agg(reason.key || ': ' || reason.value, '; ' order by reason.key)
                from jsonb_each_text(events.errors) as reason
            ) as reason,
            jsonb_pretty(events.payload) as payload,
            events.reprocessed_at
        from events
        where events.outcome = 'rejected'
    )
    select * from final
    order by received_at desc, intake_event_id desc
    limit :limit
"""
)

_LEAD_MAPPINGS = """
    select import_mapping_id, name
    from import_mappings
    where kind = 'leads'
    order by name
"""

_SOURCES = """
    select distinct source
    from intake_events
    order by source
"""


@dataclass(frozen=True)
class IntakeHealth:
    """Intake in a period, as three tables.

    ``daily``: received_date, source, subsource, channel, received, created, reengaged, replayed,
    rejected (see the module's docstring), newest day first.
    ``reasons``: source, subsource, channel, field, message, rejections: each reason a rejection
    gave (one delivery may give several), most frequent first.
    ``last_errors``: intake_event_id, received_at, channel, source, subsource, reason (every
    "field: message" of the event), payload (the delivery as received, as indented JSON text),
    reprocessed_at: the latest ``LAST_ERRORS_LIMIT`` rejected deliveries, newest first.
    """

    daily: pd.DataFrame
    reasons: pd.DataFrame
    last_errors: pd.DataFrame


@cached_read
def api_key_list(scope: Scope | int) -> pd.DataFrame:
    """The tenant's API keys, live ones first, newest first (never their hashes): api_key_id, name,
    role, key_prefix, user_id (the account the key acts as), rate_limit_per_minute, created_at,
    created_by_name, last_used_at, revoked_at, revoked_by_name ("Command line" for the CLI)."""
    return read_frame(scope, _API_KEYS)


@cached_read
def intake_health(scope: Scope | int, day_from: dt.date, day_to: dt.date, source: str | None = None) -> IntakeHealth:
    """Intake received from ``day_from`` to ``day_to`` (India time, both included), of one source
    or all, counted as the module's docstring defines."""
    params = {
        "start_at": dt.datetime.combine(day_from, dt.time.min, IST),
        "end_at": dt.datetime.combine(day_to + dt.timedelta(days=1), dt.time.min, IST),
        "source": source,
        "limit": LAST_ERRORS_LIMIT,
    }
    daily, reasons, last_errors = read_frames(scope, [_DAILY, _REASONS, _LAST_ERRORS], params)
    return IntakeHealth(daily=daily, reasons=reasons, last_errors=last_errors)


@cached_read
def intake_sources(scope: Scope | int) -> list[str]:
    """Every source named by a delivery in the intake log, as sent, in order."""
    return read_frame(scope, _SOURCES)["source"].tolist()


def lead_mappings(scope: Scope | int) -> pd.DataFrame:
    """The saved import mappings of leads, which a webhook may read its bodies with, by name:
    import_mapping_id, name. Not cached: saving a mapping (on the Import screen) does not call
    ``data_changed``, and an admin reads it back at once."""
    return read_frame(scope, _LEAD_MAPPINGS)
