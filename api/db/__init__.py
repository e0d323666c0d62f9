"""The database: tables, engine and sessions, migrations."""

from api.db.engine import make_engine, session_factory
from api.db.migrate import upgrade

__all__ = ["make_engine", "session_factory", "upgrade"]
