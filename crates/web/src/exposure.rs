//! Exposure analysis: what an adversary learns by taking an account, asked of the access rules
//! themselves (`access::allowed`), never modelled a second time.
//!
//! An account's exposure is, for each kind of object in [`KINDS`], the objects in the units where
//! the rules allow the kind's action, plus the parts that belong to the person alone: their own
//! page, the meetings they attended, and the people they have met there (an arrested member can
//! name them whatever the software shows).
//!
//! **Classes.** The rules look at an account's own unit and membership state, its offices and
//! whether it is the organisation's administrator, never at anything else of the person's. So
//! accounts are grouped by those ([`ClassKey`]) and the rules are asked once per class and unit;
//! the per-person parts (self, meetings attended, people met) are added person by person.
//!
//! **Which units are asked.** One account's exposure ([`Index::exposure_of`]) asks the rules
//! about every unit. The whole organisation ([`Index::everyone`]) asks, for each class, about its
//! own unit and the subtrees of the units where it holds offices: under the rules today nothing
//! else can be allowed, and a test checks that both ways agree for every account of the demo
//! and of the need-to-know fixture, so a rule that reached further would be caught there.
//!
//! **Another kind of object** plugs in as one entry of [`KINDS`], as the paper's bundles and the
//! documents do: the access action that shows one unit's (or one congress's) objects, and how
//! many each unit (or congress) holds.
//!
//! **Documents** are the paper's articles not yet public (asked as the editors' desk asks,
//! `EditPaper` of the unit that runs the publication), the correspondents' reports on the desk
//! (`ReadReport` of the unit a report is about: every editor reads those of every unit they may
//! know of, so for an account that reads reports every unit is asked), the reports used in
//! articles (shown on the article's page), and a congress's motions, amendments and minutes
//! (`ViewCongress`: the class is asked as a non-participant, and each person again for the
//! congresses they take part in), and the transfers asked into a unit (`DecideTransfer`: its
//! secretary answers them on its page). Documents also name people: a report its sender, a
//! congress its participants (on its pages, by party name), a transfer the person asked for. Those people are exposed by party name too,
//! counted once with the people met ([`Exposure::named_in_documents`]). A report's sender is
//! shown only to the editor it is assigned to (`SeeSender`, asked for the account's own reports
//! person by person, like a congress one takes part in), and not once it is cleared.
//!
//! Accounts in this analysis are the live (not suspended) accounts; a person without one is
//! analysed as if they had one with no offices (what inviting them would expose), and marked so.

use crate::access::{allowed, Action, Held, Own, Place, Who};
use core_rules::exposure::simulate::{Network, Rise, View};
use core_rules::exposure::stats::{Distribution, Tally};
use core_rules::exposure::{Attendance, Csr, IdIndex, Marks};
use core_rules::people::Status;
use core_rules::roles::{AccessRules, Role};
use core_rules::Day;
use serde::Serialize;
use std::collections::HashMap;
use store::accounts::{Account, Session};
use store::exposure::Snapshot;
use store::people::Person;
use store::units::Unit;

/// A kind of object that an account can expose, held by units or by congresses.
pub struct Kind {
    pub name: &'static str,
    /// Shown on the page: "people by party name".
    pub label: &'static str,
    pub of: Of,
}

/// Where a kind of object is kept, and the access rules' question for it.
pub enum Of {
    Units {
        /// The question for one unit's objects of this kind.
        ask: for<'a> fn(Place<'a>) -> Action<'a>,
        /// How many of them a unit (by index) holds.
        per_unit: fn(&Index, usize) -> u64,
    },
    Congresses {
        /// The question for one congress's objects, given whether the viewer takes part in it.
        ask: fn(bool) -> Action<'static>,
        /// How many of them a congress (by index) holds.
        per_congress: fn(&Index, usize) -> u64,
    },
}

impl Kind {
    /// How many objects of this kind a unit holds (none, for a congress's kinds).
    pub fn per_unit(&self, ix: &Index, unit: usize) -> u64 {
        match self.of {
            Of::Units { per_unit, .. } => per_unit(ix, unit),
            Of::Congresses { .. } => 0,
        }
    }
}

/// Every kind, in the order pages show them. Some are used by position below (checked by a test).
pub const KINDS: &[Kind] = &[
    Kind {
        name: "people_by_pseudonym",
        label: "people by party name",
        of: Of::Units {
            ask: |p| Action::ViewRoster(p),
            per_unit: |ix, u| ix.unit_people.row(u).len() as u64,
        },
    },
    Kind {
        name: "people_by_identity",
        label: "people by identity (name, address, workplace)",
        of: Of::Units {
            ask: |p| Action::ViewIdentities(p),
            per_unit: |ix, u| ix.unit_people.row(u).len() as u64,
        },
    },
    Kind {
        name: "meetings",
        label: "meetings (date and unit)",
        of: Of::Units {
            ask: |p| Action::ViewRoster(p),
            per_unit: |ix, u| ix.unit_meetings[u],
        },
    },
    Kind {
        name: "bundles",
        label: "the paper's bundles (copies, sales, returns and money of a unit)",
        // The unit's bundle page is shown to whoever sees the unit's figures.
        of: Of::Units {
            ask: |p| Action::ViewFigures(p),
            per_unit: |ix, u| ix.unit_bundles[u],
        },
    },
    Kind {
        name: "articles",
        label: "the paper's articles not yet public (drafts, edited, approved)",
        // The editors' desk and the article's page: the editors of the unit that runs it.
        of: Of::Units {
            ask: |p| Action::EditPaper(p),
            per_unit: |ix, u| ix.unit_articles[u],
        },
    },
    Kind {
        name: "reports",
        label: "correspondents' reports on the editors' desk (new and accepted)",
        of: Of::Units {
            ask: |p| Action::ReadReport(p),
            per_unit: |ix, u| ix.unit_reports[u],
        },
    },
    Kind {
        name: "reports_in_articles",
        label: "reports shown with the articles made from them",
        of: Of::Units {
            ask: |p| Action::EditPaper(p),
            per_unit: |ix, u| ix.unit_reports_in_articles[u],
        },
    },
    Kind {
        name: "transfer_requests",
        label: "transfers asked into a unit (the person by party name, and the reason)",
        // The unit's page, to the secretary who answers them.
        of: Of::Units {
            ask: |p| Action::DecideTransfer(p),
            per_unit: |ix, u| ix.unit_movers.row(u).len() as u64,
        },
    },
    Kind {
        name: "motions",
        label: "a congress's motions",
        of: Of::Congresses {
            ask: |participant| Action::ViewCongress { participant },
            per_congress: |ix, c| ix.snap.congresses[c].motions as u64,
        },
    },
    Kind {
        name: "amendments",
        label: "a congress's amendments",
        of: Of::Congresses {
            ask: |participant| Action::ViewCongress { participant },
            per_congress: |ix, c| ix.snap.congresses[c].amendments as u64,
        },
    },
    Kind {
        name: "minutes",
        label: "a congress's minutes",
        // Written from its record of events, one document per congress.
        of: Of::Congresses {
            ask: |participant| Action::ViewCongress { participant },
            per_congress: |_, _| 1,
        },
    },
    Kind {
        name: "units",
        label: "units' figures",
        of: Of::Units {
            ask: |p| Action::ViewFigures(p),
            per_unit: |_, _| 1,
        },
    },
    Kind {
        name: "closed_units",
        label: "closed units' figures",
        of: Of::Units {
            ask: |p| Action::ViewFigures(p),
            per_unit: |ix, u| ix.closed_branch[u] as u64,
        },
    },
];
const PSEUDONYMS: usize = 0;
const IDENTITIES: usize = 1;
const MEETINGS: usize = 2;
const TRANSFERS: usize = 7;

/// The snapshot, indexed: units and people numbered densely.
pub struct Index {
    pub snap: Snapshot,
    pub rules: AccessRules,
    pub unit_ix: HashMap<i64, usize>,
    /// Each unit and the units above it, nearest first.
    pub chains: Vec<Vec<Unit>>,
    pub children: Vec<Vec<usize>>,
    /// The unit is closed or lies below a closed one.
    pub closed_branch: Vec<bool>,
    /// People's positions by id: a vector over the nearly dense ids, not a hash map (a
    /// million entries in one are about 36 MB).
    pub person_ix: IdIndex,
    pub person_unit: Vec<u32>,
    pub unit_people: Csr,
    pub unit_meetings: Vec<u64>,
    /// Bundles of the paper each unit has received.
    pub unit_bundles: Vec<u64>,
    /// Articles not yet public of the publications each unit runs.
    pub unit_articles: Vec<u64>,
    /// Reports about each unit on the editors' desk.
    pub unit_reports: Vec<u64>,
    /// The senders still named by the reports assigned to each editor's account: (unit of the
    /// report, sender) by index, sorted by unit. Only accounts with any have an entry.
    pub account_senders: HashMap<i64, Vec<(u32, u32)>>,
    /// Reports used in the articles of the publications each unit runs.
    pub unit_reports_in_articles: Vec<u64>,
    /// The people asked into each unit by the transfers waiting for its answer (by index).
    pub unit_movers: Csr,
    /// Congresses by id.
    pub congress_ix: HashMap<i64, usize>,
    /// Each congress's participants (people by index), and each person's congresses as
    /// `(person, congress)` sorted: a few hundred delegates, where a row per person would be
    /// 4 MB of empty rows at a million people.
    pub congress_people: Csr,
    pub person_congresses: Vec<(u32, u32)>,
    pub meeting_unit: Vec<u32>,
    pub attendance: Attendance,
    /// The top units, for the organisation's administrator.
    roots: Vec<(i64, String)>,
    grants_of: HashMap<i64, Vec<Held>>,
}

/// What the rules look at: an account's own unit and state, offices, administrator flag.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ClassKey {
    pub own: Option<(i64, Status)>,
    pub is_admin: bool,
    pub offices: Vec<(Role, i64)>,
}

/// The rules' answers for one class.
#[derive(Clone, Debug, Default)]
pub struct ClassAnswer {
    /// Per kind, the objects exposed (inline: there is one answer per class, tens of thousands
    /// at a million people).
    pub counts: [u64; KIND_COUNT],
    /// Units allowed for some kind, with a bit per kind. Only for one account's answer
    /// ([`Index::exposure_of`]): the answers of [`Index::classes`] leave it empty.
    pub units: Vec<(u32, u32)>,
    /// Congresses (by index) whose documents are shown to the class, whoever takes part.
    pub congresses: Vec<u32>,
    /// Units whose waiting transfers the class answers (and so sees their people by party
    /// name), those with any, sorted.
    pub deciding: Vec<u32>,
    /// Units whose people are known by party name, sorted.
    pub named: Vec<u32>,
    /// Units whose people are known by identity, sorted.
    pub identified: Vec<u32>,
    /// The union of the two, sorted, and the people in it.
    pub known: Vec<u32>,
    pub known_people: u64,
}

/// Someone whose account (or the account they would have) is analysed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Subject {
    pub account: Option<i64>,
    pub person: Option<i64>,
    /// False: no live account; analysed as if invited, with no offices.
    pub has_account: bool,
}

/// What taking one account exposes, in counts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Exposure {
    pub subject: Subject,
    /// Per kind (see [`KINDS`]), with the per-person parts added.
    /// Kept inline, not as a vector of pairs: an organisation-wide analysis holds one of these
    /// per person (a million), and a heap vector each cost over 300 MB more at that size.
    /// Serialised as `[name, count]` pairs, named by `KINDS`.
    #[serde(serialize_with = "named_counts")]
    pub counts: [u64; KIND_COUNT],
    /// People met in person (attended a meeting together).
    pub met: u64,
    /// People named by the documents shown (a report's sender, a congress's participants) and
    /// neither known from a roster shown nor met.
    pub named_in_documents: u64,
    /// Distinct people exposed in any way, the account holder included.
    pub people: u64,
    /// Distinct units those people belong to.
    pub units_spanned: u64,
}

/// How many kinds of object an exposure counts.
pub const KIND_COUNT: usize = KINDS.len();

fn named_counts<S: serde::Serializer>(counts: &[u64; KIND_COUNT], s: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeSeq;
    let mut seq = s.serialize_seq(Some(KIND_COUNT))?;
    for (k, n) in KINDS.iter().zip(counts) {
        seq.serialize_element(&(k.name, n))?;
    }
    seq.end()
}

impl Exposure {
    pub fn count(&self, kind: &str) -> u64 {
        KINDS
            .iter()
            .position(|k| k.name == kind)
            .map_or(0, |i| self.counts[i])
    }
}

fn session_for(account: Option<i64>, person: Option<i64>, is_admin: bool) -> Session {
    Session {
        account: Account {
            id: account.unwrap_or(0),
            login: String::new(),
            person_id: person,
            is_admin,
        },
        csrf: String::new(),
    }
}

/// A person record as the rules need it (they look at the id and the unit).
fn person_for_rules(p: &store::exposure::PersonRow) -> Person {
    Person {
        id: p.id,
        card: None,
        pseudonym: String::new(),
        unit_id: p.unit_id,
        status: p.status,
        since: p
            .admitted_on
            .unwrap_or(Day::from_ymd(2000, 1, 1).expect("a valid date")),
        admitted_on: p.admitted_on,
        programme_accepted: false,
        monthly_income_cents: None,
        reduced_rate: false,
    }
}

impl Index {
    pub fn new(mut snap: Snapshot, rules: AccessRules) -> Index {
        let unit_ix: HashMap<i64, usize> = snap
            .units
            .iter()
            .enumerate()
            .map(|(i, u)| (u.id, i))
            .collect();
        let mut chains_by_id = crate::pages::chains(&snap.units);
        let chains: Vec<Vec<Unit>> = snap
            .units
            .iter()
            .map(|u| chains_by_id.remove(&u.id).unwrap_or_default())
            .collect();
        drop(chains_by_id);
        let mut children = vec![Vec::new(); snap.units.len()];
        let mut roots = Vec::new();
        for (i, u) in snap.units.iter().enumerate() {
            match u.parent_id.and_then(|p| unit_ix.get(&p)) {
                Some(&p) => children[p].push(i),
                None => roots.push((u.id, u.kind.clone())),
            }
        }
        let closed_branch = chains.iter().map(|c| c.iter().any(|u| u.closed)).collect();
        let person_ix = IdIndex::new(snap.people.iter().map(|p| p.id));
        let person_unit: Vec<u32> = snap
            .people
            .iter()
            .map(|p| unit_ix[&p.unit_id] as u32)
            .collect();
        let pairs: Vec<(u32, u32)> = person_unit
            .iter()
            .enumerate()
            .map(|(i, &u)| (u, i as u32))
            .collect();
        let unit_people = Csr::from_pairs(snap.units.len(), &pairs);
        let mut unit_meetings = vec![0u64; snap.units.len()];
        let meeting_unit: Vec<u32> = snap
            .meetings
            .iter()
            .map(|m| unit_ix[&m.unit_id] as u32)
            .collect();
        for &u in &meeting_unit {
            unit_meetings[u as usize] += 1;
        }
        let mut unit_bundles = vec![0u64; snap.units.len()];
        for (unit, n) in &snap.bundles {
            if let Some(&u) = unit_ix.get(unit) {
                unit_bundles[u] = *n as u64;
            }
        }
        let per_unit = |rows: &[(i64, i64)]| {
            let mut v = vec![0u64; snap.units.len()];
            for (unit, n) in rows {
                if let Some(&u) = unit_ix.get(unit) {
                    v[u] += *n as u64;
                }
            }
            v
        };
        let unit_articles = per_unit(&snap.articles);
        let unit_reports = per_unit(&snap.desk_reports);
        let unit_reports_in_articles = per_unit(&snap.reports_in_articles);
        let moving: Vec<(u32, u32)> = snap
            .transfers_waiting
            .iter()
            .filter_map(|&(u, p)| Some((*unit_ix.get(&u)? as u32, person_ix.get(p)?)))
            .collect();
        let unit_movers = Csr::from_pairs(snap.units.len(), &moving);
        let mut account_senders: HashMap<i64, Vec<(u32, u32)>> = HashMap::new();
        for &(account, u, p) in &snap.report_senders {
            if let (Some(&u), Some(p)) = (unit_ix.get(&u), person_ix.get(p)) {
                account_senders
                    .entry(account)
                    .or_default()
                    .push((u as u32, p));
            }
        }
        for v in account_senders.values_mut() {
            v.sort_unstable();
            v.dedup();
        }
        let congress_ix: HashMap<i64, usize> = snap
            .congresses
            .iter()
            .enumerate()
            .map(|(i, c)| (c.id, i))
            .collect();
        let taking_part: Vec<(u32, u32)> = snap
            .participants
            .iter()
            .filter_map(|(c, p)| Some((*congress_ix.get(c)? as u32, person_ix.get(*p)?)))
            .collect();
        let congress_people = Csr::from_pairs(snap.congresses.len(), &taking_part);
        let mut person_congresses: Vec<(u32, u32)> =
            taking_part.iter().map(|&(c, p)| (p, c)).collect();
        // Stable: each person's congresses in the order they were read, as the rows were.
        person_congresses.sort_by_key(|&(p, _)| p);
        // The rows read are indexed as they are, not kept twice; the other direction is made
        // from them.
        snap.report_senders = Vec::new();
        snap.participants = Vec::new();
        snap.transfers_waiting = Vec::new();
        let attendance =
            Attendance::from_meetings(snap.people.len(), std::mem::take(&mut snap.attendance));
        let mut grants_of: HashMap<i64, Vec<Held>> = HashMap::new();
        for g in &snap.grants {
            grants_of.entry(g.account_id).or_default().push(Held {
                role: g.role,
                unit_id: g.unit_id,
                unit_kind: g.unit_kind.clone(),
            });
        }
        Index {
            snap,
            rules,
            unit_ix,
            chains,
            children,
            closed_branch,
            person_ix,
            person_unit,
            unit_people,
            unit_meetings,
            unit_bundles,
            unit_articles,
            unit_reports,
            account_senders,
            unit_reports_in_articles,
            unit_movers,
            congress_ix,
            congress_people,
            person_congresses,
            meeting_unit,
            attendance,
            roots,
            grants_of,
        }
    }

    /// Every live account, and every person without one (as if invited), in a fixed order.
    pub fn subjects(&self) -> Vec<Subject> {
        self.each_subject().collect()
    }

    /// The same, one at a time, always in the same order: the organisation-wide analysis
    /// walks them twice rather than holding the list (40 MB at a million people).
    pub fn each_subject(&self) -> impl Iterator<Item = Subject> + '_ {
        let known = |p: &i64| self.person_ix.contains(*p);
        let with_account: std::collections::HashSet<i64> = self
            .snap
            .accounts
            .iter()
            .filter_map(|a| a.person_id.filter(known))
            .collect();
        let accounts = self.snap.accounts.iter().map(move |a| Subject {
            account: Some(a.id),
            person: a.person_id.filter(known),
            has_account: true,
        });
        let invited = self
            .snap
            .people
            .iter()
            .filter(move |p| !with_account.contains(&p.id))
            .map(|p| Subject {
                account: None,
                person: Some(p.id),
                has_account: false,
            });
        accounts.chain(invited)
    }

    /// Whether the account holds any office.
    pub fn holds_office(&self, account: i64) -> bool {
        self.grants_of.contains_key(&account)
    }

    /// The subjects of one person: their live accounts, or the one they would have.
    pub fn subjects_of_person(&self, person: i64) -> Vec<Subject> {
        let mut out: Vec<Subject> = self
            .snap
            .accounts
            .iter()
            .filter(|a| a.person_id == Some(person))
            .map(|a| Subject {
                account: Some(a.id),
                person: Some(person),
                has_account: true,
            })
            .collect();
        if out.is_empty() && self.person_ix.contains(person) {
            out.push(Subject {
                account: None,
                person: Some(person),
                has_account: false,
            });
        }
        out
    }

    fn own_of(&self, s: &Subject) -> Option<Own> {
        let p = &self.snap.people[self.person_ix.get(s.person?)? as usize];
        Some(Own {
            person_id: p.id,
            unit_id: p.unit_id,
            status: p.status,
        })
    }

    fn is_admin(&self, s: &Subject) -> bool {
        s.account
            .is_some_and(|a| self.snap.accounts.iter().any(|x| x.id == a && x.is_admin))
    }

    fn granted(&self, s: &Subject) -> Vec<Held> {
        s.account
            .and_then(|a| self.grants_of.get(&a).cloned())
            .unwrap_or_default()
    }

    pub fn class_key(&self, s: &Subject, is_admin: bool) -> ClassKey {
        let mut offices: Vec<(Role, i64)> = self
            .granted(s)
            .iter()
            .map(|h| (h.role, h.unit_id))
            .collect();
        offices.sort();
        offices.dedup();
        ClassKey {
            own: self.own_of(s).map(|o| (o.unit_id, o.status)),
            is_admin,
            offices,
        }
    }

    /// The rules' view of a class: a stand-in account with no person of its own (the
    /// per-person parts are asked separately).
    fn class_who<'a>(&self, key: &ClassKey, session: &'a Session) -> Who<'a> {
        let own = key.own.map(|(unit_id, status)| Own {
            person_id: i64::MIN,
            unit_id,
            status,
        });
        let granted = key
            .offices
            .iter()
            .map(|&(role, unit_id)| Held {
                role,
                unit_id,
                unit_kind: self.snap.units[self.unit_ix[&unit_id]].kind.clone(),
            })
            .collect();
        crate::pages::assemble(session, own, granted, &self.roots, self.rules.clone())
    }

    /// The units a class can possibly be allowed anything in under today's rules: its own unit
    /// and the subtrees of its offices' units (see the module's notes); every unit for an account
    /// that reads the correspondents' reports, which come from anywhere.
    fn candidates(&self, who: &Who) -> Vec<usize> {
        if allowed(who, Action::ReadReports) {
            return (0..self.snap.units.len()).collect();
        }
        let mut marks = Marks::new(self.snap.units.len());
        let mut out = Vec::new();
        let mut stack: Vec<usize> = who
            .held
            .iter()
            .filter_map(|h| self.unit_ix.get(&h.unit_id).copied())
            .collect();
        while let Some(u) = stack.pop() {
            if marks.insert(u as u32) {
                out.push(u);
                stack.extend(&self.children[u]);
            }
        }
        if let Some(u) = who.own.and_then(|o| self.unit_ix.get(&o.unit_id)) {
            if marks.insert(*u as u32) {
                out.push(*u);
            }
        }
        out
    }

    fn answer(&self, who: &Who, units: impl Iterator<Item = usize>) -> ClassAnswer {
        let mut a = ClassAnswer::default();
        for u in units {
            let place = Place {
                chain: &self.chains[u],
            };
            let mut bits = 0u32;
            for (k, kind) in KINDS.iter().enumerate() {
                if let Of::Units { ask, per_unit } = kind.of {
                    if allowed(who, ask(place)) {
                        bits |= 1 << k;
                        a.counts[k] += per_unit(self, u);
                    }
                }
            }
            if bits != 0 {
                a.units.push((u as u32, bits));
                if bits & (1 << PSEUDONYMS) != 0 {
                    a.named.push(u as u32);
                }
                if bits & (1 << IDENTITIES) != 0 {
                    a.identified.push(u as u32);
                }
                if bits & (1 << TRANSFERS) != 0 && !self.unit_movers.row(u).is_empty() {
                    a.deciding.push(u as u32);
                }
            }
        }
        // A congress's documents, asked as for someone who does not take part in it: the part
        // that comes with taking part is the person's own (see `finish`).
        for c in 0..self.snap.congresses.len() {
            let mut any = false;
            for (k, kind) in KINDS.iter().enumerate() {
                if let Of::Congresses { ask, per_congress } = kind.of {
                    if allowed(who, ask(false)) {
                        any = true;
                        a.counts[k] += per_congress(self, c);
                    }
                }
            }
            if any {
                a.congresses.push(c as u32);
            }
        }
        a.units.sort_unstable();
        a.deciding.sort_unstable();
        a.named.sort_unstable();
        a.identified.sort_unstable();
        a.known = a.named.iter().chain(&a.identified).copied().collect();
        a.known.sort_unstable();
        a.known.dedup();
        a.known_people = a
            .known
            .iter()
            .map(|&u| self.unit_people.row(u as usize).len() as u64)
            .sum();
        a
    }

    /// The per-person parts added to a class's answer.
    fn finish(
        &self,
        s: &Subject,
        who: &mut Who,
        class: &ClassAnswer,
        people: &mut Marks,
        units: &mut Marks,
        mut links: Option<MetLinks>,
    ) -> Exposure {
        let mut counts = [0u64; KIND_COUNT];
        counts.copy_from_slice(&class.counts[..]);
        let mut met = 0u64;
        let mut total = class.known_people;
        let mut spanned = class.known.len() as u64;
        units.clear();
        for &u in &class.known {
            units.insert(u);
        }
        let in_known = |u: u32| class.known.binary_search(&u).is_ok();
        // Congresses whose documents the person sees because they take part in them.
        let mut taking_part: Vec<u32> = Vec::new();
        let pi = s.person.and_then(|p| self.person_ix.get(p));
        if let Some(pi) = pi {
            let row = &self.snap.people[pi as usize];
            who.own = Some(Own {
                person_id: row.id,
                unit_id: row.unit_id,
                status: row.status,
            });
            let me = person_for_rules(row);
            let own_unit = self.person_unit[pi as usize];
            let place = Place {
                chain: &self.chains[own_unit as usize],
            };
            let named_here = class.named.binary_search(&own_unit).is_ok();
            let identified_here = class.identified.binary_search(&own_unit).is_ok();
            // Their own page and identity: the adversary learns whose account it is.
            if !named_here && allowed(who, Action::ViewPerson(&me, place)) {
                counts[PSEUDONYMS] += 1;
            }
            if !identified_here && allowed(who, Action::ViewIdentity(&me, place)) {
                counts[IDENTITIES] += 1;
            }
            if !in_known(own_unit) {
                total += 1;
                spanned += units.insert(own_unit) as u64;
            }
            // Meetings attended outside the units whose meetings the account shows.
            for &m in self.attendance.meetings_of(pi) {
                if class
                    .named
                    .binary_search(&self.meeting_unit[m as usize])
                    .is_err()
                {
                    counts[MEETINGS] += 1;
                }
            }
            // People met: known by face, whatever the software shows.
            let person_unit = &self.person_unit;
            if let Some(l) = links.as_mut() {
                l.marks.clear();
            }
            self.attendance.for_each_met(pi, people, |q| {
                met += 1;
                let u = person_unit[q as usize];
                if let Some(l) = links.as_mut() {
                    if u != own_unit && l.marks.insert(u) {
                        l.counts[u as usize] += 1;
                    }
                }
                if class.named.binary_search(&u).is_err() {
                    counts[PSEUDONYMS] += 1;
                }
                if !in_known(u) {
                    total += 1;
                    spanned += units.insert(u) as u64;
                }
            });
            let from = self.person_congresses.partition_point(|&(p, _)| p < pi);
            let congresses = self.person_congresses[from..]
                .iter()
                .take_while(|&&(p, _)| p == pi)
                .map(|&(_, c)| c);
            for c in congresses {
                if class.congresses.binary_search(&c).is_ok() {
                    continue;
                }
                let mut any = false;
                for (k, kind) in KINDS.iter().enumerate() {
                    if let Of::Congresses { ask, per_congress } = kind.of {
                        if allowed(who, ask(true)) {
                            any = true;
                            counts[k] += per_congress(self, c as usize);
                        }
                    }
                }
                if any {
                    taking_part.push(c);
                }
            }
            who.own = who.own.map(|o| Own {
                person_id: i64::MIN,
                ..o
            });
        } else {
            people.clear();
        }
        // People the documents name, by party name: the senders of the reports assigned to the
        // account, where the rules show them, the participants of the congresses shown, and the
        // people asked into the units whose transfers the account answers. `people` holds the
        // holder and those they met.
        let mut named_in_documents = 0u64;
        let assigned = s
            .account
            .and_then(|a| self.account_senders.get(&a))
            .map_or(&[][..], |v| v.as_slice());
        // Asked once per unit: the rows are sorted by it.
        let mut asked: Option<(u32, bool)> = None;
        let senders = assigned
            .iter()
            .filter(|&&(u, _)| {
                if asked.is_none_or(|(at, _)| at != u) {
                    let place = Place {
                        chain: &self.chains[u as usize],
                    };
                    let shown = allowed(
                        who,
                        Action::SeeSender {
                            place,
                            assigned: true,
                        },
                    );
                    asked = Some((u, shown));
                }
                asked.is_some_and(|(_, shown)| shown)
            })
            .map(|&(_, q)| q);
        let delegates = class
            .congresses
            .iter()
            .chain(&taking_part)
            .flat_map(|&c| self.congress_people.row(c as usize).iter().copied());
        let movers = class
            .deciding
            .iter()
            .flat_map(|&u| self.unit_movers.row(u as usize).iter().copied());
        for q in senders.chain(delegates).chain(movers) {
            if !people.insert(q) {
                continue;
            }
            let u = self.person_unit[q as usize];
            if class.named.binary_search(&u).is_err() {
                counts[PSEUDONYMS] += 1;
            }
            if !in_known(u) {
                named_in_documents += 1;
                total += 1;
                spanned += units.insert(u) as u64;
            }
        }
        Exposure {
            subject: s.clone(),
            counts,
            met,
            named_in_documents,
            people: total,
            units_spanned: spanned,
        }
    }

    /// One subject's exposure, asking the rules about every unit; with the class answer, for
    /// pages that list the units.
    pub fn exposure_of(&self, s: &Subject) -> (Exposure, ClassAnswer) {
        let key = self.class_key(s, self.is_admin(s));
        let session = session_for(s.account, s.person, key.is_admin);
        let mut who = self.class_who(&key, &session);
        let class = self.answer(&who, 0..self.snap.units.len());
        let mut people = Marks::new(self.snap.people.len());
        let mut units = Marks::new(self.snap.units.len());
        let e = self.finish(s, &mut who, &class, &mut people, &mut units, None);
        (e, class)
    }

    /// Classes of all subjects, the rules asked once per class about its candidate units.
    pub fn classes<S: std::borrow::Borrow<Subject>>(
        &self,
        subjects: impl IntoIterator<Item = S>,
    ) -> (Vec<ClassKey>, Vec<ClassAnswer>, Vec<u32>) {
        let admins: std::collections::HashSet<i64> = self
            .snap
            .accounts
            .iter()
            .filter(|a| a.is_admin)
            .map(|a| a.id)
            .collect();
        let mut ids: HashMap<ClassKey, u32> = HashMap::new();
        let mut keys = Vec::new();
        let subjects = subjects.into_iter();
        let mut of = Vec::with_capacity(subjects.size_hint().0);
        for s in subjects {
            let s = s.borrow();
            let key = self.class_key(s, s.account.is_some_and(|a| admins.contains(&a)));
            let n = ids.len() as u32;
            let id = *ids.entry(key.clone()).or_insert_with(|| {
                keys.push(key);
                n
            });
            of.push(id);
        }
        let answers = keys
            .iter()
            .map(|k| {
                let session = session_for(None, None, k.is_admin);
                let who = self.class_who(k, &session);
                let mut a = self.answer(&who, self.candidates(&who).into_iter());
                a.units = Vec::new();
                a
            })
            .collect();
        (keys, answers, of)
    }

    /// Every subject's exposure: the rules asked once per class, then person by person.
    pub fn everyone(&self) -> Vec<Exposure> {
        self.analyse().exposures
    }

    /// The organisation as a network for the simulation: everyone's view from the rules (the
    /// class of their account, or the one they would have), who has met whom, and what an
    /// infiltrator admitted to a unit, or elected its secretary, would come to see.
    pub fn network(&self) -> Network {
        let mut subjects: Vec<Subject> = Vec::new();
        // Each person's first live account, else the one they would have.
        let mut first: HashMap<i64, i64> = HashMap::new();
        for a in &self.snap.accounts {
            if let Some(p) = a.person_id {
                first.entry(p).or_insert(a.id);
            }
        }
        for p in &self.snap.people {
            subjects.push(Subject {
                account: first.get(&p.id).copied(),
                person: Some(p.id),
                has_account: first.contains_key(&p.id),
            });
        }
        let (mut keys, mut answers, view_of) = self.classes(&subjects);
        let mut index: HashMap<ClassKey, u32> = keys
            .iter()
            .enumerate()
            .map(|(i, k)| (k.clone(), i as u32))
            .collect();
        let mut class_of =
            |key: ClassKey, keys: &mut Vec<ClassKey>, answers: &mut Vec<ClassAnswer>| {
                if let Some(&i) = index.get(&key) {
                    return i;
                }
                let session = session_for(None, None, false);
                let who = self.class_who(&key, &session);
                answers.push(self.answer(&who, self.candidates(&who).into_iter()));
                keys.push(key.clone());
                let i = keys.len() as u32 - 1;
                index.insert(key, i);
                i
            };
        let rise: Vec<Rise> = self
            .snap
            .units
            .iter()
            .map(|u| Rise {
                member: class_of(
                    ClassKey {
                        own: Some((u.id, Status::Member)),
                        is_admin: false,
                        offices: Vec::new(),
                    },
                    &mut keys,
                    &mut answers,
                ),
                secretary: class_of(
                    ClassKey {
                        own: Some((u.id, Status::Member)),
                        is_admin: false,
                        offices: vec![(Role::Secretary, u.id)],
                    },
                    &mut keys,
                    &mut answers,
                ),
            })
            .collect();
        Network {
            unit_of: self.person_unit.clone(),
            core: self
                .person_unit
                .iter()
                .map(|&u| self.closed_branch[u as usize])
                .collect(),
            unit_people: self.unit_people.clone(),
            views: answers
                .into_iter()
                .map(|a| View {
                    named_units: a.named,
                    identified_units: a.identified,
                })
                .collect(),
            view_of,
            met: self.attendance.met_graph(),
            rise,
        }
    }
}

/// The organisation's exposure in figures.
#[derive(Clone, Debug, Serialize)]
pub struct Summary {
    pub subjects: usize,
    pub with_account: usize,
    /// Distinct people exposed, per subject.
    pub people: Distribution,
    pub identities: Distribution,
    pub met: Distribution,
}

pub fn summary<B: std::borrow::Borrow<Brief>>(all: &[B]) -> Summary {
    let mut f = SummaryFold::default();
    for b in all {
        f.add(b.borrow());
    }
    f.summary()
}

/// The [`Summary`] made one account at a time, as the analysis hands them over: the
/// distributions tallied by value, not a list of a million briefs.
#[derive(Clone, Debug, Default)]
pub struct SummaryFold {
    subjects: usize,
    with_account: usize,
    /// People exposed, per account (also the page's chart).
    pub people: Tally,
    identities: Tally,
    met: Tally,
}

impl SummaryFold {
    pub fn add(&mut self, b: &Brief) {
        self.subjects += 1;
        self.with_account += b.subject.has_account as usize;
        self.people.add(b.people);
        self.identities.add(b.identities);
        self.met.add(b.met);
    }

    pub fn summary(&self) -> Summary {
        Summary {
            subjects: self.subjects,
            with_account: self.with_account,
            people: self.people.distribution(),
            identities: self.identities.distribution(),
            met: self.met.distribution(),
        }
    }
}

/// The `k` accounts that expose the most, kept while the analysis runs (a bounded heap, not a
/// million of them sorted): highest key first (people exposed, then a second figure), then in
/// the order added, which is what a stable sort of all of them by the key gives.
#[derive(Clone, Debug)]
pub struct TopK<T> {
    k: usize,
    added: u64,
    /// The worst kept on top.
    heap: std::collections::BinaryHeap<Ranked<T>>,
}

/// An item in a [`TopK`], ordered best first.
#[derive(Clone, Debug)]
struct Ranked<T> {
    key: (std::cmp::Reverse<u64>, std::cmp::Reverse<u64>, u64),
    item: T,
}

impl<T> PartialEq for Ranked<T> {
    fn eq(&self, other: &Ranked<T>) -> bool {
        self.key == other.key
    }
}
impl<T> Eq for Ranked<T> {}
impl<T> PartialOrd for Ranked<T> {
    fn partial_cmp(&self, other: &Ranked<T>) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl<T> Ord for Ranked<T> {
    fn cmp(&self, other: &Ranked<T>) -> std::cmp::Ordering {
        self.key.cmp(&other.key)
    }
}

impl<T> TopK<T> {
    pub fn new(k: usize) -> TopK<T> {
        TopK {
            k,
            added: 0,
            heap: std::collections::BinaryHeap::with_capacity(k + 1),
        }
    }

    /// Offers an item with its key; `item` is made only if it is kept.
    pub fn add(&mut self, key: (u64, u64), item: impl FnOnce() -> T) {
        use std::cmp::Reverse;
        let key = (Reverse(key.0), Reverse(key.1), self.added);
        self.added += 1;
        if self.heap.len() == self.k && self.heap.peek().is_none_or(|w| key >= w.key) {
            return;
        }
        self.heap.push(Ranked { key, item: item() });
        if self.heap.len() > self.k {
            self.heap.pop();
        }
    }

    /// The kept items, best first.
    pub fn into_sorted(self) -> Vec<T> {
        self.heap
            .into_sorted_vec()
            .into_iter()
            .map(|r| r.item)
            .collect()
    }
}

/// An exposure in brief: what a page about the whole organisation folds in of each account
/// while the analysis runs (a million of them), before it asks again for the few it shows in
/// full.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Brief {
    pub subject: Subject,
    pub people: u64,
    pub identities: u64,
    pub met: u64,
    pub units_spanned: u64,
}

impl Brief {
    pub fn of(e: &Exposure) -> Brief {
        Brief {
            subject: e.subject.clone(),
            people: e.people,
            identities: e.count("people_by_identity"),
            met: e.met,
            units_spanned: e.units_spanned,
        }
    }
}

/// Where `finish` counts, per unit, the people outside it who have met its people.
struct MetLinks<'a> {
    marks: &'a mut Marks,
    counts: &'a mut [u64],
}

/// How far a unit's people are known outside it.
#[derive(Clone, Debug, Serialize)]
pub struct UnitLinks {
    pub unit_id: i64,
    pub people: u64,
    pub closed: bool,
    /// Accounts of people outside the unit (or with no person) whose account shows its people.
    pub outside_by_account: u64,
    /// People outside the unit who have met some of its people.
    pub outside_met: u64,
}

impl UnitLinks {
    /// Outsiders who know the unit's people, per person in it.
    pub fn ratio(&self) -> f64 {
        (self.outside_by_account + self.outside_met) as f64 / self.people.max(1) as f64
    }
}

/// The whole organisation analysed once.
pub struct Analysis {
    pub exposures: Vec<Exposure>,
    pub units: Vec<UnitLinks>,
}

impl Index {
    /// Every subject's exposure, and how far each unit is known outside itself.
    pub fn analyse(&self) -> Analysis {
        let mut exposures = Vec::new();
        let units = self.analyse_each(|e| exposures.push(e));
        Analysis { exposures, units }
    }

    /// The same, handing each subject's exposure to `each` as it is made instead of keeping
    /// them all (a million exposures in full are hundreds of megabytes).
    pub fn analyse_each(&self, mut each: impl FnMut(Exposure)) -> Vec<UnitLinks> {
        let (keys, answers, of) = self.classes(self.each_subject());
        // The rules' view of each subject's class is made for the subject and dropped: kept
        // for every class (tens of thousands) it was about 10 MB.
        let sessions = [false, true].map(|admin| session_for(None, None, admin));
        let mut people = Marks::new(self.snap.people.len());
        let mut units = Marks::new(self.snap.units.len());
        let mut by_account = vec![0u64; self.snap.units.len()];
        let mut met = vec![0u64; self.snap.units.len()];
        let mut met_units = Marks::new(self.snap.units.len());
        // People outside a unit who have met its people: counted once per person, at their
        // first subject.
        let mut counted = vec![false; self.snap.people.len()];
        for (s, &c) in self.each_subject().zip(&of) {
            let pi = s.person.and_then(|p| self.person_ix.get(p));
            let own = pi.map(|i| self.person_unit[i as usize]);
            for &u in &answers[c as usize].known {
                if Some(u) != own {
                    by_account[u as usize] += 1;
                }
            }
            let links = match pi {
                Some(i) if !counted[i as usize] => {
                    counted[i as usize] = true;
                    Some(MetLinks {
                        marks: &mut met_units,
                        counts: &mut met,
                    })
                }
                _ => None,
            };
            let key = &keys[c as usize];
            let mut who = self.class_who(key, &sessions[key.is_admin as usize]);
            each(self.finish(
                &s,
                &mut who,
                &answers[c as usize],
                &mut people,
                &mut units,
                links,
            ));
        }
        self.snap
            .units
            .iter()
            .enumerate()
            .map(|(i, u)| UnitLinks {
                unit_id: u.id,
                people: self.unit_people.row(i).len() as u64,
                closed: self.closed_branch[i],
                outside_by_account: by_account[i],
                outside_met: met[i],
            })
            .collect()
    }

    /// The subject whose account a person's analysis uses: their first live account, else the
    /// one they would have.
    pub fn main_subject(&self, person: i64) -> Option<Subject> {
        self.subjects_of_person(person).into_iter().next()
    }

    /// The risk of a meeting of a unit: its members attend (and, if asked, its supporters and
    /// applicants), with `extra_newcomers` more people who are not yet members.
    pub fn meeting_risk(
        &self,
        unit: i64,
        everyone: bool,
        extra_newcomers: usize,
        today: Day,
        assumptions: &core_rules::exposure::meeting_risk::Assumptions,
    ) -> Option<core_rules::exposure::meeting_risk::Risk> {
        use core_rules::exposure::meeting_risk::{assess, Attendee};
        let u = *self.unit_ix.get(&unit)?;
        let present: Vec<u32> = self
            .unit_people
            .row(u)
            .iter()
            .copied()
            .filter(|&p| {
                let st = self.snap.people[p as usize].status;
                st == Status::Member
                    || (everyone && matches!(st, Status::Supporter | Status::Applicant))
            })
            .collect();
        let mut attendees: Vec<Attendee> = present
            .iter()
            .map(|&p| {
                let row = &self.snap.people[p as usize];
                Attendee {
                    member_days: (row.status == Status::Member)
                        .then(|| row.admitted_on.map(|d| today.days_since(d)))
                        .flatten(),
                }
            })
            .collect();
        attendees.extend(std::iter::repeat_n(
            Attendee { member_days: None },
            extra_newcomers,
        ));
        // What those attending know beyond the meeting: their accounts' (or would-be
        // accounts') views and the people they have met.
        let subjects: Vec<Subject> = present
            .iter()
            .filter_map(|&p| self.main_subject(self.snap.people[p as usize].id))
            .collect();
        let (_, answers, of) = self.classes(&subjects);
        let mut known = Marks::new(self.snap.people.len());
        let mut scratch = Marks::new(self.snap.people.len());
        known.clear();
        for &p in &present {
            known.insert(p);
        }
        let mut beyond = 0u64;
        for (s, &c) in subjects.iter().zip(&of) {
            for &ku in &answers[c as usize].known {
                for &q in self.unit_people.row(ku as usize) {
                    beyond += known.insert(q) as u64;
                }
            }
            if let Some(pi) = s.person.and_then(|p| self.person_ix.get(p)) {
                self.attendance.for_each_met(pi, &mut scratch, |q| {
                    beyond += known.insert(q) as u64;
                });
            }
        }
        Some(assess(&attendees, beyond, assumptions))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn brief(i: u64, people: u64, units_spanned: u64) -> Brief {
        Brief {
            subject: Subject {
                account: Some(i as i64),
                person: None,
                has_account: true,
            },
            people,
            identities: people / 2,
            met: people % 7,
            units_spanned,
        }
    }

    #[test]
    fn the_top_k_are_the_first_k_of_everyone_sorted() {
        // Many ties, in people and in units spanned, so that the order among equals counts.
        let all: Vec<Brief> = (0..5000u64)
            .map(|i| brief(i, (i * 7919) % 61, (i * 104_729) % 5))
            .collect();
        let mut sorted: Vec<&Brief> = all.iter().collect();
        sorted.sort_by(|a, b| {
            b.people
                .cmp(&a.people)
                .then(b.units_spanned.cmp(&a.units_spanned))
        });
        for k in [0, 1, 10, 15, 61, 5000, 6000] {
            let mut top = TopK::new(k);
            for b in &all {
                top.add((b.people, b.units_spanned), || b.clone());
            }
            let want: Vec<Brief> = sorted.iter().take(k).map(|&b| b.clone()).collect();
            assert_eq!(top.into_sorted(), want, "k = {k}");
        }
    }

    #[test]
    fn the_summary_folded_is_the_summary_of_the_list() {
        let all: Vec<Brief> = (0..3000u64)
            .map(|i| brief(i, (i * i) % 97, i % 3))
            .collect();
        let mut f = SummaryFold::default();
        for b in &all {
            f.add(b);
        }
        let s = f.summary();
        let col = |g: fn(&Brief) -> u64| Distribution::of(&all.iter().map(g).collect::<Vec<_>>());
        assert_eq!((s.subjects, s.with_account), (3000, 3000));
        assert_eq!(s.people, col(|b| b.people));
        assert_eq!(s.identities, col(|b| b.identities));
        assert_eq!(s.met, col(|b| b.met));
    }

    #[test]
    fn the_kinds_used_by_position_are_where_the_code_expects_them() {
        let at = |name: &str| KINDS.iter().position(|k| k.name == name);
        assert_eq!(at("people_by_pseudonym"), Some(PSEUDONYMS));
        assert_eq!(at("people_by_identity"), Some(IDENTITIES));
        assert_eq!(at("meetings"), Some(MEETINGS));
        assert_eq!(at("transfer_requests"), Some(TRANSFERS));
        // A bit per kind in `ClassAnswer::units`.
        assert!(KINDS.len() <= 32);
    }
}
