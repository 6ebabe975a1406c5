"""Digests by e-mail (issue 15): who gets which (``recipients``), what each says (``compose``,
``kinds``, ``build``, as the recipient), and sending the ones due once a day (``send``), from the
SMTP server in ``settings``. No Streamlit: ``python -m data send-digests`` runs it from cron and
My profile previews it.
"""

from data.digests.build import build_digest
from data.digests.kinds import is_due
from data.digests.recipients import Recipient, effective_kinds, kinds_for_role, recipient, recipients
from data.digests.send import ALREADY_SENT, DRY_RUN, FAILED, SENT, Outcome, send_due
from data.digests.settings import SmtpNotConfigured, SmtpSettings, smtp_settings

__all__ = [
    "ALREADY_SENT",
    "DRY_RUN",
    "FAILED",
    "SENT",
    "Outcome",
    "Recipient",
    "SmtpNotConfigured",
    "SmtpSettings",
    "build_digest",
    "effective_kinds",
    "is_due",
    "kinds_for_role",
    "recipient",
    "recipients",
    "send_due",
    "smtp_settings",
]
