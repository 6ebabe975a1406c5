"""Endpoints: leads from webhooks — any portal's or website's (``POST /v1/intake/{source}/{subsource}``)
and Meta Lead Ads' (``GET`` and ``POST /v1/intake/meta``).

A portal's webhook authenticates with an intake (or manager) key, as ``Authorization: Bearer``
or, for a portal that can only be given an address, as ``?key=``. Meta's calls carry no key: the
handshake is answered by its verify token, a delivery is taken by its signature. The work is
``data.intake.webhooks`` and ``data.intake.meta``; these only read the request and answer.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Header, HTTPException, Path, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import PlainTextResponse
from fastapi.security import HTTPAuthorizationCredentials
from pydantic import BaseModel, Field

from api.auth import bearer, caller
from api.errors import REFUSALS, Errors
from api.params import IdempotencyKey, scoped_key
from api.routes.leads import LeadAnswer, answer_received
from data.intake import meta, webhooks
from data.writes.api_keys import KeyHolder

router = APIRouter(prefix="/v1", tags=["intake"])

KEY_IN_ADDRESS = (
    "The API key, for a sender that can only be given an address (no headers). Such an address is "
    "then a secret like the key itself: anyone who has it can send leads as this key, and web "
    "servers and proxies may log it. Prefer `Authorization: Bearer`; revoke the key if the address leaks."
)


def intake_caller(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    key: Annotated[str | None, Query(max_length=200, description=KEY_IN_ADDRESS)] = None,
) -> KeyHolder:
    """The key's holder, from the Authorization header or else the ``key`` query parameter;
    401 without a valid live key, 429 over its rate limit."""
    if credentials is not None or key is None:
        return caller(credentials)
    # The same check as the header's (key_holder, the rate limit's take_turn, last used), with
    # a message that names the address's form.
    try:
        return caller(HTTPAuthorizationCredentials(scheme="Bearer", credentials=key))
    except HTTPException as refused:
        if refused.status_code != 401:
            raise
        raise HTTPException(401, "Give a valid API key: ?key=<key> or Authorization: Bearer <key>.") from refused


IntakeHolder = Annotated[KeyHolder, Depends(intake_caller)]

_SCALAR = {"type": ["string", "number", "integer", "boolean", "null"]}
_WEBHOOK_BODY = {
    "required": True,
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "additionalProperties": _SCALAR,
                "description": "One flat object: each field a text, number, true/false or null.",
            },
            "example": {"Full Name": "Asha Rao", "Mobile": "+91 98450 12345", "Enquiry ID": "99A-778812"},
        },
        "application/x-www-form-urlencoded": {
            "schema": {"type": "object", "additionalProperties": {"type": "string"}},
        },
    },
}


@router.post(
    "/intake/{source}/{subsource}",
    status_code=201,
    response_model=LeadAnswer,
    responses={
        200: {"model": LeadAnswer, "description": "A re-enquiry of a live lead"},
        **REFUSALS,
        # The router's, not the source's: a name ending in a line break does not match the address.
        404: {"model": Errors, "description": "No such address (a source or subsource with a slash or line break)"},
    },
    openapi_extra={"requestBody": _WEBHOOK_BODY},
    summary="A portal's or website's webhook delivers a lead",
)
async def post_webhook(
    source: Annotated[str, Path(description="The lead source's name, as set up under Lead sources")],
    subsource: Annotated[str, Path(description="Its subsource")],
    request: Request,
    response: Response,
    holder: IntakeHolder,
    idempotency_key: IdempotencyKey = None,
) -> LeadAnswer:
    """Any flat JSON object or form-encoded body, read by the source's saved field mapping (set up
    under Integrations; without one, fields go by Leadline's names: name, phone, email, project,
    unit_type, budget, campaign, owner, generated_at, external_ref, notes).

    Creates the lead (201) or records a re-enquiry on the live lead with the same phone (200). The
    sender's lead id (mapped as `lead_ref`, or `external_ref`) or the same `Idempotency-Key` replays
    the first answer. A body that cannot become a lead is refused (422, a message per field) and
    kept, so an admin can process it again once the mapping is fixed."""
    raw = await request.body()
    received = await run_in_threadpool(
        webhooks.receive_webhook,
        holder.tenant_id,
        holder.user_id,
        source,
        subsource,
        raw,
        request.headers.get("content-type"),
        idempotency_key=scoped_key(holder.api_key_id, idempotency_key),
        api_key_id=holder.api_key_id,
    )
    return answer_received(received, response)


def _json_refusal(description: str) -> dict[str, Any]:
    """A refusal documented as JSON on a route whose success is text (FastAPI would document a
    ``model`` in the route's own media type)."""
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Errors"}}},
    }


@router.get(
    "/intake/meta",
    response_class=PlainTextResponse,
    responses={
        200: {"content": {"text/plain": {"schema": {"type": "string"}}}, "description": "The challenge, as sent"},
        403: _json_refusal("The verify token is no page's, or this is not a handshake"),
        **{status: _json_refusal(REFUSALS[status]["description"]) for status in (413, 422, 503)},
    },
    summary="Meta Lead Ads: the subscription handshake",
)
def verify_meta(
    mode: Annotated[str | None, Query(alias="hub.mode", description="subscribe")] = None,
    verify_token: Annotated[str | None, Query(alias="hub.verify_token", description="The page's verify token")] = None,
    challenge: Annotated[str | None, Query(alias="hub.challenge", description="Text to answer with")] = None,
) -> PlainTextResponse:
    """Meta checks the callback address when the webhook is subscribed: the challenge is answered
    back when the verify token is one set up under Integrations."""
    answer = meta.verify_subscription(mode, verify_token, challenge)
    if answer is None:
        raise HTTPException(403, "The verify token is not one set up under Integrations.")
    return PlainTextResponse(answer, headers={"X-Content-Type-Options": "nosniff"})


class MetaLead(BaseModel):
    """What became of one lead of a delivery."""

    leadgen_id: str | None = Field(description="Meta's lead id")
    outcome: Literal["created", "reengaged", "replayed", "rejected"]
    lead_id: int | None = None
    errors: dict[str, str] | None = Field(None, description="Why it was rejected (it is kept, to process again)")


class MetaAnswer(BaseModel):
    """The delivery's leads."""

    leads: list[MetaLead]


_META_BODY: dict[str, Any] = {
    "required": True,
    "content": {
        "application/json": {
            "schema": {"type": "object", "description": "Meta's webhook delivery: object, entry[].changes[]"},
            "example": {
                "object": "page",
                "entry": [
                    {
                        "id": "1234567890",
                        "time": 1764547200,
                        "changes": [
                            {
                                "field": "leadgen",
                                "value": {
                                    "leadgen_id": "444444444444",
                                    "page_id": "1234567890",
                                    "form_id": "555555555",
                                    "ad_id": "666666666",
                                    "created_time": 1764547200,
                                },
                            }
                        ],
                    }
                ],
            },
        }
    },
}


@router.post(
    "/intake/meta",
    response_model=MetaAnswer,
    responses={
        401: {"model": Errors, "description": "Not signed with the app secret of a page set up here; nothing kept"},
        **{status: REFUSALS[status] for status in (413, 422, 503)},
    },
    openapi_extra={"requestBody": _META_BODY},
    summary="Meta Lead Ads: leads delivered",
)
async def post_meta(
    request: Request,
    signature: Annotated[
        str | None,
        Header(alias="X-Hub-Signature-256", description="sha256= and the HMAC-SHA256 of the body under the app secret"),
    ] = None,
) -> MetaAnswer:
    """Each `leadgen` change becomes a lead of the page's source and subsource, its answers read
    from `field_data` or fetched from the Graph API. A lead that cannot be made is kept with why
    (the answer is still 200: Meta would resend the whole delivery for days)."""
    raw = await request.body()
    try:
        delivered = await run_in_threadpool(meta.receive_meta, raw, signature)
    except meta.BadSignature as refused:
        raise HTTPException(401, str(refused)) from refused
    return MetaAnswer(
        leads=[
            MetaLead(leadgen_id=lead.leadgen_id, outcome=lead.outcome, lead_id=lead.lead_id, errors=lead.errors)
            for lead in delivered
        ]
    )
