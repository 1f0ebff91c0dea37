"""An investigator's day in a real browser: Debian's Chromium, driven by Playwright, against uvicorn.

Intake records a new statement through the upload form; the supervisor reads a statement with its
highlighted mentions, follows the accused officer to his entity page and link chart, assigns an
investigator through the picker, and sees the accused refused; the overseer finds stale
intelligence escalated; the auditor sees the ledger verify. Every page must load without a
JavaScript error or a Content-Security-Policy refusal. Screenshots of each page are written to
tests/web/screenshots/ for a person to look at. Everyone here is fictional.

No browser is ever downloaded: without /usr/bin/chromium (`make browser`) this test fails.
"""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import (
    Browser,
    ConsoleMessage,
    Error,
    FilePayload,
    Page,
    expect,
    sync_playwright,
)

from casetrail.accounts import Accounts, in_ledger
from casetrail.analysis import Analysis
from casetrail.casework import Casework
from casetrail.intake.register import Register, Submission, iter_files
from casetrail.model.casework import PartyRole, StaffRole
from casetrail.store.accounts import AccountStore
from casetrail.store.home import Home
from casetrail.web.app import create_app

INQUIRY = Path(__file__).resolve().parents[1] / "casework" / "inquiry"
SHOTS = Path(__file__).resolve().parent / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "correct horse battery staple"
IOPC = "Independent Office for Police Conduct"
NEW_STATEMENT = (
    b"Statement of the witness known as 'Eden', taken on 14 April 2026.\n\n"
    b"In 2004 I ran the launderette on Abbey Lane in Northmoor. PC Darren Whitlock of Northmoor Police "
    b"parked his silver Vauxhall Astra outside most Friday nights.\n"
)


@dataclass
class Site:
    url: str
    ids: dict[str, str]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The fictional Northmoor inquiry, served by uvicorn on a free local port for the module."""
    home = Home(tmp_path_factory.mktemp("browser") / "home")
    register = Register.create(home, "casetrail.test/browser")
    register.ingest(iter_files([INQUIRY]), Submission("intake", "test"))
    Analysis(register).extract()
    Analysis(register).resolve()
    cw = Casework(register)
    doc = {
        d.provenance.source_name.rsplit("/", 1)[-1].removesuffix(".txt"): d.id
        for d, _, _ in register.store.documents.iter_documents()
    }
    officer = next(e for e in cw.entity_view().all_entities().values() if e.type == "officer" and "Whitlock" in e.name)
    lead = "lead"
    tait = cw.register_staff("Imogen Tait", lead, force=IOPC)
    whitlock = cw.register_staff(
        "Darren Whitlock", lead, force="Northmoor Police", collar_number="4471", roles=(StaffRole.SUPERVISOR,)
    )
    marsh = cw.register_staff("Helen Marsh", lead, force=IOPC, roles=(StaffRole.SUPERVISOR,))
    calder = cw.register_staff("Ruth Calder", lead, force=IOPC, roles=(StaffRole.OVERSEER,))
    c1 = cw.open_case("Complaints about a Northmoor constable", lead)
    ash = cw.add_party(c1.id, PartyRole.COMPLAINANT, lead, pseudonym="Ash", entity_id=None)
    cw.add_document(c1.id, doc["statement-ash"], lead, given_by=ash.id)
    cw.add_document(c1.id, doc["statement-cass"], lead)
    allegation = cw.add_allegation(c1.id, "abuse_of_position_sexual", lead)
    cw.add_subject(allegation.id, lead, entity_id=officer.id)
    c2 = cw.open_case("Abbey Lane flat", lead)
    cw.add_document(c2.id, doc["statement-dell"], lead)
    # intelligence that nobody acted on for most of the year: the deadline clock escalates it
    intel = cw.record_intelligence(
        "Anonymous caller: the sergeant with the scarred cheek still visits Abbey Lane",
        lead,
        case_id=c2.id,
        received_at="2026-01-05",
    )
    assert any(e.item_id == intel.id for e in cw.escalate("deadline-clock"))
    assert any(a["entity_id"] == officer.id for a in cw.raise_alerts("alert-clock"))  # named in 3+ accounts
    accounts = Accounts(AccountStore(register.store), in_ledger(register.log, register.store))
    for username, roles, staff in (
        ("frontdesk", ["intake"], None),
        ("hmarsh", ["supervisor"], marsh.id),
        ("rcalder", ["overseer"], calder.id),
        ("ledgercheck", ["auditor"], None),
    ):
        accounts.create_user(username, PASSWORD, roles, staff_id=staff)
    ids = {
        "c1": c1.id,
        "c2": c2.id,
        "ash": doc["statement-ash"],
        "officer": officer.id,
        "whitlock": whitlock.id,
        "tait": tait.id,
        "intel": intel.id,
    }

    app = create_app(home, secure_cookies=False)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))  # a free port, held from here on so nothing can take it
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="uvicorn", daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    try:
        yield Site(f"http://127.0.0.1:{port}", ids)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


MISSING = f"{CHROMIUM} is missing: run `make browser` (the browser tests never download a browser)"


def test_the_browser_is_installed() -> None:
    assert CHROMIUM.exists(), MISSING  # a failure, never a skip: these tests are part of `make test`


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(MISSING, pytrace=False)
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@dataclass
class Console:
    """What the pages said: any error (a CSP refusal is one) fails the day."""

    errors: list[str] = field(default_factory=list)

    def watch(self, page: Page) -> None:
        page.on("console", self._message)
        page.on("pageerror", lambda error: self.errors.append(f"{page.url}: uncaught {error}"))

    def _message(self, message: ConsoleMessage) -> None:
        if message.location.get("url", "").endswith("/favicon.ico"):
            return  # the browser asks for one on its own; the workbench has none (a 404, not a page error)
        if message.type == "error" or "Content Security Policy" in message.text:
            self.errors.append(f"{message.location.get('url', '')}: {message.type}: {message.text}")


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def sign_in(page: Page, site: Site, username: str) -> None:
    page.goto(f"{site.url}/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{site.url}/")
    expect(page.locator("header .who")).to_contain_text(username)


def sign_out(page: Page, site: Site) -> None:
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{site.url}/login")


def test_an_investigators_day(browser: Browser, site: Site) -> None:
    ids = site.ids
    context = browser.new_context(viewport={"width": 1280, "height": 860})
    context.set_default_timeout(10_000)
    page = context.new_page()
    console = Console()
    console.watch(page)
    try:
        # -- the front desk records a new statement through the upload form -----------------------
        page.goto(f"{site.url}/")
        page.wait_for_url(f"{site.url}/login")
        expect(page.get_by_role("heading", name="Sign in to casetrail")).to_be_visible()
        shot(page, "01-login")
        sign_in(page, site, "frontdesk")
        upload = FilePayload(name="statement-eden.txt", mimeType="text/plain", buffer=NEW_STATEMENT)
        page.locator("input[name=files]").set_input_files(files=[upload])
        page.get_by_role("button", name="Record").click()  # upload.js posts it and shows the answer
        outcome = page.locator("table.outcomes tr", has_text="statement-eden.txt")
        expect(outcome).to_contain_text("recorded")
        expect(outcome.locator("summary", has_text="receipt")).to_be_visible()
        expect(page.locator("table:not(.outcomes)")).to_contain_text("statement-eden.txt")
        shot(page, "02-inbox-upload")
        sign_out(page, site)

        # -- the supervisor reads a statement and follows the accused to his entity -------------
        sign_in(page, site, "hmarsh")
        page.get_by_role("link", name=ids["ash"]).click()
        page.wait_for_url(f"{site.url}/documents/{ids['ash']}")
        officers = page.locator(".doctext .m-officer")
        expect(officers.first).to_be_visible()
        assert officers.count() >= 1
        assert page.locator(".doctext .m").count() >= 5  # places, vehicles, dates too
        shot(page, "03-document")
        # review a mention: confirm the accused's name is him, with a reason, from the document page
        row = page.locator("table.mentions tr", has=page.locator(f"a[href='/entities/{ids['officer']}']")).first
        row.locator("input[name=reason]").fill("named by rank and surname; matches the other statements")
        row.get_by_role("button", name="Confirm").click()
        expect(page.get_by_role("status")).to_contain_text("Recorded: you confirmed")
        expect(page.locator("section", has_text="Decisions on these mentions")).to_contain_text(
            "matches the other statements"
        )
        shot(page, "03b-document-decision")
        page.locator(f".doctext a.m-officer[href='/entities/{ids['officer']}']").first.click()
        page.wait_for_url(f"{site.url}/entities/{ids['officer']}")
        expect(page.locator("#chart canvas").first).to_be_attached()
        expect(page.locator("#chart")).to_have_attribute("data-rendered", re.compile(r"^\d+$"))
        graph = page.request.get(f"{site.url}/api/entities/{ids['officer']}").json()["graph"]
        assert len(graph["nodes"]) >= 3, graph
        assert {"id": ids["c1"], "type": "case"}.items() <= next(
            n for n in graph["nodes"] if n["type"] == "case"
        ).items()
        assert page.locator("#chart").get_attribute("data-rendered") == str(len(graph["nodes"]))
        # the timeline is dated by the register's receipt, oldest first
        dated = page.locator("#timeline li time").evaluate_all("ts => ts.map(t => t.getAttribute('datetime'))")
        assert len(dated) >= 2 and dated == sorted(dated), dated
        page.wait_for_timeout(150)  # let the canvas paint its labels before the picture
        shot(page, "04-entity-chart")
        # a node in the chart opens that entity
        target = page.evaluate("""() => {
            const chart = document.getElementById("chart"), node = chart.cy.nodes().filter(n => !n.hasClass("centre"))[0];
            const at = node.renderedPosition();
            return {id: node.id(), x: at.x, y: at.y};
        }""")
        box = page.locator("#chart").bounding_box()
        assert box is not None
        page.mouse.click(box["x"] + target["x"], box["y"] + target["y"])
        page.wait_for_url(f"{site.url}/entities/{target['id']}")
        page.go_back()
        page.wait_for_url(f"{site.url}/entities/{ids['officer']}")

        # -- search from the header: names and text, only what this supervisor may read -----------
        page.get_by_role("searchbox", name="Search names and text").fill("scar cheek")
        page.keyboard.press("Enter")
        page.wait_for_url(re.compile(r"/search\?q=scar"))
        expect(page.locator("ol.hits li").first).to_be_visible()
        expect(page.locator("ol.hits mark").first).to_have_text(re.compile(r"scar|cheek", re.IGNORECASE))
        shot(page, "04b-search")
        page.go_back()
        page.wait_for_url(f"{site.url}/entities/{ids['officer']}")

        # -- the case: the picker offers only independent people; the accused is refused --------
        page.get_by_role("link", name=ids["c1"]).first.click()
        page.wait_for_url(f"{site.url}/cases/{ids['c1']}")
        # a survivor is shown by pseudonym; opening their identifying details asks for a reason
        parties = page.locator("section", has=page.get_by_role("heading", name="Complainants and witnesses"))
        expect(parties).to_contain_text("Ash")
        parties.locator("input[name=reason]").first.fill("checking a safeguarding referral")
        parties.get_by_role("button", name="Open").first.click()
        expect(page.get_by_role("status")).to_contain_text("Identifying details of Ash")
        expect(page.get_by_role("status")).to_contain_text("Your reason is in the read audit")
        picker = page.locator("select[name=staff_id]")
        offered = picker.locator("option").all_inner_texts()
        assert "Imogen Tait" in offered and "Darren Whitlock" not in offered, offered
        assert ids["whitlock"] not in picker.locator("option").evaluate_all("os => os.map(o => o.value)")
        picker.select_option(label="Imogen Tait")
        page.locator("select[name=role]").select_option("investigator")
        page.get_by_role("button", name="Assign").click()
        expect(page.get_by_role("status")).to_contain_text("Assigned.")
        expect(page.locator("table", has_text="Imogen Tait")).to_contain_text("investigator")
        # the accused cannot be picked; a forged form naming him is checked and refused all the same
        csrf = page.locator("form.assign input[name=csrf_token]").get_attribute("value")
        assert csrf
        refused = page.request.post(
            f"{site.url}/cases/{ids['c1']}/assign",
            headers={"Origin": site.url},
            form={"staff_id": ids["whitlock"], "role": "interviewer", "csrf_token": csrf},
        )
        assert refused.ok, refused.status
        html = refused.text()
        # the supervisor is told the kinds of conflict; the details go to the overseer
        for said in ("Refused", "connected to this case", "named in this case", "same force as a subject"):
            assert said in html, (said, html[:2000])
        forged = page.request.post(
            f"{site.url}/cases/{ids['c1']}/assign",
            headers={"Origin": site.url},
            form={"staff_id": ids["whitlock"], "role": "interviewer", "csrf_token": "forged"},
        )
        assert forged.status == 403
        # show the server's refusal page in the browser, as upload.js shows its answers
        page.set_content(html)
        expect(page.get_by_role("status")).to_contain_text("Refused")
        expect(page.locator("section li", has_text="Darren Whitlock as interviewer")).to_contain_text(
            "connected to this case"
        )
        shot(page, "05-case-refusal")
        sign_out(page, site)

        # -- the overseer sees what went stale ----------------------------------------------------
        sign_in(page, site, "rcalder")
        page.get_by_role("link", name="Oversight").click()
        page.wait_for_url(f"{site.url}/oversight")
        escalations = page.locator("section", has=page.get_by_role("heading", name="Escalations"))
        expect(escalations).to_contain_text(f"{ids['intel']} (intelligence without action)")
        expect(page.locator("section", has=page.get_by_role("heading", name="Overdue"))).to_contain_text(ids["intel"])
        unacted = page.locator("section", has=page.get_by_role("heading", name="Intelligence not acted on"))
        expect(unacted).to_contain_text(ids["intel"])
        # the time-to-action charts: one bar per bucket, the never-actioned one counting this item
        chart = page.get_by_role("img", name="Days from receiving intelligence to its first action")
        expect(chart.locator("rect")).to_have_count(7)
        expect(chart).to_contain_text("never, now overdue")
        alerts = page.locator("section", has=page.get_by_role("heading", name="Repeat-subject alerts"))
        expect(alerts.locator(f"a[href='/entities/{ids['officer']}']")).to_contain_text("Whitlock")
        shot(page, "06-oversight")
        sign_out(page, site)

        # -- the auditor checks the ledger --------------------------------------------------------
        sign_in(page, site, "ledgercheck")
        page.get_by_role("link", name="Integrity").click()
        page.wait_for_url(f"{site.url}/integrity")
        expect(page.locator("strong.ok")).to_have_text("OK")
        shot(page, "07-integrity")
        # ... and finds who opened Ash's identifying details, and why
        page.get_by_role("link", name="Audit").click()
        page.wait_for_url(f"{site.url}/audit")
        page.get_by_role("textbox", name="Search").fill("safeguarding referral")
        page.get_by_role("button", name="Search").click()
        row = page.locator("table tr", has_text="checking a safeguarding referral")
        expect(row).to_contain_text("identity")
        expect(row).to_contain_text("hmarsh")
        shot(page, "08-audit")
        sign_out(page, site)
    except (Error, AssertionError):
        shot(page, "failure")  # what the page looked like when the day went wrong
        raise
    finally:
        context.close()
    assert console.errors == [], "\n".join(console.errors)
