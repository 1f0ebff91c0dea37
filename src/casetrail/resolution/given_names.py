"""Given-name equivalents: familiar forms of English given names (Mick ~ Michael, Sue ~ Susan).

A small, general table kept in the package (no download at run time). rigour's name symbols were
considered, but they miss many British hypocorisms (Mick, Jonny, Kev), so this list is used and
can be extended. A familiar form may stand for several formal names (Chris: Christopher,
Christine, Christina); `name_keys` returns all of them, and linkage treats any overlap as
"equivalent", a weaker level than an exact match.
"""

from __future__ import annotations

from functools import lru_cache

FORMS: dict[str, tuple[str, ...]] = {
    # men
    "albert": ("al", "bert", "bertie"),
    "alexander": ("alex", "alec", "sandy", "xander"),
    "alfred": ("alf", "alfie", "fred"),
    "alistair": ("ali", "al"),
    "andrew": ("andy", "drew", "andie"),
    "anthony": ("tony", "ant"),
    "arthur": ("art", "artie"),
    "barry": ("baz", "bazza"),
    "benjamin": ("ben", "benny", "benji"),
    "bernard": ("bernie",),
    "bradley": ("brad",),
    "charles": ("charlie", "chas", "chuck"),
    "christopher": ("chris", "kit", "topher"),
    "clifford": ("cliff",),
    "cornelius": ("neil",),
    "daniel": ("dan", "danny"),
    "darren": ("daz", "dazza"),
    "david": ("dave", "davey", "davy", "dai"),
    "dennis": ("den", "denny"),
    "derek": ("del", "dek"),
    "donald": ("don", "donnie"),
    "douglas": ("doug", "dougie"),
    "edward": ("ed", "eddie", "ted", "teddy", "ned"),
    "francis": ("frank", "frankie", "fran"),
    "frank": ("frankie",),
    "frederick": ("fred", "freddie", "freddy"),
    "gareth": ("gaz", "gary"),
    "gary": ("gaz", "gazza"),
    "geoffrey": ("geoff", "jeff"),
    "george": ("geordie", "georgie"),
    "gerald": ("gerry", "jerry", "ged"),
    "gordon": ("gordy", "gordie"),
    "gregory": ("greg",),
    "harold": ("harry", "hal"),
    "henry": ("harry", "hank", "hal"),
    "herbert": ("herb", "bert"),
    "jacob": ("jake",),
    "james": ("jim", "jimmy", "jamie", "jimbo"),
    "jeremy": ("jez", "jerry"),
    "john": ("johnny", "jack", "jock", "jon"),
    "jonathan": ("jon", "jonny", "johnny", "jonty"),
    "joseph": ("joe", "joey", "jo"),
    "kenneth": ("ken", "kenny"),
    "kevin": ("kev",),
    "lawrence": ("larry", "laurie", "lol"),
    "leonard": ("len", "lenny", "leo"),
    "leslie": ("les",),
    "malcolm": ("mal",),
    "matthew": ("matt", "matty"),
    "michael": ("mick", "mike", "micky", "mickey", "mikey", "mo"),
    "nathan": ("nat", "nate"),
    "nicholas": ("nick", "nicky", "nico"),
    "oliver": ("ollie", "olly"),
    "patrick": ("pat", "paddy", "patsy"),
    "paul": ("paulie",),
    "peter": ("pete", "petey"),
    "philip": ("phil", "pip"),
    "phillip": ("phil",),
    "raymond": ("ray",),
    "reginald": ("reg", "reggie"),
    "richard": ("rich", "richie", "rick", "ricky", "dick", "dicky"),
    "robert": ("rob", "robbie", "bob", "bobby", "bert"),
    "ronald": ("ron", "ronnie"),
    "samuel": ("sam", "sammy"),
    "sidney": ("sid",),
    "simon": ("si",),
    "stanley": ("stan",),
    "stephen": ("steve", "stevie", "steph"),
    "steven": ("steve", "stevie"),
    "stuart": ("stu",),
    "terence": ("terry", "tel"),
    "theodore": ("theo", "ted", "teddy"),
    "thomas": ("tom", "tommy"),
    "timothy": ("tim", "timmy"),
    "trevor": ("trev",),
    "victor": ("vic",),
    "walter": ("walt", "wally"),
    "william": ("will", "willie", "bill", "billy", "liam"),
    "zachary": ("zach", "zack"),
    # women
    "abigail": ("abby", "abbie", "gail"),
    "alexandra": ("alex", "sandra", "lexi"),
    "alison": ("ali", "allie"),
    "amanda": ("mandy",),
    "angela": ("angie",),
    "barbara": ("barbie", "babs"),
    "beverley": ("bev",),
    "catherine": ("cath", "cathy", "kate", "katie", "cat"),
    "charlotte": ("charlie", "lottie"),
    "christina": ("chris", "tina", "chrissie"),
    "christine": ("chris", "chrissie", "tina"),
    "constance": ("connie",),
    "deborah": ("debbie", "deb", "debs"),
    "dorothy": ("dot", "dotty", "dolly"),
    "eleanor": ("ellie", "nell", "nora"),
    "elizabeth": ("liz", "lizzie", "beth", "betty", "libby", "eliza", "bess"),
    "frances": ("fran", "frankie"),
    "gillian": ("gill", "jill"),
    "jacqueline": ("jackie", "jacqui"),
    "janet": ("jan",),
    "jennifer": ("jen", "jenny"),
    "jessica": ("jess", "jessie"),
    "joanna": ("jo",),
    "joanne": ("jo",),
    "josephine": ("jo", "josie"),
    "judith": ("judy", "jude"),
    "katherine": ("kate", "kathy", "katie", "kath", "kay"),
    "kathleen": ("kath", "kathy"),
    "kimberley": ("kim",),
    "lorraine": ("lorrie",),
    "louise": ("lou", "lulu"),
    "margaret": ("maggie", "meg", "peggy", "madge", "marge", "rita"),
    "michelle": ("shelley", "chelle"),
    "natalie": ("nat",),
    "nicola": ("nicky", "nikki"),
    "pamela": ("pam",),
    "patricia": ("pat", "trish", "tricia", "patsy"),
    "rebecca": ("becky", "becca", "bex"),
    "rosemary": ("rose", "rosie"),
    "samantha": ("sam", "sammy"),
    "sandra": ("sandy",),
    "stephanie": ("steph", "stevie"),
    "susan": ("sue", "susie", "suzy"),
    "suzanne": ("sue", "suzy"),
    "teresa": ("tess", "terri"),
    "theresa": ("tess", "terri"),
    "valerie": ("val",),
    "victoria": ("vicky", "vicki", "tori"),
    "wendy": ("wend",),
}


@lru_cache(maxsize=1)
def _index() -> dict[str, frozenset[str]]:
    index: dict[str, set[str]] = {}
    for formal, forms in FORMS.items():
        index.setdefault(formal, set()).add(formal)
        for form in forms:
            index.setdefault(form, set()).add(formal)
    return {k: frozenset(v) for k, v in index.items()}


def name_keys(given: str | None) -> tuple[str, ...]:
    """The formal names `given` may stand for, itself included, sorted; () for no name."""
    if not given:
        return ()
    g = given.casefold()
    return tuple(sorted(_index().get(g, frozenset()) | {g}))


def is_known_given_name(token: str) -> bool:
    """True when `token` is in the table as a formal or familiar given name."""
    return token.casefold() in _index()
