"""Leads: finding one, and everything that happened to it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd

from data.db import Scope
from data.domain.rules import check_search_text, like_pattern
from data.reports._query import read_frame, read_frames
from data.reports.cache import cached_read

SEARCH_LIMIT = 50

_SEARCH = """
    select
        leads.lead_id, leads.name, leads.phone, projects.name as project_name,
        lead_sources.source, lead_sources.subsource, leads.status, app_users.display_name as owner_name,
        leads.generated_at
    from leads
    inner join lead_sources
        on lead_sources.tenant_id = leads.tenant_id and lead_sources.lead_source_id = leads.lead_source_id
    left join projects
        on projects.tenant_id = leads.tenant_id and projects.project_id = leads.project_id
    left join app_users
        on app_users.tenant_id = leads.tenant_id and app_users.user_id = leads.owner_user_id
    where leads.deleted_at is null
        and (
            leads.name ilike :name_pattern escape '\\'
            or (:digits <> '' and replace(leads.phone, '+', '') like '%' || :digits || '%')
        )
    order by leads.generated_at desc
    limit :limit
"""

_MILESTONES = """
    select milestone_id, milestone_type, occurred_at, outcome, sequence_no, days_since_previous,
        days_since_generated, recorded_by_name, notes, next_follow_up_at
    from v_lead_milestone_timeline
    where lead_id = :lead_id
    order by sequence_no
"""

_ENGAGEMENTS = """
    select engagement_id, engagement_type, channel, direction, status, occurred_at, duration_seconds,
        responded_at, notes, next_follow_up_at
    from lead_engagements
    where lead_id = :lead_id and deleted_at is null
    order by occurred_at, engagement_id
"""

# Every assignment of the lead, oldest first: to whom, why, by which rule, pool and turn, or by whom.
_ASSIGNMENTS = """
    select lead_assignments.lead_assignment_id, lead_assignments.assigned_at, lead_assignments.reason,
        assignees.display_name as assigned_to_name, routing_rules.name as rule_name, lead_assignments.pool,
        lead_assignments.turn, lead_assignments.detail, assigners.display_name as assigned_by_name
    from lead_assignments
    left join app_users as assignees
        on assignees.tenant_id = lead_assignments.tenant_id and assignees.user_id = lead_assignments.user_id
    left join app_users as assigners
        on assigners.tenant_id = lead_assignments.tenant_id and assigners.user_id = lead_assignments.assigned_by
    left join routing_rules
        on routing_rules.tenant_id = lead_assignments.tenant_id
        and routing_rules.routing_rule_id = lead_assignments.routing_rule_id
    where lead_assignments.lead_id = :lead_id
    order by lead_assignments.assigned_at, lead_assignments.lead_assignment_id
"""

_LEAD = """
    select leads.lead_id, leads.name, leads.phone, leads.email, leads.status, leads.lost_reason,
        leads.generated_at, projects.name as project_name, lead_sources.source, lead_sources.subsource,
        campaigns.name as campaign_name, app_users.display_name as owner_name
    from leads
    inner join lead_sources
        on lead_sources.tenant_id = leads.tenant_id and lead_sources.lead_source_id = leads.lead_source_id
    left join projects on projects.tenant_id = leads.tenant_id and projects.project_id = leads.project_id
    left join campaigns on campaigns.tenant_id = leads.tenant_id and campaigns.campaign_id = leads.campaign_id
    left join app_users on app_users.tenant_id = leads.tenant_id and app_users.user_id = leads.owner_user_id
    where leads.lead_id = :lead_id and leads.deleted_at is null
"""


@dataclass(frozen=True)
class LeadTimeline:
    """One lead's story.

    ``lead``: one row (lead_id, name, phone, email, status, lost_reason, generated_at,
    project_name, source, subsource, campaign_name, owner_name), empty if there is no such
    lead. ``milestones``: the rows of v_lead_milestone_timeline. ``engagements``: calls,
    messages and meetings in time order. ``assignments``: who the lead was given to, oldest
    first (lead_assignment_id, assigned_at, reason, assigned_to_name, rule_name, pool, turn,
    detail, assigned_by_name: the person who chose by hand). ``follow_up``: the latest
    follow-up date asked for by any milestone or engagement, or None.
    """

    lead: pd.DataFrame
    milestones: pd.DataFrame
    engagements: pd.DataFrame
    assignments: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def follow_up(self):
        """The latest next follow-up set on the lead's milestones and calls, or None."""
        dates = pd.concat([self.milestones["next_follow_up_at"], self.engagements["next_follow_up_at"]]).dropna()
        return None if dates.empty else dates.max()


@cached_read
def search_leads(scope: Scope | int, text: str) -> pd.DataFrame:
    """Leads the scope may see whose name contains the text or whose phone contains its digits, newest first.

    The text is taken literally ("50%" finds "50%"); a control character or text longer than
    ``SHORT_TEXT_MAX`` raises ``ValidationError({"search": …})`` (never cached)."""
    text = check_search_text(text)
    if not text:
        return pd.DataFrame()
    digits = re.sub(r"\D", "", text)
    # Indian numbers are stored as +91XXXXXXXXXX; a search for 0XXXXXXXXXX means the same.
    if len(digits) == 11 and digits.startswith("0"):
        digits = digits[1:]
    params = {"name_pattern": like_pattern(text), "digits": digits if len(digits) >= 4 else "", "limit": SEARCH_LIMIT}
    return read_frame(scope, _SEARCH, params)


@cached_read
def lead_timeline(scope: Scope | int, lead_id: int) -> LeadTimeline:
    """The lead, its milestones and its engagements (see ``LeadTimeline``)."""
    lead, milestones, engagements, assignments = read_frames(
        scope, [_LEAD, _MILESTONES, _ENGAGEMENTS, _ASSIGNMENTS], {"lead_id": lead_id}
    )
    return LeadTimeline(lead=lead, milestones=milestones, engagements=engagements, assignments=assignments)
