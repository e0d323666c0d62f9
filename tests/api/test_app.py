"""The app as a whole: its lifespan (migrations, fleet), its schema, its routes."""

from __future__ import annotations

from _api import World
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import func, select, text

from rehabus.service.db.migrate import alembic_config
from rehabus.service.db.models import Base, Vehicle


def test_health_answers(world: World) -> None:
    assert world.client.get("/healthz").json() == {"status": "ok"}


def test_startup_migrates_and_seeds_the_fleet(world: World) -> None:
    state = world.app.state.rehabus
    with state.sessions() as session:
        revision = session.execute(text("SELECT version_num FROM alembic_version")).scalar()
        vehicles = session.scalar(select(func.count()).select_from(Vehicle))
    head = ScriptDirectory.from_config(alembic_config(world.database_url)).get_current_head()
    assert revision == head
    assert vehicles == 156  # Tainan's depots: 48 + 108


def test_the_migrations_make_the_schema_the_models_describe(world: World) -> None:
    with world.app.state.rehabus.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []


def test_openapi_schema_lists_every_route(world: World) -> None:
    schema = world.client.get("/openapi.json").json()
    assert "/v1/bookings" in schema["paths"]
    assert "Idempotency-Key" in str(schema["paths"]["/v1/bookings"]["post"]["parameters"])
