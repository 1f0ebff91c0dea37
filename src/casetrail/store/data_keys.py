"""Each original's data key, wrapped by the store's key-encryption key (issue 12, migration 0009),
and the object file name it is kept under. Sealing destroys the key: crypto-shredding."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from casetrail.store.database import Database, Statements, as_list

DataKeyRow = tuple[str, str, bytes]  # (object name, KEK id, wrapped key)

STATEMENTS = Statements(
    {
        "get": "SELECT name, kek_id, wrapped FROM data_keys WHERE sha256 = ?",
        "get_many": "SELECT sha256, name, kek_id, wrapped FROM data_keys WHERE sha256 IN (SELECT value FROM json_each(?))",
        "add": "INSERT OR IGNORE INTO data_keys (sha256, name, kek_id, wrapped) VALUES (?, ?, ?, ?)",
        # With secure_delete on (SQLite), the wrapped key is zeroed in the page, not just freed.
        "destroy": "DELETE FROM data_keys WHERE sha256 = ?",
        "all": "SELECT sha256, kek_id, wrapped FROM data_keys ORDER BY sha256",
        "rewrap": "UPDATE data_keys SET kek_id = ?, wrapped = ? WHERE sha256 = ?",
        "names": "SELECT name, sha256 FROM data_keys",
    },
    postgres={
        "get_many": "SELECT sha256, name, kek_id, wrapped FROM data_keys WHERE sha256 = ANY(%s)",
        "add": ("INSERT INTO data_keys (sha256, name, kek_id, wrapped) VALUES (%s, %s, %s, %s) ON CONFLICT DO NOTHING"),
    },
)


class DataKeys:
    def __init__(self, db: Database, write_alone: Callable[[str, Sequence[Sequence[Any]], str], None]) -> None:
        """`write_alone(sql, rows, doing)`: one statement for many rows outside any batch, in one
        commit, as cheaply as the engine allows."""
        self.db = db
        self.sql = STATEMENTS(db.dialect)
        self._write_alone = write_alone

    def data_key(self, sha256: str) -> DataKeyRow | None:
        """(object name, KEK id, wrapped key) of one original's data key; None once sealed."""
        row = self.db.run(self.sql["get"], (sha256,)).fetchone()
        return (str(row[0]), str(row[1]), bytes(row[2])) if row else None

    def data_keys(self, shas: Iterable[str]) -> dict[str, DataKeyRow]:
        """SHA-256 -> (object name, KEK id, wrapped key) of those held, in one statement."""
        found = self.db.run(self.sql["get_many"], (as_list(shas, self.db.dialect),))
        return {str(sha): (str(name), str(kek), bytes(wrapped)) for sha, name, kek, wrapped in found}

    def add_data_keys(self, rows: Sequence[tuple[str, str, str, bytes]]) -> None:
        """(sha256, object name, KEK id, wrapped key) rows. Of two writers racing with the same bytes
        the first key stands, and both use it. Usually one small commit of its own, before the
        objects are written (outside the batch's transaction)."""
        if rows:
            self._write_alone(self.sql["add"], rows, "storing documents' data keys")

    def destroy_data_key(self, sha256: str) -> None:
        self.db.run(self.sql["destroy"], (sha256,))

    def iter_data_keys(self) -> list[tuple[str, str, bytes]]:
        """(sha256, KEK id, wrapped key) of every data key: a rotation re-wraps them."""
        return [(str(sha), str(kek), bytes(wrapped)) for sha, kek, wrapped in self.db.run(self.sql["all"]).fetchall()]

    def rewrap_data_key(self, sha256: str, kek_id: str, wrapped: bytes) -> None:
        self.db.run(self.sql["rewrap"], (kek_id, wrapped, sha256))

    def object_names(self) -> dict[str, str]:
        """Object file name -> the SHA-256 of its content, for every data key held."""
        return {str(name): str(sha) for name, sha in self.db.run(self.sql["names"])}
