"""LINE: the Messaging API's webhook, and the page where a LINE user links their rehabus
account (`rehabus.service.line`). Not in the API's document: LINE's platform and a browser are
their only callers.

- ``POST /line/webhook``: 401 unless ``x-line-signature`` signs the raw body with the channel
  secret; 400 for a body that is not LINE's; otherwise 200 ``{}`` at once, and the events are
  handled after the answer (each once, answered with its reply token).
- ``GET /line/link?linkToken=...``: the sign-in form (400 for a link that cannot be used).
- ``POST /line/link``: signs in (the API's sign-in and lockout); a rider or a caregiver is sent
  on (303) to LINE's account-link dialog with a nonce made for them.

Without ``REHABUS_LINE_CHANNEL_SECRET`` and ``REHABUS_LINE_CHANNEL_ACCESS_TOKEN`` every route
here answers 404 ``line_not_configured``.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated
from urllib.parse import parse_qs, urlencode

from fastapi import APIRouter, BackgroundTasks, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import ValidationError

from rehabus.service.auth import Role
from rehabus.service.deps import AppState, SessionDep, StateDep
from rehabus.service.errors import ApiError
from rehabus.service.line import (
    CONTENT_SECURITY_POLICY,
    LINKABLE_ROLES,
    Bot,
    Event,
    LineApi,
    WebhookBody,
    expired_page,
    handle_events,
    link_token_owner,
    make_nonce,
    sign_in_page,
    verify_signature,
)
from rehabus.service.services.signin import authenticate

__all__ = ["ACCOUNT_LINK_URL", "MAX_BODY_BYTES", "router"]

router = APIRouter(prefix="/line", tags=["line"], include_in_schema=False)

ACCOUNT_LINK_URL = "https://access.line.me/dialog/bot/accountLink"
"""LINE's account-link dialog, where the browser goes with the link token and the nonce."""
MAX_BODY_BYTES = 1_000_000
"""A webhook body larger than this is refused before it is read (LINE's are a few kB)."""


def _configured(state: StateDep) -> AppState:
    settings = state.settings
    if not settings.line_channel_secret or not settings.line_channel_access_token:
        raise ApiError(
            404,
            "line_not_configured",
            "本服務未設定 LINE（REHABUS_LINE_CHANNEL_SECRET、REHABUS_LINE_CHANNEL_ACCESS_TOKEN）",
            "LINE is not configured on this service "
            "(REHABUS_LINE_CHANNEL_SECRET, REHABUS_LINE_CHANNEL_ACCESS_TOKEN)",
        )
    return state


LineState = Annotated[AppState, Depends(_configured)]


def _handle(state: AppState, events: list[Event], public_url: str) -> None:
    token = state.settings.line_channel_access_token
    assert token is not None  # checked by _configured
    with LineApi(token, state.settings.line_api_url) as api:
        bot = Bot(state.sessions, state.days, state.cities, api, public_url)
        handle_events(bot, events)


@router.post("/webhook")
async def webhook(request: Request, state: LineState, background: BackgroundTasks) -> JSONResponse:
    """LINE's webhook: the signature checked on the raw body, then 200 ``{}`` at once."""
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > MAX_BODY_BYTES:
        raise ApiError(413, "too_large", "內容過大", "the body is too large")
    raw = await request.body()
    secret = state.settings.line_channel_secret
    assert secret is not None  # checked by _configured
    if not verify_signature(secret, raw, request.headers.get("x-line-signature")):
        raise ApiError(
            401,
            "bad_signature",
            "LINE 簽章不符（x-line-signature）",
            "the LINE signature does not match (x-line-signature)",
            field="x-line-signature",
            where="header",
        )
    try:
        body = WebhookBody.model_validate_json(raw)
    except ValidationError:
        raise ApiError(
            400, "bad_body", "不是 LINE 的 webhook 內容", "not a LINE webhook body"
        ) from None
    events, _ = body.parsed()
    if events:
        public_url = state.settings.public_url or str(request.base_url)
        background.add_task(_handle, state, events, public_url)
    return JSONResponse({})


def _html(content: str, status: int = 200, **headers: str) -> HTMLResponse:
    return HTMLResponse(
        content,
        status_code=status,
        headers={
            "Content-Security-Policy": CONTENT_SECURITY_POLICY,
            "Cache-Control": "no-store",
            **headers,
        },
    )


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@router.get("/link", response_class=HTMLResponse)
def link_page(
    session: SessionDep,
    _: LineState,
    link_token: Annotated[str, Query(alias="linkToken", max_length=256)] = "",
) -> HTMLResponse:
    """The sign-in form of account linking, for a link token this service asked LINE for."""
    if not link_token or link_token_owner(session, link_token, _now()) is None:
        return _html(expired_page(), 400)
    return _html(sign_in_page(link_token))


def _sign_in(state: AppState, token: str, username: str, password: str) -> Response:
    with state.sessions() as session:
        if not token or link_token_owner(session, token, _now()) is None:
            return _html(expired_page(), 400)
        try:
            user = authenticate(session, state.settings, username, password)
        except ApiError as error:
            page = sign_in_page(token, (error.message_zh, error.message_en), username)
            return _html(page, error.status, **(error.headers or {}))
        if Role(user.role) not in LINKABLE_ROLES:
            error_text = (
                "只有乘客與照顧者的帳號可以連結 LINE。",
                "Only riders' and caregivers' accounts can be linked to LINE.",
            )
            return _html(sign_in_page(token, error_text, username), 403)
        nonce = make_nonce(session, token, user, _now())
        if nonce is None:
            return _html(expired_page(), 400)
    query = urlencode({"linkToken": token, "nonce": nonce})
    return RedirectResponse(
        f"{ACCOUNT_LINK_URL}?{query}",
        status_code=303,
        headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"},
    )


@router.post("/link", response_class=HTMLResponse)
async def link_sign_in(request: Request, state: LineState) -> Response:
    """Sign in (the API's sign-in, with its lockout), then go on to LINE's account-link dialog
    with a nonce made for this user."""
    raw = await request.body()
    form = {k: v[0] for k, v in parse_qs(raw[:4096].decode("utf-8", "replace")).items()}
    token = form.get("linkToken", "")[:256]
    username = form.get("username", "").strip()[:64]
    password = form.get("password", "")[:128]
    return await run_in_threadpool(_sign_in, state, token, username, password)
