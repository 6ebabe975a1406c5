"""Every import kind, in the order a new customer imports them (each may refer to the ones before)."""

from data.imports.account_rows import BOOKINGS, LEDGER
from data.imports.lead_rows import ENGAGEMENTS, LEADS, MILESTONES
from data.imports.setup_rows import CAMPAIGN_SPEND, CAMPAIGNS, UNITS

KINDS = {
    kind.name: kind for kind in (UNITS, CAMPAIGNS, CAMPAIGN_SPEND, LEADS, MILESTONES, ENGAGEMENTS, BOOKINGS, LEDGER)
}
