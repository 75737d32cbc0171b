//! The scale generator: an organisation of a million people, for benchmarks.
//!
//! Nothing here holds the whole organisation in memory. The units (about one per hundred people)
//! are a small vector; every person, payment and attendance is a pure function of the seed and
//! the person's position, so the people CSV streams row by row and the activity can be produced
//! chunk by chunk, in any order, on any number of threads, always the same.
//!
//! People are identified by their 1-based position in the CSV: the store inserts them in that
//! order, so person `n` of the CSV is id `n`, and the activity refers to them that way.
//!
//! Two places are fixed, so that benchmarks can name them:
//!
//! * [`BIG_REGION`] (`r01`): a regional committee with about 25,000 people (for 1,000,000);
//! * [`EXACT_LOCAL`] (`r01-l01`): a local committee whose subtree (the committee and its
//!   circles) holds exactly [`EXACT_LOCAL_MEMBERS`] (500) people with status member, whenever the
//!   organisation has at least [`EXACT_LOCAL_MIN_PEOPLE`] people.
//!
//! Phone numbers use the country code +999, which the ITU keeps in reserve and assigns to no
//! country: the numbers are well formed and reach no one. Emails use the `example.*` domains.

use crate::dates::{Day, Month};
use crate::demo::{
    ORIGINS, PSEUDO_EPITHETS, PSEUDO_WORDS, REDUCED_WORKPLACES, STREETS, WORKPLACES,
};
use crate::dues::DuesRules;
use crate::import::{format_money, COLUMNS};
use crate::people::{Identity, Status};
use crate::units::NewUnit;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The regional committee of about 25,000 people (for a 1,000,000-person organisation).
pub const BIG_REGION: &str = "r01";
/// The local committee with exactly [`EXACT_LOCAL_MEMBERS`] members in its subtree.
pub const EXACT_LOCAL: &str = "r01-l01";
pub const EXACT_LOCAL_MEMBERS: u64 = 500;
/// Below this size the organisation is too small to set 667 people aside for one local.
pub const EXACT_LOCAL_MIN_PEOPLE: u64 = 10_000;
/// People in [`EXACT_LOCAL`]'s subtree: 500 members and 167 others, the usual proportions.
const EXACT_LOCAL_PEOPLE: u64 = 667;
/// Circles under [`EXACT_LOCAL`].
const EXACT_LOCAL_CIRCLES: usize = 6;

/// Months of activity generated, up to and including the current one.
pub const ACTIVITY_MONTHS: i64 = 12;

const TOWN_START: &[&str] = &[
    "Ash", "Black", "Brad", "Brook", "Burn", "Carr", "Clay", "Cold", "Cross", "Dun", "East", "Elm",
    "Fair", "Fen", "Glen", "Green", "Hal", "Hart", "High", "Holm", "Kirk", "Lang", "Lea", "Marsh",
    "Mill", "Moss", "New", "North", "Oak", "Pen", "Red", "Rock", "Salt", "Shaw", "South", "Stan",
    "Stone", "Thorn", "Water", "West", "Whit", "Wood",
];
const TOWN_END: &[&str] = &[
    "bridge", "bury", "by", "castle", "combe", "dale", "den", "field", "ford", "gate", "ham",
    "haven", "holme", "hurst", "ley", "mouth", "port", "side", "stead", "stow", "thorpe", "ton",
    "wick", "worth",
];
const CIRCLE_KINDS: &[&str] = &[
    "docks",
    "bus depot",
    "hospital",
    "warehouse",
    "schools",
    "call centre",
    "works",
    "estate",
    "market",
    "railway",
    "college",
    "care homes",
    "sorting office",
    "town",
];
const MEETING_TITLES: &[&str] = &[
    "Monthly meeting",
    "Monthly meeting",
    "Monthly meeting",
    "Discussion: the draft statutes",
    "Planning the paper sale",
    "Education: What is to be done?",
];

/// Distinct salts, so that each attribute of a person draws on its own stream of bits.
mod salt {
    pub const STATUS: u64 = 1;
    pub const NAME: u64 = 2;
    pub const ADMITTED: u64 = 3;
    pub const MONEY: u64 = 4;
    pub const HOME: u64 = 5;
    pub const PROFILE: u64 = 6;
    pub const PAYDAY: u64 = 7;
    pub const ATTEND: u64 = 8;
    pub const MEETING: u64 = 9;
    pub const PROGRAMME: u64 = 10;
}

pub(crate) fn splitmix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// 64 random-looking bits from (seed, what, which): random access, unlike a sequential RNG.
pub(crate) fn mix(seed: u64, which: u64, what: u64) -> u64 {
    splitmix(splitmix(seed ^ what.wrapping_mul(0xD1B5_4A32_D192_ED03)) ^ which)
}

/// A draw in `0..n` from 64 bits (the bias is negligible for the small `n` used here).
fn pick(bits: u64, n: usize) -> usize {
    (bits % n as u64) as usize
}

/// The units of a `people`-person organisation: about one per hundred people, parents first.
///
/// One central committee (`cc`); regional committees `r01`, `r02`, ... (one per 25,000 people);
/// local committees `rNN-lMM` (one per 1,000 people, spread evenly over the regions); circles
/// `rNN-lMM-cKK` of varying number under each local (about 1% of them closed); the women's and
/// youth sections (`women`, `youth`) and three affiliated bodies (`union`, `coop`, `club`).
pub fn scale_units(seed: u64, people: u64) -> Vec<NewUnit> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let regions = (people.saturating_add(12_500) / 25_000).max(1) as usize;
    let locals = ((people / 1_000) as usize).max(regions);
    let beside = 5;
    let circles = ((people / 100) as usize)
        .saturating_sub(1 + regions + locals + beside)
        .max(locals);

    let town = |rng: &mut ChaCha8Rng| {
        format!(
            "{}{}",
            TOWN_START[rng.gen_range(0..TOWN_START.len())],
            TOWN_END[rng.gen_range(0..TOWN_END.len())]
        )
    };
    let unit = |code: String, name: String, kind: &str, parent: &str, area: String| NewUnit {
        code,
        name,
        kind: kind.into(),
        parent: Some(parent.into()),
        area,
        closed: false,
    };

    // How many circles each local gets: proportional to a weight, so that sizes vary.
    let weights: Vec<f64> = (0..locals).map(|_| rng.gen_range(0.4..1.6)).collect();
    let fixed = if people >= EXACT_LOCAL_MIN_PEOPLE {
        EXACT_LOCAL_CIRCLES
    } else {
        0
    };
    let to_share = circles.saturating_sub(fixed);
    let rest_weight: f64 = weights.iter().skip(usize::from(fixed > 0)).sum();
    let mut per_local: Vec<usize> = weights
        .iter()
        .map(|w| ((to_share as f64 * w / rest_weight).floor() as usize).max(1))
        .collect();
    if fixed > 0 {
        per_local[0] = fixed;
    }
    let mut given: usize = per_local.iter().sum();
    let mut k = 1.min(locals - 1);
    while given < circles {
        per_local[k] += 1;
        given += 1;
        k = if k + 1 < locals {
            k + 1
        } else {
            1.min(locals - 1)
        };
    }

    let mut units = Vec::with_capacity(1 + regions + locals + circles + beside);
    units.push(NewUnit {
        code: "cc".into(),
        name: "Central Committee".into(),
        kind: "central".into(),
        parent: None,
        area: "the capital".into(),
        closed: false,
    });
    let mut local_no = 0;
    for r in 0..regions {
        let rcode = format!("r{:02}", r + 1);
        let rarea = town(&mut rng);
        units.push(unit(
            rcode.clone(),
            format!("{rarea} Regional Committee"),
            "regional",
            "cc",
            rarea,
        ));
        // Locals are spread evenly; the first regions take the remainder.
        let n_locals = locals / regions + usize::from(r < locals % regions);
        for l in 0..n_locals {
            let lcode = format!("{rcode}-l{:02}", l + 1);
            let larea = town(&mut rng);
            units.push(unit(
                lcode.clone(),
                format!("{larea} Local Committee"),
                "local",
                &rcode,
                larea.clone(),
            ));
            for c in 0..per_local[local_no] {
                let kind = CIRCLE_KINDS[rng.gen_range(0..CIRCLE_KINDS.len())];
                let mut circle = unit(
                    format!("{lcode}-c{:02}", c + 1),
                    format!("{larea} {kind} circle {}", c + 1),
                    "circle",
                    &lcode,
                    larea.clone(),
                );
                // About one circle in a hundred works closed, and one in every 97th local for
                // certain, so that even a small organisation has some; never in the exact local,
                // whose figures benchmarks rely on.
                let forced = local_no % 97 == 1 && c == 0;
                circle.closed = lcode != EXACT_LOCAL && (forced || rng.gen_bool(0.008));
                units.push(circle);
            }
            local_no += 1;
        }
    }
    for (code, name, kind) in [
        ("women", "Women's Section", "section"),
        ("youth", "Youth Section", "section"),
        ("union", "General Workers' Union", "affiliate"),
        ("coop", "Workers' Co-operative Society", "affiliate"),
        ("club", "Workers' Sports and Cultural Club", "affiliate"),
    ] {
        units.push(unit(
            code.into(),
            name.into(),
            kind,
            "cc",
            "the capital".into(),
        ));
    }
    units
}

/// Which units hold people, and which people: contiguous ranges of positions, in unit order.
#[derive(Clone, Debug)]
struct Slot {
    /// First person (1-based) of the range.
    start: u64,
    unit: usize,
}

/// Everything needed to produce any person or any chunk of activity on demand.
#[derive(Clone, Debug)]
pub struct Scale {
    seed: u64,
    people: u64,
    today: Day,
    units: Vec<NewUnit>,
    /// Sorted by `start`; the last range ends at `people`.
    slots: Vec<Slot>,
    /// The exact local's subtree, as a range of positions, when the organisation has one.
    exact: Option<(u64, u64)>,
    /// Per unit: its kind's category (affiliates take only supporters).
    affiliate: Vec<bool>,
    /// Per unit: its rank among the units that meet, if it meets (circles, locals, sections).
    meets: Vec<Option<u64>>,
    /// A step coprime to `people`, for spreading pseudonyms over the whole organisation.
    step: u64,
}

/// One generated person: a row of the people CSV.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScalePerson {
    /// 1-based position in the CSV: the person's id once inserted.
    pub index: u64,
    /// Index into [`Scale::units`].
    pub unit: usize,
    pub card: Option<String>,
    pub pseudonym: String,
    pub status: Status,
    pub admitted_on: Option<Day>,
    pub programme: bool,
    pub monthly_income_cents: Option<i64>,
    pub reduced_rate: bool,
    pub identity: Identity,
}

/// One month's dues paid by one person.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ScalePayment {
    pub person: u64,
    pub period: Month,
    pub paid_on: Day,
    pub amount_cents: i64,
}

/// A meeting of a unit. Meetings are numbered from 1 in the order [`Scale::meetings`] yields
/// them: every meeting unit, in unit order, meets once in each of the 12 months.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ScaleMeeting {
    pub number: u64,
    /// Index into [`Scale::units`].
    pub unit: usize,
    pub held_on: Day,
    pub title: &'static str,
}

/// A person present at a meeting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ScaleAttendance {
    pub person: u64,
    /// The meeting's number (see [`ScaleMeeting::number`]).
    pub meeting: u64,
}

/// How a member behaves over the year (a pure function of the seed and the person).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Profile {
    /// Paid through this month or the one before; takes part.
    Active { paid_back: i64 },
    /// Pays, but has taken no part for four months.
    Inactive,
    /// Behind with dues by 3 to 5 months.
    Arrears(i64),
}

fn gcd(a: u64, b: u64) -> u64 {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}

impl Scale {
    /// Lays `people` people out over `units` (normally [`scale_units`]`(seed, people)`).
    ///
    /// People go to units in proportions: 1% to the affiliated bodies, 2% to the sections, 5%
    /// directly to local committees and the rest to circles, each unit's share weighted so
    /// that sizes vary. When `units` has [`EXACT_LOCAL`] and there are at least
    /// [`EXACT_LOCAL_MIN_PEOPLE`] people, its subtree gets 667 people of whom exactly 500 are
    /// members.
    pub fn new(seed: u64, people: u64, units: &[NewUnit], today: Day) -> Scale {
        let units = units.to_vec();
        let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x5CA1_E000);
        let index_of = |code: &str| units.iter().position(|u| u.code == code);
        let exact_root = index_of(EXACT_LOCAL).filter(|_| people >= EXACT_LOCAL_MIN_PEOPLE);
        let in_exact: Vec<bool> = units
            .iter()
            .map(|u| {
                exact_root.is_some()
                    && (u.code == EXACT_LOCAL || u.parent.as_deref() == Some(EXACT_LOCAL))
            })
            .collect();

        // (unit, group, weight): group 0 affiliates, 1 sections, 2 locals, 3 circles.
        let mut holders: Vec<(usize, usize, f64)> = Vec::new();
        for (i, u) in units.iter().enumerate() {
            let group = match u.kind.as_str() {
                "affiliate" => 0,
                "section" => 1,
                "local" => 2,
                "circle" => 3,
                _ => continue,
            };
            holders.push((i, group, rng.gen_range(0.3..2.0)));
        }
        let shares = [0.01, 0.02, 0.05, 0.92];
        let fixed_total = if exact_root.is_some() {
            EXACT_LOCAL_PEOPLE
        } else {
            0
        };
        let free = people - fixed_total;
        let mut sizes = vec![0u64; holders.len()];
        // Groups present share the people; a group with no units passes its share on.
        let present: Vec<bool> = (0..4)
            .map(|g| holders.iter().any(|h| h.1 == g && !in_exact[h.0]))
            .collect();
        let share_sum: f64 = (0..4).filter(|&g| present[g]).map(|g| shares[g]).sum();
        for g in 0..4 {
            if !present[g] {
                continue;
            }
            let budget = (free as f64 * shares[g] / share_sum) as u64;
            let members: Vec<usize> = (0..holders.len())
                .filter(|&h| holders[h].1 == g && !in_exact[holders[h].0])
                .collect();
            let total_w: f64 = members.iter().map(|&h| holders[h].2).sum();
            for &h in &members {
                sizes[h] = (budget as f64 * holders[h].2 / total_w) as u64;
            }
        }
        if exact_root.is_some() {
            // A tenth directly in the local committee, the rest over its circles by weight.
            let inside: Vec<usize> = (0..holders.len())
                .filter(|&h| in_exact[holders[h].0])
                .collect();
            let direct = EXACT_LOCAL_PEOPLE / 10;
            let circles: Vec<usize> = inside
                .iter()
                .copied()
                .filter(|&h| holders[h].1 == 3)
                .collect();
            let total_w: f64 = circles.iter().map(|&h| holders[h].2).sum();
            let mut given = 0;
            for &h in &inside {
                sizes[h] = if holders[h].1 == 3 {
                    ((EXACT_LOCAL_PEOPLE - direct) as f64 * holders[h].2 / total_w) as u64
                } else {
                    direct
                };
                given += sizes[h];
            }
            // Rounding: the local committee itself takes the odd few.
            let local = inside
                .iter()
                .copied()
                .find(|&h| holders[h].1 == 2)
                .expect("the exact local holds people");
            sizes[local] += EXACT_LOCAL_PEOPLE - given;
        }
        // Rounding elsewhere: the largest circles (outside the exact local) take one more each.
        let assigned: u64 = sizes.iter().sum();
        let mut short = people - assigned;
        let mut by_size: Vec<usize> = (0..holders.len())
            .filter(|&h| !in_exact[holders[h].0])
            .collect();
        by_size.sort_by_key(|&h| (std::cmp::Reverse(sizes[h]), h));
        while short > 0 && !by_size.is_empty() {
            for &h in &by_size {
                if short == 0 {
                    break;
                }
                sizes[h] += 1;
                short -= 1;
            }
        }

        let mut slots = Vec::with_capacity(holders.len());
        let mut start = 1;
        let mut exact: Option<(u64, u64)> = None;
        for (h, &(unit, _, _)) in holders.iter().enumerate() {
            if sizes[h] == 0 {
                continue;
            }
            if in_exact[unit] {
                let e = exact.get_or_insert((start, start));
                e.1 = start + sizes[h];
            }
            slots.push(Slot { start, unit });
            start += sizes[h];
        }
        let affiliate = units.iter().map(|u| u.kind == "affiliate").collect();
        let mut rank = 0;
        let meets = units
            .iter()
            .map(|u| {
                matches!(u.kind.as_str(), "circle" | "local" | "section").then(|| {
                    rank += 1;
                    rank - 1
                })
            })
            .collect();
        let mut step = (people as f64 * 0.618_033_988_7) as u64 | 1;
        while people > 1 && gcd(step, people) != 1 {
            step += 2;
        }
        Scale {
            seed,
            people,
            today,
            units,
            slots,
            exact,
            affiliate,
            meets,
            step: step.max(1),
        }
    }

    /// The seed everything is drawn from.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The day the generated year ends on.
    pub fn today(&self) -> Day {
        self.today
    }

    pub fn units(&self) -> &[NewUnit] {
        &self.units
    }

    pub fn people(&self) -> u64 {
        self.people
    }

    /// The unit (index into [`Scale::units`]) of person `index` (1-based).
    pub fn unit_of(&self, index: u64) -> usize {
        let s = self.slots.partition_point(|s| s.start <= index);
        self.slots[s - 1].unit
    }

    /// The positions (first, one past the last) of [`EXACT_LOCAL`]'s people, if it has them.
    pub fn exact_local_range(&self) -> Option<(u64, u64)> {
        self.exact
    }

    /// The status of person `index`, without generating the rest of them.
    pub fn status_of(&self, index: u64) -> Status {
        let unit = self.unit_of(index);
        if self.affiliate[unit] {
            // An affiliated body's people are not party members by belonging to it.
            return Status::Supporter;
        }
        let q = match self.exact {
            // A permutation of the subtree's positions (101 is prime to 667 = 23 x 29): exactly
            // 500 of the 667 are members, spread through it rather than bunched at the start.
            Some((start, end)) if (start..end).contains(&index) => {
                let n = end - start;
                let perm = ((index - start) * 101 + self.seed % n) % n;
                match perm {
                    0..=499 => 0,
                    500..=599 => 800,
                    600..=619 => 910,
                    _ => 950,
                }
            }
            _ => mix(self.seed, index, salt::STATUS) % 1000,
        };
        let circle_or_local = matches!(self.units[unit].kind.as_str(), "circle" | "local");
        match q {
            0..=749 => Status::Member,
            750..=899 => Status::Supporter,
            900..=929 if circle_or_local => Status::Applicant,
            900..=929 => Status::Supporter,
            _ => Status::Lapsed,
        }
    }

    fn admitted_on(&self, index: u64, status: Status) -> Option<Day> {
        if !matches!(status, Status::Member | Status::Lapsed) {
            return None;
        }
        // 1 to 15 years ago, skewed towards recent years; a few within the last month.
        let bits = mix(self.seed, index, salt::ADMITTED);
        let days = if status == Status::Member && bits.is_multiple_of(200) {
            (bits >> 8) % 29 + 1
        } else {
            let u = ((bits >> 8) % 1_000_000) as f64 / 1_000_000.0;
            365 + (u * u * 14.0 * 365.0) as u64
        };
        Some(self.today.add_days(-(days as i64)))
    }

    fn money(&self, index: u64) -> (Option<i64>, bool) {
        let bits = mix(self.seed, index, salt::MONEY);
        let reduced = bits % 100 < 12;
        let income = if (bits >> 8).is_multiple_of(10) {
            None
        } else if reduced {
            Some(((bits >> 16) % 600 + 300) as i64 * 100)
        } else {
            Some(((bits >> 16) % 1300 + 900 + (bits >> 32) % 1800) as i64 * 100)
        };
        (income, reduced)
    }

    fn profile(&self, index: u64) -> Profile {
        let bits = mix(self.seed, index, salt::PROFILE);
        match bits % 100 {
            0..=2 => Profile::Inactive,
            3..=12 => Profile::Arrears(3 + ((bits >> 8) % 3) as i64),
            n => Profile::Active {
                paid_back: i64::from(n % 5 >= 3),
            },
        }
    }

    /// Person `index` (1-based), complete.
    pub fn person(&self, index: u64) -> ScalePerson {
        assert!(
            (1..=self.people).contains(&index),
            "person {index} of {}",
            self.people
        );
        let unit = self.unit_of(index);
        let status = self.status_of(index);
        let admitted_on = self.admitted_on(index, status);
        let (monthly_income_cents, reduced_rate) = self.money(index);

        // Pseudonyms: a bijection of the position, so they are unique, spread over the whole
        // organisation rather than in alphabetical runs.
        let y = ((index - 1) as u128 * self.step as u128 + self.seed as u128) % self.people as u128;
        let y = y as usize;
        let (ne, nw) = (PSEUDO_EPITHETS.len(), PSEUDO_WORDS.len());
        let base = format!(
            "{} {}",
            PSEUDO_EPITHETS[y % ne],
            PSEUDO_WORDS[(y / ne) % nw]
        );
        let pseudonym = match y / (ne * nw) {
            0 => base,
            k => format!("{base} {}", k + 1),
        };

        let bits = mix(self.seed, index, salt::NAME);
        let total: u32 = ORIGINS.iter().map(|o| o.0).sum();
        let mut w = (bits % total as u64) as u32;
        let origin = ORIGINS
            .iter()
            .find(|o| {
                if w < o.0 {
                    true
                } else {
                    w -= o.0;
                    false
                }
            })
            .expect("weights cover the draw");
        let first = origin.1[pick(bits >> 8, origin.1.len())];
        let last = origin.2[pick(bits >> 24, origin.2.len())];
        let letters = |s: &str| -> String {
            s.chars()
                .filter(|c| c.is_ascii_alphabetic())
                .map(|c| c.to_ascii_lowercase())
                .collect()
        };
        let domain = ["example.org", "example.net", "example.com"][pick(bits >> 40, 3)];
        // Letters, a dot, letters, then the position: unique because the position is.
        let email = format!("{}.{}{index}@{domain}", letters(first), letters(last));
        let phone = format!(
            "+999 {:03} {:03} {:03}",
            index / 1_000_000 % 1000,
            index / 1000 % 1000,
            index % 1000
        );
        let home = mix(self.seed, index, salt::HOME);
        let address = format!(
            "{} {}, {}",
            home % 200 + 1,
            STREETS[pick(home >> 8, STREETS.len())],
            self.units[unit].area
        );
        let workplace = if reduced_rate {
            REDUCED_WORKPLACES[pick(home >> 24, REDUCED_WORKPLACES.len())]
        } else {
            WORKPLACES[pick(home >> 24, WORKPLACES.len())]
        };
        let card = admitted_on.map(|_| format!("WP{index:08}"));
        let programme = status == Status::Member
            || status == Status::Lapsed
            || status == Status::Applicant
            || mix(self.seed, index, salt::PROGRAMME) % 10 < 6;
        ScalePerson {
            index,
            unit,
            card,
            pseudonym,
            status,
            admitted_on,
            programme,
            monthly_income_cents,
            reduced_rate,
            identity: Identity {
                legal_name: format!("{first} {last}"),
                email,
                phone,
                address,
                workplace: workplace.to_string(),
                notes: String::new(),
            },
        }
    }

    /// Every person, in CSV order, one at a time.
    pub fn iter_people(&self) -> ScalePeople<'_> {
        ScalePeople {
            scale: self,
            next: 1,
        }
    }

    /// Writes the people CSV (header, then one row per person), streaming; returns the rows.
    pub fn write_people_csv<W: std::io::Write>(&self, out: W) -> std::io::Result<u64> {
        let mut w = csv::Writer::from_writer(out);
        w.write_record(COLUMNS)?;
        let mut n = 0;
        for p in self.iter_people() {
            w.write_record(p.record(&self.units))?;
            n += 1;
        }
        w.flush()?;
        Ok(n)
    }

    /// How many chunks of `chunk_size` people the organisation makes.
    pub fn chunks(&self, chunk_size: u64) -> u64 {
        self.people.div_ceil(chunk_size.max(1))
    }

    /// The people (1-based, end exclusive) of chunk `chunk`.
    pub fn chunk_range(&self, chunk: u64, chunk_size: u64) -> (u64, u64) {
        let size = chunk_size.max(1);
        let start = (chunk * size + 1).min(self.people + 1);
        (start, (start + size).min(self.people + 1))
    }

    /// The dues paid by the people of chunk `chunk`, over the 12 months up to today.
    ///
    /// About 90% of members are paid through this month or the last; 10% are 3 to 5 months
    /// behind; lapsed members' payments stop some months before today. The result depends only
    /// on the seed and the people in the chunk, not on how the organisation was chunked.
    pub fn payments_chunk(&self, chunk: u64, chunk_size: u64) -> Vec<ScalePayment> {
        let (start, end) = self.chunk_range(chunk, chunk_size);
        let dues = DuesRules::founding();
        let this = self.today.month();
        let first_shown = this.add(1 - ACTIVITY_MONTHS);
        let mut out = Vec::with_capacity(((end - start) * 10) as usize);
        for index in start..end {
            let status = self.status_of(index);
            let Some(admitted) = self.admitted_on(index, status) else {
                continue;
            };
            let last = match (status, self.profile(index)) {
                (Status::Lapsed, _) => {
                    this.add(-4 - (mix(self.seed, index, salt::PAYDAY) % 12) as i64)
                }
                (_, Profile::Active { paid_back }) => this.add(-paid_back),
                (_, Profile::Inactive) => this,
                (_, Profile::Arrears(k)) => this.add(-k),
            };
            let (income, reduced) = self.money(index);
            let amount = dues.monthly_due(income, reduced);
            let mut period = admitted.month().max(first_shown);
            let mut bits = mix(self.seed, index, salt::PAYDAY);
            while period <= last {
                bits = splitmix(bits);
                let offset = if period == this {
                    (bits % u64::from(self.today.day_of_month())) as i64
                } else if bits % 100 < 15 {
                    28 + ((bits >> 8) % 20) as i64
                } else {
                    ((bits >> 8) % 28) as i64
                };
                let paid_on = period
                    .first_day()
                    .add_days(offset)
                    .max(admitted)
                    .min(self.today);
                out.push(ScalePayment {
                    person: index,
                    period,
                    paid_on,
                    amount_cents: amount,
                });
                period = period.add(1);
            }
        }
        out
    }

    /// The meeting of a meeting unit in month `m` (0 = eleven months ago, 11 = this month).
    fn meeting(&self, unit: usize, rank: u64, m: i64) -> ScaleMeeting {
        let month = self.today.month().add(m + 1 - ACTIVITY_MONTHS);
        let bits = mix(self.seed, rank * 16 + m as u64, salt::MEETING);
        // This month's meeting has been held already, so that every meeting can have attendance.
        let days = if m == ACTIVITY_MONTHS - 1 {
            u64::from(self.today.day_of_month())
        } else {
            28
        };
        let held_on = month.first_day().add_days((bits % days) as i64);
        let title = if m >= ACTIVITY_MONTHS - 3 && (bits >> 16).is_multiple_of(3) {
            "Discussion: the draft statutes"
        } else {
            MEETING_TITLES[pick(bits >> 24, MEETING_TITLES.len())]
        };
        ScaleMeeting {
            number: rank * ACTIVITY_MONTHS as u64 + m as u64 + 1,
            unit,
            held_on,
            title,
        }
    }

    /// Every meeting: each circle, local committee and section meets once a month for 12
    /// months. Yields them in number order (1, 2, ...).
    pub fn meetings(&self) -> impl Iterator<Item = ScaleMeeting> + '_ {
        self.meets
            .iter()
            .enumerate()
            .filter_map(|(unit, rank)| rank.map(|r| (unit, r)))
            .flat_map(move |(unit, rank)| {
                (0..ACTIVITY_MONTHS).map(move |m| self.meeting(unit, rank, m))
            })
    }

    /// How many meetings [`Scale::meetings`] yields.
    pub fn meeting_count(&self) -> u64 {
        self.meets.iter().flatten().count() as u64 * ACTIVITY_MONTHS as u64
    }

    /// Who of chunk `chunk` attended their unit's meetings: members mostly (40-80% of a
    /// meeting), applicants sometimes, supporters now and then. Inactive members have stayed
    /// away for the last four months; lapsed ones since before the year began.
    pub fn attendance_chunk(&self, chunk: u64, chunk_size: u64) -> Vec<ScaleAttendance> {
        let (start, end) = self.chunk_range(chunk, chunk_size);
        let mut out = Vec::with_capacity(((end - start) * 7) as usize);
        for index in start..end {
            let unit = self.unit_of(index);
            let Some(rank) = self.meets[unit] else {
                continue;
            };
            let status = self.status_of(index);
            let admitted = self.admitted_on(index, status);
            let chance = match status {
                Status::Member => 70,
                Status::Applicant => 40,
                Status::Supporter => 10,
                _ => continue,
            };
            let inactive = status == Status::Member && self.profile(index) == Profile::Inactive;
            let mut bits = mix(self.seed, index, salt::ATTEND);
            for m in 0..ACTIVITY_MONTHS {
                bits = splitmix(bits);
                if inactive && m >= ACTIVITY_MONTHS - 4 {
                    break;
                }
                // Each meeting has its own turnout, between 45% and 85% of the members.
                let turnout = mix(self.seed, rank * 16 + m as u64, salt::MEETING) >> 40;
                let pct = if status == Status::Member {
                    45 + turnout % 41
                } else {
                    chance
                };
                if bits % 100 >= pct {
                    continue;
                }
                let meeting = self.meeting(unit, rank, m);
                if admitted.is_some_and(|a| a > meeting.held_on) {
                    continue;
                }
                out.push(ScaleAttendance {
                    person: index,
                    meeting: meeting.number,
                });
            }
        }
        out
    }
}

impl ScalePerson {
    /// The person as a CSV row, in the order of [`COLUMNS`].
    pub fn record(&self, units: &[NewUnit]) -> [String; COLUMNS.len()] {
        let yes_no = |b: bool| if b { "yes" } else { "no" }.to_string();
        [
            self.card.clone().unwrap_or_default(),
            self.pseudonym.clone(),
            units[self.unit].code.clone(),
            self.status.as_str().to_string(),
            self.admitted_on.map(|d| d.to_string()).unwrap_or_default(),
            yes_no(self.programme),
            self.monthly_income_cents
                .map(format_money)
                .unwrap_or_default(),
            yes_no(self.reduced_rate),
            self.identity.legal_name.clone(),
            self.identity.email.clone(),
            self.identity.phone.clone(),
            self.identity.address.clone(),
            self.identity.workplace.clone(),
        ]
    }
}

/// The people of a [`Scale`], one at a time, in CSV order.
pub struct ScalePeople<'a> {
    scale: &'a Scale,
    next: u64,
}

impl Iterator for ScalePeople<'_> {
    type Item = ScalePerson;

    fn next(&mut self) -> Option<ScalePerson> {
        if self.next > self.scale.people {
            return None;
        }
        let p = self.scale.person(self.next);
        self.next += 1;
        Some(p)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = (self.scale.people + 1 - self.next) as usize;
        (left, Some(left))
    }
}

/// Writes the people CSV of the organisation `scale_units(seed, people)` would lay out over
/// `units`, streaming in constant memory; returns the number of rows written.
pub fn write_people_csv<W: std::io::Write>(
    seed: u64,
    people: u64,
    units: &[NewUnit],
    today: Day,
    out: W,
) -> std::io::Result<u64> {
    Scale::new(seed, people, units, today).write_people_csv(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::{validate_row, Header};
    use std::collections::HashSet;

    fn today() -> Day {
        Day::parse("2026-11-27").unwrap()
    }

    #[test]
    fn a_million_people_make_about_ten_thousand_units() {
        let units = scale_units(1, 1_000_000);
        assert!((9_500..=10_500).contains(&units.len()), "{}", units.len());
        assert_eq!(units, scale_units(1, 1_000_000));
        assert_ne!(units, scale_units(2, 1_000_000));
        let kind = |k: &str| units.iter().filter(|u| u.kind == k).count();
        assert_eq!(kind("central"), 1);
        assert_eq!(kind("regional"), 40);
        assert_eq!(kind("local"), 1_000);
        assert_eq!(
            units
                .iter()
                .filter(|u| u.parent.as_deref() == Some("r07"))
                .count(),
            25
        );
        let closed = units.iter().filter(|u| u.closed).count();
        assert!(closed >= 5, "{closed} closed");
        assert!(units
            .iter()
            .filter(|u| u.closed)
            .all(|u| u.kind == "circle"));

        let mut seen = HashSet::new();
        for u in &units {
            assert!(crate::units::valid_code(&u.code), "{}", u.code);
            if let Some(p) = &u.parent {
                assert!(seen.contains(p.as_str()), "{} before its parent", u.code);
            }
            assert!(seen.insert(u.code.as_str()), "{} twice", u.code);
        }
        for code in [
            BIG_REGION,
            EXACT_LOCAL,
            "women",
            "youth",
            "union",
            "coop",
            "club",
        ] {
            assert!(seen.contains(code), "{code}");
        }
        // Circles per local vary.
        let per_local = |code: &str| {
            units
                .iter()
                .filter(|u| u.parent.as_deref() == Some(code))
                .count()
        };
        let sizes: HashSet<usize> = ["r02-l01", "r02-l02", "r02-l03", "r05-l09", "r10-l04"]
            .iter()
            .map(|c| per_local(c))
            .collect();
        assert!(sizes.len() > 1, "{sizes:?}");
    }

    #[test]
    fn the_exact_local_has_500_members_and_the_big_region_25000_people() {
        let n = 1_000_000;
        let scale = Scale::new(3, n, &scale_units(3, n), today());
        let units = scale.units();
        let by_code: std::collections::HashMap<&str, &NewUnit> =
            units.iter().map(|u| (u.code.as_str(), u)).collect();
        let region_of: Vec<&str> = units
            .iter()
            .map(|u| {
                let mut unit = u;
                loop {
                    match unit.parent.as_deref() {
                        Some("cc") | None => return unit.code.as_str(),
                        Some(p) => unit = by_code[p],
                    }
                }
            })
            .collect();
        let in_exact = |u: usize| {
            units[u].code == EXACT_LOCAL || units[u].parent.as_deref() == Some(EXACT_LOCAL)
        };
        let (mut exact_members, mut exact_people, mut big_region) = (0, 0, 0);
        let mut statuses = [0u64; 6];
        for i in 1..=n {
            let u = scale.unit_of(i);
            let status = scale.status_of(i);
            statuses[Status::ALL.iter().position(|s| *s == status).unwrap()] += 1;
            if in_exact(u) {
                exact_people += 1;
                exact_members += u64::from(status == Status::Member);
            }
            big_region += u64::from(region_of[u] == BIG_REGION);
        }
        assert_eq!(exact_members, EXACT_LOCAL_MEMBERS);
        assert_eq!(exact_people, EXACT_LOCAL_PEOPLE);
        let (start, end) = scale.exact_local_range().unwrap();
        assert_eq!(end - start, EXACT_LOCAL_PEOPLE);
        assert!((22_000..=28_000).contains(&big_region), "{big_region}");
        // Supporter, applicant, member, lapsed: about 15%, 3%, 75%, 7%.
        let pct = |k: usize| statuses[k] * 100 / n;
        assert!((14..=17).contains(&pct(0)), "{statuses:?}");
        assert!((2..=4).contains(&pct(1)), "{statuses:?}");
        assert!((73..=76).contains(&pct(2)), "{statuses:?}");
        assert!((6..=8).contains(&pct(3)), "{statuses:?}");
    }

    #[test]
    fn the_csv_has_the_import_columns_and_every_row_validates() {
        let n = 10_000;
        let units = scale_units(4, n);
        let mut bytes = Vec::new();
        let rows = write_people_csv(4, n, &units, today(), &mut bytes).unwrap();
        assert_eq!(rows, n);
        let mut again = Vec::new();
        write_people_csv(4, n, &units, today(), &mut again).unwrap();
        assert!(bytes == again, "the same seed writes the same file");

        let codes: HashSet<String> = units.iter().map(|u| u.code.clone()).collect();
        let mut r = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(bytes.as_slice());
        let mut records = r.records();
        let head = records.next().unwrap().unwrap();
        assert_eq!(head.iter().collect::<Vec<_>>(), COLUMNS);
        let header = Header::parse(&head).unwrap();
        let (mut emails, mut phones, mut cards, mut names) = (
            HashSet::new(),
            HashSet::new(),
            HashSet::new(),
            HashSet::new(),
        );
        let mut count = 0;
        for (i, rec) in records.enumerate() {
            let row = validate_row(&header, &rec.unwrap(), i as u64 + 2, &codes, today())
                .unwrap_or_else(|e| panic!("{e:?}"));
            assert!(emails.insert(row.email_key().unwrap()));
            assert!(phones.insert(row.phone_key().unwrap()));
            assert!(names.insert(row.pseudonym.clone()), "{}", row.pseudonym);
            if let Some(card) = row.card {
                assert!(cards.insert(card));
            }
            if row.unit == "union" {
                assert_eq!(row.status, Status::Supporter);
            }
            count += 1;
        }
        assert_eq!(count, n);
    }

    #[test]
    fn activity_is_the_same_however_it_is_chunked() {
        let n = 5_000;
        let scale = Scale::new(5, n, &scale_units(5, n), today());
        let whole = scale.payments_chunk(0, n);
        let mut parts = Vec::new();
        for c in 0..scale.chunks(700) {
            parts.extend(scale.payments_chunk(c, 700));
        }
        assert_eq!(whole, parts);
        assert_eq!(scale.chunks(700), 8);
        assert_eq!(scale.chunk_range(7, 700), (4_901, 5_001));
        let att: Vec<_> = (0..scale.chunks(999))
            .flat_map(|c| scale.attendance_chunk(c, 999))
            .collect();
        assert_eq!(att, scale.attendance_chunk(0, n));
        let again = Scale::new(5, n, &scale_units(5, n), today());
        assert_eq!(again.payments_chunk(2, 700), scale.payments_chunk(2, 700));
    }

    #[test]
    fn payments_and_attendance_look_like_a_year_of_a_real_organisation() {
        let n = 20_000;
        let scale = Scale::new(6, n, &scale_units(6, n), today());
        let payments = scale.payments_chunk(0, n);
        let members = (1..=n)
            .filter(|&i| scale.status_of(i) == Status::Member)
            .count() as f64;
        let per_member = payments.len() as f64 / members;
        assert!((9.0..=12.5).contains(&per_member), "{per_member}");
        let dues = DuesRules::founding();
        let this = today().month();
        let mut last_paid = std::collections::BTreeMap::new();
        for p in &payments {
            assert!(p.paid_on <= today() && p.paid_on >= p.period.first_day());
            assert!((0..12).contains(&this.since(p.period)));
            let person = scale.person(p.person);
            assert_eq!(
                p.amount_cents,
                dues.monthly_due(person.monthly_income_cents, person.reduced_rate)
            );
            last_paid.insert(p.person, p.period);
        }
        // Most members paid up; about a tenth 3 to 5 months behind.
        let behind = |range: std::ops::RangeInclusive<i64>| {
            last_paid
                .iter()
                .filter(|(&i, m)| {
                    scale.status_of(i) == Status::Member && range.contains(&this.since(**m))
                })
                .count() as f64
                / members
        };
        assert!(behind(0..=1) > 0.8);
        assert!((0.06..=0.14).contains(&behind(3..=5)), "{}", behind(3..=5));

        let meetings: Vec<ScaleMeeting> = scale.meetings().collect();
        assert_eq!(meetings.len() as u64, scale.meeting_count());
        for (k, m) in meetings.iter().enumerate() {
            assert_eq!(m.number, k as u64 + 1);
            assert!(m.held_on <= today() && today().days_since(m.held_on) < 366);
        }
        let attendance = scale.attendance_chunk(0, n);
        let mut at_meeting = vec![0u32; meetings.len() + 1];
        for a in &attendance {
            let m = &meetings[a.meeting as usize - 1];
            assert_eq!(
                m.unit,
                scale.unit_of(a.person),
                "attends their own unit's meeting"
            );
            at_meeting[a.meeting as usize] += 1;
        }
        // Members of a meeting's unit, against those who came.
        let mut unit_members = vec![0u32; scale.units().len()];
        for i in 1..=n {
            if scale.status_of(i) == Status::Member {
                unit_members[scale.unit_of(i)] += 1;
            }
        }
        let (came, could): (u64, u64) = meetings
            .iter()
            .filter(|m| unit_members[m.unit] > 0)
            .map(|m| {
                (
                    u64::from(at_meeting[m.number as usize]),
                    u64::from(unit_members[m.unit]),
                )
            })
            .fold((0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
        let turnout = came as f64 / could as f64;
        assert!((0.4..=0.8).contains(&turnout), "{turnout}");
    }

    /// The full million, streamed: run with `cargo test --release -- --ignored` to time it.
    #[test]
    #[ignore = "slow unoptimised; a benchmark of the generator itself"]
    fn a_million_people_stream_in_constant_memory() {
        let n = 1_000_000;
        let started = std::time::Instant::now();
        let scale = Scale::new(1, n, &scale_units(1, n), today());
        let rows = scale.write_people_csv(std::io::sink()).unwrap();
        assert_eq!(rows, n);
        let csv_took = started.elapsed();
        let (mut payments, mut attendance) = (0, 0);
        for c in 0..scale.chunks(50_000) {
            payments += scale.payments_chunk(c, 50_000).len();
            attendance += scale.attendance_chunk(c, 50_000).len();
        }
        eprintln!(
            "{n} people: csv {csv_took:?}; {payments} payments and {attendance} attendances \
             by {:?}; {} meetings",
            started.elapsed(),
            scale.meeting_count()
        );
        // Three quarters are members, paying for up to 12 months each.
        assert!((8_000_000..=10_000_000).contains(&payments), "{payments}");
    }
}
