"""Name lists, places and vehicles for fictional inquiries.

Every person built from these lists is fictional: names are drawn independently and combined
at random. Places and forces are invented (Northmoor, South Calder, Wealdham). Phone numbers
come only from Ofcom's ranges reserved for drama, so none can ring a real subscriber.
"""

from __future__ import annotations

MALE_GIVEN: tuple[str, ...] = (
    "John", "Michael", "David", "Paul", "Mark", "Andrew", "Stephen", "Richard", "Peter", "Robert",
    "Christopher", "Anthony", "James", "Gary", "Darren", "Neil", "Simon", "Ian", "Martin", "Kevin",
    "Colin", "Graham", "Keith", "Trevor", "Barry", "Derek", "Philip", "Nigel", "Wayne", "Lee",
    "Craig", "Dean", "Shaun", "Stuart", "Jason", "Carl", "Glenn", "Adrian", "Russell", "Terence",
    "Raymond", "Kenneth", "Alan", "Brian", "Dennis", "Geoffrey", "Malcolm", "Roger", "Clive", "Howard",
    "Gordon", "Leonard", "Victor", "Frank", "Edward", "Thomas", "William", "Daniel", "Matthew", "Jonathan",
    "Nicholas", "Timothy", "Samuel", "Joseph", "Benjamin", "Patrick", "Sean", "Declan", "Liam", "Connor",
    "Hassan", "Imran", "Tariq", "Asif", "Zahid", "Bilal", "Farhan", "Kamran", "Adeel", "Rizwan",
    "Arjun", "Ravi", "Sanjay", "Vikram", "Deepak", "Marek", "Tomasz", "Piotr", "Andrzej", "Lukasz",
    "Kofi", "Kwame", "Emeka", "Tunde", "Desmond", "Winston", "Dominic", "Gareth", "Rhys", "Owen",
    "Callum", "Fraser", "Ewan", "Hamish", "Duncan", "Alistair", "Ross", "Niall", "Ciaran", "Eamon",
)

FEMALE_GIVEN: tuple[str, ...] = (
    "Sarah", "Susan", "Karen", "Julie", "Lisa", "Michelle", "Tracey", "Joanne", "Nicola", "Claire",
    "Helen", "Alison", "Amanda", "Deborah", "Angela", "Donna", "Dawn", "Sharon", "Jacqueline", "Carol",
    "Elizabeth", "Margaret", "Patricia", "Christine", "Janet", "Linda", "Pauline", "Gillian", "Lorraine", "Wendy",
    "Rebecca", "Rachel", "Emma", "Victoria", "Katherine", "Louise", "Samantha", "Natalie", "Kelly", "Gemma",
    "Catherine", "Jennifer", "Stephanie", "Caroline", "Fiona", "Heather", "Joanna", "Kirsty", "Lindsay", "Melanie",
    "Nadia", "Ayesha", "Saima", "Farah", "Rubina", "Shabana", "Yasmin", "Nazia", "Sadia", "Amina",
    "Priya", "Anjali", "Sunita", "Meera", "Kavita", "Agnieszka", "Katarzyna", "Magdalena", "Ewa", "Zofia",
    "Abena", "Ngozi", "Chioma", "Adaeze", "Marcia", "Beverley", "Siobhan", "Niamh", "Aoife", "Bronwen",
    "Rhiannon", "Carys", "Eilidh", "Morag", "Isla", "Hannah", "Charlotte", "Laura", "Jessica", "Sophie",
    "Teresa", "Maureen", "Brenda", "Sandra", "Denise", "Valerie", "Yvonne", "Marion", "Irene", "Shirley",
)

SURNAMES: tuple[str, ...] = (
    "Hartley", "Ali", "Bolton", "Whitaker", "Greaves", "Barraclough", "Ackroyd", "Sutcliffe", "Holroyd", "Crowther",
    "Ibbotson", "Hinchliffe", "Booth", "Firth", "Haigh", "Lockwood", "Marsden", "Pickles", "Sykes", "Wainwright",
    "Thorpe", "Ramsden", "Oldroyd", "Priestley", "Cawthorne", "Dyson", "Senior", "Schofield", "Shaw", "Sugden",
    "Atkinson", "Bairstow", "Brook", "Clegg", "Denby", "Exley", "Fearnley", "Gledhill", "Hirst", "Illingworth",
    "Jagger", "Kershaw", "Lumb", "Mellor", "Normanton", "Ogden", "Pollard", "Rhodes", "Stansfield", "Tattersall",
    "Uttley", "Varley", "Wadsworth", "Yates", "Armitage", "Batley", "Crossley", "Dobson", "Earnshaw", "Farrar",
    "Hussain", "Khan", "Ahmed", "Mahmood", "Iqbal", "Rashid", "Akhtar", "Begum", "Qureshi", "Malik",
    "Chaudhry", "Sharif", "Aziz", "Nawaz", "Butt", "Patel", "Sharma", "Singh", "Gill", "Kaur",
    "Mistry", "Chauhan", "Nowak", "Kowalski", "Wisniewski", "Lewandowski", "Zielinski", "Mensah", "Okafor", "Adeyemi",
    "Boateng", "Campbell", "Clarke", "Francis", "Grant", "Henry", "Lewis", "Morgan", "Powell", "Reid",
    "Roberts", "Robinson", "Wood", "Walker", "Wright", "Thompson", "Taylor", "Turner", "Ward", "Watson",
    "Webster", "Wilkinson", "Wilson", "Jackson", "Hall", "Harrison", "Hill", "Hughes", "Jones", "Kelly",
    "Kennedy", "Lee", "Marshall", "Mason", "Mitchell", "Moore", "Morris", "Murphy", "Nicholson", "Parker",
    "Pearson", "Price", "Richardson", "Scott", "Simpson", "Smith", "Stevenson", "Stewart", "Storey", "Sullivan",
    "O'Neill", "O'Brien", "McCarthy", "McDonald", "McKenzie", "Doyle", "Brennan", "Gallagher", "Quinn", "Regan",
    "Ashworth", "Birtwistle", "Calvert", "Dawson", "Entwistle", "Fairclough", "Garside", "Heywood", "Ingham", "Kitchen",
    "Lister", "Metcalfe", "Naylor", "Oates", "Pinder", "Redfearn", "Slater", "Tindall", "Underwood", "Vickers",
    "Waddington", "Binns", "Coates", "Dunn", "Ellis", "Foster", "Gibson", "Holmes", "Jennings", "Knowles",
    "Lambert", "Mallinson", "Newton", "Owen", "Platt", "Rowley", "Steel", "Townend", "Utley", "Walsh",
    "Bradshaw", "Cartwright", "Drury", "Eastwood", "Frith", "Gaunt", "Horsfall", "Jowett", "Kaye", "Longbottom",
    "Milner", "Nuttall", "Outhwaite", "Parkin", "Rushworth", "Speight", "Thewlis", "Waterhouse", "Wilby", "Yeadon",
    "Jay", "Jayne", "Bell", "Cox", "Day", "Fox", "Hay", "Hunt", "Kay", "Lamb",
    "Barker", "Chapman", "Fletcher", "Gardner", "Hodgson", "Hopkinson", "Keeling", "Moxon", "Newsome", "Peel",
)

# Familiar forms, so statements can say "Mick Hartley" for Michael Hartley.
DIMINUTIVES: dict[str, tuple[str, ...]] = {
    "John": ("Johnny", "Jack"),
    "Michael": ("Mick", "Mike", "Micky"),
    "David": ("Dave", "Davey"),
    "Paul": ("Paulie",),
    "Andrew": ("Andy", "Drew"),
    "Stephen": ("Steve", "Stevie"),
    "Richard": ("Rich", "Dick", "Rick"),
    "Peter": ("Pete",),
    "Robert": ("Rob", "Bob", "Bobby"),
    "Christopher": ("Chris",),
    "Anthony": ("Tony",),
    "James": ("Jim", "Jimmy", "Jamie"),
    "Kevin": ("Kev",),
    "Terence": ("Terry",),
    "Raymond": ("Ray",),
    "Kenneth": ("Ken", "Kenny"),
    "Geoffrey": ("Geoff",),
    "Philip": ("Phil",),
    "Leonard": ("Len", "Lenny"),
    "Victor": ("Vic",),
    "Edward": ("Ed", "Eddie", "Ted"),
    "Thomas": ("Tom", "Tommy"),
    "William": ("Bill", "Billy", "Will"),
    "Daniel": ("Dan", "Danny"),
    "Matthew": ("Matt",),
    "Jonathan": ("Jon", "Jonny"),
    "Nicholas": ("Nick", "Nicky"),
    "Timothy": ("Tim",),
    "Samuel": ("Sam",),
    "Joseph": ("Joe",),
    "Benjamin": ("Ben",),
    "Patrick": ("Pat", "Paddy"),
    "Gordon": ("Gordy",),
    "Frank": ("Frankie",),
    "Susan": ("Sue",),
    "Jacqueline": ("Jackie",),
    "Elizabeth": ("Liz", "Beth", "Lizzie"),
    "Margaret": ("Maggie", "Peggy"),
    "Patricia": ("Pat", "Trish"),
    "Christine": ("Chris", "Chrissie"),
    "Deborah": ("Debbie", "Deb"),
    "Rebecca": ("Becky", "Becca"),
    "Victoria": ("Vicky", "Tori"),
    "Katherine": ("Kate", "Kathy", "Katie"),
    "Catherine": ("Cath", "Cathy"),
    "Samantha": ("Sam", "Sammy"),
    "Jennifer": ("Jenny", "Jen"),
    "Stephanie": ("Steph",),
    "Gillian": ("Gill",),
    "Amanda": ("Mandy",),
    "Nicola": ("Nicky",),
    "Alison": ("Ali",),
    "Beverley": ("Bev",),
    "Valerie": ("Val",),
}

NICKNAMES: tuple[str, ...] = (
    "Tiny", "Smiley", "Big Man", "Chippy", "Dazza", "Spider", "Bones", "Ginger", "Taz", "Jonno",
    "Polo", "Shifty", "Bulldog", "Skinny", "Lucky", "Scouse", "Rocky", "Nipper", "Sparky", "Prince",
    "Boss", "Uncle", "Kingy", "Moby", "Sticks", "Dodger", "Pops", "Flash", "Tank", "Whizzy",
    "Shorty", "Biggie", "Red", "Slim", "Mouse", "Smudge", "Gaffer", "Tinker", "Chalky", "Duke",
    "Legs", "Mister T", "Baz", "Wolfie", "Nobby", "Curly", "Stretch", "Bugsy", "Sonny", "Digger",
)

PSEUDONYMS: tuple[str, ...] = (
    "Willow", "Poppy", "Rowan", "Hazel", "Ivy", "Holly", "Juniper", "Linden", "Aspen", "Briar",
    "Clover", "Daisy", "Fern", "Heather", "Iris", "Jasmine", "Laurel", "Lily", "Maple", "Olive",
    "Primrose", "Rose", "Sage", "Saffron", "Tansy", "Violet", "Wren", "Robin", "Lark", "Starling",
    "Linnet", "Swift", "Kestrel", "Merlin", "Sparrow", "Finch", "Dove", "Raven", "Heron", "Plover",
    "Amber", "Coral", "Pearl", "Ruby", "Jade", "Opal", "Garnet", "Beryl", "Crystal", "Topaz",
    "Autumn", "Summer", "Winter", "Dawn", "Skye", "Storm", "River", "Brook", "Meadow", "Marigold",
    "Bluebell", "Cherry", "Acorn", "Birch", "Cedar", "Elder", "Ash", "Alder", "Yarrow", "Sorrel",
)

PLACES: tuple[str, ...] = (
    "Eastfield", "Brindley Park", "Holmebrook", "Kettleby", "the Crown Inn on Mill Lane", "Wharf Street",
    "the Moorgate estate", "Northmoor bus station", "Canal Street", "the Station Road takeaway",
    "Thornley Common", "Ashby Bridge", "the Greenhill flats", "Calder Vale", "the Regal snooker hall",
    "Low Fold", "Copley Mill", "Hatherley Road", "the Parkside children's home", "Wealdham market",
    "the Rec on Vicarage Lane", "Slade Hill", "Ravensmoor", "the Fairfield shopping precinct", "Birks Lane",
    "the old Co-op car park", "Millbeck", "Sowerby Row", "the Victoria taxi rank", "Denholme Street",
    "Northmoor Central police station", "Eastfield police station", "Wealdham Road police station",
    "the Albion pub", "Cross Keys Yard", "the Highfield youth club", "Lowmoor Road", "Garside Street",
)

FORCES: tuple[str, ...] = ("Northmoor Police", "South Calder Constabulary", "Wealdham Police")
FORCE_WEIGHTS: tuple[int, ...] = (7, 2, 1)

UNITS: tuple[str, ...] = (
    "Northmoor CID", "the Child Protection Unit", "the Public Protection Unit", "Northmoor Vice Squad",
    "Eastfield Safer Neighbourhood Team", "the Major Crime Unit", "Northmoor Social Services",
    "the Risky Business project", "Wealdham Children's Services",
)

MAKES_MODELS: tuple[tuple[str, str], ...] = (
    ("Vauxhall", "Astra"), ("Vauxhall", "Cavalier"), ("Vauxhall", "Vectra"), ("Vauxhall", "Corsa"),
    ("Ford", "Escort"), ("Ford", "Sierra"), ("Ford", "Mondeo"), ("Ford", "Fiesta"), ("Ford", "Granada"),
    ("BMW", "3 Series"), ("BMW", "5 Series"), ("Mercedes", "C-Class"), ("Audi", "A4"), ("Audi", "80"),
    ("Volkswagen", "Golf"), ("Volkswagen", "Passat"), ("Toyota", "Corolla"), ("Toyota", "Carina"),
    ("Nissan", "Primera"), ("Nissan", "Micra"), ("Peugeot", "406"), ("Peugeot", "205"), ("Rover", "200"),
    ("Rover", "800"), ("Honda", "Civic"), ("Honda", "Accord"), ("Renault", "Clio"), ("Citroen", "Xantia"),
    ("Ford", "Transit"), ("Mitsubishi", "Shogun"),
)

COLOURS: tuple[str, ...] = (
    "red", "blue", "black", "white", "silver", "grey", "green", "maroon", "navy", "gold", "dark blue",
    "metallic green", "white", "black",
)

# Ofcom drama ranges: (display prefix, number of local digits before the 4-digit suffix, e164 prefix).
PHONE_RANGES: tuple[tuple[str, str, str], ...] = (
    ("07700", "900", "+447700900"),  # mobile: 07700 900000-900999
    ("0114", "496", "+44114496"),
    ("0113", "496", "+44113496"),
    ("0115", "496", "+44115496"),
    ("0116", "496", "+44116496"),
    ("0117", "496", "+44117496"),
    ("0118", "496", "+44118496"),
    ("0121", "496", "+44121496"),
    ("0131", "496", "+44131496"),
    ("0141", "496", "+44141496"),
    ("0151", "496", "+44151496"),
    ("0161", "496", "+44161496"),
    ("0191", "498", "+44191498"),
    ("020", "7946", "+44207946"),
)

PROFESSIONS: tuple[tuple[str, str], ...] = (
    ("social worker", "Mrs"), ("social worker", "Ms"), ("social worker", "Mr"), ("teacher", "Mr"),
    ("teacher", "Miss"), ("youth worker", "Ms"), ("youth worker", "Mr"), ("GP", "Dr"), ("school nurse", "Mrs"),
    ("children's home manager", "Mr"), ("councillor", "Mr"), ("outreach worker", "Ms"), ("psychologist", "Dr"),
)
