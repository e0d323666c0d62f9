"""Linking a LINE account to a rehabus account, end to end through the service (its webhook,
its linking page, its database) with a local stand-in for LINE, and the ways to hijack it
failing: a nonce used twice, a nonce made for another LINE user, an expired nonce, a nonce
nobody made, an event without LINE's signature, a link page used twice, staff accounts."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from _api import World
from _line_platform import (
    Chat,
    FakeLine,
    link,
    link_token_of,
    link_url,
    nonce_of,
    post_events,
    sign_in_to_link,
    texts,
)
from fastapi.testclient import TestClient
from sqlalchemy import update

from rehabus.service.db.models import LineAccount, LineLinkNonce, Rider, User

PASSWORD = "secret-pass-1"


def _state(client: TestClient) -> Any:
    return client.app.state.rehabus  # type: ignore[attr-defined]


def _account(client: TestClient, line_user_id: str) -> LineAccount | None:
    with _state(client).sessions() as session:
        return session.get(LineAccount, line_user_id)


def _rider_line(client: TestClient, rider_id: str) -> str | None:
    with _state(client).sessions() as session:
        rider = session.get(Rider, rider_id)
        assert rider is not None
        return rider.line_user_id


def _is_link_prompt(reply: list[dict[str, Any]]) -> bool:
    return any(m["type"] == "template" for m in reply)


def test_a_rider_links_line_once_and_is_then_served(
    world: World, line_client: TestClient, line: FakeLine
) -> None:
    rider_id, username = world.new_rider("連結測試")
    chat = Chat(line_client, line)
    # Not linked: whatever they say, the link button only.
    for reply in (chat.send(chat.event("follow")), chat.text("預約 book")):
        url = link_url(reply)
        assert url.startswith("http://testserver/line/link?linkToken=")
        assert line.link_tokens[link_token_of(url)] == chat.user_id  # issued for this user
    page = line_client.get(url.removeprefix("http://testserver"))
    assert page.status_code == 200
    assert '<html lang="zh-Hant-TW">' in page.text and "Sign in and link" in page.text
    assert page.headers["cache-control"] == "no-store"
    policy = page.headers["content-security-policy"]
    assert "form-action 'self' https://access.line.me" in policy and "script-src" not in policy
    signed_in = line_client.post(
        "/line/link",
        data={"linkToken": link_token_of(url), "username": username, "password": PASSWORD},
        follow_redirects=False,
    )
    nonce = nonce_of(signed_in, link_token_of(url))
    assert len(nonce) >= 43  # 256 random bits, URL-safe Base64
    with _state(line_client).sessions() as session:  # only its digest is kept
        stored = session.get(LineLinkNonce, hashlib.sha256(nonce.encode()).hexdigest())
        assert stored is not None and stored.line_user_id == chat.user_id
        assert session.query(LineLinkNonce).filter(LineLinkNonce.nonce_hash == nonce).count() == 0
    reply = chat.account_link(nonce)
    assert "已連結" in texts(reply) and "連結測試" in texts(reply)
    account = _account(line_client, chat.user_id)
    assert account is not None and account.user_id != world.user_ids.get("caregiver")
    assert _rider_line(line_client, rider_id) == chat.user_id  # notifications go to LINE now
    # Served now: help with the main buttons, not the link button.
    help_reply = chat.text("你好")
    assert not _is_link_prompt(help_reply)
    assert "預約 book" in [a["label"] for m in help_reply for a in _actions(m)]
    # The link token was used up with the sign-in: the page will not take it again.
    again = line_client.post(
        "/line/link",
        data={"linkToken": link_token_of(url), "username": username, "password": PASSWORD},
        follow_redirects=False,
    )
    assert again.status_code == 400 and "已失效" in again.text
    # Unlinking (or blocking the bot) forgets the link; the rider is told by SMS again.
    assert "已解除" in texts(chat.text("解除連結 unlink"))
    assert _account(line_client, chat.user_id) is None
    assert _rider_line(line_client, rider_id) is None
    # ... and the old nonce links nothing again.
    replayed = chat.account_link(nonce)
    assert "連結未完成" in texts(replayed) and _is_link_prompt(replayed)
    assert _account(line_client, chat.user_id) is None
    # Blocking the bot unlinks too.
    link(chat, username, PASSWORD)
    assert _account(line_client, chat.user_id) is not None
    assert chat.send(chat.event("unfollow")) == []
    assert _account(line_client, chat.user_id) is None


def _actions(message: dict[str, Any]) -> list[dict[str, Any]]:
    return [item["action"] for item in message.get("quickReply", {}).get("items", [])]


def _nonce_for(client: TestClient, chat: Chat, username: str) -> str:
    url = link_url(chat.text("hi"))
    return nonce_of(sign_in_to_link(client, url, username, PASSWORD), link_token_of(url))


def test_a_nonce_links_only_the_line_user_it_was_made_for(
    world: World, line_client: TestClient, line: FakeLine
) -> None:
    """Someone holding another LINE user's nonce (or a nonce nobody made) links nothing; the
    rightful user still can, once."""
    _, username = world.new_rider("被盜用測試")
    victim, thief = Chat(line_client, line), Chat(line_client, line)
    nonce = _nonce_for(line_client, victim, username)
    stolen = thief.account_link(nonce)
    assert "連結未完成" in texts(stolen) and _is_link_prompt(stolen)
    assert _account(line_client, thief.user_id) is None
    made_up = thief.account_link(secrets.token_urlsafe(32))
    assert "連結未完成" in texts(made_up) and _account(line_client, thief.user_id) is None
    assert "連結未完成" in texts(thief.account_link(""))
    assert "已連結" in texts(victim.account_link(nonce))
    assert _account(line_client, victim.user_id) is not None
    assert "連結未完成" in texts(victim.account_link(nonce))  # used: once only


def test_an_expired_or_failed_nonce_links_nothing(
    world: World, line_client: TestClient, line: FakeLine
) -> None:
    _, username = world.new_rider("逾時測試")
    chat = Chat(line_client, line)
    nonce = _nonce_for(line_client, chat, username)
    with _state(line_client).sessions() as session:  # ten minutes and a second later
        session.execute(
            update(LineLinkNonce)
            .where(LineLinkNonce.nonce_hash == hashlib.sha256(nonce.encode()).hexdigest())
            .values(expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1))
        )
        session.commit()
    assert "連結未完成" in texts(chat.account_link(nonce))
    assert _account(line_client, chat.user_id) is None
    # LINE says the user did not finish: the nonce is used up all the same.
    nonce = _nonce_for(line_client, chat, username)
    assert "連結未完成" in texts(chat.account_link(nonce, result="failed"))
    assert "連結未完成" in texts(chat.account_link(nonce))
    assert _account(line_client, chat.user_id) is None


def test_an_account_link_event_without_lines_signature_is_refused(
    world: World, line_client: TestClient, line: FakeLine
) -> None:
    _, username = world.new_rider("簽章測試")
    chat = Chat(line_client, line)
    nonce = _nonce_for(line_client, chat, username)
    forged = chat.event("accountLink", link={"result": "ok", "nonce": nonce})
    for secret in ("not-the-channel-secret", ""):
        response = post_events(line_client, [forged], secret=secret or "x")
        assert response.status_code == 401, response.text
        assert response.json()["detail"][0]["type"] == "bad_signature"
    unsigned = line_client.post("/line/webhook", json={"destination": "U", "events": [forged]})
    assert unsigned.status_code == 401
    assert _account(line_client, chat.user_id) is None
    assert forged["replyToken"] not in line.replies  # nothing was done with it
    # The nonce was not touched: LINE's own event links.
    assert "已連結" in texts(chat.send(forged))


def test_the_link_page_signs_in_riders_and_caregivers_only(
    world: World, line_client: TestClient, line: FakeLine
) -> None:
    chat = Chat(line_client, line)
    url = link_url(chat.text("hi"))
    token = link_token_of(url)
    for bad in ("", "not-a-token-we-issued"):
        page = line_client.get("/line/link", params={"linkToken": bad} if bad else None)
        assert page.status_code == 400 and "已失效" in page.text and "<form" not in page.text
    wrong = sign_in_to_link(line_client, url, "dispatcher", "wrong-password-1")
    assert wrong.status_code == 401 and 'role="alert"' in wrong.text
    assert "帳號或密碼錯誤" in wrong.text and 'aria-invalid="true"' in wrong.text
    staff = sign_in_to_link(line_client, url, "dispatcher", "dispatcher-pass-1")
    assert staff.status_code == 403 and "只有乘客與照顧者" in staff.text
    # Still usable after failed sign-ins: the caregiver links.
    nonce = nonce_of(sign_in_to_link(line_client, url, "caregiver", "caregiver-pass-1"), token)
    assert "已連結" in texts(chat.account_link(nonce))
    account = _account(line_client, chat.user_id)
    assert account is not None and account.user_id == world.user_ids["caregiver"]
    with _state(line_client).sessions() as session:  # the caregiver's riders keep their own
        rider = session.get(Rider, world.rider_id)
        assert rider is not None and rider.line_user_id != chat.user_id
        caregiver = session.get(User, world.user_ids["caregiver"])
        assert caregiver is not None and account.user_uid == caregiver.uid
    # A second LINE account for the same caregiver replaces the first.
    other = Chat(line_client, line)
    link(other, "caregiver", "caregiver-pass-1")
    assert _account(line_client, chat.user_id) is None
    assert _account(line_client, other.user_id) is not None
    assert other.send(other.event("unfollow")) == []


def test_the_webhook_is_off_without_lines_settings(world: World) -> None:
    response = world.client.post("/line/webhook", json={"destination": "U", "events": []})
    assert response.status_code == 404
    assert response.json()["detail"][0]["type"] == "line_not_configured"
    assert world.client.get("/line/link", params={"linkToken": "x"}).status_code == 404
