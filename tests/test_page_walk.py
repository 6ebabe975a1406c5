"""Every page, for every role whose menu has it, on a tenant full of hostile text and missing
values and on the demo tenant: no exception, no Markdown a person typed turns into a link, an
image or formatting, and no raw value (``None``, ``nan``, ``True``) or stored code (``site_visit``,
``neft``, ``sign_in``, ``app_users``) reaches the screen.

The pages are enumerated from ``pages/`` and the roles from ``ui.navigation.MENUS``, so a new page
or menu entry is walked without touching this file. One signed-in AppTest per tenant and role
walks its pages in turn (signing in is the slow part).
"""

from __future__ import annotations

import datetime as dt
import html
import os
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from markdown_it import MarkdownIt
from streamlit.testing.v1 import AppTest

from data import db, demo, reports
from data.db import REPO_ROOT, tenants
from data.domain import vocabulary as labels
from data.domain.filters import today_in_india
from data.writes import activity, auth, bookings, catalog, ledger
from data.writes import leads as lead_writes
from ui.navigation import MENUS
from ui.text import WORD_JOINER

TIMEOUT = 60
PASSWORD = "walk-password-1"
PAYLOAD = "**b** [x](http://127.0.0.1:9/x) ![i](http://127.0.0.1:9/i.png) <img src=x onerror=alert(1)>"
# What must read literally wherever a value holds it (a shortened heading may hold only the first).
FRAGMENTS = ("**b**", "[x](http://127.0.0.1:9/x)", "![i](http://127.0.0.1:9/i.png)", "<img src=x onerror=alert(1)>")
HOSTILE_PHONE = "98000 77001"
BARE_PHONE = "98000 77003"  # no project, campaign or owner, and a 3,000-character name
SEARCH_LABEL = "Find a lead by name or phone"
HOSTILE = "walk-hostile"
DEMO = "walk-demo"

PAGES = sorted(path.stem for path in (REPO_ROOT / "pages").glob("*.py"))
ROLES_OF = {
    page: sorted(
        role for role, menu in MENUS.items() if any(Path(entry[0]).stem == page for e in menu.values() for entry in e)
    )
    for page in PAGES
}

MARKDOWN = MarkdownIt("gfm-like")
RAW_WORDS = re.compile(r"\b(nan|None|NaT|True|False)\b")
CODES = sorted(
    {code for kind in labels.REGISTRY.values() for code in kind if "_" in code or "." in code}
    | {"neft", "rtgs", "upi"}
    | set(labels.AUDIT_ACTION)
    | {table for table in labels.TABLE_NAME if "_" in table},
    key=len,
    reverse=True,
)
RAW_CODES = re.compile(r"(?<![\w.])(" + "|".join(re.escape(code) for code in CODES) + r")(?![\w.])")
TAGS = re.compile(r"<[^>]+>")
BACKSLASH_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
# What Streamlit's remark-gfm links in the text once escapes are undone (markdown-it's linkify
# runs before its escapes are joined, so it misses these): bare URLs, www. and e-mail addresses.
GFM_AUTOLINK = re.compile(r"(?i)(?:https?://|www\.)[-.\w]|[-.\w+]+@[-\w]+(?:\.[-\w]+)+")


# The worlds --------------------------------------------------------------------------------


@dataclass
class Tenant:
    """A walked tenant: its slug, who signs in for each role, and what the pages are pointed at."""

    slug: str
    usernames: dict[str, str]
    password: str
    search: dict[str, str] = field(default_factory=dict)  # role → what to type in the lead search
    statement: int | None = None  # the booking whose statement the ledger page opens


def _key() -> str:
    return uuid.uuid4().hex


def build_hostile() -> Tenant:
    """Every text a person types holds PAYLOAD; some leads have no project, campaign or owner."""
    tenant = tenants.create_tenant(HOSTILE, "Hostile Homes")
    users = {}
    for username, role in (("boss", "admin"), ("mona", "manager"), ("lena", "leadership"), ("ravi", "rep")):
        users[role] = auth.create_user(tenant, username, f"{PAYLOAD} {role}", role, PASSWORD).user_id
    admin, rep = users["admin"], users["rep"]
    now = dt.datetime.now(dt.UTC)
    today = today_in_india()

    project = catalog.add_project(tenant, admin, PAYLOAD, PAYLOAD, PAYLOAD)
    tower = catalog.add_tower(tenant, admin, project, PAYLOAD)
    units = [
        catalog.add_unit(
            tenant,
            admin,
            tower_id=tower,
            floor=floor,
            unit_number=f"{PAYLOAD} {floor}",
            unit_type=unit_type,
            carpet_area_sqft="800",
            list_price="5000000",
        )
        for floor, unit_type in ((1, "2BHK"), (2, "penthouse"), (3, "villa"))
    ]
    source = catalog.add_source(tenant, PAYLOAD, PAYLOAD, admin)
    campaign = catalog.add_campaign(
        tenant,
        admin,
        name=PAYLOAD,
        campaign_type=PAYLOAD,
        channel=PAYLOAD,
        lead_source_id=source,
        project_id=project,
        budget="100000",
        start_date=today - dt.timedelta(days=90),
        end_date=None,
        status="active",
    )
    catalog.add_spend(tenant, admin, campaign, today - dt.timedelta(days=60), "25000")

    def lead(phone: str, owner: int, **extra) -> int:
        return lead_writes.create_lead(
            tenant,
            admin,
            name=PAYLOAD,
            phone=phone,
            lead_source_id=source,
            idempotency_key=_key(),
            owner_user_id=owner,
            generated_at=now - dt.timedelta(days=50),
            notes=PAYLOAD,
            **extra,
        ).lead_id

    hostile = lead(HOSTILE_PHONE, rep, project_id=project, campaign_id=campaign)
    cancelled = lead("98000 77002", rep, project_id=project, campaign_id=campaign)
    bare = lead(BARE_PHONE, None)  # no project, no campaign, no owner
    activity.log_site_visit(
        tenant,
        rep,
        lead_id=hostile,
        is_done=True,
        occurred_at=now - dt.timedelta(days=40),
        idempotency_key=_key(),
        outcome="positive",
        outcome_reason=PAYLOAD,
        notes=PAYLOAD,
    )
    activity.log_site_visit(
        tenant,
        rep,
        lead_id=hostile,
        is_done=False,
        occurred_at=now + dt.timedelta(days=3),
        idempotency_key=_key(),
        notes=PAYLOAD,
        next_follow_up_at=now + dt.timedelta(days=2),
    )
    activity.log_milestone(
        tenant,
        rep,
        lead_id=hostile,
        milestone_type="negotiation",
        occurred_at=now - dt.timedelta(days=38),
        idempotency_key=_key(),
        notes=PAYLOAD,
    )
    for status, minutes in (("completed", 45), ("no_answer", 44)):
        activity.log_engagement(
            tenant,
            rep,
            lead_id=hostile,
            engagement_type="whatsapp" if status == "completed" else "call",
            direction="outbound",
            status=status,
            occurred_at=now - dt.timedelta(days=minutes),
            idempotency_key=_key(),
            notes=PAYLOAD,
        )
    for lead_id in (cancelled, bare):
        activity.log_site_visit(
            tenant,
            admin,
            lead_id=lead_id,
            is_done=True,
            occurred_at=now - dt.timedelta(days=40),
            idempotency_key=_key(),
            outcome="neutral",
            outcome_reason=PAYLOAD,
            notes=PAYLOAD,
        )

    def book(lead_id: int, unit_id: int) -> int:
        return bookings.book_unit(
            tenant,
            admin,
            lead_id=lead_id,
            unit_id=unit_id,
            agreement_value="5000000",
            booking_amount="500000",
            booking_date=today - dt.timedelta(days=30),
            plan_code="clp-standard",
            payment_mode="neft",
            reference="UTR1",
            idempotency_key=_key(),
        ).row_id

    booking = book(hostile, units[0])
    receipt = ledger.add_entry(
        tenant,
        admin,
        booking_id=booking,
        entry_type="receipt",
        amount="100000",
        entry_date=today - dt.timedelta(days=20),
        idempotency_key=_key(),
        payment_mode="upi",
        reference="UPI1",
        notes=PAYLOAD,
    ).ledger_entry_id
    ledger.add_entry(
        tenant,
        admin,
        booking_id=booking,
        entry_type="debit_note",
        amount="20000",
        entry_date=today - dt.timedelta(days=19),
        idempotency_key=_key(),
        notes=PAYLOAD,
    )
    ledger.reverse_entry(
        tenant,
        admin,
        ledger_entry_id=receipt,
        reason=PAYLOAD,
        entry_date=today - dt.timedelta(days=18),
        idempotency_key=_key(),
    )
    bookings.cancel_booking(
        tenant,
        admin,
        booking_id=book(cancelled, units[1]),
        reason=PAYLOAD,
        cancellation_date=today - dt.timedelta(days=10),
        cancellation_charge="100000",
        refund_amount="400000",
        idempotency_key=_key(),
        refund_mode="rtgs",
        refund_reference="RTGS1",
    )
    with db.tenant_transaction(tenant) as conn:
        # References are short by rule (REFERENCE_MAX), and the ledger is append-only: a receipt
        # as an import of old books might bring it, with the payload for its reference.
        conn.execute(
            sa.text(
                """
                insert into account_ledger (tenant_id, booking_id, customer_id, entry_date, entry_type, side, amount,
                    payment_mode, reference, notes)
                select tenant_id, booking_id, customer_id, :day, 'receipt', 'credit', 50000, 'cheque', :text, :text
                from bookings where booking_id = :booking_id
                """
            ),
            {"text": PAYLOAD, "booking_id": booking, "day": today - dt.timedelta(days=5)},
        )
        # A 3,000-character name, as a careless import might bring: headings must stay short.
        conn.execute(
            sa.text("update leads set name = :name, owner_user_id = null where lead_id = :lead_id"),
            {"name": (PAYLOAD + " ") * 33, "lead_id": bare},
        )
    return Tenant(
        HOSTILE,
        {"admin": "boss", "manager": "mona", "leadership": "lena", "rep": "ravi"},
        PASSWORD,
        # The rep finds their lead with every kind of history; the others the lead with nothing set.
        {**dict.fromkeys(MENUS, BARE_PHONE), "rep": HOSTILE_PHONE},
        booking,
    )


def build_demo() -> Tenant:
    """The demo tenant as seeded, with the demo users' documented password."""
    demo.seed_demo(slug=DEMO, as_of=today_in_india())
    demo.ensure_demo_passwords(DEMO)
    tenant = db.tenant_id_for(DEMO)
    with db.tenant_transaction(tenant) as conn:
        # The rep's lead with the longest story, which every role may see.
        phone = conn.execute(
            sa.text(
                """
                select leads.phone from leads
                inner join app_users on app_users.user_id = leads.owner_user_id
                left join lead_milestones on lead_milestones.lead_id = leads.lead_id
                where app_users.username = 'rep' and leads.deleted_at is null
                group by leads.lead_id, leads.phone
                order by count(lead_milestones.milestone_id) desc, leads.lead_id
                limit 1
                """
            )
        ).scalar_one()
        # The account with the most entries (receipts in several modes, credit notes, refunds).
        booking = conn.execute(
            sa.text(
                "select booking_id from account_ledger group by booking_id order by count(*) desc, booking_id limit 1"
            )
        ).scalar_one()
    return Tenant(DEMO, {role: role for role in MENUS}, demo.DEMO_PASSWORD, dict.fromkeys(MENUS, phone[-10:]), booking)


@pytest.fixture(scope="module")
def worlds() -> Iterator[dict[str, Tenant]]:
    built = {HOSTILE: build_hostile(), DEMO: build_demo()}
    reports.clear_report_caches()
    yield built
    os.environ.pop("LEADLINE_TENANT", None)


# Signing in once per tenant and role ----------------------------------------------------------

_apps: dict[tuple[str, str], AppTest] = {}


def signed_in(tenant: Tenant, role: str) -> AppTest:
    """The tenant's user of this role, signed in (one AppTest per tenant and role, reused)."""
    if (tenant.slug, role) not in _apps:
        os.environ["LEADLINE_TENANT"] = tenant.slug
        app = AppTest.from_file(str(REPO_ROOT / "dashboard.py"), default_timeout=TIMEOUT)
        app.run()
        app.text_input(key="sign-in-username").input(tenant.usernames[role])
        app.text_input(key="sign-in-password").input(tenant.password)
        app.button[0].click().run()
        assert not app.exception, [e.value for e in app.exception]
        _apps[(tenant.slug, role)] = app
    os.environ["LEADLINE_TENANT"] = tenant.slug
    return _apps[(tenant.slug, role)]


def open_walked(tenant: Tenant, role: str, page: str) -> AppTest:
    """Open the page as the role; find the tenant's lead where the page asks for one, open a statement."""
    app = signed_in(tenant, role)
    app.switch_page(f"pages/{page}.py").run()
    searches = [box for box in app.text_input if box.label == SEARCH_LABEL]
    if searches and not app.exception:
        searches[0].set_value(tenant.search[role]).run()
    if page == "ledger" and not app.exception:
        statement = [box for box in app.selectbox if box.key == "statement-booking"]
        if statement and tenant.statement is not None:
            # By value: AppTest's select_index formats an option that is formatted already.
            statement[0].set_value(tenant.statement).run()
    # AppTest cannot run again past a select box left empty (index=None): the next page signs in afresh.
    if any(box.value is None for box in app.selectbox):
        del _apps[(tenant.slug, role)]
    return app


# What the screen shows ------------------------------------------------------------------------


@dataclass
class Shown:
    """One thing on the screen: where it is, its text, and whether Streamlit renders it as Markdown."""

    where: str
    text: str
    is_markdown: bool


MARKDOWN_BODIES = {
    "title",
    "header",
    "subheader",
    "markdown",
    "caption",
    "error",
    "warning",
    "info",
    "success",
    "toast",
}
# Widgets whose options the browser renders as Markdown (select boxes and multiselects show plain text).
MARKDOWN_OPTIONS = {"radio"}


def _proto_text(proto, name: str) -> str:
    try:
        return str(getattr(proto, name) or "")
    except AttributeError:
        return ""


def shown_on(app: AppTest) -> list[Shown]:
    """Every text of the page and sidebar a person reads, as the elements hold it."""
    found: list[Shown] = []
    for area in (app.main, app.sidebar):
        for node in area:
            kind = getattr(node, "type", "")
            proto = getattr(node, "proto", None)
            if proto is None:
                continue
            where = f"{kind}{f'[{node.key}]' if getattr(node, 'key', None) else ''}"
            for name in ("label", "help"):
                if text := _proto_text(proto, name):
                    found.append(Shown(f"{where}.{name}", text, True))
            if kind in MARKDOWN_BODIES or kind == "metric":
                found.append(Shown(f"{where}.body", _proto_text(proto, "body"), kind != "metric"))
            if kind == "metric":
                found.append(Shown(f"{where}.delta", _proto_text(proto, "delta"), False))
            for option in getattr(node, "options", None) or []:
                text = option if isinstance(option, str) else getattr(option, "content", str(option))
                found.append(Shown(f"{where}.option", text, kind in MARKDOWN_OPTIONS))
            if (placeholder := _proto_text(proto, "placeholder")) and kind != "unknown":
                found.append(Shown(f"{where}.placeholder", placeholder, False))
            if kind in ("arrow_data_frame", "dataframe"):
                frame = node.value
                frame = frame.data if hasattr(frame, "data") and not isinstance(frame, pd.DataFrame) else frame
                found.extend(Shown(f"{where}.column", str(column), False) for column in frame.columns)
                found.extend(
                    Shown(f"{where}[{column}]", str(value), False)
                    for column in frame.columns
                    for value in frame[column].tolist()
                )
    return found


def reads_as(item: Shown) -> tuple[str, str]:
    """(HTML the browser would draw, the text a person reads) for one shown value."""
    if not item.is_markdown:
        return "", item.text
    rendered = MARKDOWN.render(item.text)
    return rendered, html.unescape(TAGS.sub("", rendered))


def problems_on(app: AppTest) -> list[str]:
    """What is wrong on the page, one line each (empty when all is well)."""
    wrong = [f"exception: {e.value}" for e in app.exception]
    for item in shown_on(app):
        rendered, text = reads_as(item)
        if item.is_markdown:
            if re.search(r"<(a|img)\b", rendered):
                wrong.append(f"{item.where}: Markdown makes a link or image of {item.text[:120]!r}")
            if GFM_AUTOLINK.search(text):
                wrong.append(f"{item.where}: GFM would link a bare address in {text[:120]!r}")
            # The invisible word joiners ui.text puts into addresses are not part of what one reads.
            meant = BACKSLASH_ESCAPE.sub(r"\1", item.text).replace(WORD_JOINER, "")
            text = text.replace(WORD_JOINER, "")
            wrong.extend(
                f"{item.where}: {fragment!r} does not read literally in {item.text[:120]!r}"
                for fragment in FRAGMENTS
                if fragment in meant and fragment not in text
            )
        if raw := set(RAW_WORDS.findall(text)):
            wrong.append(f"{item.where}: raw value {sorted(raw)} in {text[:120]!r}")
        if codes := set(RAW_CODES.findall(text)):
            wrong.append(f"{item.where}: stored code {sorted(codes)} in {text[:120]!r}")
    return wrong


# The walk -----------------------------------------------------------------------------------


def _cases():
    for slug in (HOSTILE, DEMO):
        for page in PAGES:
            for role in ROLES_OF[page]:
                yield pytest.param(slug, page, role, id=f"{slug}-{page}-{role}")


@pytest.mark.parametrize(("slug", "page", "role"), list(_cases()))
def test_page_shows_text_as_text_and_no_raw_values(worlds: dict[str, Tenant], slug: str, page: str, role: str) -> None:
    app = open_walked(worlds[slug], role, page)
    assert not problems_on(app), "\n".join(problems_on(app))


def test_a_long_name_makes_a_short_heading_with_the_whole_name_in_its_tooltip(worlds: dict[str, Tenant]) -> None:
    app = open_walked(worlds[HOSTILE], "admin", "timeline")
    heading = app.subheader[0]

    def read(text: str) -> str:
        return BACKSLASH_ESCAPE.sub(r"\1", text).replace(WORD_JOINER, "")

    assert len(read(heading.value)) <= 80
    assert read(heading.proto.help) == (PAYLOAD + " ") * 33
    assert "owner: —" in app.caption[0].value and "campaign: —" in app.caption[0].value


def test_every_page_is_in_some_menu() -> None:
    assert all(ROLES_OF[page] for page in PAGES), [page for page in PAGES if not ROLES_OF[page]]


def test_the_checks_catch_what_they_look_for() -> None:
    bad = [Shown("caption", PAYLOAD, True), Shown("cell", "site_visit · None · neft", False)]
    found = [reads_as(item) for item in bad]
    assert "<a" in found[0][0] and "<img" in found[0][0]
    assert RAW_WORDS.findall(found[1][1]) == ["None"]
    assert set(RAW_CODES.findall(found[1][1])) == {"site_visit", "neft"}
    assert not RAW_CODES.findall("site_visit_scheduled_x · v_lead_facts.csv")
