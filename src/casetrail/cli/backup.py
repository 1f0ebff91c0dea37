"""`casetrail backup`, `restore` and `encrypt` (issue 12): safe copies of a store, and encryption of an old one.

A backup is an online, consistent snapshot: the database copied by `VACUUM INTO` on the store's own
(SQLCipher) connection, so the copy is encrypted under the same database key and holds no free
pages; then the object files (already encrypted, HMAC-named), the wrapped keyring, the verifier
key, config.json and a manifest naming the checkpoint the copy covers and each file's SHA-256.
The signing key is left out unless asked for: a backup that can sign is a second log. The copy is
verified before the command reports success.

A restore goes into a new home (never over a store), checks the manifest, verifies the result and
holds it to checkpoints kept elsewhere: a backup older than one of them is refused in one line
unless `--accept-older` says the loss of the newer records is known and accepted.

`encrypt` turns a plaintext store into an encrypted one: verified first, built alongside in
HOME/.encrypting (sqlcipher_export of the database, every object re-written under a data key of its
own), verified there, then swapped in; an interrupted swap is finished by running it again.

All three work on the SQLite file; a store on PostgreSQL (issue 14) refuses them in one line:
its database is backed up, restored and encrypted at rest by the server's own means.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from casetrail.cli.app import (
    State,
    _checkpoint_in,
    app,
    err,
    fail,
    out,
)
from casetrail.errors import CasetrailError, KeyCustodyError, RollbackError, StoreError
from casetrail.ledger.checkpoint import Checkpoint, NoteVerifier, open_checkpoint
from casetrail.ledger.latest import check_not_behind
from casetrail.ledger.merkle import CompactRange, leaf_hash
from casetrail.ledger.verification import Report, verify_store
from casetrail.store.home import ENV_DATABASE_URL, Home
from casetrail.store.keys import checked_key_file, generate_key_file
from casetrail.store.objects import ObjectStore
from casetrail.store.sqlite import SqliteStore, connect

BACKUP_FORMAT = "casetrail-backup/1"
MANIFEST = "manifest.json"
STAGING = ".encrypting"
READY = "READY"


# -- backup -----------------------------------------------------------------------------------


@app.command()
def backup(
    dest: Annotated[Path, typer.Argument(metavar="DEST", help="A new or empty folder for the snapshot.")],
    with_signing_key: Annotated[
        bool, typer.Option("--with-signing-key", help="Also copy keys/log.key (keep such a backup like the key).")
    ] = False,
) -> None:
    """An online, consistent, encrypted snapshot of the store, with a manifest and the checkpoint it covers."""
    home = State.home
    try:
        manifest = take_backup(home, dest, with_signing_key)
    except CasetrailError as error:
        fail(str(error))
        return
    kind = "encrypted (same keys as the store)" if manifest["encrypted"] else "PLAINTEXT (the store is not encrypted)"
    out.print(
        f"backed up {home.root} to {dest}: {manifest['tree_size']} log entries, {len(manifest['files'])} files, "
        f"{kind}; verified",
        markup=False,
    )
    if not with_signing_key:
        out.print("the signing key was not copied: keep keys/log.key backed up separately", markup=False)


def take_backup(home: Home, dest: Path, with_signing_key: bool) -> dict[str, Any]:
    _refuse_on_postgres(
        home,
        "backup",
        "back up the database with pg_dump (or the server's own backups) and, with it, this home's objects/, "
        "keys/keyring.json, keys/log.vkey and config.json",
    )
    _require_empty(dest, "a backup")
    home.require()
    key = home.sqlcipher_key()
    dest.mkdir(parents=True, exist_ok=True)
    try:
        store = home.open_store(readonly=True)
        try:
            # One read of the live database on its own keyed connection: the copy is encrypted under the same key.
            store.conn.execute("PRAGMA query_only=OFF")  # VACUUM INTO writes only the new file
            store.conn.execute("VACUUM INTO ?", (str(dest / "casetrail.db"),))
        except Exception as error:  # sqlite3.Error from SQLCipher
            raise StoreError(f"{home.db_path}: the snapshot failed ({error})") from None
        finally:
            store.close()
        copy = SqliteStore(dest / "casetrail.db", readonly=True, key=key)
        try:
            latest = copy.ledger.latest_checkpoint()
        finally:
            copy.close()
        size, note = latest if latest is not None else (0, "")
        # Objects after the snapshot: every object its records name was written before their commit.
        _copy_objects(home.root / "objects", dest / "objects")
        (dest / "keys").mkdir(exist_ok=True)
        for part in ("keys/keyring.json", "keys/log.vkey", "config.json") + (
            ("keys/log.key",) if with_signing_key else ()
        ):
            if (home.root / part).is_file():
                shutil.copy2(home.root / part, dest / part)
        files = {
            str(path.relative_to(dest)): _sha256(path)
            for path in sorted(dest.rglob("*"))
            if path.is_file() and path.name != MANIFEST
        }
        manifest = {
            "format": BACKUP_FORMAT,
            "encrypted": key is not None,
            "tree_size": size,
            "checkpoint": note,
            "signing_key": with_signing_key,
            "files": files,
        }
        (dest / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        report = _verify_home(_home_like(home, dest), NoteVerifier.from_text(home.verifier_key()))
        if not report.ok:
            raise StoreError(f"the backup in {dest} does not verify: {report.problems[0]}")
    except BaseException:
        shutil.rmtree(dest, ignore_errors=True)
        raise
    return manifest


def _copy_objects(source: Path, target: Path) -> None:
    target.mkdir(parents=True, exist_ok=True)
    if not source.is_dir():
        return
    for folder in sorted(p for p in source.iterdir() if p.is_dir()):
        for path in sorted(folder.iterdir()):
            if path.is_file() and not path.name.startswith("."):  # not a partial write
                (target / folder.name).mkdir(exist_ok=True)
                shutil.copy2(path, target / folder.name / path.name)


# -- restore ----------------------------------------------------------------------------------


@app.command()
def restore(
    src: Annotated[Path, typer.Argument(metavar="SRC", help="A folder written by `casetrail backup`.")],
    new_home: Annotated[Path, typer.Argument(metavar="NEWHOME", help="A new or empty folder.")],
    against: Annotated[
        Optional[list[Path]],
        typer.Option(help="A checkpoint (or receipt, or a checkpoint.latest) kept outside the store. Repeatable."),
    ] = None,
    accept_older: Annotated[
        bool, typer.Option("--accept-older", help="Restore even if the backup is behind a checkpoint given.")
    ] = False,
    signing_key: Annotated[
        Optional[Path], typer.Option(help="The log's signing key kept apart from the backup (keys/log.key).")
    ] = None,
) -> None:
    """Restore a backup into a new home, verify it, and hold it to the newest checkpoints known elsewhere."""
    try:
        report, behind = restore_backup(src, new_home, against or [], accept_older, signing_key)
    except RollbackError as error:
        fail(f"restore refused: {error} (`--accept-older` restores it anyway)")
        return
    except CasetrailError as error:
        fail(str(error))
        return
    for problem in behind:
        err.print(f"warning: accepted an older backup: {problem}", markup=False)
    out.print(
        f"restored {src} into {new_home}: OK, {report.size} log entries, checkpoint at {report.checkpoint_size}, "
        f"{report.documents} documents ({report.sealed} sealed)",
        markup=False,
    )


def restore_backup(
    src: Path, new_home: Path, against: list[Path], accept_older: bool, signing_key: Path | None
) -> tuple[Report, list[str]]:
    if os.environ.get(ENV_DATABASE_URL):
        raise StoreError(
            f"`casetrail restore` restores a SQLite store's backup, and {ENV_DATABASE_URL} is set: restore a store "
            "on PostgreSQL with pg_restore (or the server's own restore) and its home's files from their backup"
        )
    manifest = _read_manifest(src)
    _require_empty(new_home, "a restore")
    changed = [
        name
        for name, digest in manifest["files"].items()
        if not (src / name).is_file() or _sha256(src / name) != digest
    ]
    if changed:
        raise StoreError(f"{src}: {len(changed)} file(s) differ from the backup's manifest, e.g. {changed[0]}")
    vkey = (src / "keys" / "log.vkey").read_text().strip() if (src / "keys" / "log.vkey").is_file() else ""
    try:
        verifier = NoteVerifier.from_text(vkey)
    except CasetrailError:
        raise StoreError(f"{src}: keys/log.vkey is missing or damaged; this is not a usable backup") from None
    stage = new_home.with_name(f".{new_home.name}.restoring-{os.getpid()}")
    shutil.rmtree(stage, ignore_errors=True)
    try:
        for name in manifest["files"]:
            (stage / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src / name, stage / name)
        (stage / "objects").mkdir(parents=True, exist_ok=True)
        if signing_key is not None:
            shutil.copy2(signing_key, stage / "keys" / "log.key")
            os.chmod(stage / "keys" / "log.key", 0o600)
        if manifest.get("checkpoint"):
            (stage / "checkpoint.latest").write_text(manifest["checkpoint"], encoding="utf-8")
        staged = Home(stage, key_source=State.home.key_source)
        report = _verify_home(staged, verifier)
        if not report.ok:
            raise StoreError(f"the restored store does not verify: {report.problems[0]}")
        behind = _behind(staged, verifier, against)
        if behind and not accept_older:
            raise RollbackError(behind[0])
        if new_home.exists():
            new_home.rmdir()  # empty, checked above
        os.replace(stage, new_home)
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    return report, behind


def _behind(home: Home, verifier: NoteVerifier, against: list[Path]) -> list[str]:
    """Each outside checkpoint the restored log is behind (or forked from), as one line each."""
    found = []
    store = home.open_store(readonly=True)
    try:
        entries = [data for _, data in store.ledger.iter_entries()]
    finally:
        store.close()
    for path in against:
        checkpoint = _outside(path, verifier)
        tree = CompactRange()
        for data in entries[: checkpoint.size]:
            tree.append(leaf_hash(data))
        root = tree.root() if checkpoint.size <= len(entries) else None
        try:
            check_not_behind(checkpoint, len(entries), root, "the backup", str(path))
        except RollbackError as error:
            found.append(str(error).split(". ")[0])
    return found


def _outside(path: Path, verifier: NoteVerifier) -> Checkpoint:
    try:
        return open_checkpoint(_checkpoint_in(path), verifier)
    except CasetrailError as error:
        raise StoreError(f"{path}: not a checkpoint of this log ({error})") from None


def _read_manifest(src: Path) -> dict[str, Any]:
    try:
        manifest = json.loads((src / MANIFEST).read_text(encoding="utf-8"))
        if manifest.get("format") != BACKUP_FORMAT or not isinstance(manifest.get("files"), dict):
            raise ValueError("not a casetrail backup manifest")
    except (OSError, ValueError, AttributeError) as error:
        raise StoreError(f"{src}: not a casetrail backup ({MANIFEST}: {error})") from None
    for name in manifest["files"]:
        if Path(name).is_absolute() or ".." in Path(name).parts:
            raise StoreError(f"{src}: the manifest names a file outside the backup ({name})")
    return manifest


# -- encrypt ----------------------------------------------------------------------------------


@app.command()
def encrypt(
    new_key_file: Annotated[
        Optional[Path], typer.Option(help="Make a new key file here (outside the home) and encrypt under it.")
    ] = None,
    key_file: Annotated[Optional[Path], typer.Option(help="Encrypt under this existing key file.")] = None,
) -> None:
    """Turn a plaintext store into an encrypted one: verified, built alongside, verified, swapped in.

    The key comes as for `init`: --new-key-file / --key-file, else CASETRAIL_KEY_FILE,
    CASETRAIL_PASSPHRASE or CASETRAIL_VAULT_KEY, else a passphrase asked on the terminal.
    Stop `casetrail serve` and other commands on the store first."""
    home = State.home
    try:
        before, after = encrypt_home(home, new_key_file, key_file)
    except CasetrailError as error:
        fail(str(error))
        return
    if before is not None:
        out.print(f"verified before: OK, {before.size} log entries, {before.documents} documents", markup=False)
    out.print(
        f"encrypted {home.root} (SQLCipher 4, AES-256-GCM objects) under the {home.key_source.describe()}; "  # type: ignore[union-attr]
        f"verified after: OK, {after.size} log entries, {after.documents} documents",
        markup=False,
    )
    out.print(
        "the plaintext files were deleted, but copies and backups made before now still hold them in clear: "
        "destroy those",
        markup=False,
    )


def encrypt_home(home: Home, new_key_file: Path | None, key_file: Path | None) -> tuple[Report | None, Report]:
    _refuse_on_postgres(
        home,
        "encrypt",
        "the database's encryption at rest is the server's (an encrypted data directory, WAL and backups); "
        "objects are encrypted when the store is made without --plaintext",
    )
    home.require()
    stage = home.root / STAGING
    verifier = NoteVerifier.from_text(home.verifier_key())
    if (stage / READY).exists():  # an interrupted swap: finish it with the key it was built under
        _resume_source(home, new_key_file, key_file)
        _swap(home, stage)
        return None, _checked(home, verifier, "after")
    if home.encrypted():
        raise KeyCustodyError(f"{home.root} is already encrypted (`casetrail keys status`)")
    if new_key_file is not None and key_file is not None:
        raise KeyCustodyError("choose one of --new-key-file and --key-file")
    if key_file is not None:
        home.key_source = checked_key_file(key_file, home.root)
    elif new_key_file is not None:
        checked_key_file(new_key_file, home.root)  # refused inside the home before the file is made
        home.key_source = generate_key_file(new_key_file)
    if home.key_source is None:
        from casetrail.store.home import NO_KEY_FOR_INIT
        from casetrail.store.keys import source_from_env

        home.key_source = source_from_env(home.root, confirm=True)
        if home.key_source is None:
            raise KeyCustodyError(NO_KEY_FOR_INIT.replace("for the new store", "to encrypt the store under"))
    source = home.key_source
    plain = Home(home.root)  # no keyring yet: opens as plaintext
    before = _checked(plain, verifier, "before")
    shutil.rmtree(stage, ignore_errors=True)
    (stage / "keys").mkdir(parents=True)
    try:
        from casetrail.store.keys import Keyring

        keys = Keyring(stage / "keys" / "keyring.json").create(source)
        sqlkey = keys.sqlcipher_key()
        size = _export_database(home.db_path, stage / "casetrail.db", sqlkey)
        staged_db = SqliteStore(stage / "casetrail.db", key=sqlkey)
        try:
            target = ObjectStore(stage / "objects", keys, staged_db.data_keys)
            old = ObjectStore(home.root / "objects")
            with staged_db.transaction():
                for sha in list(old.iter_hashes()):
                    data = old.get(sha)
                    if data is not None and hashlib.sha256(data).hexdigest() == sha:
                        target.put(data)
            staged_db.fold_wal()
        finally:
            staged_db.close()
        staged = Home(stage, key_source=source)
        staged._keys = keys
        report = _verify_home(staged, verifier)
        if not report.ok:
            raise StoreError(f"the encrypted copy does not verify, nothing was changed: {report.problems[0]}")
        if _ledger_size(home.db_path, None) != size:
            raise StoreError("the store changed while it was being encrypted, nothing was changed: run it again")
        (stage / READY).write_text("verified\n")
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    _swap(home, stage)
    home._keys = keys
    return before, _checked(home, verifier, "after")


def _resume_source(home: Home, new_key_file: Path | None, key_file: Path | None) -> None:
    if key_file is not None:
        home.key_source = checked_key_file(key_file, home.root)
    elif new_key_file is not None:
        raise KeyCustodyError("an interrupted `encrypt` is finished with the key it began with: give --key-file")


def _export_database(source: Path, target: Path, key: str) -> int:
    """The plaintext database into a new SQLCipher file (sqlcipher_export), schema version kept."""
    conn = connect(source)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        size = int(conn.execute("SELECT count(*) FROM entries").fetchone()[0])
        conn.execute("ATTACH DATABASE ? AS encrypted KEY ?", (str(target), key_literal(key)))
        conn.execute("SELECT sqlcipher_export('encrypted')")
        conn.execute(f"PRAGMA encrypted.user_version = {version}")
        conn.execute("DETACH DATABASE encrypted")
    except Exception as error:  # sqlite3.Error from SQLCipher
        raise StoreError(f"{source}: cannot export it encrypted ({error})") from None
    finally:
        conn.close()
    return size


def key_literal(key: str) -> str:
    """ATTACH ... KEY takes the key as a bound string: the raw-key form `x'HEX'` without SQL quoting."""
    return key.strip('"')


def _ledger_size(path: Path, key: str | None) -> int:
    conn = connect(path, key)
    try:
        return int(conn.execute("SELECT count(*) FROM entries").fetchone()[0])
    finally:
        conn.close()


def _swap(home: Home, stage: Path) -> None:
    """Staged files into place, each step idempotent. The keyring goes first: from then on the home
    is encrypted, and a crash is finished by running `encrypt` again."""
    root = home.root
    if (stage / "keys" / "keyring.json").exists():
        os.replace(stage / "keys" / "keyring.json", home.keyring.path)
    if (stage / "casetrail.db").exists():
        for suffix in ("-wal", "-shm", "-journal"):
            root.joinpath("casetrail.db" + suffix).unlink(missing_ok=True)
        os.replace(stage / "casetrail.db", home.db_path)
    if (stage / "objects").exists():
        if (root / "objects").exists():
            os.replace(root / "objects", stage / "plaintext-objects")
        os.replace(stage / "objects", root / "objects")
    shutil.rmtree(stage)
    directory = os.open(root, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


# -- shared -----------------------------------------------------------------------------------


def _verify_home(home: Home, verifier: NoteVerifier) -> Report:
    store = home.open_store(readonly=True)
    try:
        return verify_store(store, home.objects(store), verifier)
    finally:
        store.close()


def _checked(home: Home, verifier: NoteVerifier, when: str) -> Report:
    report = _verify_home(home, verifier)
    if not report.ok:
        raise StoreError(f"the store does not verify ({when} encryption): {report.problems[0]}; see `casetrail verify`")
    return report


def _home_like(home: Home, root: Path) -> Home:
    """Another folder opened with `home`'s keys (a backup: the same keyring, the same KEK)."""
    other = Home(root, key_source=home.key_source)
    other._keys = home._keys
    return other


def _refuse_on_postgres(home: Home, command: str, instead: str) -> None:
    if home.database_url() is not None:
        raise StoreError(
            f"{home.root} keeps its database on PostgreSQL, and `casetrail {command}` is for SQLite: {instead}"
        )


def _require_empty(path: Path, what: str) -> None:
    if path.exists() and (not path.is_dir() or any(path.iterdir())):
        raise StoreError(f"{path} is not empty: {what} goes into a new or empty folder, never over one")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
