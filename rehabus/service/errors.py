"""Errors as the service answers them: a status, a code, and a message in Traditional Chinese
and in English that names the field at fault. Nothing is answered with a bare 500.

Every error body has the same shape::

    {"detail": [{"loc": ["body", "pickup", "lat"], "field": "pickup.lat", "type": "...",
                 "message_zh": "...", "message_en": "..."}]}
"""

from __future__ import annotations

import logging
import sqlite3
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from pydantic_core import PydanticCustomError
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as DatabaseWaitTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from rehabus.dispatch.errors import InputError, RoutingError

__all__ = ["ApiError", "ErrorBody", "ErrorItem", "bilingual", "install_error_handlers"]

log = logging.getLogger("rehabus.api")


class ErrorItem(BaseModel):
    """One thing wrong with a request, in Traditional Chinese and in English."""

    loc: list[str | int] = Field(
        description="where: `body`, `path`, `query` or `header`, then the path to the field "
        "(list positions as integers); empty when no field is at fault",
        examples=[["body", "pickup", "lat"]],
    )
    field: str = Field(
        description="the field at fault, dotted; empty when no field is at fault",
        examples=["pickup.lat"],
    )
    type: str = Field(
        description="a stable code to branch on (`not_found`, `forbidden`, `missing`, ...)",
        examples=["outside_service_area"],
    )
    message_zh: str = Field(examples=["pickup 不在臺南市的服務範圍內"])
    message_en: str = Field(examples=["pickup is outside the service area of Tainan City"])


class ErrorBody(BaseModel):
    """Every error the service answers, whatever its status: one item or more."""

    detail: list[ErrorItem] = Field(min_length=1)


class ApiError(Exception):
    """An answer other than success, with its messages in both languages."""

    def __init__(
        self,
        status: int,
        code: str,
        message_zh: str,
        message_en: str,
        field: str = "",
        headers: dict[str, str] | None = None,
        where: str = "body",
    ) -> None:
        super().__init__(message_en)
        self.status = status
        self.code = code
        self.message_zh = message_zh
        self.message_en = message_en
        self.field = field
        self.headers = headers
        self.where = where
        """Where the field is: ``body``, ``path``, ``query`` or ``header``."""

    def body(self) -> dict[str, Any]:
        loc = [self.where, *self.field.split(".")] if self.field else []
        return {
            "detail": [
                {
                    "loc": loc,
                    "field": self.field,
                    "type": self.code,
                    "message_zh": self.message_zh,
                    "message_en": self.message_en,
                }
            ]
        }


def not_found(what_zh: str, what_en: str) -> ApiError:
    return ApiError(404, "not_found", f"找不到{what_zh}", f"{what_en} not found")


DATABASE_RETRY_AFTER_S = 5
"""Retry-After of a 503 ``database_unavailable``: a database restart takes a few seconds."""
OVERLOADED_RETRY_AFTER_S = 2
"""Retry-After of a 503 ``overloaded``."""


def overloaded() -> ApiError:
    """503: more requests than the service can take now (see `rehabus.service.load_shedding`), or
    one
    waited too long for the database behind the others."""
    return ApiError(
        503,
        "overloaded",
        f"系統忙碌中，請於 {OVERLOADED_RETRY_AFTER_S} 秒後再試",
        f"the service is busy; try again in {OVERLOADED_RETRY_AFTER_S} seconds",
        headers={"Retry-After": str(OVERLOADED_RETRY_AFTER_S)},
    )


def database_unavailable() -> ApiError:
    """503: the database cannot be reached (restarting, refusing connections, locked)."""
    return ApiError(
        503,
        "database_unavailable",
        f"資料庫暫時無法使用，請於 {DATABASE_RETRY_AFTER_S} 秒後再試",
        f"the database is unavailable for now; try again in {DATABASE_RETRY_AFTER_S} seconds",
        headers={"Retry-After": str(DATABASE_RETRY_AFTER_S)},
    )


_SQLITE_UNAVAILABLE = ("database is locked", "database table is locked", "unable to open")


def is_database_unavailable(exc: DBAPIError) -> bool:
    """Whether ``exc`` says the database cannot be reached now (a retry later may succeed),
    rather than that a statement is wrong: a lost or refused connection, an interface error,
    PostgreSQL's operational errors (shutdown, refused, cancelled), SQLite's busy lock."""
    if exc.connection_invalidated or isinstance(exc, InterfaceError):
        return True
    if not isinstance(exc, OperationalError):
        return False
    if isinstance(exc.orig, sqlite3.Error):  # SQLite's also cover bad SQL: only a busy lock
        return any(reason in str(exc.orig) for reason in _SQLITE_UNAVAILABLE)
    return True


def bilingual(zh: str, en: str) -> PydanticCustomError:
    """A validation error for a pydantic validator, carrying both languages."""
    return PydanticCustomError("value_error", en, {"zh": zh, "en": en})


_ZH_BY_TYPE: dict[str, str] = {
    "missing": "此欄位為必填",
    "int_parsing": "必須是整數",
    "int_type": "必須是整數",
    "int_from_float": "必須是整數",
    "int_parsing_size": "整數超出範圍",
    "float_parsing": "必須是數字",
    "float_type": "必須是數字",
    "finite_number": "必須是有限的數字",
    "bool_parsing": "必須是 true 或 false",
    "bool_type": "必須是 true 或 false",
    "string_type": "必須是文字",
    "string_unicode": "必須是有效的 Unicode 文字",
    "string_too_short": "文字長度至少 {min_length} 個字元",
    "string_too_long": "文字長度不可超過 {max_length} 個字元",
    "string_pattern_mismatch": "格式不正確",
    "greater_than": "必須大於 {gt}",
    "greater_than_equal": "必須大於或等於 {ge}",
    "less_than": "必須小於 {lt}",
    "less_than_equal": "必須小於或等於 {le}",
    "enum": "必須是下列之一：{expected}",
    "literal_error": "必須是下列之一：{expected}",
    "date_parsing": "必須是日期（YYYY-MM-DD）",
    "date_from_datetime_parsing": "必須是日期（YYYY-MM-DD）",
    "date_type": "必須是日期（YYYY-MM-DD）",
    "date_from_datetime_inexact": "必須是日期（YYYY-MM-DD），不含時間",
    "datetime_parsing": "必須是日期時間（ISO 8601，例如 2026-12-01T08:30:00+08:00）",
    "datetime_from_date_parsing": "必須是日期時間（ISO 8601，例如 2026-12-01T08:30:00+08:00）",
    "datetime_type": "必須是日期時間（ISO 8601）",
    "time_parsing": "必須是時間（HH:MM）",
    "json_invalid": "JSON 格式錯誤",
    "json_type": "必須是 JSON",
    "model_type": "必須是 JSON 物件",
    "model_attributes_type": "必須是 JSON 物件",
    "dict_type": "必須是 JSON 物件",
    "list_type": "必須是陣列",
    "too_short": "項目太少（至少 {min_length} 項）",
    "too_long": "項目太多（最多 {max_length} 項）",
    "extra_forbidden": "不接受此欄位",
    "uuid_parsing": "必須是 UUID",
    "uuid_type": "必須是 UUID",
    "set_type": "必須是陣列",
    "union_tag_invalid": "類型不正確",
    "value_error": "輸入值不正確",
}


def _zh_message(error: dict[str, Any]) -> str:
    ctx = error.get("ctx") or {}
    if "zh" in ctx:
        return str(ctx["zh"])
    template = _ZH_BY_TYPE.get(error.get("type", ""), "輸入值不正確")
    try:
        return template.format(**{k: v for k, v in ctx.items() if isinstance(k, str)})
    except (KeyError, IndexError, ValueError):
        return template


def _field(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = list(loc)
    if parts and parts[0] in ("body", "query", "path", "header"):
        parts = parts[1:]
    return ".".join(str(p) for p in parts)


def _validation_body(errors: list[Any]) -> dict[str, Any]:
    detail = []
    for error in errors:
        loc = list(error.get("loc", ()))
        ctx = error.get("ctx") or {}
        message_en = str(ctx.get("en") or error.get("msg", "invalid value"))
        detail.append(
            {
                "loc": [str(x) if not isinstance(x, int) else x for x in loc],
                "field": _field(loc),
                "type": error.get("type", "value_error"),
                "message_zh": _zh_message(error),
                "message_en": message_en,
            }
        )
    return {"detail": detail}


def install_error_handlers(app: FastAPI) -> None:
    """Answer every error in the one bilingual shape."""

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse(_validation_body(list(exc.errors())), status_code=422)

    @app.exception_handler(ApiError)
    async def _api_error(_: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse(exc.body(), status_code=exc.status, headers=exc.headers)

    @app.exception_handler(InputError)
    async def _input_error(_: Request, exc: InputError) -> JSONResponse:
        body = ApiError(422, "invalid_input", f"輸入值不正確：{exc}", str(exc)).body()
        return JSONResponse(body, status_code=422)

    @app.exception_handler(RoutingError)
    async def _routing_error(_: Request, exc: RoutingError) -> JSONResponse:
        body = ApiError(
            422, "no_route", f"無法規劃路線：{exc}", f"cannot route this trip: {exc}"
        ).body()
        return JSONResponse(body, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        zh = {
            401: "請先登入",
            403: "沒有權限",
            404: "找不到資源",
            405: "不支援此方法",
            409: "與目前狀態衝突",
        }.get(exc.status_code, "請求無法處理")
        body = ApiError(exc.status_code, "http_error", zh, str(exc.detail)).body()
        return JSONResponse(body, status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(Exception)
    async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
        # No request data in the log: it may hold riders' personal data.
        log.error("unexpected %s", type(exc).__name__, exc_info=exc)
        body = ApiError(
            500, "internal_error", "系統發生錯誤，請稍後再試", "internal error; try again later"
        ).body()
        return JSONResponse(body, status_code=500)

    @app.exception_handler(DBAPIError)
    async def _database(request: Request, exc: DBAPIError) -> JSONResponse:
        if not is_database_unavailable(exc):
            return await _unexpected(request, exc)
        log.warning("database unavailable: %s", type(exc.orig).__name__)
        error = database_unavailable()
        return JSONResponse(error.body(), status_code=error.status, headers=error.headers)

    @app.exception_handler(DatabaseWaitTimeout)
    async def _database_wait(_: Request, exc: DatabaseWaitTimeout) -> JSONResponse:
        # A turn at SQLite or a pooled connection did not come in time: too much queued.
        log.warning("database wait timed out: %s", type(exc).__name__)
        error = overloaded()
        return JSONResponse(error.body(), status_code=error.status, headers=error.headers)
