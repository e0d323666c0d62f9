"""The Messaging API calls the conversation makes, with `LineChannel`'s habits
(`rehabus.service.notify.channels`): the channel access token as a bearer token, JSON bodies,
`TransientSendError` for what may work later (the network, 429, LINE's 5xx) and
`UndeliverableError` for what never will (a used reply token, a bad request, a bad token).

- reply: ``POST /v2/bot/message/reply`` ``{"replyToken", "messages"}``, once per reply token;
- push: ``POST /v2/bot/message/push`` ``{"to", "messages"}`` with ``X-Line-Retry-Key``;
- link token: ``POST /v2/bot/user/{userId}/linkToken``, answered ``{"linkToken": ...}``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from types import TracebackType

import httpx

from rehabus.service.line._messages import MAX_MESSAGES, LineMessage
from rehabus.service.notify.channels import TransientSendError, UndeliverableError

__all__ = ["LineApi"]

_USER_ID = re.compile(r"^U[0-9a-f]{32}$")


class LineApi:
    """One LINE Official Account's channel, for replies, pushes and account linking."""

    def __init__(
        self, access_token: str, base_url: str = "https://api.line.me", timeout_s: float = 10.0
    ) -> None:
        self._base = base_url.rstrip("/")
        self._client = httpx.Client(
            timeout=timeout_s, headers={"Authorization": f"Bearer {access_token}"}
        )

    def __enter__(self) -> LineApi:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    def _post(
        self, path: str, body: dict[str, object] | None, headers: dict[str, str] | None = None
    ) -> httpx.Response:
        try:
            answer = self._client.post(self._base + path, json=body, headers=headers)
        except httpx.HTTPError as exc:  # connection refused, timeouts: maybe later
            raise TransientSendError(f"{type(exc).__name__}: {exc}") from exc
        if answer.status_code == 200:
            return answer
        if answer.status_code == 429 or answer.status_code >= 500:
            raise TransientSendError(f"LINE {answer.status_code}: {answer.text[:200]}")
        raise UndeliverableError(f"LINE {answer.status_code}: {answer.text[:200]}")

    @staticmethod
    def _check(messages: Sequence[LineMessage]) -> list[LineMessage]:
        if not 1 <= len(messages) <= MAX_MESSAGES:
            raise ValueError(f"{len(messages)} messages (1 to {MAX_MESSAGES} at once)")
        return list(messages)

    def reply(self, reply_token: str, messages: Sequence[LineMessage]) -> None:
        """Answer an event (a reply token answers once, within a minute or so)."""
        self._post(
            "/v2/bot/message/reply",
            {"replyToken": reply_token, "messages": self._check(messages)},
        )

    def push(self, to: str, messages: Sequence[LineMessage], retry_key: str) -> str:
        """Send to a user unasked; LINE takes a ``retry_key`` (a UUID) once. Its request id."""
        answer = self._post(
            "/v2/bot/message/push",
            {"to": to, "messages": self._check(messages)},
            {"X-Line-Retry-Key": retry_key},
        )
        return answer.headers.get("x-line-request-id", "")

    def link_token(self, user_id: str) -> str:
        """A link token for ``user_id`` (valid 10 minutes, usable once)."""
        if not _USER_ID.match(user_id):
            raise ValueError(f"not a LINE user id: {user_id!r}")
        answer = self._post(f"/v2/bot/user/{user_id}/linkToken", None)
        try:
            token = answer.json()["linkToken"]
        except (ValueError, KeyError, TypeError) as exc:
            raise TransientSendError(f"LINE answered no link token: {answer.text[:200]}") from exc
        if not isinstance(token, str) or not token:
            raise TransientSendError(f"LINE answered no link token: {answer.text[:200]}")
        return token
