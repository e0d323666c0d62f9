"""The FastAPI application: ``create_app()`` builds it; the engine, the days in memory and the
job workers are made in its lifespan, not at import time."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI

from rehabus.dispatch.city import load_city
from rehabus.dispatch.travel import city_provider
from rehabus.service.db import make_engine, session_factory, upgrade
from rehabus.service.db.engine import hold_database
from rehabus.service.deps import AppState
from rehabus.service.errors import install_error_handlers
from rehabus.service.identity import IdentityVault
from rehabus.service.jobs import JobRunner
from rehabus.service.live_feed import LiveFeed
from rehabus.service.load_shedding import InFlightLimit
from rehabus.service.notify import Channel, LineChannel, MitakeSms, Notifier
from rehabus.service.notify.news import remind
from rehabus.service.openapi_docs import install_api_docs
from rehabus.service.routers import (
    auth,
    bookings,
    dispatch,
    driver,
    geo,
    line,
    notifications,
    places,
    planner,
    riders,
    users,
    web,
)
from rehabus.service.security_headers import SecurityHeaders
from rehabus.service.services.days import DayRegistry
from rehabus.service.services.fleet import seed_fleet
from rehabus.service.settings import ApiSettings, get_api_settings
from rehabus.service.warmup import warm_up

__all__ = ["create_app"]

DESCRIPTION = """
復康巴士預約與派車服務 · Booking and dispatch for Taiwan's rehabilitation buses.

Riders (and caregivers) book trips and get an answer at once; dispatchers re-optimize the day,
lock stops, handle breakdowns and print manifests. Sign in with `POST /v1/auth/token`, then send
`Authorization: Bearer <token>`. Every error names the field at fault in Traditional Chinese and
English.
"""


def notification_channels(settings: ApiSettings) -> dict[str, Channel]:
    """The channels riders are told on besides their page: those with an account set."""
    channels: dict[str, Channel] = {}
    if settings.line_channel_access_token:
        channels["line"] = LineChannel(settings.line_channel_access_token, settings.line_api_url)
    if settings.mitake_username and settings.mitake_password:
        channels["sms"] = MitakeSms(
            settings.mitake_username, settings.mitake_password, settings.mitake_api_url
        )
    return channels


def create_app(
    settings: ApiSettings | None = None,
    *,
    on_startup: Callable[[AppState], None] | None = None,
    report: Callable[[str], None] | None = None,
) -> FastAPI:
    """The service, configured by ``settings`` (from the environment when not given);
    ``on_startup`` runs once the service is ready (the demo seeds its data there); ``report``
    hears the steps of a slow start (the command line prints them)."""
    settings = settings or get_api_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        vault = IdentityVault.from_settings(settings)  # before anything: bad keys end the start
        upgrade(settings.database_url)
        engine = make_engine(settings.database_url)
        sessions = session_factory(engine)
        cities = {name: load_city(name) for name in settings.cities}
        with sessions() as session:
            for city in cities.values():
                seed_fleet(session, city)
            session.commit()
        providers = {name: city_provider(name) for name in cities}
        first = next(iter(cities))
        warm_up(providers[first], report, city=cities[first])
        days = DayRegistry(cities, providers)
        jobs = JobRunner(sessions, days, settings.job_workers, lease_s=settings.job_lease_s)
        feed = LiveFeed(settings.database_url)
        notifier = Notifier(
            sessions,
            notification_channels(settings),
            interval_s=settings.notify_interval_s,
            every_round=lambda session, outbox: remind(outbox, session, cities),
        )
        try:  # from here on, a failed start stops the runner (and its worker processes) too
            jobs.recover()
            feed.start()
            notifier.start()
            app.state.rehabus = AppState(
                settings, engine, sessions, cities, days, jobs, feed, notifier, vault
            )
            if on_startup is not None:
                on_startup(app.state.rehabus)
            yield
        finally:
            notifier.stop()
            feed.stop()
            jobs.shutdown()
            engine.dispose()

    @asynccontextmanager
    async def one_process_per_sqlite_file(app: FastAPI) -> AsyncIterator[None]:
        with hold_database(settings.database_url):  # DatabaseInUseError: another process has it
            async with lifespan(app):
                yield

    app = FastAPI(
        title="rehabus",
        version="0.1.0",
        description=DESCRIPTION,
        docs_url=None,  # served from the vendored files: see install_api_docs
        redoc_url=None,
        lifespan=one_process_per_sqlite_file,
    )
    install_error_handlers(app)
    app.add_middleware(InFlightLimit, max_in_flight=settings.max_in_flight)
    app.add_middleware(SecurityHeaders)
    for module in (auth, users, riders, bookings, dispatch, driver, notifications):
        app.include_router(module.router)
    app.include_router(planner.router)
    app.include_router(places.router)
    app.include_router(geo.router)
    app.include_router(line.router)
    app.include_router(web.router)
    install_api_docs(app)

    @app.get("/healthz", tags=["service"])
    def healthz() -> dict[str, str]:
        """Liveness: the process answers."""
        return {"status": "ok"}

    return app
