"""What the Integrations screen lists of lead intake's setup: each source's webhook mapping and
each page's Meta Lead Ads setting, never their secrets."""

from __future__ import annotations

import pandas as pd

from data.db import Scope
from data.reports._query import read_frame
from data.reports.cache import cached_read

_SETTINGS = """
    select
        intake_settings.intake_setting_id,
        intake_settings.channel,
        intake_settings.source,
        intake_settings.subsource,
        intake_settings.import_mapping_id,
        import_mappings.name as mapping_name,
        intake_settings.meta_page_id,
        intake_settings.meta_graph_url,
        intake_settings.meta_app_secret is not null as has_app_secret,
        intake_settings.meta_access_token is not null as has_access_token,
        intake_settings.user_id,
        accounts.display_name as user_name,
        intake_settings.updated_at
    from intake_settings
    left join import_mappings
        on import_mappings.tenant_id = intake_settings.tenant_id
        and import_mappings.import_mapping_id = intake_settings.import_mapping_id
    left join app_users as accounts
        on accounts.tenant_id = intake_settings.tenant_id and accounts.user_id = intake_settings.user_id
    order by
        intake_settings.channel, intake_settings.source, intake_settings.subsource, intake_settings.intake_setting_id
"""


@cached_read
def intake_settings_list(scope: Scope | int) -> pd.DataFrame:
    """The tenant's intake settings, by channel, source and subsource: intake_setting_id, channel
    ('webhook' or 'meta'), source, subsource, import_mapping_id and mapping_name (a webhook's
    mapping; null: Leadline's own field names), meta_page_id, meta_graph_url, has_app_secret,
    has_access_token, user_id and user_name (the account a page's leads are added as),
    updated_at. The verify token, app secret and access token are not read."""
    return read_frame(scope, _SETTINGS)
