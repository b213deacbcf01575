//! `campaign`: one attacker, several victims.
//!
//! ## What it detects
//! The same attacker-side IP, user agent or external forwarding address in the findings of at
//! least `campaign_min_users` (2) users. Only findings with an unfamiliar origin (a replay signal
//! that survived its guards) or an attacker-typical action take part (so shared benign networks
//! link nobody), and a user agent only links users when at most `campaign_ua_max_users` (5) users
//! use it anywhere in the data (common browser strings are not evidence). On the ladder a campaign
//! link by an IP or a forwarding address corroborates an unfamiliar origin (high), and every
//! member so linked is raised to high once one member is high or critical: a campaign ranks
//! higher as it grows. A user agent alone links findings for the analyst's pivot but raises
//! nothing (a rare mail app is shared by a few colleagues).
//!
//! ## Why it matters
//! Phishing campaigns hit many mailboxes; the runbooks' pivot hunt takes one confirmed IP, user
//! agent or forwarding address and looks for every other victim. A replay IP serving three users
//! is "low-volume" for `ip-prevalence` but a campaign here.
//!
//! ## False positives
//! Two colleagues on the same new hotel Wi-Fi; a rare but legitimate client shared by a team.
//!
//! ## Example
//! 203.0.113.7 replays tokens of alice, bob and carol: each finding gets "203.0.113.7 also
//! appears in findings of bob@…, carol@…", +15 points.

use crate::detect::HashMap;
use std::collections::{BTreeMap, BTreeSet};

use crate::detect::rule::{Contribution, Evidence, Rule};
use crate::settings::Settings;

/// Rule id.
pub(crate) const ID: &str = "campaign";

/// What one finding offers to the campaign pivot.
#[derive(Clone, Debug, Default)]
pub(crate) struct Subject {
    pub user: String,
    pub ips: Vec<String>,
    pub user_agents: Vec<String>,
    pub forwards: Vec<String>,
    /// Only findings with an unguarded replay signal take part.
    pub eligible: bool,
}

/// What one finding shares with other users' findings.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Link {
    /// One sentence per shared indicator.
    pub sentences: Vec<String>,
    /// The other users it links to.
    pub users: BTreeSet<String>,
    /// The other users it links to by an IP or a forwarding address (a user agent alone is a
    /// pivot for the analyst, not evidence: a rare mail app is shared by a few colleagues).
    pub strong_users: BTreeSet<String>,
}

impl Link {
    pub(crate) fn is_empty(&self) -> bool {
        self.sentences.is_empty()
    }

    /// True when it links to another user by an IP or a forwarding address.
    pub(crate) fn is_strong(&self) -> bool {
        !self.strong_users.is_empty()
    }

    /// The finding's fact.
    pub(crate) fn fact(&self, settings: &Settings) -> Contribution {
        Contribution::new(
            ID,
            settings.weights.campaign,
            format!("Campaign: {}.", self.sentences.join("; ")),
        )
    }
}

/// The registry entry: speaks across findings, so the finding builder calls [`run`] and
/// [`Link::fact`] once every finding is drafted.
pub(crate) const RULE: Rule = Rule { id: ID, evidence: Evidence::Corroboration, facts: None };

/// For each subject, what it shares with other users' findings.
pub(crate) fn run(
    subjects: &[Subject],
    ua_users: &HashMap<String, u32>,
    settings: &Settings,
) -> Vec<Link> {
    // indicator (kind, value) -> users, and user -> the indicators of their eligible findings
    // (looked up per subject: scanning every indicator for every subject was quadratic, minutes
    // for 100 000 findings).
    let mut users: BTreeMap<(&str, &str), BTreeSet<&str>> = BTreeMap::new();
    let mut keys_of: HashMap<&str, BTreeSet<(&str, &str)>> = HashMap::default();
    for s in subjects.iter().filter(|s| s.eligible) {
        let ips = s.ips.iter().map(|ip| ("IP", ip.as_str()));
        let uas = s
            .user_agents
            .iter()
            .filter(|ua| ua_users.get(*ua).copied().unwrap_or(0) <= settings.campaign_ua_max_users)
            .map(|ua| ("user agent", ua.as_str()));
        let forwards = s.forwards.iter().map(|f| ("forwarding address", f.as_str()));
        for key in ips.chain(uas).chain(forwards) {
            users.entry(key).or_default().insert(&s.user);
            keys_of.entry(&s.user).or_default().insert(key);
        }
    }
    let min = settings.campaign_min_users.max(2) as usize;
    subjects
        .iter()
        .map(|s| {
            let mut link = Link::default();
            if !s.eligible {
                return link;
            }
            // In the indicators' order, as a scan of `users` would give.
            for ((kind, value), u) in keys_of
                .get(s.user.as_str())
                .into_iter()
                .flatten()
                .filter_map(|key| users.get_key_value(key))
                .filter(|(_, u)| u.len() >= min)
            {
                let others: Vec<&str> = u.iter().copied().filter(|x| *x != s.user).collect();
                link.users.extend(others.iter().map(|o| (*o).to_owned()));
                if *kind != "user agent" {
                    link.strong_users.extend(others.iter().map(|o| (*o).to_owned()));
                }
                link.sentences.push(format!(
                    "{kind} {value} also appears in findings of {}",
                    others.join(", ")
                ));
            }
            link
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn subject(user: &str, ip: &str, ua: &str, eligible: bool) -> Subject {
        Subject {
            user: user.into(),
            ips: vec![ip.into()],
            user_agents: vec![ua.into()],
            forwards: Vec::new(),
            eligible,
        }
    }

    #[test]
    fn true_positive_one_ip_three_users() {
        let subjects = vec![
            subject("a@x", "203.0.113.7", "Chrome", true),
            subject("b@x", "203.0.113.7", "Chrome", true),
            subject("c@x", "203.0.113.7", "Chrome", true),
        ];
        let ua = HashMap::from_iter([("Chrome".to_owned(), 300)]);
        let out = run(&subjects, &ua, &Settings::default());
        assert_eq!(
            out[0].sentences,
            vec!["IP 203.0.113.7 also appears in findings of b@x, c@x".to_owned()]
        );
        assert_eq!(out[0].users.iter().collect::<Vec<_>>(), ["b@x", "c@x"]);
        assert!(out[0].is_strong(), "an IP links strongly");
        assert_eq!(out[2].sentences.len(), 1, "the common user agent links nobody");
    }

    #[test]
    fn benign_lookalike_guarded_findings_and_common_agents() {
        let subjects = vec![
            subject("a@x", "192.0.2.1", "Chrome", false),
            subject("b@x", "192.0.2.1", "Chrome", false),
            subject("c@x", "198.51.100.1", "axios/1.6", true),
            subject("d@x", "198.51.100.2", "axios/1.6", true),
        ];
        let ua = HashMap::from_iter([("Chrome".to_owned(), 300), ("axios/1.6".to_owned(), 2)]);
        let out = run(&subjects, &ua, &Settings::default());
        assert!(out[0].is_empty() && out[1].is_empty(), "guarded findings do not take part");
        assert_eq!(
            out[2].sentences,
            vec!["user agent axios/1.6 also appears in findings of d@x".to_owned()]
        );
        assert!(!out[2].is_strong(), "a user agent alone raises nothing");
    }

    #[test]
    fn true_positive_facts_campaign_reaches_the_report() {
        let mut b = crate::sim::builder::Builder::new();
        for user in ["alice@x.test", "bob@x.test"] {
            crate::detect::rules::at_home(&mut b, user);
            b.ni(user, "2026-03-08T09:00:00Z", "203.0.113.7", 7018);
        }
        let f = crate::detect::rules::facts_of(&b, "alice@x.test", ID);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].points, 15);
        assert_eq!(f[0].detail, "Campaign: IP 203.0.113.7 also appears in findings of bob@x.test.");
    }
}
