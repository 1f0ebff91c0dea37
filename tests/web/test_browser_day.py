"""A whole fictional investigation, done in the browser: Debian's Chromium, driven by Playwright.

The front desk uploads three accounts about a Harrowgate Vale constable; a supervisor ticks them in
the inbox and opens a case, adds the complainant and an allegation naming the officer (subject
picker); assigning a colleague from the officer's force is refused with the kind of conflict, and an
independent investigator is assigned; the investigator raises two actions and completes one; an
intelligence item lapses and reaches the overseer, who waives the same-force conflict of a
specialist the case needs; a same-account proposal is confirmed; the case file is exported and
verifies offline. Every page visited passes axe-core at WCAG 2.2 AA, and the supervisor signs in,
opens the case and records a party with the keyboard alone. Screenshots of each step go to
tests/web/screenshots/day-*.png. Everyone here is fictional.

Three steps have no page, so the test calls the command layer the CLI uses, as the CLI would:
extraction and resolution (`casetrail analyse`), intelligence received weeks ago (the web form
records it as received now), and the deadline clock (`casetrail escalate`).
"""

from __future__ import annotations

import re
import socket
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import pytest
import uvicorn
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Error,
    FilePayload,
    Page,
    expect,
)

from casetrail.accounts import Accounts, in_ledger
from casetrail.analysis import Analysis
from casetrail.casefile import verify_case_file
from casetrail.casework import Casework
from casetrail.intake.register import Register
from casetrail.model.casework import StaffRole
from casetrail.store.accounts import AccountStore
from casetrail.store.home import Home
from casetrail.web.app import create_app
from tests.web.test_browser import PASSWORD, SHOTS, Console, browser  # noqa: F401  (browser: a fixture)

AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
# WCAG 2.0, 2.1 and 2.2 at levels A and AA: what issue 16 asks the pages to pass.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
IOPC = "Independent Office for Police Conduct"
FORCE = "Harrowgate Vale Police"
OFFICER = "PC Colin Ashdown"
# The accounts, written for this test. Wren's statement and her advocate's letter report one account
# (the same pseudonym): the proposer should offer them as a pair for the supervisor to confirm.
STATEMENTS = {
    "statement-wren.txt": (
        "Statement of the complainant known as 'Wren', taken on 3 February 2026.\n\n"
        "In the winter of 2011, when I was 15, PC Colin Ashdown, collar number 2290, of Harrowgate Vale Police "
        "stopped me outside the Mill Road youth club in Carrick. He drove a blue Ford Focus, registration "
        "HV61 RZT. He said that if I told anyone he would see to it that my brother was charged.\n"
    ),
    "letter-wren-advocate.txt": (
        "Letter from the advocate of the complainant known as 'Wren', received 20 February 2026.\n\n"
        "Wren asked me to add that in December 2011 PC Colin Ashdown of Harrowgate Vale Police came to her "
        "mother's flat on Tanner Street in Carrick and warned her to keep quiet.\n"
    ),
    "statement-sorrel.txt": (
        "Statement of the witness known as 'Sorrel', taken on 9 February 2026.\n\n"
        "I worked the late shift at the Mill Road youth club in Carrick from 2010 to 2012. I saw PC Colin "
        "Ashdown of Harrowgate Vale Police waiting in a blue Ford Focus outside on Friday nights, and I saw "
        "girls get into the car.\n"
    ),
}
T = TypeVar("T")


@dataclass
class Day:
    url: str
    home: Home
    staff: dict[str, str]  # short name -> staff id
    ids: dict[str, str] = field(default_factory=dict)  # what the day makes: case, documents, allegation
    shots: list[str] = field(default_factory=list)  # screenshots taken, in order


def _people(home: Home) -> dict[str, str]:
    """Staff and accounts, as an administrator left them before the day began."""
    register = Register.create(home, "casetrail.test/day")
    try:
        cw, lead = Casework(register), "lead"
        staff = {
            "marsh": cw.register_staff("Helen Marsh", lead, force=IOPC, roles=(StaffRole.SUPERVISOR,)).id,
            "tait": cw.register_staff("Imogen Tait", lead, force=IOPC).id,
            "calder": cw.register_staff("Ruth Calder", lead, force=IOPC, roles=(StaffRole.OVERSEER,)).id,
            # the accused's colleague on the Carrick response team: same force, so not independent
            "penhale": cw.register_staff("Gareth Penhale", lead, force=FORCE, unit="Carrick Response").id,
            # the only examiner cleared for the force's phone-extraction kit: same force, waivable
            "keel": cw.register_staff("Nadia Keel", lead, force=FORCE, unit="Digital Forensics Unit").id,
        }
        accounts = Accounts(AccountStore(register.store), in_ledger(register.log, register.store))
        for username, roles, staff_id in (
            ("frontdesk", ["intake"], None),
            ("hmarsh", ["supervisor"], staff["marsh"]),
            ("itait", ["investigator"], staff["tait"]),
            ("rcalder", ["overseer"], staff["calder"]),
            ("ledgercheck", ["auditor"], None),
            ("sysadmin", ["administrator"], None),
        ):
            accounts.create_user(username, PASSWORD, roles, staff_id=staff_id)
    finally:
        register.store.close()
    return staff


@contextmanager
def serve(home: Home) -> Iterator[str]:
    """The workbench over `home`, by uvicorn on a free local port, as test_browser serves it."""
    app = create_app(home, secure_cookies=False)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))  # a free port, held from here on so nothing can take it
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="uvicorn-day", daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


@pytest.fixture(scope="module")
def day(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Day]:
    home = Home(tmp_path_factory.mktemp("day") / "home")
    staff = _people(home)
    with serve(home) as url:
        yield Day(url, home, staff)


def command_layer(home: Home, call: Callable[[Register], T]) -> T:
    """What the CLI would do beside the running workbench: its own register on the same home."""
    register = Register.open(home)
    try:
        return call(register)
    finally:
        register.store.close()


# -- accessibility -----------------------------------------------------------------------------


@dataclass
class Axe:
    """axe-core's WCAG 2.2 AA violations on every page checked, gathered so one run lists them all."""

    source: str
    violations: list[str] = field(default_factory=list)
    pages: list[str] = field(default_factory=list)

    def check(self, page: Page, name: str) -> None:
        # Evaluated over the DevTools protocol, which the page's CSP (script-src 'self') does not
        # govern: an injected <script> would be refused, and the pages' CSP must stay as it is served.
        if not page.evaluate("typeof window.axe !== 'undefined'"):
            page.evaluate(self.source)
        found: list[dict[str, Any]] = page.evaluate(
            """tags => axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]})
                        .then(r => r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                               nodes: v.nodes.slice(0, 3).map(n => n.target.join(" ") + ": " + n.failureSummary)})))""",
            WCAG_TAGS,
        )
        self.pages.append(name)
        for v in found:
            self.violations.append(
                f"{name} {page.url}: {v['id']} ({v['impact']}) {v['help']}\n    " + "\n    ".join(v["nodes"])
            )


@pytest.fixture
def axe() -> Axe:
    assert AXE.exists(), f"{AXE} is missing: run `make assets` (axe-core from frontend/package-lock.json)"
    return Axe(AXE.read_text())


# -- steps -------------------------------------------------------------------------------------


@dataclass
class Walk:
    """One browser tab on the day: each step checked by axe and photographed."""

    day: Day
    page: Page
    axe: Axe

    def step(self, name: str) -> None:
        """Check the page with axe and photograph it as the day's next numbered step."""
        self.axe.check(self.page, name)
        self.day.shots.append(f"day-{len(self.day.shots):02d}-{name}.png")
        SHOTS.mkdir(exist_ok=True)
        self.page.screenshot(path=str(SHOTS / self.day.shots[-1]), full_page=True)

    def go(self, path: str) -> None:
        self.page.goto(f"{self.day.url}{path}")

    def sign_in(self, username: str) -> None:
        self.go("/login")
        self.page.get_by_label("Username").fill(username)
        self.page.get_by_label("Password").fill(PASSWORD)
        self.page.get_by_role("button", name="Sign in").click()
        self.page.wait_for_url(f"{self.day.url}/")

    def sign_out(self) -> None:
        self.page.get_by_role("button", name="Sign out").click()
        self.page.wait_for_url(f"{self.day.url}/login")


def tab_to(page: Page, test: str, limit: int = 80) -> None:
    """Press Tab until the focused element passes `test` (a JS predicate on it): reachable by keyboard."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"(el => {test})(document.activeElement)"):
            return
    raise AssertionError(f"Tab never reached an element where {test}")


def keyboard_sign_in(walk: Walk, username: str) -> None:
    page = walk.page
    walk.go("/login")
    tab_to(page, "el.name === 'username'")
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{walk.day.url}/")
    expect(page.locator("header .who")).to_contain_text(username)


def upload_statements(walk: Walk) -> None:
    page = walk.page
    walk.sign_in("frontdesk")
    walk.step("inbox-front-desk")
    files = [FilePayload(name=n, mimeType="text/plain", buffer=t.encode()) for n, t in STATEMENTS.items()]
    page.locator("input[name=files]").set_input_files(files=files)
    page.get_by_role("button", name="Record").click()
    for name in STATEMENTS:
        expect(page.locator("table.outcomes tr", has_text=name)).to_contain_text("recorded")
    walk.step("uploaded")
    rows = page.locator("table:not(.outcomes) tr", has_text=".txt")
    walk.day.ids.update(
        {re.sub(r"\.txt$", "", r.locator("td").nth(1).inner_text()): r.locator("a").inner_text() for r in rows.all()}
    )
    walk.sign_out()


def analyse(day: Day) -> None:
    """`casetrail analyse`: the mentions, entities and proposals the rest of the day works from."""

    def run(register: Register) -> None:
        Analysis(register).extract()
        Analysis(register).resolve()

    command_layer(day.home, run)


def open_case(walk: Walk) -> None:
    """The supervisor, by keyboard alone: signs in, ticks the three accounts, opens the case."""
    page, ids = walk.page, walk.day.ids
    keyboard_sign_in(walk, "hmarsh")
    walk.step("inbox-supervisor")
    # the inbox lists the newest first: tick them in the order Tab meets them
    for doc in sorted((ids[name.removesuffix(".txt")] for name in STATEMENTS), reverse=True):
        tab_to(page, f"el.type === 'checkbox' && el.value === '{doc}'")
        page.keyboard.press("Space")
    tab_to(page, "el.id === 'open-title'")
    page.keyboard.type("Harrowgate Vale: a constable and girls at the Mill Road youth club")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/cases/C-"))
    ids["case"] = page.url.rsplit("/", 1)[1]
    held = page.locator("section", has=page.get_by_role("heading", name="Documents")).locator("li")
    expect(held).to_have_count(len(STATEMENTS))
    walk.step("case-opened")


def add_complainant(walk: Walk) -> None:
    """Still by keyboard: from the case page to its work page, and Wren recorded as the complainant."""
    page, case = walk.page, walk.day.ids["case"]
    tab_to(page, f"el.getAttribute('href') === '/cases/{case}/work'")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{walk.day.url}/cases/{case}/work")
    walk.step("case-work")
    tab_to(page, "el.id === 'party-pseudonym'")
    page.keyboard.type("Wren")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{walk.day.url}/cases/{case}")
    parties = page.locator("section", has=page.get_by_role("heading", name="Complainants and witnesses"))
    expect(parties).to_contain_text("Wren")
    expect(parties).to_contain_text("complainant")


def read_the_accounts(walk: Walk) -> None:
    """From the case to Wren's statement, its highlighted mentions, and the officer's entity page."""
    page, ids = walk.page, walk.day.ids
    page.get_by_role("link", name=ids["statement-wren"]).click()
    page.wait_for_url(f"{walk.day.url}/documents/{ids['statement-wren']}")
    expect(page.locator(".doctext .m-officer").first).to_have_text(OFFICER)
    walk.step("document")
    page.locator(".doctext a.m-officer").first.click()
    page.wait_for_url(re.compile(r"/entities/E-"))
    expect(page.locator("#chart")).to_have_attribute("data-rendered", re.compile(r"^\d+$"))
    walk.step("entity")


def add_allegation(walk: Walk) -> None:
    page, case = walk.page, walk.day.ids["case"]
    walk.go(f"/cases/{case}/work")
    form = page.locator("#allegation form")
    form.get_by_label("Category").select_option("abuse_of_position_sexual")
    form.get_by_label("What is alleged, briefly").fill("Used his position to stop and threaten a 15-year-old girl.")
    form.get_by_label("From (a year or a date, e.g. 1998 or 1998-05-17)").fill("2010")
    form.get_by_label("To", exact=True).fill("2012")
    form.get_by_label("Where").fill("Mill Road youth club, Carrick")
    form.get_by_role("button", name="Record the allegation").click()
    page.wait_for_url(re.compile(r"/allegations/AL-"))
    walk.day.ids["allegation"] = page.url.rsplit("/", 1)[1]
    # an empty description is refused, said next to the form, and nothing is recorded
    page.get_by_role("button", name="Add the unknown subject").click()
    expect(page.locator("#subject-description-error")).to_contain_text("describe the unknown subject")
    walk.step("allegation-error")
    # the subject picker: search entities and staff by name, pick the officer the accounts name
    page.get_by_label("Search people you may read, and staff, by name").fill("Ashdown")
    page.get_by_role("button", name="Search", exact=True).click()
    page.get_by_role("radio", name=re.compile(OFFICER)).check()
    walk.step("subject-picker")
    page.get_by_role("button", name="Name this entity").click()
    page.wait_for_url(f"{walk.day.url}/cases/{case}")
    allegations = page.locator("section", has=page.get_by_role("heading", name="Allegations", exact=True))
    expect(allegations).to_contain_text(OFFICER)


def assign(page: Page, name: str, role: str) -> None:
    page.locator("select[name=staff_id]").select_option(label=name)
    page.locator("select[name=role]").select_option(role)
    page.get_by_role("button", name="Assign").click()


def refused_assignments(walk: Walk, early: list[Page]) -> None:
    """Two tabs opened before the allegation named the officer still offer his force's people: the
    check at assignment refuses them, and says what kind of conflict it found."""
    for tab, (name, role) in zip(
        early, (("Gareth Penhale", "investigator"), ("Nadia Keel", "interviewer")), strict=True
    ):
        offered = tab.locator("select[name=staff_id] option").all_inner_texts()
        assert name in offered, offered
        assign(tab, name, role)
        expect(tab.get_by_role("status")).to_contain_text("Refused")
        expect(tab.get_by_role("status")).to_contain_text("same force as a subject")
    Walk(walk.day, early[0], walk.axe).step("assignment-refused")
    for tab in early:
        tab.close()


def assign_independent(walk: Walk) -> None:
    page = walk.page
    walk.go(f"/cases/{walk.day.ids['case']}")
    offered = page.locator("select[name=staff_id] option").all_inner_texts()
    assert "Imogen Tait" in offered and "Gareth Penhale" not in offered, offered
    assign(page, "Imogen Tait", "investigator")
    expect(page.get_by_role("status")).to_contain_text("Assigned.")
    assignments = page.locator("section", has=page.get_by_role("heading", name="Assignments"))
    expect(assignments.locator("tr", has_text="Imogen Tait")).to_contain_text("investigator")
    expect(assignments).to_contain_text("Gareth Penhale as investigator")  # the refusal stays on record
    walk.step("assigned")


def lapse_intelligence(day: Day) -> None:
    """A tip the front desk logged on paper four weeks ago, keyed in today with the day it came in
    (the web form records intelligence as received now), and the deadline clock run over it."""
    received = (datetime.now(UTC) - timedelta(days=28)).date().isoformat()

    def run(register: Register) -> None:
        cw = Casework(register)
        item = cw.record_intelligence(
            "Caller says PC Ashdown still parks outside the Mill Road youth club on Fridays",
            "frontdesk",
            case_id=day.ids["case"],
            received_at=received,
        )
        day.ids["intel"] = item.id
        assert any(e.item_id == item.id for e in cw.escalate("deadline-clock"))

    command_layer(day.home, run)


def investigate(walk: Walk) -> None:
    page, day = walk.page, walk.day
    walk.sign_in("itait")
    page.get_by_role("link", name="Actions").click()
    page.wait_for_url(f"{day.url}/actions")
    due = (date.today() + timedelta(days=14)).isoformat()
    for what in (
        "Trace the 2011 keeper of the blue Ford Focus HV61 RZT",
        "Ask the youth club for its 2010 to 2012 staff rota",
    ):
        page.get_by_label("Case").select_option(day.ids["case"])
        page.get_by_label("What is to be done").fill(what)
        page.get_by_label("Owner").select_option(day.staff["tait"])
        page.get_by_label("Due by").fill(due)
        page.get_by_role("button", name="Raise").click()
        expect(page.get_by_role("status")).to_contain_text("Raised")
    mine = page.locator("section", has=page.get_by_role("heading", name="Mine"))
    trace = mine.locator("tr", has_text="HV61 RZT")
    action = trace.locator("td").first.inner_text()
    trace.get_by_label(f"Result of {action}").fill("DVLA: registered to PC Colin Ashdown from 2011 to 2014")
    trace.get_by_role("button", name="Complete").click()
    expect(page.get_by_role("status")).to_contain_text(f"Completed {action}.")
    expect(mine.locator("tr", has_text="HV61 RZT")).to_contain_text("registered to PC Colin Ashdown")
    expect(mine.locator("tr", has_text="staff rota")).to_contain_text("open")
    walk.step("action-board")
    page.get_by_role("link", name="Intelligence").click()
    page.wait_for_url(f"{day.url}/intelligence")
    lapsed = page.locator("section", has=page.get_by_role("heading", name="Lapsed without an action"))
    expect(lapsed.locator("tr", has_text=day.ids["intel"])).to_contain_text("lapsed")
    walk.step("intelligence-lapsed")
    walk.sign_out()


def oversee(walk: Walk) -> None:
    page, day = walk.page, walk.day
    walk.sign_in("rcalder")
    page.get_by_role("link", name="Overseer's inbox").click()
    page.wait_for_url(f"{day.url}/inbox")
    escalations = page.locator("section", has=page.get_by_role("heading", name="Escalations"))
    expect(escalations.locator("tr", has_text=day.ids["intel"])).to_contain_text("intelligence without action")
    conflicts = page.locator(
        "section", has=page.get_by_role("heading", name="Assignment conflicts awaiting a decision")
    )
    expect(conflicts).to_contain_text("Gareth Penhale")
    keel = conflicts.locator("article", has_text="Nadia Keel")
    expect(keel).to_contain_text("refused")
    walk.step("overseer-inbox")
    keel.get_by_label("Rule to waive").select_option("same_force")
    keel.get_by_label("Why independence is not compromised").fill(
        "Only examiner cleared for the force's phone-extraction kit; works under Imogen Tait's direction, "
        "never interviews, and has no tie to the Carrick response team"
    )
    keel.get_by_role("button", name="Record waiver").click()
    expect(page.get_by_role("status")).to_contain_text(re.compile(r"Recorded W-\d+\."))
    day.ids["waiver"] = re.findall(r"W-\d+", page.get_by_role("status").inner_text())[0]
    waivers = page.locator("section", has=page.get_by_role("heading", name="Waivers given"))
    expect(waivers.locator("tr", has_text="Nadia Keel")).to_contain_text("same force")
    walk.step("waiver-recorded")
    page.get_by_role("link", name="Oversight").click()
    page.wait_for_url(f"{day.url}/oversight")
    expect(page.locator("section", has=page.get_by_role("heading", name="Escalations"))).to_contain_text(
        day.ids["intel"]
    )
    walk.step("oversight")
    walk.sign_out()


def supervise(walk: Walk) -> None:
    """The waived specialist can now be assigned; the same-account pair is confirmed."""
    page, day = walk.page, walk.day
    walk.sign_in("hmarsh")
    walk.go(f"/cases/{day.ids['case']}")
    assign(page, "Nadia Keel", "interviewer")
    expect(page.get_by_role("status")).to_contain_text("Assigned.")
    expect(
        page.locator("section", has=page.get_by_role("heading", name="Assignments")).locator(
            "tr", has_text="Nadia Keel"
        )
    ).to_contain_text(walk.day.ids["waiver"])
    page.get_by_role("link", name="Proposals").click()
    page.wait_for_url(f"{day.url}/proposals")
    wren, letter = day.ids["statement-wren"], day.ids["letter-wren-advocate"]
    pair = page.locator("tr", has=page.locator(f"a[href='/documents/{wren}']")).filter(
        has=page.locator(f"a[href='/documents/{letter}']")
    )
    expect(pair).to_contain_text("both use the pseudonym Wren")
    walk.step("proposals")
    pair.get_by_label("Reason").fill("The advocate's letter adds to Wren's own statement: one account, not two")
    pair.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("status")).to_contain_text(f"Recorded: {wren} and {letter} are the same.")
    expect(page.locator("tr", has=page.locator(f"a[href='/documents/{letter}']"))).to_have_count(0)
    walk.step("proposal-confirmed")


def export(walk: Walk, context: BrowserContext) -> None:
    """The case file, with the supervisor's session and reason; verified with the verifier key alone."""
    case = walk.day.ids["case"]
    walk.page.get_by_role("link", name="Cases", exact=True).click()
    walk.page.wait_for_url(f"{walk.day.url}/cases")
    walk.step("cases")
    walk.page.get_by_role("link", name=case).click()
    walk.page.wait_for_url(f"{walk.day.url}/cases/{case}")
    walk.step("case-at-close")
    reply = context.request.get(
        f"{walk.day.url}/api/cases/{case}/export", params={"reason": "file for the review panel"}
    )
    assert reply.ok, (reply.status, reply.text()[:500])
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"{case}.zip"
        path.write_bytes(reply.body())
        report = verify_case_file(path, walk.day.home.verifier_key())
    assert report.ok, report.problems
    assert report.documents == len(STATEMENTS) and report.events > 0 and not report.warnings, report


def test_a_whole_investigation(browser: Browser, day: Day, axe: Axe) -> None:  # noqa: F811
    context = browser.new_context(viewport={"width": 1280, "height": 860})
    context.set_default_timeout(10_000)
    console = Console()
    context.on("page", console.watch)
    page = context.new_page()
    walk = Walk(day, page, axe)
    try:
        walk.go("/login")
        walk.step("login")
        upload_statements(walk)
        analyse(day)
        open_case(walk)
        # tabs opened now, before anyone is a subject: their pickers will go stale
        early = [context.new_page() for _ in range(2)]
        for tab in early:
            tab.goto(f"{day.url}/cases/{day.ids['case']}")
        add_complainant(walk)
        read_the_accounts(walk)
        add_allegation(walk)
        refused_assignments(walk, early)
        assign_independent(walk)
        walk.sign_out()
        lapse_intelligence(day)
        investigate(walk)
        oversee(walk)
        supervise(walk)
        export(walk, context)
    except (Error, AssertionError):
        page.screenshot(path=str(SHOTS / "day-failure.png"), full_page=True)
        raise
    finally:
        context.close()
    # The one refusal the day asks for (the empty description) is a 422 the browser logs; nothing else may be.
    refused = (
        f"{day.url}/allegations/{day.ids['allegation']}/subjects: error: Failed to load resource: the server "
        "responded with a status of 422 (Unprocessable Entity)"
    )
    errors = [e for e in console.errors if e != refused]
    assert errors == [], "\n".join(errors)
    assert len(axe.pages) >= 15, axe.pages
    assert axe.violations == [], f"{len(axe.violations)} axe-core violations:\n" + "\n".join(axe.violations)


def test_the_other_pages_pass_axe(browser: Browser, day: Day, axe: Axe) -> None:  # noqa: F811
    """Pages the investigation does not pass through, and the forms' error states, by the roles that use them."""
    context = browser.new_context(viewport={"width": 1280, "height": 860})
    context.set_default_timeout(10_000)
    page = context.new_page()
    walk = Walk(day, page, axe)
    try:
        walk.sign_in("hmarsh")
        walk.go("/search?q=Ashdown")  # hits once the day has run; the page either way
        walk.step("other-search")
        # opening a case with nothing ticked: the form again, the error beside the documents
        walk.go("/")
        page.locator("#open-title").fill("Nothing ticked")
        page.get_by_role("button", name="Open the case").click()
        expect(page.locator("#open-document_ids-error")).to_contain_text("choose at least one document")
        walk.step("other-open-case-error")
        walk.sign_out()
        walk.sign_in("ledgercheck")
        walk.go("/integrity")
        expect(page.locator("strong.ok")).to_have_text("OK")
        walk.step("other-integrity")
        walk.go("/audit")
        walk.step("other-audit")
        walk.sign_out()
        walk.sign_in("sysadmin")
        walk.go("/admin")
        page.locator("#staff-name").fill("Owen Pryce")
        page.get_by_role("button", name="Register").click()  # no role ticked: refused beside the roles
        expect(page.locator("#staff-roles-error")).to_contain_text("choose at least one role")
        walk.step("other-admin-error")
    finally:
        context.close()
    assert axe.violations == [], f"{len(axe.violations)} axe-core violations:\n" + "\n".join(axe.violations)


def test_disclosure_and_redaction_in_the_browser(browser: Browser, day: Day, axe: Axe) -> None:  # noqa: F811
    """After the day: the supervisor schedules unused material (MG6C, MG6D), records the disclosure test,
    and makes a redacted copy of a statement, every page checked with axe and photographed."""
    if "case" not in day.ids:
        pytest.skip("the day's investigation did not open its case")
    case = day.ids["case"]
    context = browser.new_context(viewport={"width": 1280, "height": 860})
    context.set_default_timeout(10_000)
    page = context.new_page()
    walk = Walk(day, page, axe)
    try:
        walk.sign_in("hmarsh")
        walk.go(f"/cases/{case}")
        page.get_by_role("link", name="Schedules of unused material").click()
        page.wait_for_url(f"{day.url}/cases/{case}/disclosure")
        walk.step("disclosure-empty")
        documents = page.locator("#schedule-document_id option").all_inner_texts()
        assert len(documents) >= 2, documents
        schedule(page, documents[0], "non_sensitive", "The front desk's note of the call, unused as evidence")
        schedule(page, documents[1], "sensitive", "The advocate's letter", "names the complainant's address")
        expect(page.locator("table").first).to_contain_text("The front desk's note of the call")
        walk.step("disclosure-scheduled")
        judge = page.locator("form.judge").first
        judge.get_by_label("Yes, it meets the test").check()
        judge.get_by_label(re.compile("^Reason for the judgement")).fill("It describes the car the defence disputes")
        judge.get_by_role("button", name=re.compile("^Record the judgement")).click()
        expect(page.locator("table").first).to_contain_text("Meets the test")
        walk.step("disclosure-judged")
        walk.go(f"/documents/{documents[0]}/redaction")
        walk.step("redaction-suggested")
        page.get_by_label("Reason for the redaction").fill("copy for the defence: the complainant's name withheld")
        page.get_by_role("button", name="Record the redacted copy").click()
        page.wait_for_url(f"{day.url}/documents/{documents[0]}")
        walk.step("redaction-recorded")
        versions = command_layer(
            day.home, lambda r: [d.id for d, _, _ in r.store.documents.iter_documents() if d.amends == documents[0]]
        )
        assert len(versions) == 1, versions  # the redacted copy, a new version of the original
    finally:
        context.close()
    assert axe.violations == [], f"{len(axe.violations)} axe-core violations:\n" + "\n".join(axe.violations)


def schedule(page: Page, document: str, which: str, description: str, reason: str = "") -> None:
    page.locator("#schedule-document_id").select_option(document)
    page.locator("#schedule-schedule").select_option(which)
    page.get_by_label("Description (enough for the prosecutor to judge it)").fill(description)
    if reason:
        page.get_by_label("Reason it is sensitive (MG6D only)").fill(reason)
    page.get_by_role("button", name="Record the schedule entry").click()
    page.wait_for_load_state()
