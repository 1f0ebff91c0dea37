"""The SQL for local accounts and sessions (tables `users` and `sessions`, migrations 0004 and 0007).

Built on the store by the caller: `AccountStore(store)`, over either engine's store (a `Database`,
store/database.py: SqliteStore, or PostgresStore). Outside a transaction each statement here
commits by itself, and inside `store.transaction()` it joins the open transaction. Every write
that must not race (the failed-login counter, a TOTP step) is therefore a single statement.

Rules (password strength, lockout, expiry) live in `casetrail.accounts`; this module only reads
and writes rows. Times are the caller's fixed-width UTC strings ('YYYY-MM-DDTHH:MM:SSZ').
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from casetrail.store.database import Database, Statements

USER_COLUMNS = (
    "id, username, password_hash, roles, staff_id, totp_secret, created_at, disabled, failed_logins, locked_until"
)
SESSION_COLUMNS = "token_hash, user_id, csrf_token, created_at, expires_at, second_factor_done"

# Both engines read these the same way: ON CONFLICT and CASE are common ground (SQLite 3.24+).
STATEMENTS = Statements(
    {
        # ON CONFLICT instead of check-then-insert: two admins adding the same name cannot race.
        "add_user": (
            f"INSERT INTO users ({USER_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (username) DO NOTHING"
        ),
        "user": f"SELECT {USER_COLUMNS} FROM users WHERE id = ?",
        "user_by_name": f"SELECT {USER_COLUMNS} FROM users WHERE username = ?",
        "users": f"SELECT {USER_COLUMNS} FROM users ORDER BY username",
        "set_password_hash": "UPDATE users SET password_hash = ? WHERE id = ?",
        # Steps of the old secret say nothing about the new one: the replay guard starts afresh.
        "set_totp_secret": "UPDATE users SET totp_secret = ?, totp_last_step = NULL WHERE id = ?",
        "claim_totp_step": (
            "UPDATE users SET totp_last_step = ? WHERE id = ? AND (totp_last_step IS NULL OR totp_last_step < ?)"
        ),
        "set_disabled": "UPDATE users SET disabled = ? WHERE id = ?",
        # Right-hand sides see the old row, hence `failed_logins + 1` in the CASE.
        "count_failed_login": (
            "UPDATE users SET failed_logins = failed_logins + 1, "
            "locked_until = CASE WHEN failed_logins + 1 >= ? THEN ? ELSE locked_until END WHERE id = ?"
        ),
        "failed_logins": "SELECT failed_logins FROM users WHERE id = ?",
        "reset_failed_logins": "UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = ?",
        "add_session": f"INSERT INTO sessions ({SESSION_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)",
        "session": f"SELECT {SESSION_COLUMNS} FROM sessions WHERE token_hash = ?",
        "set_second_factor_done": "UPDATE sessions SET second_factor_done = 1 WHERE token_hash = ?",
        "delete_session": "DELETE FROM sessions WHERE token_hash = ?",
        "delete_user_sessions": "DELETE FROM sessions WHERE user_id = ?",
        "delete_expired_sessions": "DELETE FROM sessions WHERE expires_at <= ?",
    }
)


@dataclass(frozen=True)
class UserRow:
    id: str
    username: str
    password_hash: str
    roles: tuple[str, ...]
    staff_id: str | None
    totp_secret: str | None
    created_at: str
    disabled: bool = False
    failed_logins: int = 0
    locked_until: str | None = None


@dataclass(frozen=True)
class SessionRow:
    token_hash: str
    user_id: str
    csrf_token: str
    created_at: str
    expires_at: str
    second_factor_done: bool = False


class AccountStore:
    def __init__(self, db: Database) -> None:
        """`db`: the open store (SqliteStore or PostgresStore), as `AccountStore(register.store)`."""
        self.db = db
        self.sql = STATEMENTS(db.dialect)

    def _changed(self, name: str, params: tuple[Any, ...]) -> int:
        """Run a write; how many rows it changed."""
        cursor: Any = self.db.run(self.sql[name], params)
        return int(cursor.rowcount)

    # -- users ------------------------------------------------------------------------------

    def add_user(self, user: UserRow) -> bool:
        """Insert a user; False (and nothing written) if the username is taken."""
        row = (
            user.id,
            user.username,
            user.password_hash,
            json.dumps(sorted(user.roles)),
            user.staff_id,
            user.totp_secret,
            user.created_at,
            int(user.disabled),
            user.failed_logins,
            user.locked_until,
        )
        return self._changed("add_user", row) == 1

    def get_user(self, user_id: str) -> UserRow | None:
        row = self.db.run(self.sql["user"], (user_id,)).fetchone()
        return _user(row) if row else None

    def get_user_by_name(self, username: str) -> UserRow | None:
        row = self.db.run(self.sql["user_by_name"], (username,)).fetchone()
        return _user(row) if row else None

    def list_users(self) -> list[UserRow]:
        return [_user(row) for row in self.db.run(self.sql["users"])]

    def set_password_hash(self, user_id: str, password_hash: str) -> None:
        self.db.run(self.sql["set_password_hash"], (password_hash, user_id))

    def set_totp_secret(self, user_id: str, secret: str | None) -> None:
        self.db.run(self.sql["set_totp_secret"], (secret, user_id))

    def claim_totp_step(self, user_id: str, step: int) -> bool:
        """Record `step` as the user's last accepted TOTP step, if it is later than the one kept.

        False when it is not (the code was used already, or a later one was): one UPDATE, so two
        requests racing with the same code cannot both succeed (migration 0007).
        """
        return self._changed("claim_totp_step", (step, user_id, step)) == 1

    def set_disabled(self, user_id: str, disabled: bool) -> None:
        self.db.run(self.sql["set_disabled"], (int(disabled), user_id))

    def record_failed_login(self, user_id: str, limit: int, lock_until: str) -> int:
        """Count one failure; the one that reaches `limit` sets `locked_until`. Returns the count."""
        # One UPDATE, so concurrent failures cannot both read 4 and both write 5.
        self.db.run(self.sql["count_failed_login"], (limit, lock_until, user_id))
        row = self.db.run(self.sql["failed_logins"], (user_id,)).fetchone()
        return int(row[0]) if row else 0

    def reset_failed_logins(self, user_id: str) -> None:
        self.db.run(self.sql["reset_failed_logins"], (user_id,))

    # -- sessions ---------------------------------------------------------------------------

    def add_session(self, session: SessionRow) -> None:
        row = (
            session.token_hash,
            session.user_id,
            session.csrf_token,
            session.created_at,
            session.expires_at,
            int(session.second_factor_done),
        )
        self.db.run(self.sql["add_session"], row)

    def get_session(self, token_hash: str) -> SessionRow | None:
        row = self.db.run(self.sql["session"], (token_hash,)).fetchone()
        return _session(row) if row else None

    def set_second_factor_done(self, token_hash: str) -> None:
        self.db.run(self.sql["set_second_factor_done"], (token_hash,))

    def delete_session(self, token_hash: str) -> None:
        self.db.run(self.sql["delete_session"], (token_hash,))

    def delete_user_sessions(self, user_id: str) -> int:
        """End every session of one user (disabled, or a new password); returns how many."""
        return self._changed("delete_user_sessions", (user_id,))

    def delete_expired_sessions(self, now: str) -> int:
        """Delete sessions whose expiry is at or before `now`; returns how many."""
        return self._changed("delete_expired_sessions", (now,))


def _user(row: Any) -> UserRow:
    return UserRow(
        id=row[0],
        username=row[1],
        password_hash=row[2],
        roles=tuple(json.loads(row[3])),
        staff_id=row[4],
        totp_secret=row[5],
        created_at=row[6],
        disabled=bool(row[7]),
        failed_logins=int(row[8]),
        locked_until=row[9],
    )


def _session(row: Any) -> SessionRow:
    return SessionRow(
        token_hash=row[0],
        user_id=row[1],
        csrf_token=row[2],
        created_at=row[3],
        expires_at=row[4],
        second_factor_done=bool(row[5]),
    )
