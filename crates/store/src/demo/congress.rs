//! The demo's congress, being prepared.

use crate::congress::{Kind, NewCongress};
use crate::{Result, Store};
use core_rules::congress::text::Edit;
use core_rules::people::Status;
use core_rules::Day;
use std::collections::{BTreeMap, BTreeSet};

/// The draft statutes the demo congress debates, line by line; line 2 is Paragraph 1, which
/// Lenin's and Martov's amendments word differently.
pub const DEMO_DRAFT_STATUTES: &str = "§1. Membership.
A member of the party is one who recognises the party's programme and supports it by material means.
§2. The congress is the supreme body of the party; it meets at least once a year.
§3. The central committee unites and directs all the party's work between congresses.
§4. The central organ, the paper, gives the party its ideological leadership.
§5. Every party organisation runs its own affairs, admits its members and collects their dues.";

impl Store {
    /// The demo's congress, being prepared: convened under the statutes' rule with membership
    /// counted today, a delegate for each unit that has mandates (the demo logins' people first),
    /// credentials still to check, and on its agenda the draft statutes with Lenin's and Martov's
    /// competing wordings of Paragraph 1.
    pub async fn seed_demo_congress(&self, today: Day, logins: &[(String, i64)]) -> Result<i64> {
        let c = self
            .convene(
                &NewCongress {
                    name: "Second Congress".into(),
                    held_on: today.add_days(30),
                    membership_on: today,
                    rule: None,
                    quorum: (1, 2),
                    supporters_needed: 1,
                    motion_states: String::new(),
                },
                None,
            )
            .await?;
        let mandates = self.mandates(c).await?;
        let mut taken: BTreeSet<i64> = BTreeSet::new();
        let mut by_login: BTreeMap<String, i64> = BTreeMap::new();
        // The logins' people represent their own units first, the ordinary member before the
        // officers of the same circle (so that the demo's `member` is a delegate).
        let mut ordered: Vec<&(String, i64)> = logins.iter().collect();
        ordered.sort_by_key(|(login, _)| login != "member");
        for (login, person) in ordered {
            let Some(p) = self.person(*person).await? else {
                continue;
            };
            let Some(m) = mandates.iter().find(|m| m.unit_id == p.unit_id) else {
                continue;
            };
            if taken.contains(&p.unit_id) || !self.standing(p.id, today).await?.0.vote {
                continue;
            }
            let id = self
                .add_participant(c, p.id, Kind::Delegate, m.mandates, None)
                .await?;
            taken.insert(p.unit_id);
            by_login.insert(login.clone(), id);
        }
        for m in &mandates {
            if taken.contains(&m.unit_id) {
                continue;
            }
            for p in self.people_of_unit(m.unit_id).await? {
                if p.status == Status::Member && self.standing(p.id, today).await?.0.vote {
                    self.add_participant(c, p.id, Kind::Delegate, m.mandates, None)
                        .await?;
                    break;
                }
            }
        }
        // Officers at the congress who are not delegates take part with a consultative voice.
        for (login, person) in logins {
            if by_login.contains_key(login)
                || !matches!(
                    login.as_str(),
                    "member" | "presidium" | "credentials" | "central"
                )
            {
                continue;
            }
            if self.participant_for(c, *person).await?.is_none() {
                let id = self
                    .add_participant(c, *person, Kind::Consultative, 0, None)
                    .await?;
                by_login.insert(login.clone(), id);
            }
        }
        self.add_agenda_item(c, "Report of the credentials committee", None, None)
            .await?;
        let lenin = by_login.get("member").copied();
        let martov = by_login
            .get("presidium")
            .or_else(|| by_login.get("central"))
            .copied();
        let motion = self
            .submit_motion(c, "Draft statutes", DEMO_DRAFT_STATUTES, true, lenin, None)
            .await?;
        self.add_agenda_item(c, "The statutes", Some(motion), None)
            .await?;
        self.add_agenda_item(
            c,
            "Elections to the central committee and the editorial board",
            None,
            None,
        )
        .await?;
        let wording = |f: core_rules::statutes::Formula| Edit::Replace {
            from: 2,
            to: 2,
            text: vec![f.wording().to_string()],
        };
        self.propose_amendment(
            motion,
            None,
            &wording(core_rules::statutes::Formula::Lenin),
            lenin,
            None,
        )
        .await?;
        self.propose_amendment(
            motion,
            None,
            &wording(core_rules::statutes::Formula::Martov),
            martov,
            None,
        )
        .await?;
        Ok(c)
    }
}
