//! The demo organisation's paper: invented articles and reports, fixed so that README can name
//! them. The store seeds them with editions, orders and a few weeks of circulation.

use super::ReportCategory;

/// The central organ's name and code.
pub const PAPER: (&str, &str) = ("iskra", "Iskra");

/// Headlines of the demo editions, oldest first.
pub const HEADLINES: [&str; 6] = [
    "The yards will not close",
    "Rents up, wages down: who gains?",
    "Ten thousand at the city chambers",
    "The police raid that backfired",
    "Schools: the cuts have names",
    "Towards the congress",
];

/// Articles: title and Markdown text. Three go into each edition, in order.
pub const ARTICLES: [(&str, &str); 18] = [
    ("Yard workers vote to stay out", "The shift at the **Govan yard** voted by a show of hands to stay out until the closure plan is withdrawn.\n\nThe stewards report that the canteen has become a strike kitchen."),
    ("Who owns the yard?", "The yard changed hands three times in ten years. Each time the new owner promised investment and took the land value.\n\n*The workers stayed; the owners did not.*"),
    ("From our correspondents", "Reports came this week from the docks, the schools and the housing estates. The editors thank every sender, named or not."),
    ("The rent rise, street by street", "Tenants in the east end received letters announcing rises of up to a fifth.\n\n- No repairs in two years\n- Damp in every flat visited\n- Letters sent two days before Christmas"),
    ("Wages stolen in the warehouses", "Agency workers found their last week's pay missing. The agency blames the bank; the bank blames the agency."),
    ("A tenants' union is born", "Forty tenants met in the community hall and elected a committee of seven."),
    ("Ten thousand march on the chambers", "The march filled the square an hour before the council met. The budget vote was postponed."),
    ("What the council did not say", "The budget papers show the cuts fall hardest on the schools and the care homes."),
    ("Letters to the paper", "Readers write about the march, the rent strike and the price of the paper (it stays the same)."),
    ("The raid that backfired", "Police entered the advice centre without a warrant. By evening two hundred people stood outside it.\n\nThe centre reopened the next morning."),
    ("Know your rights at a search", "You need not answer questions. Ask for the warrant. Write down the officers' numbers."),
    ("Racist attack in the market", "A stall holder was attacked on Saturday. The market traders closed their stalls for an hour in protest."),
    ("The cuts have names", "The closures were decided by named officials, on named dates. The paper publishes the list."),
    ("Parents occupy the primary school", "Parents took turns to keep the school open through the half-term holiday."),
    ("Teachers and parents together", "The teachers' branch voted to support the parents' occupation."),
    ("Towards the congress", "The draft statutes are before the units. Paragraph 1 has two formulas: read both, and decide."),
    ("Lenin or Martov?", "One formula asks for personal participation in an organisation; the other for association under its direction. The difference is who the party is."),
    ("How delegates are chosen", "Each unit's delegates are apportioned by its membership on the day the congress is convened."),
];

/// Reports from correspondents: category and text.
pub const REPORTS: [(ReportCategory, &str); 24] = [
    (
        ReportCategory::Strike,
        "The whole day shift walked out at noon after the closure notice was posted.",
    ),
    (
        ReportCategory::Strike,
        "Bus drivers at the north depot refused overtime for the third week.",
    ),
    (
        ReportCategory::WageTheft,
        "Agency staff at the warehouse were paid for 30 hours after working 45.",
    ),
    (
        ReportCategory::WageTheft,
        "The cafe on the high street keeps the tips and calls it a service charge.",
    ),
    (
        ReportCategory::Workplace,
        "No heating in the sorting office since November; managers work from home.",
    ),
    (
        ReportCategory::Police,
        "Officers searched every young man leaving the mosque on Friday.",
    ),
    (
        ReportCategory::Police,
        "The advice centre was raided without a warrant; files were taken.",
    ),
    (
        ReportCategory::Eviction,
        "A family of five was evicted on a court order they never received.",
    ),
    (
        ReportCategory::Eviction,
        "Bailiffs came at six in the morning; neighbours blocked the stair.",
    ),
    (
        ReportCategory::Housing,
        "Damp and mould in every flat on the fourth floor; the landlord blames the tenants.",
    ),
    (
        ReportCategory::Housing,
        "Rent letters announcing a rise of 18 per cent arrived on the same day.",
    ),
    (
        ReportCategory::School,
        "The primary school is to close in the summer; parents were told by letter.",
    ),
    (
        ReportCategory::School,
        "Classes of 34 in the secondary; two teachers left and were not replaced.",
    ),
    (
        ReportCategory::Health,
        "The walk-in clinic now opens two days a week instead of five.",
    ),
    (
        ReportCategory::Racism,
        "A stall holder at the market was attacked and called names; the police took an hour.",
    ),
    (
        ReportCategory::Racism,
        "Job adverts at the distribution centre ask for 'local people only'.",
    ),
    (
        ReportCategory::Religion,
        "The council refused the hall to a Sikh community group, then let it to a wedding.",
    ),
    (
        ReportCategory::Officials,
        "The housing office lost the same application three times.",
    ),
    (
        ReportCategory::Officials,
        "The magistrate fined a striker more than a month's pay for blocking a gate.",
    ),
    (
        ReportCategory::Strike,
        "Cleaners at the hospital struck for one day and won the living wage.",
    ),
    (
        ReportCategory::Workplace,
        "Two men were hurt on the scaffold; the site had no safety officer.",
    ),
    (
        ReportCategory::Housing,
        "The estate's lifts have been broken for six weeks; elderly tenants are trapped.",
    ),
    (
        ReportCategory::Other,
        "The library is to become offices; readers collected 2,000 signatures.",
    ),
    (
        ReportCategory::School,
        "School meals cut to one hot meal a week.",
    ),
];
