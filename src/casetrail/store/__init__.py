"""Storage: the only place with SQL and file IO for records. SQLite now, PostgreSQL later."""

from casetrail.store.home import Home
from casetrail.store.objects import ObjectStore
from casetrail.store.sqlite import SqliteStore

__all__ = ["Home", "ObjectStore", "SqliteStore"]
