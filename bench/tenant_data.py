"""The benchmark's data: one large tenant and four small ones, generated with set-based SQL.

Shape per lead (the large developer of issue 7): 5 milestones, 10 engagements; one lead in 20
books (one booking in 10 of those is cancelled) and each booking has 10 ledger entries. Leads
carry a ``lead_ref`` (B-1, B-2, …) so the import benchmark can refer to them.
"""

from __future__ import annotations

import sqlalchemy as sa

from data import db
from data.db import tenants

_STEPS = (
    """
    insert into app_users (tenant_id, username, display_name, role)
    select :t, 'rep' || g, 'Rep ' || g, case when g = 1 then 'manager' else 'rep' end
    from generate_series(1, 20) as g
    """,
    "insert into projects (tenant_id, name, city) select :t, 'Project ' || g, 'Pune' from generate_series(1, 5) as g",
    """
    insert into towers (tenant_id, project_id, name)
    select :t, projects.project_id, 'T' || g from projects cross join generate_series(1, 4) as g
    where projects.tenant_id = :t
    """,
    """
    insert into units (tenant_id, project_id, tower_id, floor, unit_number, unit_type, carpet_area_sqft, list_price)
    select :t, towers.project_id, towers.tower_id, 1 + g % 30, 'U' || g, (array['1BHK', '2BHK', '3BHK'])[1 + g % 3],
        600 + (g % 3) * 300, 5000000 + (g % 3) * 2500000
    from towers cross join generate_series(1, :units_per_tower) as g
    where towers.tenant_id = :t
    """,
    """
    insert into lead_sources (tenant_id, source, subsource)
    select :t, split_part(pair, '/', 1), split_part(pair, '/', 2)
    from unnest(array['Online Portal/99acres', 'Online Portal/MagicBricks', 'Online Portal/Housing.com',
        'Social Media/Facebook Lead Ads', 'Social Media/Instagram', 'Google/Search', 'Channel Partner/Square Yards',
        'Referral/Customer', 'Walk-in/Site office', 'Print/Newspaper']) as pair
    """,
    """
    insert into campaigns (tenant_id, name, campaign_type, channel, lead_source_id, project_id, budget, start_date)
    select :t, 'Campaign ' || rank, 'Lead ads', 'Online', lead_source_id,
        (select min(project_id) from projects where tenant_id = :t), 5000000, date '2023-01-01'
    from (
        select lead_source_id, row_number() over (order by lead_source_id) as rank
        from lead_sources where tenant_id = :t
    ) as ranked
    where rank <= 8
    """,
    """
    insert into campaign_spend (tenant_id, campaign_id, spend_date, amount)
    select :t, campaigns.campaign_id, day::date, 25000
    from campaigns cross join generate_series(date '2023-01-01', current_date, interval '7 days') as day
    where campaigns.tenant_id = :t
    """,
    """
    with dimensions as (
        select
            (select array_agg(project_id order by project_id) from projects where tenant_id = :t) as projects,
            (select array_agg(lead_source_id order by lead_source_id) from lead_sources where tenant_id = :t)
                as sources,
            (select array_agg(campaign_id order by lead_source_id) from campaigns where tenant_id = :t) as campaigns,
            (select array_agg(user_id order by user_id) from app_users where tenant_id = :t) as owners
    )
    insert into leads (tenant_id, lead_ref, name, phone, project_id, lead_source_id, campaign_id, owner_user_id,
        generated_at, status)
    select :t, 'B-' || g, 'Lead ' || g, '+91' || (9000000000 + g), projects[1 + g % 5], sources[1 + g % 10],
        campaigns[1 + g % 10], owners[1 + g % 20],
        now() - (g % 1080) * interval '1 day' - (g % 600) * interval '1 minute', 'open'
    from dimensions cross join generate_series(1, :leads) as g
    """,
    """
    insert into lead_milestones (tenant_id, lead_id, milestone_type, occurred_at, recorded_by)
    select leads.tenant_id, leads.lead_id,
        case step
            when 1 then 'lead_generated'
            when 2 then 'contacted'
            when 3 then case when leads.lead_id % 10 < 5 then 'qualified' else 'contacted' end
            when 4 then case when leads.lead_id % 10 < 3 then 'site_visit' else 'reengaged' end
            else case when leads.lead_id % 10 < 1 then 'revisit' else 'contacted' end
        end,
        leads.generated_at + (step - 1) * interval '2 days', leads.owner_user_id
    from leads cross join generate_series(1, 5) as step
    where leads.tenant_id = :t
    """,
    """
    insert into lead_engagements (tenant_id, lead_id, engagement_type, channel, direction, status, occurred_at,
        duration_seconds, recorded_by)
    select leads.tenant_id, leads.lead_id, (array['call', 'whatsapp', 'email', 'sms', 'call'])[1 + step % 5], 'phone',
        case when step % 3 = 0 then 'inbound' else 'outbound' end,
        case when step % 4 = 0 then 'no_answer' else 'completed' end,
        leads.generated_at + step * interval '1 day', 120, leads.owner_user_id
    from leads cross join generate_series(1, 10) as step
    where leads.tenant_id = :t
    """,
    """
    insert into customers (tenant_id, lead_id, name, phone)
    select tenant_id, lead_id, name, phone from leads where tenant_id = :t and lead_id % 20 = 0
    """,
    """
    insert into bookings (tenant_id, lead_id, customer_id, unit_id, booking_date, agreement_value, booking_amount,
        status, cancelled_at)
    select :t, buyers.lead_id, buyers.customer_id, free_units.unit_id, leadline_date(leads.generated_at) + 20,
        6000000, 600000,
        case when buyers.rank % 10 = 0 then 'cancelled' else 'confirmed' end,
        case when buyers.rank % 10 = 0 then leads.generated_at + interval '40 days' end
    from (
        select customer_id, lead_id, row_number() over (order by lead_id) as rank
        from customers where tenant_id = :t
    ) as buyers
    inner join leads on leads.tenant_id = :t and leads.lead_id = buyers.lead_id
    inner join (
        select unit_id, row_number() over (order by unit_id) as rank from units where tenant_id = :t
    ) as free_units on free_units.rank = buyers.rank
    """,
    """
    insert into lead_milestones (tenant_id, lead_id, milestone_type, occurred_at, metadata)
    select tenant_id, lead_id, 'booking', booking_date::timestamp at time zone 'Asia/Kolkata' + interval '12 hours',
        jsonb_build_object('booking_id', booking_id)
    from bookings where tenant_id = :t
    union all
    select tenant_id, lead_id, 'cancellation', cancelled_at, jsonb_build_object('booking_id', booking_id)
    from bookings where tenant_id = :t and status = 'cancelled'
    """,
    """
    update units set status = 'booked'
    where tenant_id = :t
        and unit_id in (select unit_id from bookings where tenant_id = :t and status <> 'cancelled')
    """,
    """
    update leads set status = 'booked'
    where tenant_id = :t
        and lead_id in (select lead_id from bookings where tenant_id = :t and status <> 'cancelled')
    """,
    """
    insert into account_ledger (tenant_id, customer_id, booking_id, entry_date, due_date, entry_type, side, amount)
    select bookings.tenant_id, bookings.customer_id, bookings.booking_id, bookings.booking_date + step * 30,
        case when step <= 5 then bookings.booking_date + step * 30 end,
        case when step <= 5 then 'demand' when step <= 9 then 'receipt' else 'debit_note' end,
        case when step between 6 and 9 then 'credit' else 'debit' end,
        case when step <= 9 then 1200000 else 5000 end
    from bookings cross join generate_series(1, 10) as step
    where bookings.tenant_id = :t
    """,
)


def generate_tenant(slug: str, leads: int) -> int:
    """Create a tenant and fill it (as the owner, in one transaction); return its id."""
    tenant_id = tenants.create_tenant(slug, slug)
    # Enough units for every booking (one lead in 20) and the write benchmark's bookings.
    units_per_tower = max(leads // 20 // 20 + 50, 60)
    with db.owner_engine().begin() as conn:
        conn.execute(sa.text("select set_config('app.tenant_id', :t, true)"), {"t": str(tenant_id)})
        for step in _STEPS:
            conn.execute(sa.text(step), {"t": tenant_id, "leads": leads, "units_per_tower": units_per_tower})
    # As autovacuum would after a load this size; without statistics the planner picks nested
    # loops that make reads look 50 times slower than they are (seen: ledger summary 28 s vs 0.6 s).
    with db.owner_engine().connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text("analyze"))
    return tenant_id
