"""`casetrail keys ...`: key custody for an encrypted store (issue 12).

A rotation replaces the key-encryption key (KEK): the database and name keys are re-wrapped in
keys/keyring.json and every document's data key in the database, without re-encrypting any
content; the rotation is a ledger event naming the old and new key ids (HMACs, never keys).

Crash safety: the keyring first holds wraps under both KEKs; the data keys are re-wrapped in the
same commit as the event; then the old wrap goes. A rotation interrupted after its commit is
finished by the next `keys rotate` (it drops the old wrap and starts a fresh rotation).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Optional

import typer

from casetrail.cli.app import State, app, fail, open_register, out, run
from casetrail.errors import CasetrailError, KeyCustodyError
from casetrail.intake.register import Register, utc_now
from casetrail.ledger.log import Commit
from casetrail.model.event import Event, EventType
from casetrail.store.home import Home
from casetrail.store.keys import (
    ENV_PASSPHRASE,
    KeySource,
    PassphraseSource,
    StoreKeys,
    VaultTransitSource,
    ask_passphrase,
    checked_key_file,
    generate_key_file,
)

ENV_NEW_PASSPHRASE = "CASETRAIL_NEW_PASSPHRASE"

keys_app = typer.Typer(help="Key custody: the store's key-encryption key and its rotation.", no_args_is_help=True)
app.add_typer(keys_app, name="keys")


@keys_app.command("status")
def keys_status() -> None:
    """Whether the store is encrypted, under what kind of key, and how many data keys it holds."""
    home = State.home
    run(home.require)
    on_postgres = run(home.database_url) is not None
    if not home.encrypted():
        if on_postgres:
            out.print(f"{home.root}: PLAINTEXT objects (not encrypted at rest); the database is on PostgreSQL")
        else:
            out.print(f"{home.root}: PLAINTEXT store (not encrypted at rest); `casetrail encrypt` encrypts it")
        return
    register = open_register()
    keys = run(home.unlock)
    assert keys is not None
    wraps = run(home.keyring.wraps)
    count = len(register.store.data_keys.iter_data_keys())
    pages = "database on PostgreSQL: its encryption at rest is the server's" if on_postgres else "SQLCipher 4 pages"
    out.print(f"{home.root}: encrypted ({pages}, AES-256-GCM objects); key id {keys.kek_id}", markup=False)
    out.print(f"key-encryption key: {', '.join(w.kind for w in wraps if w.kek_id == keys.kek_id)}; {count} data keys")
    if len(wraps) > 1:
        out.print("an interrupted rotation left a second wrap: run `casetrail keys rotate` to finish it")


@keys_app.command("rotate")
def keys_rotate(
    new_key_file: Annotated[Optional[Path], typer.Option(help="Make a new key file here (outside the home).")] = None,
    new_passphrase: Annotated[
        bool, typer.Option("--new-passphrase", help=f"A new passphrase, from {ENV_NEW_PASSPHRASE} or asked twice.")
    ] = False,
    new_vault_key: Annotated[
        Optional[str], typer.Option(help="A Vault transit key name (VAULT_ADDR, VAULT_TOKEN).")
    ] = None,
    actor: Annotated[str, typer.Option(help="Who rotates the key.")] = "unknown",
) -> None:
    """Replace the key-encryption key: re-wrap the store's keys and every data key, without
    re-encrypting content. The current key comes as for any command (CASETRAIL_KEY_FILE, ...)."""
    home = State.home
    register = open_register()
    run(register.require_writable)
    old = run(home.unlock)
    if old is None:
        fail(f"{home.root} is a plaintext store: there is no key to rotate")
        return
    source = run(lambda: _new_source(home, new_key_file, new_passphrase, new_vault_key))
    try:
        commit, count, new = rotate(home, register, old, source, actor)
    except CasetrailError as error:
        fail(str(error))
        return
    out.print(
        f"rotated: {count} data keys re-wrapped from key {old.kek_id} to {new.kek_id} ({source.describe()}), "
        f"leaf {commit.indices[0]}",
        markup=False,
    )
    out.print(
        "the old key still opens backups taken before now: keep it as long as those backups, and destroy both together",
        markup=False,
    )


def rotate(
    home: Home, register: Register, old: StoreKeys, source: KeySource, actor: str
) -> tuple[Commit, int, StoreKeys]:
    """Re-wrap under a new KEK; returns (the rotation's commit, data keys re-wrapped, the new keys)."""
    store = register.store
    rows = store.data_keys.iter_data_keys()
    stale = [kek for _, kek, _ in rows if kek != old.kek_id]
    if stale:
        # An interrupted rotation whose commit landed: its new key must finish it, not the old one.
        raise KeyCustodyError(f"{len(stale)} data keys are wrapped under key {stale[0]}: run this again with that key")
    home.keyring.keep_only(old.kek_id)  # drops the wrap of an interrupted rotation that never committed
    new = home.keyring.add(old, source)

    def rewrap(_: list[int]) -> None:
        for sha, _, wrapped in rows:
            store.data_keys.rewrap_data_key(sha, new.kek_id, new.wrap_data_key(old.unwrap_data_key(wrapped, sha), sha))

    body = {"from": old.kek_id, "to": new.kek_id, "source": source.kind, "data_keys": len(rows)}
    event = Event(EventType.KEYS_ROTATED, "store", utc_now(), actor, body)
    commit = register.log.append([event.to_leaf()], also=rewrap)
    home.keyring.keep_only(new.kek_id)
    home.key_source, home._keys = source, new
    register.objects.keys = new
    return commit, len(rows), new


def _new_source(home: Home, key_file: Path | None, passphrase: bool, vault_key: str | None) -> KeySource:
    if sum(map(bool, (key_file, passphrase, vault_key))) != 1:
        raise KeyCustodyError("name the new key: one of --new-key-file PATH, --new-passphrase, --new-vault-key NAME")
    if key_file is not None:
        checked_key_file(key_file, home.root)
        return generate_key_file(key_file)
    if vault_key is not None:
        return VaultTransitSource(vault_key)
    given = os.environ.get(ENV_NEW_PASSPHRASE)
    if given:
        if given == os.environ.get(ENV_PASSPHRASE):
            raise KeyCustodyError(f"{ENV_NEW_PASSPHRASE} is the current passphrase: a rotation needs a new one")
        return PassphraseSource(given)
    import sys

    if not sys.stdin.isatty():
        raise KeyCustodyError(f"no new passphrase: set {ENV_NEW_PASSPHRASE}, or run on a terminal to be asked")
    return PassphraseSource(ask_passphrase("new passphrase", confirm=True))
