"""A casetrail home directory: the database, the object store, the log's keys and settings.

    HOME/
      casetrail.db        SQLite (WAL)
      objects/            original bytes by SHA-256
      keys/log.key        Ed25519 signer key (C2SP note format), mode 0600
      keys/log.vkey       the matching verifier key
      config.json         origin and intake limits
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from casetrail.errors import StoreError
from casetrail.store.objects import ObjectStore
from casetrail.store.sqlite import SqliteStore


@dataclass
class Home:
    root: Path

    @property
    def db_path(self) -> Path:
        return self.root / "casetrail.db"

    @property
    def signer_path(self) -> Path:
        return self.root / "keys" / "log.key"

    @property
    def verifier_path(self) -> Path:
        return self.root / "keys" / "log.vkey"

    @property
    def config_path(self) -> Path:
        return self.root / "config.json"

    def exists(self) -> bool:
        return self.db_path.exists() and self.signer_path.exists()

    def require(self) -> None:
        if not self.exists():
            raise StoreError(f"{self.root}: no casetrail store here; run `casetrail --home {self.root} init` first")

    def create(self, config: dict[str, Any], signer_key: str, verifier_key: str) -> None:
        if self.exists():
            raise StoreError(f"{self.root}: a casetrail store already exists here")
        (self.root / "keys").mkdir(parents=True, exist_ok=True)
        (self.root / "objects").mkdir(exist_ok=True)
        fd = os.open(self.signer_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(signer_key + "\n")
        self.verifier_path.write_text(verifier_key + "\n")
        self.config_path.write_text(json.dumps(config, indent=2) + "\n")
        SqliteStore(self.db_path).close()

    def config(self) -> dict[str, Any]:
        return json.loads(self.config_path.read_text())

    def signer_key(self) -> str:
        return self.signer_path.read_text().strip()

    def verifier_key(self) -> str:
        return self.verifier_path.read_text().strip()

    def open_store(self) -> SqliteStore:
        self.require()
        return SqliteStore(self.db_path)

    def objects(self) -> ObjectStore:
        return ObjectStore(self.root / "objects")
