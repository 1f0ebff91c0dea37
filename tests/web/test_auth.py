"""Local accounts: argon2id passwords, lockout, TOTP, hashed session tokens, CSRF."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyotp
import pytest

from casetrail.accounts import (
    LOCKOUT,
    MAX_FAILED_LOGINS,
    SESSION_LIFETIME,
    AccountError,
    Accounts,
    AuthError,
    check_password,
    common_passwords,
    hash_password,
    hash_token,
    in_ledger,
    needs_rehash,
    verify_password,
)
from casetrail.intake.register import Register
from casetrail.store.accounts import AccountStore
from casetrail.store.home import Home
from casetrail.store.sqlite import SqliteStore
from casetrail.web.auth import csrf_ok, same_origin, secure_cookies_default
from tests.conftest import table_names

T0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
PASSWORD = "correct horse battery staple"


@pytest.fixture
def register(tmp_path: Path) -> Iterator[Register]:
    found = Register.create(Home(tmp_path / "home"), "casetrail.test/auth")
    yield found
    found.store.close()


@pytest.fixture
def store(register: Register) -> SqliteStore:
    return register.store


@pytest.fixture
def accounts(register: Register) -> Accounts:
    return Accounts(AccountStore(register.store), in_ledger(register.log, register.store))


def test_the_migration_creates_both_tables(store: SqliteStore) -> None:
    tables = set(table_names(store))
    assert {"users", "sessions"} <= tables
    assert store.version >= 4


def test_passwords_are_argon2id_and_verify() -> None:
    hashed = hash_password(PASSWORD)
    assert hashed.startswith("$argon2id$")
    assert PASSWORD not in hashed
    assert verify_password(hashed, PASSWORD)
    assert not verify_password(hashed, PASSWORD + "!")
    assert not verify_password("not a hash", PASSWORD)
    assert hash_password(PASSWORD) != hashed  # salted
    assert not needs_rehash(hashed)


def test_a_user_signs_in_with_the_right_password_only(accounts: Accounts) -> None:
    made = accounts.create_user("Fen.Harrow", PASSWORD, ["investigator"], staff_id="S-0007", now=T0)
    assert made.username == "fen.harrow"  # usernames are kept in lower case
    assert made.roles == frozenset({"investigator"})
    assert (made.staff_id, made.has_totp, made.disabled) == ("S-0007", False, False)
    assert accounts.authenticate("fen.harrow", PASSWORD, T0) == made
    assert accounts.authenticate("FEN.HARROW", PASSWORD, T0) == made
    with pytest.raises(AuthError):
        accounts.authenticate("fen.harrow", "wrong password entirely", T0)


def test_an_unknown_user_gets_the_same_error_text(accounts: Accounts) -> None:
    accounts.create_user("ida.quell", PASSWORD, ["supervisor"], now=T0)
    with pytest.raises(AuthError) as wrong_password:
        accounts.authenticate("ida.quell", "not the password at all", T0)
    with pytest.raises(AuthError) as unknown:
        accounts.authenticate("nobody.here", "not the password at all", T0)
    with pytest.raises(AuthError) as malformed:
        accounts.authenticate("not a valid name!", "not the password at all", T0)
    assert str(wrong_password.value) == str(unknown.value) == str(malformed.value)


def test_five_failures_lock_the_account_for_fifteen_minutes(accounts: Accounts) -> None:
    accounts.create_user("odo.brack", PASSWORD, ["intake"], now=T0)
    for i in range(MAX_FAILED_LOGINS):
        with pytest.raises(AuthError):
            accounts.authenticate("odo.brack", f"guess number {i} here", T0 + timedelta(seconds=i))
    locked_at = T0 + timedelta(seconds=MAX_FAILED_LOGINS - 1)
    with pytest.raises(AuthError) as locked:
        accounts.authenticate("odo.brack", PASSWORD, locked_at + timedelta(minutes=14))
    with pytest.raises(AuthError) as unknown:
        accounts.authenticate("nobody.here", PASSWORD, locked_at + timedelta(minutes=14))
    assert str(locked.value) == str(unknown.value)  # a lock does not reveal the account either
    assert accounts.authenticate("odo.brack", PASSWORD, locked_at + LOCKOUT).username == "odo.brack"


def test_a_success_resets_the_count_and_an_expired_lock_gives_five_more_tries(accounts: Accounts) -> None:
    accounts.create_user("mira.tolland", PASSWORD, ["auditor"], now=T0)
    for _ in range(MAX_FAILED_LOGINS - 1):
        with pytest.raises(AuthError):
            accounts.authenticate("mira.tolland", "a wrong guess here", T0)
    accounts.authenticate("mira.tolland", PASSWORD, T0)
    for _ in range(MAX_FAILED_LOGINS - 1):
        with pytest.raises(AuthError):
            accounts.authenticate("mira.tolland", "a wrong guess here", T0)
    assert accounts.authenticate("mira.tolland", PASSWORD, T0).username == "mira.tolland"  # not locked

    for _ in range(MAX_FAILED_LOGINS):
        with pytest.raises(AuthError):
            accounts.authenticate("mira.tolland", "a wrong guess here", T0)
    later = T0 + LOCKOUT
    with pytest.raises(AuthError):
        accounts.authenticate("mira.tolland", "a wrong guess here", later)  # one failure, not a new lock
    assert accounts.authenticate("mira.tolland", PASSWORD, later).username == "mira.tolland"


def test_a_disabled_user_cannot_sign_in_and_loses_sessions(accounts: Accounts) -> None:
    user = accounts.create_user("pell.varga", PASSWORD, ["investigator"], now=T0)
    token, _ = accounts.start_session(user, second_factor_done=True, now=T0)
    assert accounts.set_disabled(user.id) == 1
    assert accounts.session(token, T0) is None
    with pytest.raises(AuthError):
        accounts.authenticate("pell.varga", PASSWORD, T0)


def test_totp_codes_at_a_given_time(accounts: Accounts) -> None:
    user = accounts.create_user("quin.adler", PASSWORD, ["overseer"], now=T0)
    secret, uri = accounts.enable_totp(user.id)
    assert uri.startswith("otpauth://totp/") and "quin.adler" in uri and f"secret={secret}" in uri
    assert accounts.get_user(user.id).has_totp  # type: ignore[union-attr]
    totp = pyotp.TOTP(secret)
    # Each code works once, so every accepted code below is for a later step than the one before.
    assert not accounts.verify_totp(user.id, totp.at(T0 - timedelta(seconds=90)), T0)  # too old
    assert accounts.verify_totp(user.id, totp.at(T0 - timedelta(seconds=30)), T0)  # one step of drift
    assert accounts.verify_totp(user.id, totp.at(T0), T0)
    later = T0 + timedelta(seconds=30)
    code = totp.at(later)
    assert accounts.verify_totp(user.id, f"{code[:3]} {code[3:]}", later)
    assert not accounts.verify_totp(user.id, "abcdef", later)
    latest = T0 + timedelta(seconds=60)
    assert accounts.verify_totp(user.id, totp.at(latest), latest.isoformat())  # ISO strings work as `now`


def test_totp_code_cannot_be_replayed(accounts: Accounts, store: SqliteStore) -> None:
    user = accounts.create_user("sam.kerrow", PASSWORD, ["investigator"], now=T0)
    secret, _ = accounts.enable_totp(user.id)
    totp = pyotp.TOTP(secret)
    code = totp.at(T0)
    assert accounts.verify_totp(user.id, code, T0)
    assert not accounts.verify_totp(user.id, code, T0)  # the same request again
    assert not accounts.verify_totp(user.id, code, T0 + timedelta(seconds=25))  # still inside its window
    # The guard is in the database, not the process: another worker refuses the code too.
    assert not Accounts(AccountStore(store), accounts.record).verify_totp(user.id, code, T0 + timedelta(seconds=5))
    # An earlier step's code, still within the drift allowance, is no good once a later one was used.
    assert not accounts.verify_totp(user.id, totp.at(T0 - timedelta(seconds=30)), T0 + timedelta(seconds=5))
    assert accounts.store.get_user(user.id).failed_logins == 4  # type: ignore[union-attr]  # replays count
    assert accounts.verify_totp(user.id, totp.at(T0 + timedelta(seconds=30)), T0 + timedelta(seconds=30))
    # A new secret starts afresh: its first code is accepted whatever step the old one reached.
    secret, _ = accounts.enable_totp(user.id)
    assert accounts.verify_totp(user.id, pyotp.TOTP(secret).at(T0), T0)


def test_wrong_totp_codes_count_towards_the_lock(accounts: Accounts) -> None:
    user = accounts.create_user("rhea.sollis", PASSWORD, ["supervisor"], now=T0)
    secret, _ = accounts.enable_totp(user.id)
    totp = pyotp.TOTP(secret)
    valid = {totp.at(T0 + timedelta(seconds=step)) for step in (-30, 0, 30)}
    wrong = next(code for code in ("000000", "111111", "222222", "333333") if code not in valid)
    accounts.authenticate("rhea.sollis", PASSWORD, T0)
    for _ in range(MAX_FAILED_LOGINS):
        assert not accounts.verify_totp(user.id, wrong, T0)
    assert not accounts.verify_totp(user.id, totp.at(T0), T0)  # locked: even the right code fails
    with pytest.raises(AuthError):
        accounts.authenticate("rhea.sollis", PASSWORD, T0)
    after = T0 + LOCKOUT
    accounts.authenticate("rhea.sollis", PASSWORD, after)
    assert accounts.verify_totp(user.id, totp.at(after), after)


def test_sessions_resolve_and_expire(accounts: Accounts) -> None:
    user = accounts.create_user("sable.onu", PASSWORD, ["investigator", "supervisor"], now=T0)
    token, csrf = accounts.start_session(user, second_factor_done=False, now=T0)
    assert len(token) >= 43 and len(csrf) >= 43  # 32 random bytes, base64url
    found = accounts.session(token, T0 + timedelta(hours=1))
    assert found == (user, csrf, False)
    accounts.complete_second_factor(token)
    assert accounts.session(token, T0 + timedelta(hours=1)) == (user, csrf, True)
    assert accounts.session("not-a-token", T0) is None
    assert accounts.session("", T0) is None
    assert accounts.session(token, T0 + SESSION_LIFETIME) is None
    assert accounts.session(token, T0) is None  # an expired session is deleted, not just refused


def test_end_session_and_sweep(accounts: Accounts, store: SqliteStore) -> None:
    user = accounts.create_user("tam.ree", PASSWORD, ["intake"], now=T0)
    first, _ = accounts.start_session(user, second_factor_done=True, now=T0)
    second, _ = accounts.start_session(user, second_factor_done=True, now=T0 + timedelta(hours=1))
    accounts.end_session(first)
    assert accounts.session(first, T0) is None
    assert accounts.session(second, T0 + timedelta(hours=2)) is not None
    assert accounts.purge_expired_sessions(T0 + timedelta(hours=10)) == 1
    assert store.conn.execute("SELECT COUNT(*) FROM sessions").fetchone()[0] == 0


def test_only_a_hash_of_the_token_is_stored(accounts: Accounts, store: SqliteStore) -> None:
    user = accounts.create_user("uma.lisk", PASSWORD, ["auditor"], now=T0)
    token, _ = accounts.start_session(user, second_factor_done=True, now=T0)
    stored = [row[0] for row in store.conn.execute("SELECT token_hash FROM sessions")]
    assert stored == [hash_token(token)] and token not in stored
    # everything the database holds, decrypted (the files themselves are encrypted at rest)
    tables = table_names(store)
    dump = "\n".join(repr(row) for table in tables for row in store.conn.execute(f'SELECT * FROM "{table}"'))
    assert token not in dump
    assert hash_token(token) in dump
    assert PASSWORD not in dump


def test_csrf_compare() -> None:
    assert csrf_ok("a-csrf-token-value", "a-csrf-token-value")
    assert not csrf_ok("a-csrf-token-value", "a-csrf-token-valuf")
    assert not csrf_ok("a-csrf-token-value", None)
    assert not csrf_ok("a-csrf-token-value", "")
    assert not csrf_ok("", "")
    assert not csrf_ok("a-csrf-token-value", "ä-csrf-token-value")  # non-ASCII is a mismatch, not a crash


def test_unknown_roles_are_rejected(accounts: Accounts) -> None:
    with pytest.raises(AccountError, match="unknown role"):
        accounts.create_user("vic.orme", PASSWORD, ["investigator", "superuser"], now=T0)
    with pytest.raises(AccountError, match="at least one role"):
        accounts.create_user("vic.orme", PASSWORD, [], now=T0)
    assert accounts.list_users() == []


def test_weak_passwords_are_rejected(accounts: Accounts) -> None:
    with pytest.raises(AccountError, match="at least 12"):
        accounts.create_user("wren.astor", "short pass", ["intake"], now=T0)
    with pytest.raises(AccountError, match="username"):
        accounts.create_user("wren.astor.long", "Wren.Astor.Long", ["intake"], now=T0)
    assert accounts.list_users() == []


@pytest.mark.parametrize(
    "password",
    [
        "password1234",
        "Password2024!",
        "P@ssw0rd2024",
        "12345password",
        "qwerty123456",
        "Welcome12345",
        "iloveyou2025",
        "1etmein12345",
        "admin1234567",
        "casetrail2025",
        "adminpassword",
        "welcomewelcome",
        "123456789012",
        "098765432109",
        "qwertyuiopas",
        "abcdefghijkl",
        "1qaz2wsx3edc",
        " " * 12,
        "\t" * 12,
        "aaaaaaaaaaaa",
        "abababababab",
        "abcdabcdabcd",
        "my name is tamsin.rook",
        "TAMSIN.ROOK-is-me",
    ],
)
def test_password_blocklist(password: str) -> None:
    with pytest.raises(AccountError):
        check_password("tamsin.rook", password)


@pytest.mark.parametrize(
    "password",
    [
        PASSWORD,
        "casetrail-demo-only",
        "another long passphrase",
        "a long bench passphrase, fictional",
        "marmalade on the night bus",
        "Tuesday's kettle 47 sings",
        "password is not my strong suit",
    ],
)
def test_passphrases_the_blocklist_keeps(password: str) -> None:
    check_password("tamsin.rook", password)  # raises if refused
    check_password("al", password)  # a short username is not looked for inside the password


def test_every_listed_common_password_is_refused() -> None:
    listed = common_passwords()
    assert {"password1234", "welcome2024", "qwerty123456", "letmein2019"} <= listed
    for password in sorted(listed)[::50]:
        with pytest.raises(AccountError):
            check_password("tamsin.rook", password)


def test_a_common_password_is_refused_when_set_too(accounts: Accounts) -> None:
    with pytest.raises(AccountError, match="common"):
        accounts.create_user("tamsin.rook", "Password2024!", ["intake"], now=T0)
    user = accounts.create_user("tamsin.rook", PASSWORD, ["intake"], now=T0)
    with pytest.raises(AccountError, match="different characters"):
        accounts.set_password(user.id, "zzzzzzzzzzzzzzzz")
    assert accounts.authenticate("tamsin.rook", PASSWORD, T0).id == user.id


@pytest.mark.parametrize(
    ("headers", "host", "scheme", "allowed"),
    [
        ({"Origin": "http://testserver"}, "testserver", None, True),
        ({"origin": "https://casetrail.example.org"}, "casetrail.example.org", "https", True),
        ({"Origin": "https://casetrail.example.org:443"}, "casetrail.example.org", "https", True),
        ({"Origin": "http://127.0.0.1:8000"}, "127.0.0.1:8000", "http", True),
        ({"Referer": "http://127.0.0.1:8000/login?next=/"}, "127.0.0.1:8000", None, True),
        ({"Sec-Fetch-Site": "same-origin"}, "testserver", None, True),
        ({"Sec-Fetch-Site": "none"}, "testserver", None, True),
        ({"Origin": "http://testserver", "Sec-Fetch-Site": "same-origin"}, "testserver", None, True),
        # refused: foreign, null, other port or scheme, look-alike hosts, cross-site fetches, nothing at all
        ({"Origin": "https://evil.example"}, "casetrail.example.org", None, False),
        ({"Origin": "null"}, "testserver", None, False),
        ({"Origin": "null", "Referer": "http://testserver/login"}, "testserver", None, False),
        ({"Origin": "http://127.0.0.1:9000"}, "127.0.0.1:8000", None, False),
        ({"Origin": "http://casetrail.example.org"}, "casetrail.example.org", "https", False),
        ({"Origin": "https://casetrail.example.org:8443"}, "casetrail.example.org", "https", False),
        ({"Origin": "https://casetrail.example.org.evil.example"}, "casetrail.example.org", None, False),
        ({"Origin": "https://evil.example/casetrail.example.org"}, "casetrail.example.org", None, False),
        ({"Referer": "https://evil.example/?casetrail.example.org"}, "casetrail.example.org", None, False),
        (
            {"Origin": "https://evil.example", "Referer": "https://casetrail.example.org/login"},
            "casetrail.example.org",
            None,
            False,
        ),
        ({"Origin": "http://testserver", "Sec-Fetch-Site": "cross-site"}, "testserver", None, False),
        ({"Sec-Fetch-Site": "cross-site"}, "testserver", None, False),
        ({"Sec-Fetch-Site": "same-site"}, "testserver", None, False),
        ({"Origin": "javascript:alert(1)"}, "testserver", None, False),
        ({"Origin": "http://testserver:notaport"}, "testserver", None, False),
        ({}, "testserver", None, False),
    ],
)
def test_login_refuses_cross_origin_post(headers: dict[str, str], host: str, scheme: str | None, allowed: bool) -> None:
    assert same_origin(headers, host, scheme) is allowed


def test_usernames_are_unique_and_well_formed(accounts: Accounts) -> None:
    accounts.create_user("xan.pell", PASSWORD, ["intake"], now=T0)
    with pytest.raises(AccountError, match="taken"):
        accounts.create_user("Xan.Pell", PASSWORD, ["intake"], now=T0)
    with pytest.raises(AccountError, match="username"):
        accounts.create_user("xan pell", PASSWORD, ["intake"], now=T0)
    assert [u.username for u in accounts.list_users()] == ["xan.pell"]


def test_a_new_password_ends_sessions(accounts: Accounts) -> None:
    user = accounts.create_user("yara.fenn", PASSWORD, ["intake"], now=T0)
    token, _ = accounts.start_session(user, second_factor_done=True, now=T0)
    accounts.set_password(user.id, "another long passphrase")
    assert accounts.session(token, T0) is None
    with pytest.raises(AuthError):
        accounts.authenticate("yara.fenn", PASSWORD, T0)
    assert accounts.authenticate("yara.fenn", "another long passphrase", T0).id == user.id


def test_old_hashes_are_upgraded_on_sign_in(accounts: Accounts, store: SqliteStore) -> None:
    from argon2 import PasswordHasher

    user = accounts.create_user("zia.crane", PASSWORD, ["intake"], now=T0)
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(PASSWORD)
    accounts.store.set_password_hash(user.id, weak)
    accounts.authenticate("zia.crane", PASSWORD, T0)
    upgraded = accounts.store.get_user(user.id).password_hash  # type: ignore[union-attr]
    assert upgraded != weak and not needs_rehash(upgraded)


def test_secure_cookies_except_on_loopback() -> None:
    assert secure_cookies_default("casetrail.example.org")
    assert secure_cookies_default("192.0.2.10")
    assert not secure_cookies_default("localhost")
    assert not secure_cookies_default("127.0.0.1")
    assert not secure_cookies_default("[::1]")


def test_account_changes_are_ledger_events_the_auditor_sees(tmp_path: Path) -> None:
    from casetrail.ledger.checkpoint import NoteVerifier
    from casetrail.ledger.verification import verify_store

    home = Home(tmp_path / "home")
    register = Register.create(home, "casetrail.test/accounts")
    accounts = Accounts(AccountStore(register.store), record=in_ledger(register.log, register.store))
    size = register.store.ledger.ledger_size()
    user = accounts.create_user("nadia", "a long enough passphrase", ["investigator"], staff_id="S-0001", by="admin")
    accounts.set_password(user.id, "another long passphrase", by="admin")
    accounts.enable_totp(user.id, by="admin")
    accounts.set_disabled(user.id, True, by="admin")
    with pytest.raises(AccountError, match="taken"):
        accounts.create_user("Nadia", "a long enough passphrase", ["auditor"], by="admin")
    entries = [json.loads(data) for _, data in register.store.audit.audit_entries()]
    assert register.store.ledger.ledger_size() == size + 4  # the refused duplicate wrote nothing
    assert [(e["type"], e["body"].get("change")) for e in reversed(entries)] == [
        ("account.created", "created"),
        ("account.changed", "password replaced"),
        ("account.changed", "second factor enrolled"),
        ("account.changed", "disabled"),
    ]
    created = entries[-1]
    assert created["actor"] == "admin" and created["body"]["roles"] == ["investigator"]
    text = json.dumps(entries)
    assert (
        "passphrase" not in text and "argon2" not in text and accounts.store.get_user(user.id).totp_secret not in text
    )
    assert verify_store(register.store, register.objects, NoteVerifier.from_text(home.verifier_key())).ok
