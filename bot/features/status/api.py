"""HTTP API for CNAP systems to push application statuses (served by `run_bot.py serve`).

    PUT /api/v1/applications/{number}   create or update (idempotent)
    GET /api/v1/applications/{number}   the application and its history
    GET /api/v1/openapi.json            this API described in OpenAPI 3.1

Authenticated with `Authorization: Bearer <token>`; tokens come from
`run_bot.py status token create NAME` and only their hashes are stored.
Every error is JSON: {"error": {"code": ..., "message": ...}} — 400, 401, 404, 405, 413, 415, 422, a
503 when the database cannot take the request now (try again later), and a 500 for a bug (logged
without the request's data). GET and PUT accept the same numbers: 1–64 characters, no control,
formatting (bidi, zero-width) or unpaired surrogate characters; no field may hold one either.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import unicodedata
from typing import Annotated, Any

from aiohttp import web
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy.exc import DBAPIError

from bot.core.services import Services
from bot.features.status import store as apps
from bot.features.status.statuses import parse_status
from storage.db import Database, unavailable
from storage.types import utcnow

PREFIX = "/api/v1"
MAX_BODY = 16 * 1024
MAX_NUMBER = 64
TOUCH_EVERY = dt.timedelta(minutes=5)  # how often a token's last_used_at is written (reading needs no write)
log = logging.getLogger(__name__)


def _not_text(value: str, allowed: str = "") -> str | None:
    """The first character that is not plain text (control, formatting, unpaired surrogate…), or None."""
    for ch in value:
        if ch not in allowed and unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn"):
            return f"U+{ord(ch):04X}"
    return None


def _plain(allowed: str = ""):
    def check(value: str) -> str:
        bad = _not_text(value, allowed)
        if bad:
            raise ValueError(f"contains a character that is not text ({bad})")
        return value

    return AfterValidator(check)


Plain = Annotated[str, _plain()]
Note = Annotated[str, _plain("\n\r\t")]


def number_problem(number: str) -> str | None:
    """Why this is not an application number the API accepts (the same for GET and PUT), or None."""
    if len(number) > MAX_NUMBER or not apps.normalize_number(number):
        return f"number: an application number of 1–{MAX_NUMBER} characters is required"
    bad = _not_text(number)
    if bad:
        return f"number: contains a character that is not text ({bad})"
    return None


class _Deps:
    """What the handlers need: the database and the shared services."""

    def __init__(self, services: Services, db: Database):
        self.services, self.db = services, db
        self.kb, self.settings = services.kb, services.settings


DEPS_KEY: web.AppKey[_Deps] = web.AppKey("status_api", _Deps)


class ApplicationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: Plain = Field(description="received | in_progress | needs_documents | ready | issued | refused")
    note: Note = Field("", max_length=1000, description="shown to the citizen: what is missing, the reason for a refusal…")
    expected_date: dt.date | None = None
    service_id: Plain | None = Field(None, max_length=64, description="an id from the bot's knowledge base")
    office_id: Plain | None = Field(None, max_length=64)
    secret: Plain | None = Field(None, min_length=4, max_length=32,
                                 description="what the citizen types to prove it is theirs (stored hashed only)")
    allow_backward: bool = Field(False, description="move an issued or refused application to another status "
                                                    "(otherwise such an update is refused with 409)")


def error(status: int, code: str, message: str) -> web.Response:
    return web.json_response({"error": {"code": code, "message": message}}, status=status)


@web.middleware
async def json_errors(request: web.Request, handler):
    if not request.path.startswith(PREFIX):
        return await handler(request)
    try:
        request.app[DEPS_KEY].db.guard()
        try:
            return await handler(request)
        except DBAPIError as exc:
            if not exc.connection_invalidated:
                raise
            return await handler(request)  # a pooled connection had died (a database restart): once more
    except web.HTTPRequestEntityTooLarge:
        return error(413, "too_large", f"the request body is larger than {MAX_BODY} bytes")
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        return error(exc.status, exc.reason.lower().replace(" ", "_"), exc.reason)
    except Exception as exc:
        if unavailable(exc):
            log.error("%s %s: the database cannot take it now (%s)", request.method, PREFIX,
                      type(getattr(exc, "orig", exc)).__name__)
            return error(503, "unavailable", "the database cannot take this request now; try again later")
        log.error("%s %s failed: %s", request.method, PREFIX, type(exc).__name__, exc_info=exc)
        return error(500, "internal", "the request failed on our side; it was logged")


async def _authorised(request: web.Request) -> str | None:
    """The token's name, or None. Reading needs no write: last_used_at is refreshed now and then, and
    a database that cannot take that write (read-only, full) still answers GETs."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip() or _not_text(token):
        return None
    core = request.app[DEPS_KEY]
    async with core.db.sessions() as session:
        tok = await apps.find_token(session, token.strip())
        if tok is None:
            return None
        name, stale = tok.name, tok.last_used_at is None or utcnow() - tok.last_used_at > TOUCH_EVERY
    if stale:
        with contextlib.suppress(Exception):
            async with core.db.sessions() as session, session.begin():
                await apps.check_token(session, token.strip())
    return name


def _app_json(app, events) -> dict[str, Any]:
    return {
        "number": app.number,
        "status": app.status,
        "note": app.note,
        "expected_date": app.expected_date.isoformat() if app.expected_date else None,
        "service_id": app.service_id,
        "office_id": app.office_id,
        "updated_at": app.updated_at.isoformat(),
        "history": [
            {"status": e.status, "note": e.note, "changed_at": e.changed_at.isoformat(), "source": e.source,
             "expected_date": e.expected_date.isoformat() if e.expected_date else None}
            for e in events
        ],
    }


async def put_application(request: web.Request) -> web.Response:
    system = await _authorised(request)
    if system is None:
        return error(401, "unauthorized", "send 'Authorization: Bearer <token>' with a valid, unrevoked API token")
    if request.content_type != "application/json":
        return error(415, "unsupported_media_type", "send the body as application/json")
    if request.content_length is not None and request.content_length > MAX_BODY:
        return error(413, "too_large", f"the request body is larger than {MAX_BODY} bytes")
    raw = await request.read()
    if len(raw) > MAX_BODY:
        return error(413, "too_large", f"the request body is larger than {MAX_BODY} bytes")
    try:
        body = json.loads(raw)
    except ValueError as exc:
        return error(400, "malformed_json", f"the body is not valid JSON: {exc}")
    except RecursionError:
        return error(400, "malformed_json", "the body is nested too deeply")
    try:
        data = ApplicationIn.model_validate(body)
    except ValidationError as exc:
        details = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'body'}: {e['msg']}" for e in exc.errors())
        return error(422, "invalid", details)
    status = parse_status(data.status)
    if status is None:
        return error(422, "invalid", f"status: unknown status {data.status!r}; use one of {', '.join(apps.STATUSES)}")
    number = request.match_info["number"]
    if problem := number_problem(number):
        return error(422, "invalid", problem)
    core = request.app[DEPS_KEY]
    kb = core.kb
    if data.service_id and kb is not None and data.service_id not in kb.services:
        return error(422, "invalid", f"service_id: unknown service {data.service_id!r}")
    if data.office_id and kb is not None and data.office_id not in kb.offices:
        return error(422, "invalid", f"office_id: unknown office {data.office_id!r}")
    update = apps.ApplicationUpdate(number=number, status=status, note=data.note, expected_date=data.expected_date,
                                    service_id=data.service_id, office_id=data.office_id, secret=data.secret)
    async with core.db.sessions() as session, session.begin():
        try:
            change = await apps.upsert(session, update, f"api:{system}", core.settings.secret_key_bytes(),
                                       allow_backward=data.allow_backward)
        except apps.BackwardMove as exc:
            return error(409, "backward_move", str(exc))
        events = await apps.history(session, change.application.id)
        payload = {"result": change.result, "notified": change.notified, "application": _app_json(change.application, events)}
    return web.json_response(payload, status=201 if change.result == "added" else 200)


async def get_application(request: web.Request) -> web.Response:
    if await _authorised(request) is None:
        return error(401, "unauthorized", "send 'Authorization: Bearer <token>' with a valid, unrevoked API token")
    number = request.match_info["number"]
    if problem := number_problem(number):
        return error(422, "invalid", problem)
    core = request.app[DEPS_KEY]
    async with core.db.sessions() as session:
        app = await apps.find(session, number)
        if app is None:
            return error(404, "not_found", "no application with this number")
        return web.json_response(_app_json(app, await apps.history(session, app.id)))


async def openapi(_request: web.Request) -> web.Response:
    return web.json_response(openapi_document())


def openapi_document() -> dict[str, Any]:
    err = {"$ref": "#/components/schemas/Error"}
    errors = {code: {"description": text, "content": {"application/json": {"schema": err}}}
              for code, text in {"400": "malformed JSON", "401": "missing or invalid token", "413": "body too large",
                                 "409": "the application is closed (issued or refused) and the update would move it "
                                        "to another status; send allow_backward: true to do it anyway",
                                 "415": "not JSON", "422": "invalid fields or number", "500": "a bug (logged)",
                                 "503": "the database cannot take it now: try again later"}.items()}
    app_schema = {
        "type": "object",
        "properties": {
            "number": {"type": "string"}, "status": {"type": "string", "enum": list(apps.STATUSES)},
            "note": {"type": "string"}, "expected_date": {"type": ["string", "null"], "format": "date"},
            "service_id": {"type": ["string", "null"]}, "office_id": {"type": ["string", "null"]},
            "updated_at": {"type": "string", "format": "date-time"},
            "history": {"type": "array", "items": {"type": "object"}},
        },
    }
    number_param = {"name": "number", "in": "path", "required": True,
                    "schema": {"type": "string", "minLength": 1, "maxLength": MAX_NUMBER},
                    "description": "as printed on the receipt; spaces, dashes and look-alike Latin/Cyrillic letters are ignored"}
    return {
        "openapi": "3.1.0",
        "info": {"title": "Hromada Bot — application status API", "version": "1"},
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "ApplicationIn": ApplicationIn.model_json_schema(),
                "Application": app_schema,
                "Error": {"type": "object", "properties": {"error": {"type": "object", "properties": {
                    "code": {"type": "string"}, "message": {"type": "string"}}}}},
            },
        },
        "security": [{"bearer": []}],
        "paths": {
            f"{PREFIX}/applications/{{number}}": {
                "put": {
                    "summary": "Create or update an application (idempotent); a status change notifies followers",
                    "parameters": [number_param],
                    "requestBody": {"required": True, "content": {"application/json": {
                        "schema": {"$ref": "#/components/schemas/ApplicationIn"}}}},
                    "responses": {
                        "200": {"description": "changed or unchanged"},
                        "201": {"description": "added"},
                        **errors,
                    },
                },
                "get": {
                    "summary": "An application with its status history",
                    "parameters": [number_param],
                    "responses": {"200": {"description": "found", "content": {"application/json": {
                        "schema": {"$ref": "#/components/schemas/Application"}}}},
                        "404": {"description": "not found", "content": {"application/json": {"schema": err}}},
                        **{code: errors[code] for code in ("401", "422", "500", "503")}},
                },
            },
        },
    }


def mount_status_api(app: web.Application, services: Services, db: Database) -> None:
    app[DEPS_KEY] = _Deps(services, db)
    app.middlewares.append(json_errors)
    app.router.add_get(f"{PREFIX}/openapi.json", openapi)
    app.router.add_put(f"{PREFIX}/applications/{{number}}", put_application)
    app.router.add_get(f"{PREFIX}/applications/{{number}}", get_application)
