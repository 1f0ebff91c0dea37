"""Local accounts for the workbench: passwords, a TOTP second factor and sessions.

Passwords are argon2id (argon2-cffi's defaults, the RFC 9106 low-memory profile), rehashed on
sign-in when the defaults move on. Sign-in failures say the same thing whether or not the user
exists, and an unknown name still costs one argon2 verification, so neither the text nor the
timing tells an attacker which names are real. Five failures lock an account for 15 minutes;
wrong TOTP codes count too, and only a complete sign-in resets the count. A password is at least
twelve characters and not a common one dressed up (`check_password`); a TOTP code works once.

A session's token is random; the store keeps its SHA-256 only, so a copy of the database is no
key to anyone's session. Creating an account and every change to it is a ledger event (`Accounts`
cannot be made without its recorder). The web's cookie, CSRF and origin rules are `web/auth.py`.

`now` may be an aware datetime or an ISO 8601 string (what `intake.register.utc_now()` gives);
it is a parameter so tests can move the clock.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import re
import secrets
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from casetrail.errors import CasetrailError
from casetrail.intake.register import utc_now
from casetrail.ledger.log import Log
from casetrail.ledger.record import record
from casetrail.model.casework import StaffRole
from casetrail.model.event import Event, EventType
from casetrail.store.accounts import AccountStore, SessionRow, UserRow
from casetrail.store.sqlite import SqliteStore

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024  # a passphrase, not a file: bounds the hashing work per request
MIN_DISTINCT_CHARACTERS = 5  # "abababababab" is twelve characters and about two bits of guessing
MIN_NAME_IN_PASSWORD = 3  # a shorter username ("al") turns up inside honest passphrases
MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)
SESSION_LIFETIME = timedelta(hours=8)  # one working day; absolute, not sliding
TOTP_ISSUER = "casetrail"
TOTP_VALID_WINDOW = 1  # the code before and after too: phone clocks drift, people type slowly

ROLES: frozenset[str] = frozenset(role.value for role in StaffRole)
# Lower-case ASCII only, so "Alice" and "alice" (or a Cyrillic look-alike) cannot be two accounts.
USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")

# -- errors and values ------------------------------------------------------------------------


class AuthError(CasetrailError):
    """Sign-in failed. The message never says why, so it cannot tell who has an account."""


class AccountError(CasetrailError):
    """An account cannot be created or changed: weak password, unknown role, name taken, ..."""


SIGN_IN_FAILED = "sign-in failed: wrong username or password, or the account is locked or disabled"


@dataclass(frozen=True)
class User:
    id: str
    username: str
    roles: frozenset[str]
    staff_id: str | None
    has_totp: bool
    disabled: bool


class TotpEnrolment(NamedTuple):
    secret: str  # base32, for typing in by hand
    uri: str  # otpauth://totp/..., for a QR code; it contains the secret


Instant = datetime | str

# -- passwords --------------------------------------------------------------------------------

_hasher = PasswordHasher()  # argon2id, RFC 9106 low-memory (t=3, m=64 MiB, p=4): keep the defaults


def _normalised(password: str) -> str:
    # The same passphrase typed on two systems can arrive in two Unicode forms.
    return unicodedata.normalize("NFKC", password)


def hash_password(password: str) -> str:
    """An argon2id PHC string ($argon2id$v=19$m=...,t=...,p=...$salt$hash)."""
    return _hasher.hash(_normalised(password))


def verify_password(password_hash: str, password: str) -> bool:
    """Argument order as argon2's: the stored hash first."""
    try:
        return _hasher.verify(password_hash, _normalised(password))
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with other parameters than today's defaults."""
    try:
        return _hasher.check_needs_rehash(password_hash)
    except InvalidHashError:
        return True


def check_password(username: str, password: str) -> None:
    """Raise AccountError unless the password may be set for this user.

    Length first (NIST SP 800-63B: length, not composition rules), then what length alone lets
    through: blank or near-constant text, the username, and the guesses every attacker tries first.
    """
    text = _normalised(password)
    if len(text) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"the password must be at least {MIN_PASSWORD_LENGTH} characters")
    if len(text) > MAX_PASSWORD_LENGTH:
        raise AccountError(f"the password must be at most {MAX_PASSWORD_LENGTH} characters")
    folded = text.casefold()
    name = username.strip().casefold()
    if folded.strip() == name:
        raise AccountError("the password must not be the username")
    if len(name) >= MIN_NAME_IN_PASSWORD and name in folded:
        raise AccountError("the password must not contain the username")
    if not folded.strip():
        raise AccountError("the password must not be only spaces")
    if len(set(folded)) < MIN_DISTINCT_CHARACTERS:
        raise AccountError(f"the password must have at least {MIN_DISTINCT_CHARACTERS} different characters")
    if is_common_password(text):
        raise AccountError("the password is too common: it is among the first an attacker would try")


# -- common passwords -------------------------------------------------------------------------
#
# Written here, not downloaded: the words people reach for first, in the shapes they use to get
# past a length rule (a year or digits on the end, a capital, a leet letter, the word twice).
# `is_common_password` takes a password back to its bare word before comparing, so the list holds
# only words, and `common_passwords()` spells out the commonest variants it stands for.

COMMON_WORDS: tuple[str, ...] = (
    "password",
    "passphrase",
    "mypassword",
    "newpassword",
    "pass",
    "passwd",
    "qwerty",
    "qwertyuiop",
    "azerty",
    "asdfgh",
    "asdfghjkl",
    "zxcvbnm",
    "letmein",
    "welcome",
    "iloveyou",
    "loveyou",
    "admin",
    "administrator",
    "root",
    "casetrail",
    "changeme",
    "changeit",
    "default",
    "secret",
    "topsecret",
    "trustno",
    "monkey",
    "dragon",
    "football",
    "baseball",
    "cricket",
    "sunshine",
    "princess",
    "shadow",
    "master",
    "superman",
    "batman",
    "starwars",
    "whatever",
    "freedom",
    "hello",
    "helloworld",
    "login",
    "access",
    "abc",
    "test",
    "testing",
    "guest",
    "user",
    "username",
    "police",
    "constable",
    "inquiry",
    "investigator",
    "complaint",
    "evidence",
    "summer",
    "winter",
    "spring",
    "autumn",
    "january",
    "february",
    "march",
    "april",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "monday",
    "friday",
    "liverpool",
    "arsenal",
    "chelsea",
    "london",
    "england",
    "manchester",
    "computer",
    "internet",
    "secure",
    "security",
    "system",
    "office",
    "please",
    "open",
    "sesame",
    "opensesame",
    "letmeinplease",
    "nopassword",
    "blank",
    "temp",
    "temporary",
    "abcdef",
    "abcdefgh",
    "iloveu",
    "lovely",
    "charlie",
    "michael",
    "jessica",
    "ashley",
)
_COMMON = frozenset(COMMON_WORDS)
# Rows people run a finger along; a password that is a stretch of one (either way) is a run.
KEYBOARD_RUNS: tuple[str, ...] = (
    "1234567890",
    "qwertyuiop",
    "asdfghjkl",
    "zxcvbnm",
    "qwertyuiopasdfghjklzxcvbnm",
    "abcdefghijklmnopqrstuvwxyz",
    "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p",
    "qazwsxedcrfvtgbyhnujmikolp",
)
_SUFFIXES: tuple[str, ...] = (
    "1",
    "12",
    "123",
    "1234",
    "12345",
    "123456",
    "!",
    "1!",
    "123!",
    "01",
    "007",
    "69",
    "99",
    "00",
)
_YEARS = tuple(str(year) for year in range(1950, 2036))
_LEET = str.maketrans({"@": "a", "$": "s", "0": "o", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "9": "g"})


@functools.lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """The explicit variants, case-folded: each common word alone, twice, or with a year or digits
    before or after it. Some twenty thousand, made once per process."""
    found: set[str] = set()
    for word in COMMON_WORDS:
        found.update({word, word * 2})
        for tail in (*_SUFFIXES, *_YEARS):
            found.update({word + tail, tail + word})
    return frozenset(found)


def is_common_password(password: str) -> bool:
    """True for a common word dressed up (digits or symbols around it, leet letters, case,
    repeated or two joined) and for keyboard or alphabet runs, "123456789012" or "qwertyuiopas"."""
    text = _normalised(password).casefold()
    if text in common_passwords():
        return True
    bare = "".join(c for c in text if c.isalnum())
    if _is_run(bare):
        return True
    return any(_common_words_only(core) for core in _cores(text))


def _cores(text: str) -> set[str]:
    # Digits and symbols around the word go; digits inside it are leet letters. "1" is read both
    # as "i" and as "l" ("adm1n", "1etmein").
    kept = "".join(c for c in text if c.isalnum() or c in "@$")
    cores = {kept.strip("0123456789@$"), kept.rstrip("0123456789@$")}  # a leading "1" may be a leet "l"
    return {core.translate(_LEET).replace("1", letter) for core in cores for letter in "il"}


def _common_words_only(core: str) -> bool:
    """The core is one common word, the same word repeated, or two common words joined."""
    if not core:
        return False
    if core in _COMMON:
        return True
    for cut in range(1, len(core)):
        head, tail = core[:cut], core[cut:]
        if head in _COMMON and (tail in _COMMON or tail == head * (len(tail) // len(head))):
            return True
    return False


def _is_run(bare: str) -> bool:
    if len(bare) < 4:
        return False
    for row in KEYBOARD_RUNS:
        # Long enough to wrap round ("...7890123"), and read backwards too.
        cycle = row * (len(bare) // len(row) + 2)
        if bare in cycle or bare in cycle[::-1]:
            return True
    return False


@functools.lru_cache(maxsize=1)
def _dummy_hash() -> str:
    # Made once per process with today's parameters, so an unknown name costs a real verification.
    return hash_password(secrets.token_urlsafe(24))


def normalise_username(username: str) -> str:
    name = username.strip().lower()
    if not USERNAME.fullmatch(name):
        raise AccountError(
            "a username is 1-64 characters: letters, digits, '.', '_' or '-', starting with a letter "
            f"or digit; got {username!r}"
        )
    return name


def check_roles(roles: Sequence[str]) -> frozenset[str]:
    if isinstance(roles, str):  # one role passed bare: not a sequence of one-letter roles
        roles = [roles]
    found = frozenset(str(role) for role in roles)  # StaffRole is a StrEnum: str() is its value
    unknown = sorted(found - ROLES)
    if unknown:
        raise AccountError(f"unknown role {', '.join(unknown)}; roles are {', '.join(sorted(ROLES))}")
    if not found:
        raise AccountError("an account needs at least one role")
    return found


# -- tokens ------------------------------------------------------------------------------------


def hash_token(token: str) -> str:
    """What the store keeps of a session token. 256 random bits need no salt or slow hash."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


# -- the service ------------------------------------------------------------------------------


# Records an account event in the ledger, running the store write in the same commit.
Recorder = Callable[[Event, Callable[[], None]], None]


def in_ledger(log: Log, store: SqliteStore) -> Recorder:
    """A `Recorder` that appends to the ledger and indexes the event with the casework's events."""

    def recorder(event: Event, write: Callable[[], None]) -> None:
        record(log, store.casework, [event], write)

    return recorder


class Accounts:
    """Accounts and sessions over `AccountStore`; every rule about them is here.

    Who may sign in, with which roles, is evidence of who could read what: creating an account
    and every change to it (never a password, hash or secret) is a ledger event, recorded by
    `record` in the same commit as the change, which the auditor sees beside the read audit.
    There is no way to make an account without one. Sign-ins and sessions are not recorded.
    """

    def __init__(self, store: AccountStore, record: Recorder, issuer: str = TOTP_ISSUER) -> None:
        self.store = store
        self.issuer = issuer
        self.record = record

    def _recorded(
        self, kind: EventType, row: UserRow, by: str, body: dict[str, Any], write: Callable[[], None]
    ) -> None:
        event = Event(kind, row.id, utc_now(), by, {"kind": "account", "account": row.username, **body})
        self.record(event, write)

    # -- accounts ---------------------------------------------------------------------------

    def create_user(
        self,
        username: str,
        password: str,
        roles: Sequence[str],
        staff_id: str | None = None,
        now: Instant | None = None,
        by: str = "unknown",
    ) -> User:
        name = normalise_username(username)
        granted = check_roles(roles)
        check_password(name, password)
        row = UserRow(
            id=f"U-{secrets.token_hex(6)}",  # random: no counter to race on, and says nothing about order
            username=name,
            password_hash=hash_password(password),
            roles=tuple(sorted(granted)),
            staff_id=(staff_id or "").strip() or None,
            totp_secret=None,
            created_at=_iso(_instant(now)),
        )

        def write() -> None:
            # Refused inside the commit, so the account event rolls back with it.
            if not self.store.add_user(row):
                raise AccountError(f"the username {name!r} is taken")

        body = {"fields": "roles, staff_id", "change": "created", "roles": list(row.roles), "staff_id": row.staff_id}
        self._recorded(EventType.ACCOUNT_CREATED, row, by, body, write)
        return _public(row)

    def get_user(self, user_id: str) -> User | None:
        row = self.store.get_user(user_id)
        return _public(row) if row else None

    def user_by_name(self, username: str) -> User | None:
        row = self.store.get_user_by_name(username.strip().lower())
        return _public(row) if row else None

    def list_users(self) -> list[User]:
        return [_public(row) for row in self.store.list_users()]

    def set_password(self, user_id: str, password: str, by: str = "unknown") -> None:
        """A new password; every session of the user ends and any lock is lifted."""
        row = self._row(user_id)
        check_password(row.username, password)
        hashed = hash_password(password)

        def write() -> None:
            self.store.set_password_hash(row.id, hashed)
            self.store.reset_failed_logins(row.id)
            self.store.delete_user_sessions(row.id)

        self._recorded(EventType.ACCOUNT_CHANGED, row, by, {"fields": "password", "change": "password replaced"}, write)

    def set_disabled(self, user_id: str, disabled: bool = True, by: str = "unknown") -> int:
        """Disable (or re-enable) an account; disabling ends its sessions. Returns sessions ended."""
        row = self._row(user_id)
        ended = 0

        def write() -> None:
            nonlocal ended
            self.store.set_disabled(row.id, disabled)
            if disabled:
                ended = self.store.delete_user_sessions(row.id)
            else:
                self.store.reset_failed_logins(row.id)

        change = "disabled" if disabled else "enabled"
        self._recorded(EventType.ACCOUNT_CHANGED, row, by, {"fields": "disabled", "change": change}, write)
        return ended

    # -- signing in -------------------------------------------------------------------------

    def authenticate(self, username: str, password: str, now: Instant) -> User:
        """The user, if the password is right and the account usable; else AuthError, always worded alike.

        For an account with TOTP this is only the first step: the failure count stays until
        `verify_totp` succeeds, so alternating right passwords and guessed codes cannot dodge the lock.
        """
        at = _instant(now)
        try:
            row = self.store.get_user_by_name(normalise_username(username))
        except AccountError:
            row = None
        if row is None:
            verify_password(_dummy_hash(), password)  # the same work as a real check
            raise AuthError(SIGN_IN_FAILED)
        row = self._lift_expired_lock(row, at)
        correct = verify_password(row.password_hash, password)  # always, so a lock costs the same time
        if row.disabled or _locked(row, at):
            raise AuthError(SIGN_IN_FAILED)  # not counted: a locked account's lock is not extended
        if not correct:
            self.store.record_failed_login(row.id, MAX_FAILED_LOGINS, _iso(at + LOCKOUT))
            raise AuthError(SIGN_IN_FAILED)
        if needs_rehash(row.password_hash):
            self.store.set_password_hash(row.id, hash_password(password))
        if row.totp_secret is None:
            self.store.reset_failed_logins(row.id)
        return _public(row)

    def enable_totp(self, user_id: str, by: str = "unknown") -> TotpEnrolment:
        """Enrol (or replace) the second factor. The user's sessions end: sign in again with a code."""
        row = self._row(user_id)
        secret = pyotp.random_base32()  # 32 base32 characters: 160 bits, as RFC 4226 recommends

        def write() -> None:
            self.store.set_totp_secret(row.id, secret)
            self.store.delete_user_sessions(row.id)

        body = {"fields": "totp", "change": "second factor enrolled"}
        self._recorded(EventType.ACCOUNT_CHANGED, row, by, body, write)
        uri = pyotp.TOTP(secret).provisioning_uri(name=row.username, issuer_name=self.issuer)
        return TotpEnrolment(secret, uri)

    def reset_totp(self, user_id: str, by: str = "unknown") -> None:
        """Remove the second factor (a lost phone): the user signs in with their password alone and
        enrols again. Their sessions end, as when a factor is enrolled."""
        row = self._row(user_id)
        if row.totp_secret is None:
            raise AccountError(f"{row.username} has no second factor to reset")

        def write() -> None:
            self.store.set_totp_secret(row.id, None)
            self.store.delete_user_sessions(row.id)

        body = {"fields": "totp", "change": "second factor reset"}
        self._recorded(EventType.ACCOUNT_CHANGED, row, by, body, write)

    def verify_totp(self, user_id: str, code: str, now: Instant) -> bool:
        """Whether `code` is the user's current TOTP code (one step either side) and newer than the
        last code accepted: each code works once (RFC 6238, 5.2). Wrong and replayed codes count
        towards the lock, and a locked or disabled account accepts none."""
        at = _instant(now)
        row = self.store.get_user(user_id)
        if row is None or row.totp_secret is None or row.disabled:
            return False
        secret = row.totp_secret
        row = self._lift_expired_lock(row, at)
        if _locked(row, at):
            return False
        digits = code.replace(" ", "").strip()  # apps show "123 456"
        step = _totp_step(secret, digits, at)
        # A step no later than the last one accepted is a replay, and counts as a wrong code.
        ok = step is not None and self.store.claim_totp_step(row.id, step)
        if ok:
            self.store.reset_failed_logins(row.id)
        else:
            self.store.record_failed_login(row.id, MAX_FAILED_LOGINS, _iso(at + LOCKOUT))
        return ok

    # -- sessions ---------------------------------------------------------------------------

    def start_session(self, user: User, second_factor_done: bool, now: Instant | None = None) -> tuple[str, str]:
        """(token, csrf): the token goes in the cookie and is stored only as its SHA-256."""
        at = _instant(now)
        self.store.delete_expired_sessions(_iso(at))  # sweep as we go; no scheduler needed
        token = secrets.token_urlsafe(32)
        csrf = secrets.token_urlsafe(32)
        self.store.add_session(
            SessionRow(
                token_hash=hash_token(token),
                user_id=user.id,
                csrf_token=csrf,
                created_at=_iso(at),
                expires_at=_iso(at + SESSION_LIFETIME),
                second_factor_done=second_factor_done,
            )
        )
        return token, csrf

    def session(self, token: str, now: Instant) -> tuple[User, str, bool] | None:
        """(user, csrf, second_factor_done) for a live session, else None (expired, ended, user disabled)."""
        if not token:
            return None
        key = hash_token(token)
        found = self.store.get_session(key)
        if found is None:
            return None
        if _instant(now) >= _instant(found.expires_at):
            self.store.delete_session(key)
            return None
        row = self.store.get_user(found.user_id)
        if row is None or row.disabled:
            self.store.delete_session(key)
            return None
        return _public(row), found.csrf_token, found.second_factor_done

    def end_session(self, token: str) -> None:
        if token:
            self.store.delete_session(hash_token(token))

    def complete_second_factor(self, token: str) -> None:
        """Mark the session as past TOTP; call only after `verify_totp` returned True."""
        if token:
            self.store.set_second_factor_done(hash_token(token))

    def purge_expired_sessions(self, now: Instant) -> int:
        return self.store.delete_expired_sessions(_iso(_instant(now)))

    # -- helpers ----------------------------------------------------------------------------

    def _row(self, user_id: str) -> UserRow:
        row = self.store.get_user(user_id)
        if row is None:
            raise AccountError(f"no user {user_id}")
        return row

    def _lift_expired_lock(self, row: UserRow, at: datetime) -> UserRow:
        # A lock that has run out starts the count afresh: five more tries, not one.
        if row.locked_until is not None and at >= _instant(row.locked_until):
            self.store.reset_failed_logins(row.id)
            return replace(row, failed_logins=0, locked_until=None)
        return row


def _totp_step(secret: str, digits: str, at: datetime) -> int | None:
    """The time step (within the allowed drift) whose code `digits` is, latest first; None if none."""
    if not (digits.isascii() and digits.isdigit()):
        return None
    totp = pyotp.TOTP(secret)
    now_step = totp.timecode(at)
    for step in range(now_step + TOTP_VALID_WINDOW, now_step - TOTP_VALID_WINDOW - 1, -1):
        # bytes for compare_digest, as in csrf_ok; constant time per candidate step
        if hmac.compare_digest(totp.generate_otp(step).encode("ascii"), digits.encode("ascii")):
            return step
    return None


def _locked(row: UserRow, at: datetime) -> bool:
    return row.locked_until is not None and at < _instant(row.locked_until)


def _public(row: UserRow) -> User:
    return User(
        id=row.id,
        username=row.username,
        roles=frozenset(row.roles),
        staff_id=row.staff_id,
        has_totp=row.totp_secret is not None,
        disabled=row.disabled,
    )


def _instant(value: Instant | None) -> datetime:
    if value is None:
        return datetime.now(UTC)
    if isinstance(value, str):
        value = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)


def _iso(value: datetime) -> str:
    # One fixed width in UTC, so the store can compare these as text.
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
