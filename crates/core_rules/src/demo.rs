//! The demo organisation: a living party a newcomer can explore in a minute.
//!
//! Generated, not stored as a fixture, so that the same seed always gives the same organisation
//! and the dates stay relative to the day the demo is first run.

use crate::dates::{Day, Month};
use crate::people::{Identity, Status};
use crate::units::NewUnit;
use rand::distributions::Distribution;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::HashSet;

/// A person of the demo, referred to elsewhere in the plan by their index in `DemoPlan::people`.
#[derive(Clone, Debug)]
pub struct DemoPerson {
    pub pseudonym: String,
    /// Unit code.
    pub unit: String,
    pub status: Status,
    pub admitted_on: Option<Day>,
    /// The day the person first came into contact (supporter or applicant since).
    pub since: Day,
    pub programme_accepted: bool,
    pub monthly_income_cents: Option<i64>,
    pub reduced_rate: bool,
    pub identity: Identity,
}

#[derive(Clone, Debug)]
pub struct DemoMeeting {
    pub unit: String,
    pub held_on: Day,
    pub title: String,
    /// Indexes into `DemoPlan::people`.
    pub attendees: Vec<usize>,
}

#[derive(Clone, Debug)]
pub struct DemoTask {
    pub person: usize,
    pub unit: String,
    pub done_on: Day,
    pub description: String,
}

#[derive(Clone, Debug)]
pub struct DemoPayment {
    pub person: usize,
    pub period: Month,
    pub paid_on: Day,
    pub amount_cents: i64,
}

/// An application still waiting for the unit's decision (the person's status is applicant).
#[derive(Clone, Debug)]
pub struct DemoApplication {
    pub person: usize,
    pub applied_on: Day,
    pub statement: String,
}

/// A login printed at start and listed in README.
#[derive(Clone, Debug)]
pub struct DemoLogin {
    pub login: String,
    pub password: String,
    /// What the login is for, e.g. "administrator".
    pub role: String,
    /// The person the account belongs to, if any.
    pub person: Option<usize>,
    /// The unit the role applies in, if any.
    pub unit: Option<String>,
}

#[derive(Clone, Debug)]
pub struct DemoPlan {
    pub organisation: String,
    /// Parents before children.
    pub units: Vec<NewUnit>,
    pub people: Vec<DemoPerson>,
    pub meetings: Vec<DemoMeeting>,
    pub tasks: Vec<DemoTask>,
    pub payments: Vec<DemoPayment>,
    pub applications: Vec<DemoApplication>,
    pub logins: Vec<DemoLogin>,
    /// Members who moved to another town's circle today, after a year of meetings in their
    /// old one: the people they met there now sit in another branch (exposure analysis shows
    /// the tie between the two units).
    pub transfers: Vec<DemoTransfer>,
    /// A member of a neighbouring circle who has asked to move into the demo secretary's
    /// circle: the request waits on that circle's page for its secretary's answer.
    pub transfer_requests: Vec<DemoTransfer>,
}

/// A member moved to another unit.
#[derive(Clone, Debug)]
pub struct DemoTransfer {
    pub person: usize,
    /// Unit code.
    pub to: String,
    pub on: Day,
}

/// The organisation's name in the demo.
pub const ORGANISATION: &str = "Workers' Party";

// ---------------------------------------------------------------------------------------------
// The shape of the organisation. Fixed, so that the demo's places are the same from run to run
// and README can name them; the seed decides the people and their activity.

struct CircleSpec {
    code: &'static str,
    name: &'static str,
    area: &'static str,
    /// A workplace circle organises the people of one workplace; most of its members work there.
    workplace: Option<&'static str>,
    closed: bool,
}

struct LocalSpec {
    code: &'static str,
    name: &'static str,
    area: &'static str,
    circles: &'static [CircleSpec],
}

struct RegionSpec {
    code: &'static str,
    name: &'static str,
    area: &'static str,
    /// A landline range reserved by Ofcom for drama (0141 496 0000-0999 and the like): these
    /// numbers reach no one. Three digits are appended.
    landline: &'static str,
    locals: &'static [LocalSpec],
}

const fn circle(
    code: &'static str,
    name: &'static str,
    area: &'static str,
    workplace: Option<&'static str>,
) -> CircleSpec {
    CircleSpec {
        code,
        name,
        area,
        workplace,
        closed: false,
    }
}

const REGIONS: &[RegionSpec] = &[
    RegionSpec {
        code: "clyde",
        name: "Clydeside Regional Committee",
        area: "Glasgow",
        landline: "+44 141 496 0",
        locals: &[
            LocalSpec {
                code: "clyde-govan",
                name: "Govan Local Committee",
                area: "Govan",
                circles: &[
                    circle(
                        "clyde-govan-yard",
                        "Govan Shipyard circle",
                        "Govan",
                        Some("Govan shipyard"),
                    ),
                    circle("clyde-govan-cross", "Govan Cross circle", "Govan", None),
                    circle(
                        "clyde-govan-infirmary",
                        "Southern Infirmary circle",
                        "Govan",
                        Some("Southern Infirmary"),
                    ),
                ],
            },
            LocalSpec {
                code: "clyde-springburn",
                name: "Springburn Local Committee",
                area: "Springburn",
                circles: &[
                    circle(
                        "clyde-springburn-depot",
                        "Springburn bus depot circle",
                        "Springburn",
                        Some("Springburn bus depot"),
                    ),
                    circle(
                        "clyde-springburn-works",
                        "Railway works circle",
                        "Springburn",
                        Some("Springburn railway works"),
                    ),
                    circle(
                        "clyde-springburn-balornock",
                        "Balornock circle",
                        "Balornock",
                        None,
                    ),
                ],
            },
            LocalSpec {
                code: "clyde-paisley",
                name: "Paisley Local Committee",
                area: "Paisley",
                circles: &[
                    circle(
                        "clyde-paisley-mill",
                        "Thread mill circle",
                        "Paisley",
                        Some("Ferguslie thread mill"),
                    ),
                    circle("clyde-paisley-town", "Paisley town circle", "Paisley", None),
                    circle(
                        "clyde-paisley-college",
                        "College circle",
                        "Paisley",
                        Some("West College"),
                    ),
                ],
            },
        ],
    },
    RegionSpec {
        code: "mersey",
        name: "Merseyside Regional Committee",
        area: "Liverpool",
        landline: "+44 151 496 0",
        locals: &[
            LocalSpec {
                code: "mersey-bootle",
                name: "Bootle Local Committee",
                area: "Bootle",
                circles: &[
                    // The one closed circle: the port police watch the dock gates, and known
                    // members there have been sacked. Invisible outside itself and the bodies above.
                    CircleSpec {
                        code: "mersey-bootle-seaforth",
                        name: "Seaforth Dock circle",
                        area: "Seaforth",
                        workplace: Some("Seaforth container terminal"),
                        closed: true,
                    },
                    circle("mersey-bootle-strand", "Strand circle", "Bootle", None),
                    circle(
                        "mersey-bootle-calls",
                        "Call centre circle",
                        "Bootle",
                        Some("Bootle call centre"),
                    ),
                ],
            },
            LocalSpec {
                code: "mersey-toxteth",
                name: "Toxteth Local Committee",
                area: "Toxteth",
                circles: &[
                    circle("mersey-toxteth-granby", "Granby circle", "Toxteth", None),
                    circle(
                        "mersey-toxteth-hospital",
                        "Royal Hospital circle",
                        "Toxteth",
                        Some("Royal Hospital"),
                    ),
                    circle(
                        "mersey-toxteth-schools",
                        "Teachers' circle",
                        "Toxteth",
                        Some("Toxteth primary schools"),
                    ),
                ],
            },
            LocalSpec {
                code: "mersey-birkenhead",
                name: "Birkenhead Local Committee",
                area: "Birkenhead",
                circles: &[
                    circle(
                        "mersey-birkenhead-yard",
                        "Birkenhead shipyard circle",
                        "Birkenhead",
                        Some("Birkenhead shipyard"),
                    ),
                    circle(
                        "mersey-birkenhead-town",
                        "Birkenhead town circle",
                        "Birkenhead",
                        None,
                    ),
                ],
            },
        ],
    },
    RegionSpec {
        code: "manchester",
        name: "Greater Manchester Regional Committee",
        area: "Manchester",
        landline: "+44 161 496 0",
        locals: &[
            LocalSpec {
                code: "manchester-salford",
                name: "Salford Local Committee",
                area: "Salford",
                circles: &[
                    circle(
                        "manchester-salford-warehouse",
                        "Trafford Park warehouse circle",
                        "Trafford Park",
                        Some("Trafford Park distribution warehouse"),
                    ),
                    circle(
                        "manchester-salford-ordsall",
                        "Ordsall circle",
                        "Ordsall",
                        None,
                    ),
                    circle(
                        "manchester-salford-university",
                        "University circle",
                        "Salford",
                        Some("Salford university"),
                    ),
                ],
            },
            LocalSpec {
                code: "manchester-oldham",
                name: "Oldham Local Committee",
                area: "Oldham",
                circles: &[
                    circle(
                        "manchester-oldham-depot",
                        "Oldham bus depot circle",
                        "Oldham",
                        Some("Oldham bus depot"),
                    ),
                    circle(
                        "manchester-oldham-town",
                        "Oldham town circle",
                        "Oldham",
                        None,
                    ),
                    circle(
                        "manchester-oldham-care",
                        "Care workers' circle",
                        "Oldham",
                        Some("Oldham care homes"),
                    ),
                ],
            },
        ],
    },
    RegionSpec {
        code: "london",
        name: "London Regional Committee",
        area: "London",
        landline: "+44 20 7946 0",
        locals: &[
            LocalSpec {
                code: "london-towerhamlets",
                name: "Tower Hamlets Local Committee",
                area: "Tower Hamlets",
                circles: &[
                    circle(
                        "london-towerhamlets-cleaners",
                        "Docklands cleaners' circle",
                        "Canary Wharf",
                        Some("Docklands office cleaning contract"),
                    ),
                    circle(
                        "london-towerhamlets-whitechapel",
                        "Whitechapel circle",
                        "Whitechapel",
                        None,
                    ),
                    circle(
                        "london-towerhamlets-hospital",
                        "East London Hospital circle",
                        "Whitechapel",
                        Some("East London Hospital"),
                    ),
                ],
            },
            LocalSpec {
                code: "london-lewisham",
                name: "Lewisham Local Committee",
                area: "Lewisham",
                circles: &[
                    circle(
                        "london-lewisham-deptford",
                        "Deptford circle",
                        "Deptford",
                        None,
                    ),
                    circle(
                        "london-lewisham-garage",
                        "New Cross bus garage circle",
                        "New Cross",
                        Some("New Cross bus garage"),
                    ),
                    circle(
                        "london-lewisham-schools",
                        "Lewisham teachers' circle",
                        "Lewisham",
                        Some("Lewisham secondary schools"),
                    ),
                ],
            },
        ],
    },
];

/// Sections and affiliated bodies: (code, name, kind, area, region whose phone range they use).
const BESIDE: &[(&str, &str, &str, &str, usize)] = &[
    ("women", "Women's Section", "section", "Glasgow", 0),
    ("youth", "Youth Section", "section", "Manchester", 2),
    (
        "union",
        "Dock and Transport Workers' Union",
        "affiliate",
        "Liverpool",
        1,
    ),
    (
        "coop",
        "Clydeside Workers' Co-operative",
        "affiliate",
        "Glasgow",
        0,
    ),
    (
        "club",
        "Red Wheel Cycling and Rambling Club",
        "affiliate",
        "Manchester",
        2,
    ),
];

/// The circle whose officers get the demo's unit logins: open, so every login can see it.
const LOGIN_CIRCLE: &str = "clyde-govan-yard";

/// The mobile range Ofcom reserves for drama (07700 900000-900999).
const MOBILE: &str = "+44 7700 900";

// ---------------------------------------------------------------------------------------------
// Invented names. Legal names are drawn within one origin, as families name their children.

pub(crate) const ORIGINS: &[(u32, &[&str], &[&str])] = &[
    (
        46,
        &[
            "Agnes",
            "Thomas",
            "Margaret",
            "James",
            "Mary",
            "John",
            "Catherine",
            "Patrick",
            "Helen",
            "Robert",
            "Elizabeth",
            "William",
            "Sarah",
            "David",
            "Brigid",
            "Sean",
            "Eileen",
            "Hugh",
            "Jean",
            "Alexander",
            "Moira",
            "Callum",
            "Fiona",
            "Kieran",
            "Siobhan",
            "Gary",
            "Karen",
            "Craig",
            "Lorraine",
            "Liam",
            "Dorothy",
            "Frank",
            "Nora",
            "Ewan",
            "Shona",
            "Declan",
            "Ruth",
            "Stephen",
            "Kirsty",
            "Mick",
            "Jessie",
            "Archie",
            "Bernadette",
            "Tony",
        ],
        &[
            "MacLean",
            "Campbell",
            "O'Neill",
            "Doherty",
            "Stewart",
            "Robertson",
            "Murphy",
            "Gallagher",
            "Brennan",
            "Fraser",
            "Walsh",
            "Thompson",
            "Hughes",
            "Kelly",
            "Maxwell",
            "McBride",
            "Ferguson",
            "Quinn",
            "Reilly",
            "Wilson",
            "Turner",
            "Lawson",
            "Hale",
            "Whitaker",
            "Ashworth",
            "Holt",
            "Barker",
            "Pritchard",
            "Kerr",
            "McGuire",
            "Duffy",
            "Sutherland",
            "Cairns",
            "Riley",
            "Hartley",
            "Byrne",
            "Lennon",
            "McCann",
            "Stirling",
        ],
    ),
    (
        8,
        &[
            "Agnieszka",
            "Tomasz",
            "Katarzyna",
            "Marek",
            "Magdalena",
            "Piotr",
            "Ewa",
            "Krzysztof",
            "Joanna",
            "Pawel",
            "Beata",
            "Andrzej",
        ],
        &[
            "Kowalczyk",
            "Nowak",
            "Wisniewski",
            "Zielinska",
            "Mazur",
            "Wojcik",
            "Kaminski",
            "Lewandowska",
            "Dabrowski",
            "Szymanska",
        ],
    ),
    (
        14,
        &[
            "Amrit", "Priya", "Imran", "Nasreen", "Rajesh", "Sunita", "Farhan", "Ayesha",
            "Harpreet", "Tariq", "Rubina", "Sanjay", "Shazia", "Kuldip", "Nadia", "Asif",
        ],
        &[
            "Khan",
            "Patel",
            "Sandhu",
            "Hussain",
            "Begum",
            "Chowdhury",
            "Gill",
            "Ahmed",
            "Mistry",
            "Iqbal",
            "Rahman",
            "Dhillon",
            "Bashir",
            "Joshi",
        ],
    ),
    (
        12,
        &[
            "Adebayo",
            "Chiamaka",
            "Kwame",
            "Abena",
            "Olusegun",
            "Ngozi",
            "Delroy",
            "Marcia",
            "Winston",
            "Beverley",
            "Femi",
            "Yaa",
            "Errol",
            "Claudette",
        ],
        &[
            "Okafor", "Mensah", "Adeyemi", "Boateng", "Francis", "Grant", "Oyelaran", "Asante",
            "Clarke", "Edwards", "Okonkwo", "Bailey", "Osei",
        ],
    ),
    (
        6,
        &[
            "Abdi", "Hodan", "Faisal", "Amina", "Yusuf", "Leila", "Omar", "Fadumo",
        ],
        &[
            "Warsame",
            "Abdullahi",
            "Hassan",
            "Farah",
            "Haddad",
            "Jama",
            "Nur",
        ],
    ),
    (
        6,
        &[
            "Giulia", "Marco", "Rosa", "Paolo", "Ines", "Joao", "Carmen", "Luis", "Teresa", "Rui",
        ],
        &[
            "Bianchi", "Esposito", "Ferreira", "Santos", "Moreno", "Lopes", "Russo", "Alves",
        ],
    ),
    (
        4,
        &["Mei", "Wei", "Lin", "Hao", "Lan", "Minh", "Xiu", "Jun"],
        &["Chen", "Wong", "Li", "Nguyen", "Tran", "Lau", "Zhang"],
    ),
    (
        4,
        &[
            "Eleni", "Nikos", "Zeynep", "Mehmet", "Rojda", "Serhat", "Despina", "Baran",
        ],
        &[
            "Papadopoulos",
            "Yilmaz",
            "Demir",
            "Kaya",
            "Georgiou",
            "Aydin",
        ],
    ),
];

// Party names, in the styles the underground used: a word, an epithet, a nickname, a patronymic.
pub(crate) const PSEUDO_WORDS: &[&str] = &[
    "Kestrel", "Heron", "Flint", "Anvil", "Rowan", "Ember", "Lantern", "Wren", "Sparrow", "Otter",
    "Badger", "Hawthorn", "Thistle", "Granite", "Tinder", "Beacon", "Compass", "Pilot", "Ferry",
    "Piston", "Rivet", "Shuttle", "Bobbin", "Spindle", "Hammer", "Furnace", "Slate", "Cinder",
    "Birch", "Alder", "Larch", "Falcon", "Curlew", "Lapwing", "Merlin", "Raven", "Rook", "Swift",
    "Starling", "Fox", "Hare", "Marten", "Stoat", "Pike", "Tern", "Gannet", "Osprey", "Plover",
    "Spark", "Torch", "Chisel", "Lathe", "Crane", "Gantry", "Bollard", "Hawser", "Anchor",
    "Tiller", "Bellows", "Forge", "Ingot", "Quarry", "Drover", "Weaver", "Cooper", "Tanner",
    "Collier", "Carter", "Mason", "Thrush", "Linnet", "Bramble", "Nettle", "Oak", "Ash", "Elm",
    "Juniper", "Sorrel", "Yarrow", "Pebble", "Harbour", "Signal", "Boiler", "Sextant", "Keel",
];
pub(crate) const PSEUDO_EPITHETS: &[&str] = &[
    "Old", "Young", "Red", "Quiet", "Little", "Big", "Grey", "Black", "Long", "Tall", "Wee",
    "Bold", "Dark", "Fair", "Steady", "Sharp", "Patient", "Silent", "Northern", "Lanky",
];
const PSEUDO_GIVEN: &[&str] = &[
    "Annie", "Tam", "Sasha", "Vera", "Kostya", "Nadya", "Misha", "Rosa", "Jimmy", "Nell", "Dora",
    "Ivo", "Lena", "Olek", "Rab", "Meg", "Kit", "Bess", "Joss", "Zina", "Sandy", "Mags",
];
const PSEUDO_WOMEN: &[&str] = &[
    "Annie", "Vera", "Nadya", "Rosa", "Nell", "Dora", "Lena", "Meg", "Bess", "Zina", "Mags",
];
const PSEUDO_NICKNAMES: &[&str] = &[
    "Old Man",
    "the Doctor",
    "the Teacher",
    "Auntie",
    "the Professor",
    "Uncle",
    "the Sailor",
    "the Printer",
    "Granny",
    "the Student",
    "the Welder",
    "the Nurse",
    "Bookworm",
    "Whistler",
    "the Fiddler",
    "the Engineer",
    "Scribbler",
    "the Quiet One",
    "Specs",
    "the Navigator",
];
const PSEUDO_PATRONYMICS: &[&str] = &[
    "Ilyich",
    "Ivanovna",
    "Petrovich",
    "Pavlovna",
    "Markovich",
    "Semyonovna",
    "Fyodorych",
    "Grigorievna",
    "Nikolaich",
    "Arkadievna",
    "Bogdanovich",
    "Sergeyevna",
    "Stepanych",
    "Mikhailovna",
    "Andreyevich",
    "Borisovna",
    "Kuzmich",
    "Yakovlevna",
    "Lukich",
    "Filippovna",
];

pub(crate) const STREETS: &[&str] = &[
    "Foundry Lane",
    "Weaver Street",
    "Canal Row",
    "Chapel Terrace",
    "Dockside Road",
    "Mill Brae",
    "Harbour View",
    "Rope Walk",
    "Forge Street",
    "Brickfield Road",
    "Tanner's Lane",
    "Co-operative Street",
    "Jubilee Terrace",
    "Gasworks Lane",
    "Quarry Road",
    "Cotton Street",
    "Ship Street",
    "Railway Terrace",
    "Loom Street",
    "Boilermakers' Row",
    "Slipway Road",
    "Pithead Close",
    "Granary Street",
    "Ferry Lane",
    "Tram Depot Road",
    "Chartist Way",
];

pub(crate) const WORKPLACES: &[&str] = &[
    "Royal Mail sorting office",
    "supermarket",
    "bus depot",
    "call centre",
    "primary school",
    "secondary school",
    "council housing office",
    "warehouse",
    "hospital",
    "care home",
    "building site",
    "railway",
    "university",
    "public library",
    "hotel kitchen",
    "food delivery",
    "docks",
    "engineering works",
    "printing works",
    "bakery",
    "cleaning agency",
    "bin lorries",
    "fire station",
    "garage",
];
pub(crate) const REDUCED_WORKPLACES: &[&str] =
    &["retired", "student", "unemployed", "carer at home"];

const STATEMENTS: &[&str] = &[
    "I have read the programme and want to help build the circle at {work}.",
    "A friend in the circle brought me to the meeting on housing; I want to join.",
    "I have sold the paper at the gate for a while and think it is time I joined properly.",
    "Ten years in the union; the strike showed me we need a party as well.",
    "I agree with the programme and can give two evenings a week in {area}.",
    "I wrote to the paper about our landlord and the circle came round the next day. I want to join.",
];

// ---------------------------------------------------------------------------------------------

/// How a member behaves over the year: decides their dues and participation, so that the
/// statutes have every kind of case to explain.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Profile {
    /// Pays, takes part, votes.
    Active,
    /// Admitted within the last 30 days: a member, but no vote yet.
    New,
    /// Pays, but has taken no part for over 120 days: not a member under Lenin's formula.
    Inactive,
    /// Behind with dues by this many months (3: no vote; 4 or 5: no longer a member).
    Arrears(i64),
    /// Lapsed, left or expelled: took part and paid until this day.
    Gone(Day),
    /// Supporter or applicant.
    Periphery,
}

/// Where a person is placed: their unit and what colours their identity.
#[derive(Clone)]
struct Place {
    unit: String,
    area: &'static str,
    workplace: Option<&'static str>,
    /// Index into `REGIONS`, for the phone range.
    region: usize,
}

struct Builder {
    rng: ChaCha8Rng,
    today: Day,
    pseudonyms: HashSet<String>,
    emails: HashSet<String>,
    /// Numbers handed out so far in each phone range: the mobile range, then one per region.
    phones_used: Vec<u32>,
    people: Vec<DemoPerson>,
    profiles: Vec<Profile>,
    places: Vec<Place>,
}

impl Builder {
    fn days_ago(&self, n: i64) -> Day {
        self.today.add_days(-n)
    }

    fn pseudonym(&mut self, area: &str) -> String {
        for _ in 0..60 {
            let r = &mut self.rng;
            let p = match r.gen_range(0..100) {
                0..=29 => PSEUDO_WORDS.choose(r).unwrap().to_string(),
                30..=54 => format!(
                    "{} {}",
                    PSEUDO_EPITHETS.choose(r).unwrap(),
                    PSEUDO_WORDS.choose(r).unwrap()
                ),
                55..=74 => format!(
                    "{} {}",
                    PSEUDO_EPITHETS.choose(r).unwrap(),
                    PSEUDO_GIVEN.choose(r).unwrap()
                ),
                75..=82 => PSEUDO_NICKNAMES.choose(r).unwrap().to_string(),
                83..=92 => PSEUDO_PATRONYMICS.choose(r).unwrap().to_string(),
                _ => {
                    // Russian patronymics ending in -na are women's: match the given name.
                    let given = PSEUDO_GIVEN.choose(r).unwrap();
                    let woman = PSEUDO_WOMEN.contains(given);
                    let fits: Vec<&&str> = PSEUDO_PATRONYMICS
                        .iter()
                        .filter(|p| p.ends_with("na") == woman)
                        .collect();
                    format!("{given} {}", fits.choose(r).unwrap())
                }
            };
            if self.pseudonyms.insert(p.clone()) {
                return p;
            }
        }
        // Circles did this too when names ran out: the place tells two Kestrels apart.
        let mut n = 1;
        loop {
            let word = PSEUDO_WORDS.choose(&mut self.rng).unwrap();
            let p = if n == 1 {
                format!("{word} of {area}")
            } else {
                format!("{word} of {area} {n}")
            };
            if self.pseudonyms.insert(p.clone()) {
                return p;
            }
            n += 1;
        }
    }

    fn email(&mut self, first: &str, last: &str) -> String {
        let clean = |s: &str| -> String {
            s.chars()
                .filter(|c| c.is_ascii_alphabetic())
                .map(|c| c.to_ascii_lowercase())
                .collect()
        };
        let (f, l) = (clean(first), clean(last));
        let domain = ["example.org", "example.net", "example.com"]
            .choose(&mut self.rng)
            .unwrap();
        let local = match self.rng.gen_range(0..4) {
            0 => format!("{f}.{l}"),
            1 => format!("{}{l}", &f[..1]),
            2 => format!("{f}{l}{}", self.rng.gen_range(60..=99)),
            _ => format!("{f}_{l}"),
        };
        let mut email = format!("{local}@{domain}");
        let mut n = 2;
        while !self.emails.insert(email.clone()) {
            email = format!("{local}{n}@{domain}");
            n += 1;
        }
        email
    }

    fn phone(&mut self, region: usize) -> String {
        let mobile_left = self.phones_used[0] < 1000;
        let range = if mobile_left && self.rng.gen_bool(0.55) {
            0
        } else {
            region + 1
        };
        let n = self.phones_used[range];
        assert!(n < 1000, "the demo has outgrown a reserved phone range");
        self.phones_used[range] += 1;
        // Stepping by 337 (coprime to 1000) visits every number of the range once, not in order.
        let digits = (n * 337 + 101) % 1000;
        let prefix = if range == 0 {
            MOBILE
        } else {
            REGIONS[region].landline
        };
        format!("{prefix}{digits:03}")
    }

    /// Creates a person with an identity; the caller sets their dates.
    fn person(&mut self, place: &Place, status: Status, profile: Profile) -> usize {
        let weights: Vec<u32> = ORIGINS.iter().map(|o| o.0).collect();
        let dist = rand::distributions::WeightedIndex::new(&weights).expect("weights");
        let origin = &ORIGINS[dist.sample(&mut self.rng)];
        let first = *origin.1.choose(&mut self.rng).unwrap();
        let last = *origin.2.choose(&mut self.rng).unwrap();
        let email = self.email(first, last);
        let phone = self.phone(place.region);
        let address = if self.rng.gen_bool(0.3) {
            format!(
                "Flat {}/{}, {} {}, {}",
                self.rng.gen_range(0..4),
                self.rng.gen_range(1..3),
                self.rng.gen_range(1..120),
                STREETS.choose(&mut self.rng).unwrap(),
                place.area
            )
        } else {
            format!(
                "{} {}, {}",
                self.rng.gen_range(1..220),
                STREETS.choose(&mut self.rng).unwrap(),
                place.area
            )
        };
        let reduced_rate = self.rng.gen_bool(0.12);
        let (workplace, income) = if reduced_rate {
            let w = REDUCED_WORKPLACES
                .choose(&mut self.rng)
                .unwrap()
                .to_string();
            let income = self
                .rng
                .gen_bool(0.5)
                .then(|| self.rng.gen_range(300..900) * 100);
            (w, income)
        } else {
            let w = match place.workplace {
                Some(w) if self.rng.gen_bool(0.75) => w.to_string(),
                _ => WORKPLACES.choose(&mut self.rng).unwrap().to_string(),
            };
            // Roughly the spread of working incomes: most between 1,400 and 3,000 a month.
            let income = (!self.rng.gen_bool(0.1)).then(|| {
                let a: i64 = self.rng.gen_range(900..2200);
                let b: i64 = self.rng.gen_range(0..1800);
                (a + b) * 100
            });
            (w, income)
        };
        let pseudonym = self.pseudonym(place.area);
        let today = self.today;
        self.people.push(DemoPerson {
            pseudonym,
            unit: place.unit.clone(),
            status,
            admitted_on: None,
            since: today,
            programme_accepted: status == Status::Member,
            monthly_income_cents: income,
            reduced_rate,
            identity: Identity {
                legal_name: format!("{first} {last}"),
                email,
                phone,
                address,
                workplace,
                notes: String::new(),
            },
        });
        self.profiles.push(profile);
        self.places.push(place.clone());
        self.people.len() - 1
    }

    /// A member admitted some time ago (1 to 15 years, a few within the last year).
    fn admit_long_ago(&mut self, i: usize) {
        let days = if self.rng.gen_bool(0.12) {
            self.rng.gen_range(31..365)
        } else {
            // Skewed towards the recent years: organisations grow, and old members drop away.
            let u: f64 = self.rng.gen();
            365 + (u.powf(1.6) * 14.0 * 365.0) as i64
        };
        let admitted = self.days_ago(days);
        let since = admitted.add_days(-self.rng.gen_range(14..400));
        let p = &mut self.people[i];
        p.admitted_on = Some(admitted);
        p.since = since;
        p.programme_accepted = true;
    }

    fn add_member(&mut self, place: &Place) -> usize {
        let i = self.person(place, Status::Member, Profile::Active);
        self.admit_long_ago(i);
        i
    }

    fn add_periphery(&mut self, place: &Place, status: Status) -> usize {
        let i = self.person(place, status, Profile::Periphery);
        let since = match status {
            Status::Applicant => self.today.add_days(-self.rng.gen_range(1..=60)),
            _ => self.today.add_days(-self.rng.gen_range(20..2500)),
        };
        let accepted = status == Status::Applicant || self.rng.gen_bool(0.6);
        let p = &mut self.people[i];
        p.since = since;
        p.programme_accepted = accepted;
        i
    }

    fn add_gone(&mut self, place: &Place, status: Status) -> usize {
        let i = self.person(place, status, Profile::Periphery);
        let admitted = self.today.add_days(-self.rng.gen_range(700..4000));
        let until = self.today.add_days(-self.rng.gen_range(100..500));
        let since = admitted.add_days(-self.rng.gen_range(14..400));
        let p = &mut self.people[i];
        p.admitted_on = Some(admitted);
        p.since = since;
        p.programme_accepted = true;
        self.profiles[i] = Profile::Gone(until);
        i
    }
}

/// Builds the demo organisation. The same seed and day always give the same plan.
pub fn demo(seed: u64, today: Day) -> DemoPlan {
    let mut b = Builder {
        rng: ChaCha8Rng::seed_from_u64(seed),
        today,
        pseudonyms: HashSet::new(),
        emails: HashSet::new(),
        phones_used: vec![0; REGIONS.len() + 1],
        people: Vec::new(),
        profiles: Vec::new(),
        places: Vec::new(),
    };

    // Units, parents before children.
    let mut units = vec![NewUnit {
        code: "cc".into(),
        name: "Central Committee".into(),
        kind: "central".into(),
        parent: None,
        area: "London".into(),
        closed: false,
    }];
    let unit =
        |code: &str, name: &str, kind: &str, parent: &str, area: &str, closed: bool| NewUnit {
            code: code.into(),
            name: name.into(),
            kind: kind.into(),
            parent: Some(parent.into()),
            area: area.into(),
            closed,
        };
    for r in REGIONS {
        units.push(unit(r.code, r.name, "regional", "cc", r.area, false));
        for l in r.locals {
            units.push(unit(l.code, l.name, "local", r.code, l.area, false));
            for c in l.circles {
                units.push(unit(c.code, c.name, "circle", l.code, c.area, c.closed));
            }
        }
    }
    for &(code, name, kind, area, _) in BESIDE {
        units.push(unit(code, name, kind, "cc", area, false));
    }

    // People, unit by unit.
    let mut meeting_places: Vec<Place> = Vec::new();
    for (ri, r) in REGIONS.iter().enumerate() {
        for l in r.locals {
            let local = Place {
                unit: l.code.into(),
                area: l.area,
                workplace: None,
                region: ri,
            };
            for _ in 0..b.rng.gen_range(4..=6) {
                b.add_member(&local);
            }
            b.add_periphery(&local, Status::Supporter);
            b.add_gone(&local, Status::Lapsed);
            meeting_places.push(local);
            for c in l.circles {
                let place = Place {
                    unit: c.code.into(),
                    area: c.area,
                    workplace: c.workplace,
                    region: ri,
                };
                for _ in 0..b.rng.gen_range(14..=26) {
                    b.add_member(&place);
                }
                for _ in 0..b.rng.gen_range(2..=6) {
                    b.add_periphery(&place, Status::Supporter);
                }
                for _ in 0..b.rng.gen_range(1..=2) {
                    b.add_periphery(&place, Status::Applicant);
                }
                for _ in 0..b.rng.gen_range(1..=3) {
                    b.add_gone(&place, Status::Lapsed);
                }
                match b.rng.gen_range(0..10) {
                    0 | 1 => {
                        b.add_gone(&place, Status::Left);
                    }
                    2 => {
                        b.add_gone(&place, Status::Expelled);
                    }
                    _ => {}
                }
                meeting_places.push(place);
            }
        }
    }
    for &(code, _, kind, area, region) in BESIDE {
        let place = Place {
            unit: code.into(),
            area,
            workplace: None,
            region,
        };
        if kind == "section" {
            for _ in 0..b.rng.gen_range(20..=30) {
                b.add_member(&place);
            }
            for _ in 0..b.rng.gen_range(3..=6) {
                b.add_periphery(&place, Status::Supporter);
            }
            meeting_places.push(place);
        } else {
            // An affiliated body's people are not party members by belonging to it: the party
            // counts them among its supporters.
            for _ in 0..b.rng.gen_range(9..=15) {
                b.add_periphery(&place, Status::Supporter);
            }
        }
    }

    // Give the members their year: a shuffled few are new, inactive or in arrears.
    let mut members: Vec<usize> = (0..b.people.len())
        .filter(|&i| b.people[i].status == Status::Member && b.places[i].unit != LOGIN_CIRCLE)
        .collect();
    members.shuffle(&mut b.rng);
    let n = members.len();
    let n_new = 8;
    let n_inactive = n * 3 / 100;
    let n_arrears = n / 10;
    for (k, &i) in members.iter().enumerate() {
        let profile = if k < n_new {
            Profile::New
        } else if k < n_new + n_inactive {
            Profile::Inactive
        } else if k < n_new + n_inactive + n_arrears {
            // A third lose the vote only (3 months); the rest lose membership (4 or 5).
            Profile::Arrears(3 + ((k - n_new - n_inactive) % 3) as i64)
        } else {
            Profile::Active
        };
        b.profiles[i] = profile;
        if profile == Profile::New {
            let admitted = b.today.add_days(-b.rng.gen_range(2..=27));
            let since = admitted.add_days(-b.rng.gen_range(30..200));
            b.people[i].admitted_on = Some(admitted);
            b.people[i].since = since;
        }
    }

    let payments = payments(&mut b);
    let (meetings, tasks) = activity(&mut b, &meeting_places);
    let applications = (0..b.people.len())
        .filter(|&i| b.people[i].status == Status::Applicant)
        .map(|i| {
            let text = STATEMENTS.choose(&mut b.rng).unwrap();
            let work = b.places[i].workplace.unwrap_or("my workplace");
            DemoApplication {
                person: i,
                applied_on: b.people[i].since,
                statement: text
                    .replace("{work}", work)
                    .replace("{area}", b.places[i].area),
            }
        })
        .collect();
    let logins = logins(&mut b);
    let transfers = movers(&b, &units, &meetings, &logins);
    let transfer_requests = askers(&b, &logins);

    DemoPlan {
        organisation: ORGANISATION.into(),
        units,
        people: b.people,
        meetings,
        tasks,
        payments,
        applications,
        logins,
        transfers,
        transfer_requests,
    }
}

/// The first member of Govan Cross circle without a login asks to move to the secretary's
/// circle (chosen without the random generator, so the rest of the demo is as it was).
fn askers(b: &Builder, logins: &[DemoLogin]) -> Vec<DemoTransfer> {
    (0..b.people.len())
        .filter(|&i| {
            b.people[i].unit == "clyde-govan-cross"
                && b.people[i].status == Status::Member
                && !logins.iter().any(|l| l.person == Some(i))
        })
        .take(1)
        .map(|person| DemoTransfer {
            person,
            to: LOGIN_CIRCLE.to_string(),
            on: b.today,
        })
        .collect()
}

/// Three members of long standing who attended meetings of the first circle under Toxteth move
/// to the first circle under Salford (chosen without the random generator, so the rest of the
/// demo is as it was).
fn movers(
    b: &Builder,
    units: &[NewUnit],
    meetings: &[DemoMeeting],
    logins: &[DemoLogin],
) -> Vec<DemoTransfer> {
    let first_circle = |local: &str| {
        units
            .iter()
            .find(|u| u.parent.as_deref() == Some(local) && !u.closed)
            .map(|u| u.code.clone())
    };
    let (Some(from), Some(to)) = (
        first_circle("mersey-toxteth"),
        first_circle("manchester-salford"),
    ) else {
        return Vec::new();
    };
    let attended: HashSet<usize> = meetings
        .iter()
        .filter(|m| m.unit == from)
        .flat_map(|m| m.attendees.iter().copied())
        .collect();
    (0..b.people.len())
        .filter(|&i| {
            b.people[i].unit == from
                && b.people[i].status == Status::Member
                && attended.contains(&i)
                && !logins.iter().any(|l| l.person == Some(i))
        })
        .take(3)
        .map(|person| DemoTransfer {
            person,
            to: to.clone(),
            on: b.today,
        })
        .collect()
}

/// One payment per member per month paid, over the 12 months up to today.
fn payments(b: &mut Builder) -> Vec<DemoPayment> {
    let dues = crate::dues::DuesRules::founding();
    let this = b.today.month();
    let first_shown = this.add(-11);
    let mut out = Vec::new();
    for i in 0..b.people.len() {
        let Some(admitted) = b.people[i].admitted_on else {
            continue;
        };
        let last = match b.profiles[i] {
            Profile::New => this,
            Profile::Active | Profile::Inactive => {
                if b.rng.gen_bool(0.6) {
                    this
                } else {
                    this.add(-1)
                }
            }
            Profile::Arrears(k) => this.add(-k),
            // People stop paying a while before the unit records them as lapsed.
            Profile::Gone(until) => until.month().add(-b.rng.gen_range(0..=3)),
            Profile::Periphery => continue,
        };
        let amount = dues.monthly_due(b.people[i].monthly_income_cents, b.people[i].reduced_rate);
        let mut period = admitted.month().max(first_shown);
        while period <= last {
            let start = period.first_day();
            let offset = if period == this {
                b.rng.gen_range(0..b.today.day_of_month() as i64)
            } else if b.rng.gen_bool(0.15) {
                b.rng.gen_range(28..50)
            } else {
                b.rng.gen_range(0..28)
            };
            let paid_on = start.add_days(offset).max(admitted).min(b.today);
            out.push(DemoPayment {
                person: i,
                period,
                paid_on,
                amount_cents: amount,
            });
            period = period.add(1);
        }
    }
    out
}

/// Whether person `i` could be at their unit's meeting on `day`, and how likely they come.
fn attendance_chance(b: &Builder, i: usize, day: Day, rate: f64) -> f64 {
    let p = &b.people[i];
    let admitted_by = p.admitted_on.is_some_and(|a| a <= day);
    match b.profiles[i] {
        Profile::Active | Profile::New | Profile::Arrears(_) if admitted_by => rate,
        Profile::Inactive if admitted_by && b.today.days_since(day) > 120 => rate,
        Profile::Gone(until) if admitted_by && day < until.add_days(-60) => rate * 0.7,
        Profile::Periphery if p.since <= day => match p.status {
            Status::Applicant => 0.4,
            _ => 0.12,
        },
        _ => 0.0,
    }
}

const TITLES_USUAL: &[&str] = &[
    "Monthly meeting",
    "Monthly meeting",
    "Monthly meeting",
    "Education: What is to be done?",
    "Planning the paper sale",
    "Report back from the local committee",
    "Discussion: the rent strike",
    "Strike support: collections and the picket rota",
];
const TITLES_CONGRESS: &[&str] = &[
    "Discussion: the draft statutes",
    "Discussion: Paragraph 1, Lenin's formula or Martov's?",
    "Monthly meeting",
    "Monthly meeting",
];

fn task_description(rng: &mut ChaCha8Rng, place: &Place) -> String {
    let work = place.workplace.unwrap_or(match rng.gen_range(0..3) {
        0 => "the bus depot",
        1 => "the hospital",
        _ => "the warehouse",
    });
    let area = place.area;
    match rng.gen_range(0..8) {
        0 | 1 => format!(
            "Sold {} copies of the paper in {area}",
            rng.gen_range(5..=40)
        ),
        2 => format!("Leafleted the gate at {work}"),
        3 => format!(
            "Collected £{} for the strike fund at {work}",
            rng.gen_range(12..=180)
        ),
        4 => format!("Wrote a report for the paper on conditions at {work}"),
        5 => format!("Took the collection sheet round {area}"),
        6 => format!("Ran the bookstall at {area} market"),
        _ => format!(
            "Canvassed {} for the tenants' meeting",
            STREETS.choose(rng).unwrap()
        ),
    }
}

/// A year of meetings and tasks, then a task for anyone meant to be active who drew no
/// participation in the last 90 days (Lenin's formula would otherwise drop them by chance).
fn activity(b: &mut Builder, places: &[Place]) -> (Vec<DemoMeeting>, Vec<DemoTask>) {
    let today = b.today;
    let this = today.month();
    let mut last_part: Vec<Option<Day>> = vec![None; b.people.len()];
    let mut meetings = Vec::new();
    for place in places {
        let people: Vec<usize> = (0..b.people.len())
            .filter(|&i| b.people[i].unit == place.unit)
            .collect();
        let usual_day = b.rng.gen_range(3..=24i64);
        for back in (0..12).rev() {
            let month = this.add(-back);
            if b.rng.gen_bool(0.06) {
                continue; // Holidays, a strike, a hall double-booked.
            }
            let held_on = month
                .first_day()
                .add_days(usual_day - 1 + b.rng.gen_range(-2..=2));
            if held_on > today {
                continue;
            }
            let title = if back < 3 {
                TITLES_CONGRESS.choose(&mut b.rng).unwrap()
            } else {
                TITLES_USUAL.choose(&mut b.rng).unwrap()
            };
            let rate = b.rng.gen_range(0.45..0.85);
            let mut attendees = Vec::new();
            for &i in &people {
                let chance = attendance_chance(b, i, held_on, rate);
                if chance > 0.0 && b.rng.gen_bool(chance) {
                    attendees.push(i);
                    last_part[i] = last_part[i].max(Some(held_on));
                }
            }
            meetings.push(DemoMeeting {
                unit: place.unit.clone(),
                held_on,
                title: title.to_string(),
                attendees,
            });
        }
    }

    let mut tasks = Vec::new();
    let year_ago = today.add_days(-364);
    for (i, last) in last_part.iter_mut().enumerate() {
        let Some(admitted) = b.people[i].admitted_on else {
            continue;
        };
        let until = match b.profiles[i] {
            Profile::Active | Profile::New | Profile::Arrears(_) => today,
            Profile::Inactive => today.add_days(-121),
            Profile::Gone(until) => until.add_days(-60),
            Profile::Periphery => continue,
        };
        let from = admitted.max(year_ago);
        if until < from {
            continue;
        }
        let span = until.days_since(from);
        for _ in 0..b.rng.gen_range(0..=5) {
            let done_on = from.add_days(b.rng.gen_range(0..=span));
            let description = task_description(&mut b.rng, &b.places[i]);
            *last = (*last).max(Some(done_on));
            tasks.push(DemoTask {
                person: i,
                unit: b.people[i].unit.clone(),
                done_on,
                description,
            });
        }
        let active = matches!(
            b.profiles[i],
            Profile::Active | Profile::New | Profile::Arrears(_)
        );
        if active && last.is_none_or(|d| today.days_since(d) >= 80) {
            let back = today.days_since(admitted).min(60);
            let done_on = today.add_days(-b.rng.gen_range(0..=back));
            let description = task_description(&mut b.rng, &b.places[i]);
            *last = (*last).max(Some(done_on));
            tasks.push(DemoTask {
                person: i,
                unit: b.people[i].unit.clone(),
                done_on,
                description,
            });
        }
    }
    tasks.sort_by(|a, b| a.done_on.cmp(&b.done_on).then(a.person.cmp(&b.person)));
    (meetings, tasks)
}

/// The administrator, and one login per role, each belonging to an active member.
fn logins(b: &mut Builder) -> Vec<DemoLogin> {
    let mut out = vec![DemoLogin {
        login: "admin".into(),
        password: "demo-admin-iskra".into(),
        role: "administrator".into(),
        person: None,
        unit: None,
    }];
    // Officers need a vote and a record: active members admitted over a year ago.
    let year_ago = b.today.add_days(-365);
    let seasoned = |b: &Builder, i: usize| {
        b.profiles[i] == Profile::Active
            && b.people[i].status == Status::Member
            && b.people[i].admitted_on.is_some_and(|a| a <= year_ago)
    };
    let in_circle: Vec<usize> = (0..b.people.len())
        .filter(|&i| b.people[i].unit == LOGIN_CIRCLE && seasoned(b, i))
        .collect();
    let mut central: Vec<usize> = (0..b.people.len())
        .filter(|&i| {
            seasoned(b, i)
                && b.people[i].unit != LOGIN_CIRCLE
                && b.people[i].unit.matches('-').count() == 2
        })
        .collect();
    central.shuffle(&mut b.rng);
    let roles: [(&str, &str, bool); 9] = [
        ("secretary", "secretary", true),
        ("treasurer", "treasurer", true),
        ("agent", "paper agent", true),
        ("member", "member", true),
        ("editor", "editor", false),
        ("credentials", "credentials committee", false),
        ("presidium", "presidium", false),
        ("central", "central committee", false),
        ("security", "security officer", false),
    ];
    let (mut next_circle, mut next_central) = (0, 0);
    for (login, role, local) in roles {
        let (person, unit) = if local {
            next_circle += 1;
            (in_circle[next_circle - 1], LOGIN_CIRCLE.to_string())
        } else {
            next_central += 1;
            (central[next_central - 1], "cc".to_string())
        };
        out.push(DemoLogin {
            login: login.into(),
            password: format!("demo-{login}-iskra"),
            role: role.into(),
            person: Some(person),
            unit: Some(unit),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::statutes::{evaluate, PersonFacts, Reason, Statutes};
    use std::collections::{BTreeMap, HashSet};

    fn today() -> Day {
        Day::parse("2026-11-27").unwrap()
    }

    fn count(plan: &DemoPlan, status: Status) -> usize {
        plan.people.iter().filter(|p| p.status == status).count()
    }

    #[test]
    fn the_same_seed_gives_the_same_organisation() {
        let a = demo(7, today());
        let b = demo(7, today());
        assert_eq!(format!("{a:?}"), format!("{b:?}"));
        let c = demo(8, today());
        assert_ne!(format!("{a:?}"), format!("{c:?}"));
    }

    #[test]
    fn the_organisation_has_the_expected_shape() {
        for seed in [1, 2, 3, 42, 1903] {
            let plan = demo(seed, today());
            let kind = |k: &str| plan.units.iter().filter(|u| u.kind == k).count();
            assert_eq!(kind("central"), 1);
            assert_eq!(plan.units[0].code, "cc");
            assert!((3..=4).contains(&kind("regional")));
            assert!((8..=10).contains(&kind("local")));
            assert!((25..=35).contains(&kind("circle")));
            assert_eq!(kind("section"), 2);
            assert_eq!(kind("affiliate"), 3);
            let closed: Vec<_> = plan.units.iter().filter(|u| u.closed).collect();
            assert_eq!(closed.len(), 1);
            assert_eq!(closed[0].kind, "circle");
            // One member of a neighbouring circle waits to move into the secretary's circle.
            assert_eq!(plan.transfer_requests.len(), 1, "seed {seed}");
            let asker = &plan.people[plan.transfer_requests[0].person];
            assert_eq!(asker.unit, "clyde-govan-cross");
            assert_eq!(plan.transfer_requests[0].to, LOGIN_CIRCLE);

            let n = plan.people.len();
            assert!((900..=1150).contains(&n), "{n} people");
            let members = count(&plan, Status::Member);
            assert!((620..=780).contains(&members), "{members} members");
            assert!((120..=200).contains(&count(&plan, Status::Supporter)));
            assert!((30..=60).contains(&count(&plan, Status::Applicant)));
            assert!((40..=110).contains(&count(&plan, Status::Lapsed)));
            let gone = count(&plan, Status::Left) + count(&plan, Status::Expelled);
            assert!((1..=15).contains(&gone), "{gone} left or expelled");

            let in_affiliates = plan
                .people
                .iter()
                .filter(|p| ["union", "coop", "club"].contains(&p.unit.as_str()))
                .collect::<Vec<_>>();
            assert!(in_affiliates.len() >= 24);
            assert!(in_affiliates.iter().all(|p| p.status == Status::Supporter));
            assert!(plan
                .people
                .iter()
                .any(|p| p.unit == "women" && p.status == Status::Member));
            assert!(plan
                .people
                .iter()
                .any(|p| p.unit == "clyde-govan" && p.status == Status::Member));
        }
    }

    #[test]
    fn codes_and_identities_are_unique_and_references_resolve() {
        let plan = demo(5, today());
        let mut codes = HashSet::new();
        for u in &plan.units {
            assert!(crate::units::valid_code(&u.code), "{}", u.code);
            if let Some(parent) = &u.parent {
                assert!(
                    codes.contains(parent),
                    "{} comes before its parent {parent}",
                    u.code
                );
            }
            assert!(codes.insert(u.code.clone()), "{} twice", u.code);
            assert!(!u.area.is_empty());
        }
        let unique = |f: &dyn Fn(&DemoPerson) -> String| {
            let all: Vec<String> = plan.people.iter().map(f).collect();
            let set: HashSet<&String> = all.iter().collect();
            all.len() == set.len()
        };
        assert!(unique(&|p| p.pseudonym.clone()));
        assert!(unique(
            &|p| crate::people::email_key(&p.identity.email).unwrap()
        ));
        assert!(unique(
            &|p| crate::people::phone_key(&p.identity.phone).unwrap()
        ));
        for p in &plan.people {
            assert!(codes.contains(&p.unit));
            assert!(crate::people::plausible_email(&p.identity.email));
            let domain = p.identity.email.split('@').nth(1).unwrap();
            assert!(domain.starts_with("example."), "{domain}");
            assert!(p.identity.phone.starts_with("+44 "));
            assert!(p.since <= today());
            assert!(p.admitted_on.is_none_or(|a| a <= today() && p.since <= a));
        }
        let people = plan.people.len();
        for m in &plan.meetings {
            assert!(codes.contains(&m.unit));
            assert!(m.held_on <= today() && today().days_since(m.held_on) < 366);
            assert!(m
                .attendees
                .iter()
                .all(|&i| i < people && plan.people[i].unit == m.unit));
        }
        for t in &plan.tasks {
            assert!(codes.contains(&t.unit) && t.person < people && t.done_on <= today());
        }
        for l in &plan.logins {
            assert!(l.unit.as_ref().is_none_or(|u| codes.contains(u)));
            assert!(l.person.is_none_or(|i| i < people));
        }
    }

    #[test]
    fn applicants_have_applications_and_payments_follow_the_rules() {
        let plan = demo(11, today());
        let applied: Vec<usize> = plan.applications.iter().map(|a| a.person).collect();
        for (i, p) in plan.people.iter().enumerate() {
            let has = applied.contains(&i);
            assert_eq!(p.status == Status::Applicant, has, "{}", p.pseudonym);
            if has {
                let unit = plan.units.iter().find(|u| u.code == p.unit).unwrap();
                assert_eq!(unit.kind, "circle");
            }
        }
        for a in &plan.applications {
            assert!(today().days_since(a.applied_on) <= 62 && a.applied_on <= today());
            assert!(!a.statement.is_empty() && !a.statement.contains('{'));
        }
        let dues = crate::dues::DuesRules::founding();
        let mut seen = HashSet::new();
        for pay in &plan.payments {
            let p = &plan.people[pay.person];
            assert_eq!(
                pay.amount_cents,
                dues.monthly_due(p.monthly_income_cents, p.reduced_rate)
            );
            assert!(pay.paid_on <= today() && pay.paid_on >= pay.period.first_day());
            assert!(today().month().since(pay.period) < 12);
            assert!(
                seen.insert((pay.person, pay.period)),
                "two payments for one month"
            );
        }
    }

    #[test]
    fn meetings_are_monthly_and_reasonably_attended() {
        let plan = demo(3, today());
        let mut per_unit: BTreeMap<&str, usize> = BTreeMap::new();
        for m in &plan.meetings {
            *per_unit.entry(m.unit.as_str()).or_default() += 1;
        }
        assert!(
            per_unit.values().all(|&n| (8..=12).contains(&n)),
            "{per_unit:?}"
        );
        assert!(per_unit.contains_key("clyde-govan") && per_unit.contains_key("youth"));
        assert!(plan
            .meetings
            .iter()
            .any(|m| m.title.contains("draft statutes")));
        let mut share = Vec::new();
        for m in &plan.meetings {
            let members = plan
                .people
                .iter()
                .filter(|p| p.unit == m.unit && p.status == Status::Member)
                .count();
            share.push(m.attendees.len() as f64 / members as f64);
        }
        let mean = share.iter().sum::<f64>() / share.len() as f64;
        assert!((0.4..=0.8).contains(&mean), "mean attendance {mean}");
        assert!(plan.tasks.len() > 1000);
    }

    #[test]
    fn the_statutes_have_every_case_to_explain() {
        for seed in [1903, 0, 1, 2, 3, 4, 5, 6] {
            statutes_cases(seed);
        }
    }

    fn statutes_cases(seed: u64) {
        let plan = demo(seed, today());
        let rules = Statutes::founding();
        let day = today();
        let mut paid: Vec<Option<Month>> = vec![None; plan.people.len()];
        for p in &plan.payments {
            paid[p.person] = paid[p.person].max(Some(p.period));
        }
        let mut parts: Vec<Vec<Day>> = vec![Vec::new(); plan.people.len()];
        for m in &plan.meetings {
            for &i in &m.attendees {
                parts[i].push(m.held_on);
            }
        }
        for t in &plan.tasks {
            parts[t.person].push(t.done_on);
        }
        let mut summaries: BTreeMap<&str, usize> = BTreeMap::new();
        let mut standing = Vec::new();
        for (i, p) in plan.people.iter().enumerate() {
            let kind = &plan.units.iter().find(|u| u.code == p.unit).unwrap().kind;
            let facts = PersonFacts {
                status: p.status,
                in_party_unit: kind != "affiliate",
                programme_accepted: p.programme_accepted,
                admitted_on: p.admitted_on,
                paid_through: paid[i],
                participation: parts[i]
                    .iter()
                    .filter(|d| day.days_since(**d) <= 90)
                    .count() as u32,
                last_participation: parts[i].iter().max().copied(),
            };
            let s = evaluate(&rules, &facts, day);
            let case = match (p.status, s.member, s.vote) {
                (Status::Member, true, true) => "vote",
                (Status::Member, true, false)
                    if s.failing().any(|r| *r == Reason::VoteArrears { months: 3 }) =>
                {
                    "no vote: arrears"
                }
                (Status::Member, true, false)
                    if s.failing()
                        .any(|r| matches!(r, Reason::TooNewToVote { .. })) =>
                {
                    "no vote: too new"
                }
                (Status::Member, false, _)
                    if s.checks.iter().any(|c| c.rule == "dues" && !c.met) =>
                {
                    "not a member: arrears"
                }
                (Status::Member, false, _)
                    if s.checks.iter().any(|c| c.rule == "participation" && !c.met) =>
                {
                    "not a member: no participation"
                }
                (Status::Member, _, _) => panic!("unexpected standing: {s:?}"),
                (_, true, _) => panic!("{:?} counted as a member", p.status),
                _ => "not admitted",
            };
            *summaries.entry(case).or_default() += 1;
            standing.push((i, s));
        }
        let members = count(&plan, Status::Member);
        assert!(summaries["vote"] > members * 3 / 4, "{summaries:?}");
        assert!(summaries["no vote: arrears"] >= 10, "{summaries:?}");
        assert!(summaries["no vote: too new"] >= 5, "{summaries:?}");
        assert!(summaries["not a member: arrears"] >= 20, "{summaries:?}");
        assert!(
            summaries["not a member: no participation"] >= 10,
            "{summaries:?}"
        );

        // Every login but the administrator belongs to a member with a vote.
        for l in &plan.logins[1..] {
            let i = l.person.unwrap();
            assert!(standing[i].1.vote, "{}: {:?}", l.login, standing[i].1);
        }
    }

    #[test]
    fn there_is_one_login_per_role() {
        let plan = demo(9, today());
        let logins: Vec<&str> = plan.logins.iter().map(|l| l.login.as_str()).collect();
        assert_eq!(
            logins,
            [
                "admin",
                "secretary",
                "treasurer",
                "agent",
                "member",
                "editor",
                "credentials",
                "presidium",
                "central",
                "security"
            ]
        );
        assert_eq!(
            plan.logins
                .iter()
                .filter(|l| l.role == "administrator")
                .count(),
            1
        );
        for l in &plan.logins {
            assert_eq!(l.password, format!("demo-{}-iskra", l.login));
        }
        let persons: HashSet<usize> = plan.logins.iter().filter_map(|l| l.person).collect();
        assert_eq!(persons.len(), plan.logins.len() - 1);
        let secretary = &plan.logins[1];
        let i = secretary.person.unwrap();
        assert_eq!(plan.people[i].unit, *secretary.unit.as_ref().unwrap());
        assert_eq!(plan.logins[5].unit.as_deref(), Some("cc"));
    }

    #[test]
    fn generation_is_fast() {
        let start = std::time::Instant::now();
        let plan = demo(2, today());
        let took = start.elapsed();
        assert!(!plan.people.is_empty());
        eprintln!(
            "demo: {took:?} for {} people ({} members), {} meetings, {} tasks, {} payments",
            plan.people.len(),
            count(&plan, Status::Member),
            plan.meetings.len(),
            plan.tasks.len(),
            plan.payments.len()
        );
        // Generous, since tests run unoptimised on a shared machine; release takes a few ms.
        assert!(took.as_millis() < 2000, "{took:?}");
    }
}
