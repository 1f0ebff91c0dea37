"""Fuzzing the workbench's JSON API from its own OpenAPI document, with Hypothesis.

Every GET and POST operation in /openapi.json is exercised with path parameters, query
parameters, form fields, uploads and raw bodies drawn from Hypothesis strategies: ids that exist,
ids that do not, unicode junk, very long strings, path traversal, SQL-looking strings and mangled
receipts. Each request is sent as a signed-in supervisor and as an anonymous client (and, where
only another role gets past the first check, as that role too: intake for uploads, auditor for
the audit log and integrity). The properties: no response is a 5xx, every JSON response parses,
and an anonymous client never gets a 2xx from anything but the public receipt check.

Everyone here is fictional.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casetrail.accounts import Accounts, in_ledger
from casetrail.analysis import Analysis
from casetrail.casework import Casework
from casetrail.extraction.pipeline import ExtractionPipeline
from casetrail.intake.register import Register, Submission, iter_files
from casetrail.model.casework import AssignmentRole, PartyRole, StaffRole
from casetrail.store.accounts import AccountStore
from casetrail.store.home import Home
from casetrail.web.app import create_app

INQUIRY = Path(__file__).resolve().parents[1] / "casework" / "inquiry"
PASSWORD = "correct horse battery staple"
PUBLIC = {("post", "/api/receipts/verify")}  # anyone may check a receipt
# Operations where the supervisor is turned away before the interesting part: fuzz them as the
# role that gets through as well.
ALSO_AS = {("post", "/api/documents"): "intake", ("get", "/api/audit"): "auditor", ("get", "/api/integrity"): "auditor"}
# Which known ids suit a parameter or form field, by name.
ID_KINDS = {
    "doc_id": "documents",
    "entity_id": "entities",
    "case_id": "cases",
    "party_id": "parties",
    "staff_id": "staff",
}
FUZZ = settings(
    max_examples=40,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


class World:
    """The app, its signed-in clients and the ids that exist (a plain class: Hypothesis prints its repr)."""

    def __init__(
        self,
        app: Any,
        spec: dict[str, Any],
        clients: dict[str, TestClient],
        csrf: dict[str, str],
        ids: dict[str, list[str]],
        receipts: list[str],
    ) -> None:
        self.app, self.spec, self.clients, self.csrf = app, spec, clients, csrf  # "anonymous" has no session
        self.ids = ids
        self.receipts = receipts  # a real receipt, as JSON and as a tlog-proof

    def __repr__(self) -> str:
        return f"World(ids={self.ids})"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    home = Home(tmp_path_factory.mktemp("fuzz") / "home")
    register = Register.create(home, "casetrail.test/fuzz")
    outcomes = register.ingest(iter_files([INQUIRY]), Submission("intake", "test"))
    analysis = Analysis(register, ExtractionPipeline(spacy_model=None))  # rules only: quick, and enough here
    analysis.extract()
    analysis.resolve()
    cw = Casework(register)
    doc = {
        d.provenance.source_name.rsplit("/", 1)[-1].removesuffix(".txt"): d.id
        for d, _, _ in register.store.documents.iter_documents()
    }
    lead = "lead"
    pryce = cw.register_staff("Owen Pryce", lead, force="Independent Office for Police Conduct")
    marsh = cw.register_staff(
        "Helen Marsh", lead, force="Independent Office for Police Conduct", roles=(StaffRole.SUPERVISOR,)
    )
    c1 = cw.open_case("Complaints about an officer", lead)
    party = cw.add_party(c1.id, PartyRole.COMPLAINANT, lead, pseudonym="Ash")
    cw.add_document(c1.id, doc["statement-ash"], lead, given_by=party.id)
    cw.add_document(c1.id, doc["statement-cass"], lead)
    allegation = cw.add_allegation(c1.id, "abuse_of_position_sexual", lead)
    officers = [e for e in cw.entity_view().all_entities().values() if e.type == "officer"]
    if officers:
        cw.add_subject(allegation.id, lead, entity_id=officers[0].id)
    c2 = cw.open_case("Abbey Lane flat", lead)
    cw.add_document(c2.id, doc["statement-dell"], lead)
    cw.assign(c2.id, pryce.id, AssignmentRole.INVESTIGATOR, lead)

    accounts = Accounts(AccountStore(register.store), in_ledger(register.log, register.store))
    app = create_app(home, secure_cookies=False)
    clients = {"anonymous": TestClient(app, raise_server_exceptions=False, headers={"Origin": "http://testserver"})}
    csrf = {}
    for name, roles, staff in (
        ("supervisor", ["supervisor"], marsh.id),
        ("intake", ["intake"], None),
        ("auditor", ["auditor"], None),
    ):
        accounts.create_user(name, PASSWORD, roles, staff_id=staff)
        client = TestClient(app, raise_server_exceptions=False, headers={"Origin": "http://testserver"})
        signed = client.post("/login", data={"username": name, "password": PASSWORD}, follow_redirects=False)
        assert signed.status_code == 303, name
        clients[name] = client
        csrf[name] = client.get("/api/me").json()["csrf_token"]
    book = cw.book()
    ids = {
        "documents": sorted(doc.values()),
        "entities": sorted(cw.entity_view().all_entities())[:50],
        "cases": sorted(book.cases),
        "parties": sorted(book.parties),
        "staff": sorted(book.staff),
    }
    receipt = next(o.receipt for o in outcomes if o.receipt is not None)
    spec = clients["anonymous"].get("/openapi.json").json()
    return World(app, spec, clients, csrf, ids, [receipt.to_json(), receipt.to_tlog_proof()])


# -- strategies -------------------------------------------------------------------------------

MISSING_IDS = st.one_of(
    st.sampled_from(["D-999999", "C-9999", "P-9999", "S-9999", "AL-9999", "E-0000000000", "D-000000", "0", "-1"]),
    st.from_regex(r"[A-Z]{1,2}-[0-9]{1,8}", fullmatch=True),
    st.from_regex(r"E-[0-9a-f]{10}", fullmatch=True),
)
JUNK = st.text(max_size=40)  # any unicode, surrogates aside
# Long, but short enough that httpx will still send it (it refuses URL parts over 64 KiB encoded).
LONG = st.builds(lambda s, n: (s * n)[:n], st.text(min_size=1, max_size=3), st.integers(300, 2000))
TRAVERSAL = st.sampled_from(
    [
        "..",
        ".",
        "../",
        "../../etc/passwd",
        "..%2f..%2fetc%2fpasswd",
        "%2e%2e%2f",
        "..\\..\\windows\\win.ini",
        "/etc/passwd",
        "....//....//",
        "static/../../openapi.json",
        "..;/",
        "%00",
        "\x00",
        "a\x00b",
        "~root",
    ]
)
SQL = st.sampled_from(
    [
        "' OR '1'='1",
        "1; DROP TABLE documents;--",
        '" OR 1=1 --',
        "%' --",
        "') UNION SELECT * FROM users --",
        "*",
        "%",
        "_",
        "' OR 1=1 LIMIT 1 OFFSET 1 --",
        "1) OR (1=1",
        "D-000001' --",
        "'; PRAGMA writable_schema=1;--",
    ]
)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats(allow_nan=True) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=10,
)


def values(world: World, name: str) -> st.SearchStrategy[str]:
    """Strings for a parameter or field: known ids (of its kind first), missing ids and hostile text."""
    kind = ID_KINDS.get(name)
    every = sorted({i for pool in world.ids.values() for i in pool})
    known = [st.sampled_from(world.ids[kind])] if kind and world.ids[kind] else []
    if name == "role":
        known.append(st.sampled_from([r.value for r in AssignmentRole]))
    suffixed = st.builds(
        lambda a, b: a + b, st.sampled_from(every), st.sampled_from(["/", "/..", "%", "'", " ", "\n", "?x=1"])
    )
    return st.one_of(*known, st.sampled_from(every), MISSING_IDS, JUNK, LONG, TRAVERSAL, SQL, suffixed)


def receipt_bodies(world: World) -> st.SearchStrategy[bytes]:
    as_json, tlog = world.receipts

    def mutated(key: str, value: Any) -> str:
        raw = json.loads(as_json)
        raw[key] = value
        return json.dumps(raw)

    def cut(text: str, at: int) -> str:
        return text[: at % (len(text) + 1)]

    def tlog_line(at: int, line: str) -> str:
        lines = tlog.split("\n")
        lines[at % len(lines)] = line
        return "\n".join(lines)

    keys = sorted(json.loads(as_json))
    text = st.one_of(
        st.just(as_json),
        st.just(tlog),
        st.builds(mutated, st.sampled_from(keys), JSON_VALUES),
        st.builds(
            lambda k: json.dumps({x: v for x, v in json.loads(as_json).items() if x != k}), st.sampled_from(keys)
        ),
        st.builds(cut, st.sampled_from([as_json, tlog]), st.integers(0, 10_000)),
        st.builds(
            tlog_line, st.integers(0, 100), st.one_of(JUNK, LONG, st.just(""), st.just("index 99999999999999999999"))
        ),
        st.builds(lambda v: json.dumps(v), JSON_VALUES),
        st.builds(lambda s: "{" + s, JUNK),
        JUNK,
        LONG,
        SQL,
        st.just('{"a":' * 5000),
        st.just("[" * 100_000),
    )
    return st.one_of(text.map(lambda t: t.encode("utf-8", "surrogatepass")), st.binary(max_size=300))


FILE_NAMES = st.one_of(
    st.sampled_from(
        [
            "note.txt",
            "..",
            ".",
            "",
            "../x.txt",
            "a/../../b.txt",
            "CON",
            "x.pdf",
            "x.docx",
            "x.html",
            ".hidden",
            "/etc/passwd",
            "noext",
            "x." + "a" * 300,
        ]
    ),
    st.text(min_size=1, max_size=30).filter(lambda s: all(c not in s for c in '\r\n"\\')),
)
FILE_BODIES = st.one_of(
    st.binary(max_size=400),
    st.text(max_size=200).map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.just(b"%PDF-1.4\n%junk"),
    st.just(b"PK\x03\x04junk"),
    st.just(b"<html><script>x</script>"),
)


# -- the operations ---------------------------------------------------------------------------


def operations() -> list[tuple[str, str]]:
    """Every GET and POST in the app's OpenAPI document (read from an app over an empty home)."""
    with tempfile.TemporaryDirectory() as tmp:
        home = Home(Path(tmp) / "home")
        Register.create(home, "casetrail.test/spec").store.close()
        spec = create_app(home, secure_cookies=False).openapi()
    return sorted((method, path) for path, ops in spec["paths"].items() for method in ops if method in ("get", "post"))


OPERATIONS = operations()


def resolve(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = spec["components"]["schemas"][name]
    return schema


@st.composite
def requests(draw: st.DrawFn, world: World, method: str, path: str) -> dict[str, Any]:
    op = world.spec["paths"][path][method]
    url = path
    params: dict[str, str] = {}
    for p in op.get("parameters", []):
        value = draw(values(world, p["name"]))
        if p["in"] == "path":
            # mostly percent-encoded whole; sometimes with "/" and "." left raw, so traversal reaches the router
            safe = draw(st.sampled_from(["", "", "/", "/.:@"]))
            url = url.replace("{" + p["name"] + "}", quote(value, safe=safe) or "%20")
        elif p["in"] == "query" and (p.get("required") or draw(st.booleans())):
            params[p["name"]] = value
    if draw(st.integers(0, 4)) == 0:
        params[draw(st.sampled_from(["x", "reason", "q", "limit", "__proto__"]))] = draw(values(world, "x"))
    request: dict[str, Any] = {"method": method.upper(), "url": url, "params": params}
    content = (op.get("requestBody") or {}).get("content", {})
    if "application/x-www-form-urlencoded" in content:
        schema = resolve(world.spec, content["application/x-www-form-urlencoded"]["schema"])
        request["data"] = {
            field: draw(values(world, field))
            for field in schema.get("properties", {})
            if field in schema.get("required", []) or draw(st.booleans())
        }
    elif "multipart/form-data" in content:
        schema = resolve(world.spec, content["multipart/form-data"]["schema"])
        files = []
        for field in schema.get("properties", {}):
            for _ in range(draw(st.integers(0 if field not in schema.get("required", []) else 1, 3))):
                files.append(
                    (
                        field,
                        (
                            draw(FILE_NAMES),
                            draw(FILE_BODIES),
                            draw(
                                st.sampled_from(
                                    ["text/plain", "application/octet-stream", "application/pdf", "text/html", "x/../y"]
                                )
                            ),
                        ),
                    )
                )
        request["files"] = files
    elif method == "post":  # a body the handler reads itself (the receipt check)
        request["content"] = draw(receipt_bodies(world))
    return request


def send(world: World, who: str, request: dict[str, Any], csrf: str | None) -> None:
    headers = {"x-csrf-token": csrf} if csrf is not None else {}
    response = world.clients[who].request(headers=headers, follow_redirects=False, **request)
    shown = {k: (v if len(repr(v)) < 300 else repr(v)[:300] + "...") for k, v in request.items()}
    assert response.status_code < 500, f"{who}: {shown} -> {response.status_code} {response.text[:500]}"
    if response.headers.get("content-type", "").startswith("application/json"):
        try:
            json.loads(response.content)
        except ValueError as error:
            raise AssertionError(f"{who}: {shown} -> JSON that does not parse: {error}") from None
    if (
        who == "anonymous"
        and (request["method"].lower(), request["url"]) not in PUBLIC
        and request["url"].startswith("/api/")
    ):
        assert response.status_code not in range(200, 300), f"anonymous got {response.status_code} from {shown}"


def test_the_spec_lists_the_api(world: World) -> None:
    served = sorted((m, p) for p, ops in world.spec["paths"].items() for m in ops if m in ("get", "post"))
    assert served == OPERATIONS  # what /openapi.json serves is what is fuzzed below
    listed = {f"{m.upper()} {p}" for m, p in OPERATIONS}
    assert {
        "GET /api/documents/{doc_id}",
        "GET /api/cases/{case_id}",
        "POST /api/cases/{case_id}/assignments",
        "POST /api/documents",
        "POST /api/receipts/verify",
        "GET /api/oversight",
    } <= listed


@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m.upper()} {p}" for m, p in OPERATIONS])
@FUZZ
@given(data=st.data())
def test_no_5xx_and_json_parses(world: World, method: str, path: str, data: st.DataObject) -> None:
    request = data.draw(requests(world, method, path), label="request")
    viewers = ["supervisor", "anonymous"] + ([ALSO_AS[(method, path)]] if (method, path) in ALSO_AS else [])
    for who in viewers:
        csrf = None
        if method == "post" and who != "anonymous":
            # mostly the right token; sometimes none or a wrong one
            csrf = data.draw(
                st.sampled_from([world.csrf[who]] * 5 + [None, "wrong", world.csrf["supervisor"]]), label="csrf"
            )
        send(world, who, request, csrf)


# Names a browser or a script can put in a multipart upload: each must come back as a per-file
# outcome (recorded, duplicate or failed), never as a server error. Sent raw, so NUL and
# non-UTF-8 bytes reach the server as they would from any HTTP client.
HOSTILE_NAMES = [
    b"..",
    b".",
    b"",
    b"a/..",
    b"x/../../..",
    b"../../etc/passwd",
    b"..\\..\\boot.ini",
    b"a\x00b.txt",
    b"\xff\xfe.txt",
    b"x." + b"a" * 300,
    "\u00e9".encode() * 130,
    b"%2e%2e",
    b"CON",
    b" ",
    b"/",
]


@pytest.mark.parametrize("name", HOSTILE_NAMES, ids=[repr(n[:24]) for n in HOSTILE_NAMES])
def test_hostile_upload_names_are_no_server_error(world: World, name: bytes) -> None:
    body = (
        b'--FUZZBOUNDARY\r\nContent-Disposition: form-data; name="files"; filename="' + name + b'"\r\n'
        b"Content-Type: text/plain\r\n\r\nStatement about PC Ada Fernhill, " + name.hex().encode() + b"\r\n"
        b"--FUZZBOUNDARY--\r\n"
    )
    headers = {"x-csrf-token": world.csrf["intake"], "content-type": "multipart/form-data; boundary=FUZZBOUNDARY"}
    response = world.clients["intake"].post("/api/documents", content=body, headers=headers)
    assert response.status_code < 500, f"upload named {name!r} -> {response.status_code} {response.text[:300]}"
    if response.status_code == 200:  # one outcome per file, whatever its name
        assert [o["status"] for o in response.json()] in (["recorded"], ["failed"]), response.text[:300]
