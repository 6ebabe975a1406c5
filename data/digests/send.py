"""Sending the digests that are due: once per person, kind and India date, whoever runs it how often.

For each active person with an e-mail address and each kind they get that is due today (weekly
kinds on Mondays), ``send_due`` builds the digest as that person and then, in one transaction,
claims the day's row in ``digest_sends`` (its unique key is person, kind and date) and hands
the message to the SMTP server; the transaction commits only after the server accepted it. So:

- a second run the same day finds the row and sends nothing (a run at the same moment waits on
  the first one's row, then finds it);
- a send that fails (server down, refused) rolls the claim back: nothing is recorded, the run
  reports the failure, and the next run sends it;
- the one gap left is a commit that fails after the server accepted the message, which would
  send it again the next run: rarer than the alternative, a digest never sent.

A dry run builds every due digest and reports it, and neither claims nor sends anything.
"""

from __future__ import annotations

import datetime as dt
import smtplib
import ssl
from collections.abc import Collection
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid

import sqlalchemy as sa

from data import db
from data.digests.build import build_digest
from data.digests.compose import Digest
from data.digests.kinds import is_due
from data.digests.recipients import Recipient, recipients
from data.digests.settings import SmtpSettings, smtp_settings
from data.domain.filters import IST, today_in_india
from data.domain.vocabulary import DIGEST_KINDS

# What became of one person's digest in a run.
SENT, ALREADY_SENT, DRY_RUN, FAILED = "sent", "already sent", "dry run", "failed"


@dataclass(frozen=True)
class Outcome:
    """One digest of one person in a run: sent, already sent today, a dry run, or failed (why)."""

    tenant_slug: str
    username: str
    email: str
    kind: str
    status: str
    detail: str = ""

    def line(self) -> str:
        """The command line's line for it."""
        detail = f" ({self.detail})" if self.detail else ""
        return f"{self.tenant_slug}: {self.kind} to {self.username} <{self.email}>: {self.status}{detail}"


def message(digest: Digest, recipient: Recipient, sender: str, now: dt.datetime) -> EmailMessage:
    """The e-mail of a digest: plain text with an HTML alternative, attachments, a Message-ID."""
    email = EmailMessage()
    email["Subject"] = digest.subject
    email["From"] = sender
    email["To"] = formataddr((recipient.display_name, recipient.email))
    email["Date"] = format_datetime(now)
    # The sender's domain names the message (without one, make_msgid takes this host's name).
    domain = sender.rpartition("@")[2].strip("> ") or None
    email["Message-ID"] = make_msgid(idstring=f"digest-{digest.kind}", domain=domain)
    email.set_content(digest.text)
    email.add_alternative(digest.html, subtype="html")
    for attachment in digest.attachments:
        maintype, _, subtype = attachment.mime_type.partition("/")
        email.add_attachment(attachment.content, maintype=maintype, subtype=subtype, filename=attachment.filename)
    return email


def deliver(settings: SmtpSettings, email: EmailMessage) -> None:
    """Hand one message to the SMTP server (raises on any failure)."""
    context = ssl.create_default_context()
    if settings.tls == "ssl":
        server = smtplib.SMTP_SSL(settings.host, settings.port, timeout=60, context=context)
    else:
        server = smtplib.SMTP(settings.host, settings.port, timeout=60)
    with server:
        if settings.tls == "starttls":
            server.starttls(context=context)
        if settings.user:
            server.login(settings.user, settings.password or "")
        server.send_message(email)


def _already_sent(tenant_id: int, recipient: Recipient, kind: str, today: dt.date) -> bool:
    with db.tenant_transaction(tenant_id) as conn:
        return bool(
            conn.execute(
                sa.text(
                    "select 1 from digest_sends where user_id = :user_id and digest_kind = :kind "
                    "and digest_date = :today"
                ),
                {"user_id": recipient.user_id, "kind": kind, "today": today},
            ).scalar()
        )


_CLAIM = """
    insert into digest_sends (tenant_id, user_id, digest_kind, digest_date, recipient_email, message_id)
    values (:tenant_id, :user_id, :kind, :today, :email, :message_id)
    on conflict (tenant_id, user_id, digest_kind, digest_date) do nothing
    returning digest_send_id
"""


def _claim_and_send(
    tenant_id: int, recipient: Recipient, kind: str, today: dt.date, email: EmailMessage, settings: SmtpSettings
) -> bool:
    """Claim the day's row and send, in one transaction; False when another run had claimed it."""
    with db.tenant_transaction(tenant_id) as conn:
        claimed = conn.execute(
            sa.text(_CLAIM),
            {
                "tenant_id": tenant_id,
                "user_id": recipient.user_id,
                "kind": kind,
                "today": today,
                "email": recipient.email,
                "message_id": email["Message-ID"],
            },
        ).scalar()
        if claimed is None:
            return False
        deliver(settings, email)  # an exception here rolls the claim back
    return True


def send_due(
    tenant_id: int,
    tenant_slug: str,
    *,
    today: dt.date | None = None,
    kinds: Collection[str] | None = None,
    dry_run: bool = False,
    settings: SmtpSettings | None = None,
) -> list[Outcome]:
    """Send the tenant's digests due on ``today`` (India date; default: now), of ``kinds`` (default: all).

    Raises ``SmtpNotConfigured`` before anything is built when a real run has no SMTP settings.
    """
    today = today or today_in_india()
    wanted = tuple(kind for kind in DIGEST_KINDS if (kinds is None or kind in kinds) and is_due(kind, today))
    if not dry_run:
        settings = settings or smtp_settings()
    outcomes = []
    for recipient in recipients(tenant_id):
        if not recipient.email:
            continue
        for kind in (kind for kind in recipient.kinds if kind in wanted):

            def outcome(status: str, detail: str = "", kind: str = kind, recipient: Recipient = recipient) -> Outcome:
                return Outcome(tenant_slug, recipient.username, recipient.email, kind, status, detail)

            if _already_sent(tenant_id, recipient, kind, today):
                outcomes.append(outcome(ALREADY_SENT))
                continue
            try:
                digest = build_digest(recipient, kind, today, tenant_slug=tenant_slug, with_attachments=not dry_run)
                if dry_run:
                    outcomes.append(outcome(DRY_RUN, digest.subject))
                    continue
                email = message(digest, recipient, settings.sender, dt.datetime.now(IST))
                sent = _claim_and_send(tenant_id, recipient, kind, today, email, settings)
            except (OSError, smtplib.SMTPException) as error:
                outcomes.append(outcome(FAILED, f"{type(error).__name__}: {error}; the next run tries again"))
                continue
            outcomes.append(outcome(SENT if sent else ALREADY_SENT))
    return outcomes
