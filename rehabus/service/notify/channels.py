"""The channels a rider is told on, each behind one method: ``send(to, text, key)``.

- `LineChannel`: the LINE Messaging API's push message (``POST /v2/bot/message/push`` with the
  channel access token as a bearer token; a text message to a user id). Every request carries
  ``X-Line-Retry-Key``: once LINE has accepted a key, a retry with it is answered 409 and not
  sent again (developers.line.biz, "Retry failed API requests"), which this counts as sent.
- `MitakeSms`: the SMS gateway of Mitake (三竹資訊), widely used in Taiwan: ``POST
  /api/mtk/SmSend?CharsetURL=UTF-8`` with the account, the number and the text as a form; the
  answer is ``key=value`` lines (``statuscode`` 0, 1, 2 or 4: taken; a letter or ``*``: an
  error). Every request carries ``clientid``: the gateway sends a client id once and answers a
  repeat with the first answer and ``Duplicate=Y`` (kept 12 hours).

A channel raises `TransientSendError` when the message may go through later (the network, the
provider's 5xx, 429) and `UndeliverableError` when it never will (a bad number, a blocked
account, a bad token); the outbox (`rehabus.service.notify.outbox`) retries the first with the
same key.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import httpx

__all__ = [
    "Channel",
    "LineChannel",
    "MitakeSms",
    "Sent",
    "TransientSendError",
    "UndeliverableError",
]


class TransientSendError(Exception):
    """Not delivered now; the same message may be sent again later with the same key."""


class UndeliverableError(Exception):
    """Never deliverable as it is: not to be retried."""


@dataclass(frozen=True)
class Sent:
    """The provider took the message: its id for it."""

    provider_id: str


class Channel(Protocol):
    name: str

    def send(self, to: str, text: str, key: str) -> Sent: ...


def _post(client: httpx.Client, url: str, **kwargs: object) -> httpx.Response:
    try:
        return client.post(url, **kwargs)  # type: ignore[arg-type]
    except httpx.HTTPError as exc:  # connection refused, timeouts: maybe later
        raise TransientSendError(f"{type(exc).__name__}: {exc}") from exc


class LineChannel:
    """Push text messages to LINE users through a LINE Official Account's channel."""

    name = "line"
    MAX_TEXT = 5000
    """LINE's limit on one text message's length."""

    def __init__(
        self, access_token: str, base_url: str = "https://api.line.me", timeout_s: float = 10.0
    ) -> None:
        self._token = access_token
        self._url = base_url.rstrip("/") + "/v2/bot/message/push"
        self._client = httpx.Client(timeout=timeout_s)

    def send(self, to: str, text: str, key: str) -> Sent:
        answer = _post(
            self._client,
            self._url,
            headers={
                "Authorization": f"Bearer {self._token}",
                "Content-Type": "application/json",
                "X-Line-Retry-Key": key,
            },
            json={"to": to, "messages": [{"type": "text", "text": text[: self.MAX_TEXT]}]},
        )
        if answer.status_code == 200:
            return Sent(answer.headers.get("x-line-request-id", ""))
        if answer.status_code == 409 and "x-line-accepted-request-id" in answer.headers:
            # Taken before under this retry key (its answer was lost): sent, once.
            return Sent(answer.headers["x-line-accepted-request-id"])
        if answer.status_code == 429 or answer.status_code >= 500:
            raise TransientSendError(f"LINE {answer.status_code}: {answer.text[:200]}")
        raise UndeliverableError(f"LINE {answer.status_code}: {answer.text[:200]}")


TAKEN = frozenset({"0", "1", "2", "4"})
"""Mitake status codes of a message taken: scheduled, sent to the carrier, delivered."""


def _fields(body: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in body.splitlines():
        name, sep, value = line.partition("=")
        if sep:
            out[name.strip()] = value.strip()
    return out


class MitakeSms:
    """Send SMS through Mitake's HTTP API."""

    name = "sms"

    def __init__(
        self,
        username: str,
        password: str,
        base_url: str = "https://smsapi.mitake.com.tw",
        timeout_s: float = 10.0,
    ) -> None:
        self._account = {"username": username, "password": password}
        self._url = base_url.rstrip("/") + "/api/mtk/SmSend"
        self._client = httpx.Client(timeout=timeout_s)

    def send(self, to: str, text: str, key: str) -> Sent:
        answer = _post(
            self._client,
            self._url,
            params={"CharsetURL": "UTF-8"},
            data={**self._account, "dstaddr": to, "smbody": text, "clientid": key},
        )
        if answer.status_code == 429 or answer.status_code >= 500:
            raise TransientSendError(f"SMS gateway {answer.status_code}")
        if answer.status_code != 200:
            raise UndeliverableError(f"SMS gateway {answer.status_code}: {answer.text[:200]}")
        fields = _fields(answer.text)
        if fields.get("statuscode") in TAKEN:
            return Sent(fields.get("msgid", ""))
        # "*" is the gateway's own failure; letters are errors of the request or the account.
        if fields.get("statuscode") == "*":
            raise TransientSendError(f"SMS gateway error: {answer.text[:200]}")
        raise UndeliverableError(f"SMS gateway refused it: {answer.text[:200]}")
