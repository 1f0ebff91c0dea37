"""Hand-written sentences for the classes of error issue 13 found in real prose (its "Real prose" list).

Every sentence here is our own, about fictional people, written to show one class of error in
several shapes, so that a fix has to handle the class and not one sentence. `CASES` are read by
tests/extraction/test_prose_classes.py and by bench/prose_classes.py (which prints the share met
per class, so figures can be compared across commits).

A `Want` is met when a *selected* mention (what resolution reads) has that type, exactly that text
(whitespace normalised) and at least those attributes. A `NotWant` is met when no selected mention
of that type (any type when None) has exactly that text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from casetrail.model import MentionType

O, P, PS = MentionType.OFFICER, MentionType.PERSON, MentionType.PSEUDONYM
ORG, PL, D = MentionType.ORGANISATION, MentionType.PLACE, MentionType.DESCRIBED_PERSON

CLASSES: dict[int, str] = {
    1: "same surname, different people, merged across documents",
    2: "civil titles typed as officers; knighted chief officers typed as people",
    3: "rank after the name ignored",
    4: "words glued onto names; photo credits; plural ranks",
    5: "surnames in capitals",
    6: "capitalised common words and operation names typed as people",
    7: "body names containing 'and' split",
    8: "lower-case 'police'/'council' in a body's name",
    9: "short forms of a body not joined to its full name",
    10: "people typed as places or bodies; football clubs as places",
    11: "pseudonym forms",
    12: "a given name used alone later",
}


@dataclass(frozen=True)
class Want:
    type: MentionType
    text: str
    attributes: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class NotWant:
    type: MentionType | None
    text: str


@dataclass(frozen=True)
class Case:
    cls: int
    text: str
    wants: tuple[Want | NotWant, ...]

    def __str__(self) -> str:
        return f"c{self.cls}:{self.text[:48]}"


CASES: tuple[Case, ...] = (
    # 2. Civil offices are not police ranks; a knighthood does not stop a rank being read.
    Case(
        2,
        "Police and Crime Commissioner Matthew Crane said lessons would be learned.",
        (Want(P, "Matthew Crane", {"role": "police and crime commissioner"}), NotWant(O, "Commissioner Matthew Crane")),
    ),
    Case(
        2,
        "The police and crime commissioner, Matthew Crane, said he was shocked.",
        (Want(P, "Matthew Crane"), NotWant(D, "The police and crime commissioner")),
    ),
    Case(
        2,
        "Children's Commissioner Ruth Ellery wrote to ministers about the home.",
        (Want(P, "Ruth Ellery", {"role": "children's commissioner"}), NotWant(O, "Commissioner Ruth Ellery")),
    ),
    Case(
        2,
        "PCC Donna Jeffers said the force must improve.",
        (Want(P, "Donna Jeffers", {"role": "police and crime commissioner"}),),
    ),
    Case(
        2,
        "Alan Pike, the police and crime commissioner, said he had asked for a review.",
        (Want(P, "Alan Pike"), NotWant(O, "Alan Pike")),
    ),
    Case(2, "The Mayor said he was shocked by the findings.", (NotWant(O, "The Mayor"),)),
    Case(
        2,
        "Chief Constable Sir Peter Halloran apologised to the families.",
        (Want(O, "Chief Constable Sir Peter Halloran", {"rank": "Chief Constable", "name": "Peter Halloran"}),),
    ),
    Case(
        2,
        "Deputy Chief Constable Dame Eleanor Pryce led the review.",
        (Want(O, "Deputy Chief Constable Dame Eleanor Pryce", {"rank": "DCC", "name": "Eleanor Pryce"}),),
    ),
    Case(
        2,
        "Commissioner Sir Roland Vance told the committee he was appalled.",
        (Want(O, "Commissioner Sir Roland Vance", {"rank": "Commissioner", "name": "Roland Vance"}),),
    ),
    # 3. The rank written after the name, in apposition.
    Case(
        3,
        "Helen Marsh, assistant chief constable, said officers had failed.",
        (Want(O, "Helen Marsh", {"rank": "ACC", "name": "Helen Marsh"}),),
    ),
    Case(
        3, "Tom Bryant, a detective sergeant with the force, gave evidence.", (Want(O, "Tom Bryant", {"rank": "DS"}),)
    ),
    Case(3, "Kevin Ashdown, then a police constable, was sacked in 2012.", (Want(O, "Kevin Ashdown", {"rank": "PC"}),)),
    Case(
        3,
        "Greg Norris, Chief Superintendent at the time, said nothing.",
        (Want(O, "Greg Norris", {"rank": "Ch Supt"}),),
    ),
    Case(
        3,
        "Yvonne Carr, deputy chief constable of Northmoor Police, resigned.",
        (Want(O, "Yvonne Carr", {"rank": "DCC"}),),
    ),
    Case(
        3,
        "Sir Roland Vance, the Metropolitan Police Commissioner, apologised.",
        (Want(O, "Sir Roland Vance", {"rank": "Commissioner", "name": "Roland Vance"}),),
    ),
    Case(
        3,
        "Anna Webb, a sergeant's daughter, said she was not believed.",
        (Want(P, "Anna Webb"), NotWant(O, "Anna Webb")),
    ),
    # 4. Words glued onto names, photo credits, plural ranks.
    Case(
        4,
        "Former Detective, Carol Henshaw, told the hearing she had warned her bosses. Henshaw left in 2009.",
        (Want(O, "Carol Henshaw", {"rank": "Det", "name": "Carol Henshaw"}), Want(P, "Henshaw")),
    ),
    Case(
        4, "Retired Detective Sergeant, Paul Riggs, said the file was lost.", (Want(O, "Paul Riggs", {"rank": "DS"}),)
    ),
    Case(4, "Ringleader Fenwick was jailed for 20 years.", (Want(P, "Fenwick"), NotWant(P, "Ringleader Fenwick"))),
    Case(4, "Gang leader Stefan Brooks was jailed for 15 years.", (Want(P, "Stefan Brooks"), NotWant(ORG, "Gang"))),
    Case(4, "Photograph: Kieran Holt/PA Wire\nThe report was published on Tuesday.", (NotWant(P, "Kieran Holt"),)),
    Case(4, "The force has changed, the report says. Picture: Stuart Pell", (NotWant(P, "Stuart Pell"),)),
    Case(
        4,
        "Police Constables A, B and C were dismissed. PC B later appealed.",
        (
            Want(PS, "Police Constables A", {"name": "PC A", "rank": "PC"}),
            Want(PS, "B", {"name": "PC B"}),
            Want(PS, "C", {"name": "PC C"}),
            Want(PS, "PC B", {"name": "PC B"}),
        ),
    ),
    Case(
        4,
        "Detective Constables Neil Harper and Paul Riggs were disciplined.",
        (
            Want(O, "Detective Constables Neil Harper", {"rank": "DC", "name": "Neil Harper"}),
            Want(O, "Paul Riggs", {"rank": "DC", "name": "Paul Riggs"}),
        ),
    ),
    Case(
        4,
        "Sergeants Amy Cole and Ben Lowe were cleared of misconduct.",
        (
            Want(O, "Sergeants Amy Cole", {"rank": "Sgt", "name": "Amy Cole"}),
            Want(O, "Ben Lowe", {"rank": "Sgt", "name": "Ben Lowe"}),
        ),
    ),
    # 5. Surnames written in capitals, as court lists and police logs write them.
    Case(
        5,
        "Nicholas DAVISON, 52, of Wath Road, was jailed. DAVISON denied the charges.",
        (Want(P, "Nicholas DAVISON"), Want(P, "DAVISON")),
    ),
    Case(
        5,
        "The defendants were Nicholas John DAVISON and Imran Khalid ASHRAF.",
        (Want(P, "Nicholas John DAVISON"), Want(P, "Imran Khalid ASHRAF")),
    ),
    Case(
        5,
        "Officers arrested Karl O'NEILL and Sean McDONAGH at the address.",
        (Want(P, "Karl O'NEILL", {"name": "Karl O'Neill"}), Want(P, "Sean McDONAGH", {"name": "Sean McDonagh"})),
    ),
    Case(5, "DS Peter HALE interviewed the suspect twice.", (Want(O, "DS Peter HALE", {"rank": "DS"}),)),
    Case(5, "The case went to Leeds CROWN COURT in May.", (NotWant(P, "Leeds CROWN"),)),
    # 6. Capitalised common words and operation names.
    Case(6, "Verdict: guilty on all counts.", (NotWant(None, "Verdict"),)),
    Case(6, "Campaigners said the inquiry had failed survivors.", (NotWant(None, "Campaigners"),)),
    Case(6, "Analysis: Grooming gangs were ignored for years.", (NotWant(P, "Grooming"), NotWant(P, "Analysis"))),
    Case(
        6,
        "Operation Bullfinch began in 2010. Bullfinch identified 27 victims.",
        (
            Want(ORG, "Bullfinch", {"kind": "operation", "canonical": "Operation Bullfinch"}),
            NotWant(P, "Bullfinch"),
            NotWant(PL, "Bullfinch"),
        ),
    ),
    Case(
        6,
        "Detectives on Operation Kestrel interviewed 40 girls. Kestrel cost four million pounds.",
        (Want(ORG, "Kestrel", {"kind": "operation"}),),
    ),
    # 7. Bodies whose names contain "and".
    Case(
        7,
        "Telford and Wrekin Council apologised to victims.",
        (Want(ORG, "Telford and Wrekin Council", {"kind": "council"}),),
    ),
    Case(7, "The England and Wales High Court dismissed the appeal.", (Want(ORG, "England and Wales High Court"),)),
    Case(
        7,
        "Avon and Somerset Police referred itself to the watchdog.",
        (Want(ORG, "Avon and Somerset Police", {"kind": "police_force"}),),
    ),
    Case(7, "Brighton and Hove City Council commissioned a review.", (Want(ORG, "Brighton and Hove City Council"),)),
    Case(
        7,
        "Karen Doyle and Northmoor Police were both criticised.",
        (
            Want(ORG, "Northmoor Police"),
            NotWant(ORG, "Doyle and Northmoor Police"),
            NotWant(ORG, "Karen Doyle and Northmoor Police"),
        ),
    ),
    # 8. A body named with a lower-case "police" or "council".
    Case(
        8,
        "Northumbria police said an officer had been suspended.",
        (Want(ORG, "Northumbria police", {"canonical": "Northumbria Police", "kind": "police_force"}),),
    ),
    Case(
        8,
        "Rotherham council apologised in 2014.",
        (Want(ORG, "Rotherham council", {"canonical": "Rotherham Metropolitan Borough Council"}),),
    ),
    Case(8, "Kent police were called to the house twice.", (Want(ORG, "Kent police", {"canonical": "Kent Police"}),)),
    Case(
        8,
        "Greater Manchester police admitted failures.",
        (Want(ORG, "Greater Manchester police", {"canonical": "Greater Manchester Police"}),),
    ),
    Case(
        8,
        "Oldham council leaders met survivors.",
        (Want(ORG, "Oldham council", {"canonical": "Oldham Council", "kind": "council"}),),
    ),
    Case(8, "She told Hartley police were on their way.", (NotWant(ORG, "Hartley police"),)),
    # 9. Short forms of a body.
    Case(
        9, "The Met said it would review the case.", (Want(ORG, "Met", {"canonical": "Metropolitan Police Service"}),)
    ),
    Case(
        9,
        "Met Police officers attended the flat.",
        (Want(ORG, "Met Police", {"canonical": "Metropolitan Police Service"}),),
    ),
    Case(
        9,
        "Scotland Yard declined to comment.",
        (Want(ORG, "Scotland Yard", {"canonical": "Metropolitan Police Service"}),),
    ),
    Case(
        9,
        "Detectives from New Scotland Yard were sent north.",
        (Want(ORG, "New Scotland Yard", {"canonical": "Metropolitan Police Service"}),),
    ),
    Case(9, "Met at the station by her aunt, she went home.", (NotWant(ORG, "Met"),)),
    # 10. People typed as places or bodies; football clubs as places.
    Case(
        10,
        "Newcastle United said it supported the inquiry.",
        (Want(ORG, "Newcastle United", {"kind": "club"}), NotWant(PL, "Newcastle")),
    ),
    Case(10, "Hull City fans raised money for the charity.", (Want(ORG, "Hull City", {"kind": "club"}),)),
    Case(10, "Huddersfield Town apologised to the boy's family.", (Want(ORG, "Huddersfield Town", {"kind": "club"}),)),
    Case(
        10,
        "Shabir Iqbal ran the takeaway. Police later found that Shabir had lent his car.",
        (Want(P, "Shabir"), NotWant(ORG, "Shabir")),
    ),
    Case(10, "Nicholas DAVISON was jailed. DAVISON denied the charges.", (NotWant(ORG, "DAVISON"),)),
    # 11. Pseudonym forms.
    Case(11, "Officer J told the panel he had not read the file.", (Want(PS, "Officer J"),)),
    Case(11, "Miss A said she was 14 when it began. Miss A's mother called the police.", (Want(PS, "Miss A"),)),
    Case(11, "PC 'W' gave evidence behind a screen.", (Want(PS, "PC 'W'", {"name": "PC W", "rank": "PC"}),)),
    Case(11, "Girl 1 was 13 at the time.", (Want(PS, "Girl 1"),)),
    Case(11, "Mr X, a taxi driver, was never charged.", (Want(PS, "Mr X"),)),
    Case(11, "Miss A. Hartley said she had seen the car.", (NotWant(PS, "Miss A"),)),
    # 12. A given name used alone after the full name (coreference is checked in tests/resolution).
    Case(12, "Obaidullah Rahimi was jailed. Later Obaidullah admitted lying.", (Want(P, "Obaidullah"),)),
    Case(12, "Arshid Hussain drove the girls to Leeds. Arshid told them to keep quiet.", (Want(P, "Arshid"),)),
    Case(12, "Priya Nandra was a youth worker. When Priya raised concerns, she was moved.", (Want(P, "Priya"),)),
    # More shapes of the same classes, written after the rules above were in place.
    Case(
        2,
        "Victims' Commissioner Agnes Thornby called the findings shameful.",
        (Want(P, "Agnes Thornby", {"role": "victims' commissioner"}),),
    ),
    Case(
        2,
        "Detective Chief Superintendent Sir Colin Ferriby led the review.",
        (
            Want(
                O, "Detective Chief Superintendent Sir Colin Ferriby", {"rank": "Det Ch Supt", "name": "Colin Ferriby"}
            ),
        ),
    ),
    Case(
        3,
        "Maria Costa, detective chief inspector at the time, closed the case.",
        (Want(O, "Maria Costa", {"rank": "DCI"}),),
    ),
    Case(4, "Former Inspector, Dean Royce, said he had been told to stop.", (Want(O, "Dean Royce", {"rank": "Insp"}),)),
    Case(
        4,
        "Inspectors Fay Moss and Guy Tandy were criticised.",
        (Want(O, "Inspectors Fay Moss", {"rank": "Insp"}), Want(O, "Guy Tandy", {"rank": "Insp"})),
    ),
    Case(
        4,
        "Jailed: Lee Varley, 33. Photo: Nadia Brook/Getty",
        (Want(P, "Lee Varley"), NotWant(None, "Nadia Brook/Getty"), NotWant(P, "Nadia Brook")),
    ),
    Case(
        5,
        "The jury convicted Daniel Robert KERSHAW and Amir HADDAD.",
        (Want(P, "Daniel Robert KERSHAW"), Want(P, "Amir HADDAD", {"name": "Amir Haddad"})),
    ),
    Case(
        6,
        "Operation Heron ran from 2012. Heron found nothing, and Heron was closed.",
        (Want(ORG, "Heron", {"kind": "operation"}), NotWant(P, "Heron")),
    ),
    Case(
        7,
        "Blackburn with Darwen Council and Bath and North East Somerset Council were named.",
        (Want(ORG, "Blackburn with Darwen Council"), Want(ORG, "Bath and North East Somerset Council")),
    ),
    Case(
        8,
        "Durham constabulary and Sheffield city council were criticised.",
        (
            Want(ORG, "Durham constabulary", {"canonical": "Durham Constabulary"}),
            Want(ORG, "Sheffield city council", {"canonical": "Sheffield City Council"}),
        ),
    ),
    Case(
        9,
        "The Met's commissioner said officers would be vetted.",
        (Want(ORG, "Met", {"canonical": "Metropolitan Police Service"}),),
    ),
    Case(
        10,
        "Leeds United and Bradford City supported the appeal.",
        (Want(ORG, "Leeds United", {"kind": "club"}), Want(ORG, "Bradford City", {"kind": "club"})),
    ),
    Case(
        11,
        "Mrs B told the inquiry she had complained in 2003. DS 'K' denied it.",
        (Want(PS, "Mrs B"), Want(PS, "DS 'K'", {"name": "DS K", "rank": "DS"})),
    ),
    Case(
        11,
        "Officers A and B were not disciplined. Officer A later left the force.",
        (
            Want(PS, "Officers A", {"name": "Officer A"}),
            Want(PS, "B", {"name": "Officer B"}),
            Want(PS, "Officer A", {"name": "Officer A"}),
        ),
    ),
    Case(
        12, "Tahir Aslam owned the flat. The court heard that Tahir had given the girls alcohol.", (Want(P, "Tahir"),)
    ),
)

# Class 1 and the cross-document side of 9 and 12: sets of documents and which records are one person.
# Each document set maps a document id to its text; `same` lists groups of (document, name as written)
# that must end in one entity, `apart` pairs that must not.


@dataclass(frozen=True)
class LinkCase:
    cls: int
    documents: dict[str, str]
    same: tuple[tuple[tuple[str, str], ...], ...] = ()
    apart: tuple[tuple[tuple[str, str], tuple[str, str]], ...] = ()

    def __str__(self) -> str:
        return f"c{self.cls}:" + ",".join(self.documents)


LINK_CASES: tuple[LinkCase, ...] = (
    LinkCase(
        1,
        {
            "a": "Prosecuting, Rebecca Wright KC told the court the men had groomed girls. Ms Wright said it was organised.",
            "d": "Chief Constable Wright said he would not resign.",
            "e": "Detective Inspector Wright told reporters the force had failed.",
        },
        apart=(
            (("a", "Rebecca Wright"), ("d", "Chief Constable Wright")),
            (("a", "Rebecca Wright"), ("e", "Detective Inspector Wright")),
            (("d", "Chief Constable Wright"), ("e", "Detective Inspector Wright")),
        ),
    ),
    LinkCase(
        1,
        {
            "a": "Rebecca Wright KC, prosecuting, said the girls were failed.",
            "b": "Chief Constable Martin Wright apologised on Tuesday. Mr Wright said the force had changed.",
            "c": "Chief Constable Wright said he would not resign.",
        },
        same=((("b", "Chief Constable Martin Wright"), ("c", "Chief Constable Wright")),),
        apart=(
            (("a", "Rebecca Wright"), ("b", "Chief Constable Martin Wright")),
            (("a", "Rebecca Wright"), ("c", "Chief Constable Wright")),
        ),
    ),
    LinkCase(
        1,
        {
            "a": "Mrs Helen Ashby, the headteacher, said she had told social services.",
            "b": "Mr Ashby said he had never been told about the girl.",
        },
        apart=((("a", "Mrs Helen Ashby"), ("b", "Mr Ashby")),),
    ),
    LinkCase(
        1,
        {
            "a": "Judge Simon Barlow told the men their crimes were vile.",
            "b": "Detective Sergeant Barlow led the interviews.",
            "c": "Barlow said the girls had been brave.",
        },
        apart=((("a", "Judge Simon Barlow"), ("b", "Detective Sergeant Barlow")),),
    ),
    LinkCase(
        1,
        {  # the other direction: one officer in several documents still joins
            "a": "DS John Hartley took the first statement.",
            "b": "Detective Sergeant Hartley said he had passed it on.",
            "c": "John Hartley retired in 2010.",
        },
        same=((("a", "DS John Hartley"), ("b", "Detective Sergeant Hartley"), ("c", "John Hartley")),),
    ),
    LinkCase(
        12,
        {
            "a": "Shabir Iqbal ran the takeaway. Police later found that Shabir had lent his car.",
        },
        same=((("a", "Shabir Iqbal"), ("a", "Shabir")),),
    ),
    LinkCase(
        12,
        {
            "a": "Arshid Hussain drove the girls to Leeds. Arshid told them to keep quiet.",
            "b": "Obaidullah Rahimi was jailed. Later Obaidullah admitted lying.",
        },
        same=((("a", "Arshid Hussain"), ("a", "Arshid")), (("b", "Obaidullah Rahimi"), ("b", "Obaidullah"))),
    ),
    LinkCase(
        4,
        {
            "a": "Police Constables A, B and C were dismissed. PC B later appealed.",
            "b": "PC B told the tribunal he had followed orders.",
        },
        same=((("a", "B"), ("a", "PC B"), ("b", "PC B")),),
        apart=((("a", "C"), ("b", "PC B")),),
    ),
)


# --------------------------------------------------------------------------------------------
# Checking (shared by the tests and the bench)


def _norm(text: str) -> str:
    return " ".join(text.split())


def met(want: Want | NotWant, selected: list[Any]) -> bool:
    """Whether one expectation holds over a document's selected mentions."""
    if isinstance(want, NotWant):
        return not any(_norm(m.text) == want.text and (want.type is None or m.type is want.type) for m in selected)
    return any(
        m.type is want.type
        and _norm(m.text) == want.text
        and all(m.attributes.get(k) == v for k, v in want.attributes.items())
        for m in selected
    )


def check_cases(pipeline: Any, cases: tuple[Case, ...] = CASES) -> list[tuple[Case, Want | NotWant, bool]]:
    """(case, expectation, met) for every expectation of every case, one pipeline run."""
    from casetrail.extraction import select

    items = [(f"case-{i}", c.text) for i, c in enumerate(cases)]
    chosen = select(pipeline.extract_many(items))
    by_doc: dict[str, list[Any]] = {}
    for m in chosen:
        by_doc.setdefault(m.document_id, []).append(m)
    return [(c, w, met(w, by_doc.get(f"case-{i}", []))) for i, c in enumerate(cases) for w in c.wants]


def link_outcome(pipeline: Any, case: LinkCase) -> list[tuple[str, tuple[Any, ...], bool]]:
    """("same"|"apart", the names, held) for each expectation of a document set, after extraction,
    coreference and cross-document linkage, as `casetrail analyse` runs them."""
    from casetrail.extraction import select
    from casetrail.resolution import resolve_links

    items = list(case.documents.items())
    chosen = select(pipeline.extract_many(items))
    records, where = [], {}
    for doc, text in items:
        mentions = [m for m in chosen if m.document_id == doc]
        for record, cluster in _records_with_mentions(mentions, text):
            records.append(record)
            for m in cluster:
                where[(doc, _norm(m.text))] = record.record_id
    clusters = resolve_links(records).clusters
    entity = {rid: i for i, c in enumerate(clusters) for rid in c}

    def of(ref: tuple[str, str]) -> Any:
        rid = where.get(ref)
        return entity.get(rid) if rid else None

    out: list[tuple[str, tuple[Any, ...], bool]] = []
    for group in case.same:
        ids = [of(ref) for ref in group]
        out.append(("same", group, None not in ids and len(set(ids)) == 1))
    for left, right in case.apart:
        a, b = of(left), of(right)
        out.append(("apart", (left, right), a is not None and b is not None and a != b))
    return out


def _records_with_mentions(mentions: list[Any], text: str) -> list[tuple[Any, tuple[Any, ...]]]:
    from casetrail.resolution import build_records, resolve_document

    clusters = resolve_document(mentions, text)
    return [(r, c.mentions) for c, r in zip(clusters, build_records(clusters, mentions, text))]
