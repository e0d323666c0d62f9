"""The database: tables, engine and sessions, migrations."""

from rehabus.service.db.engine import make_engine, session_factory
from rehabus.service.db.migrate import upgrade

__all__ = ["make_engine", "session_factory", "upgrade"]
