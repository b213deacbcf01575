//! The rule interface: what a rule is (an id, the evidence class it belongs to on the confidence
//! ladder, a one-line summary) and what it contributes to a finding (facts with points and
//! sentences), plus [`Group`], the view of one finding that every rule reads.
//!
//! A rule's behaviour lives in its own module under `rules/`: how it finds events, the facts it
//! states about a finding and their points (the setting `weights.<rule id>` in snake case). The
//! finding builder (`finding.rs`) only groups events into findings, asks every rule of
//! [`super::rules::REGISTRY`] for its facts, and places the finding on the ladder (`ladder.rs`)
//! from the evidence classes (docs/detection.md §5).

use std::collections::BTreeSet;
use std::net::IpAddr;

use super::baseline::Baselines;
use super::context::{Ctx, Pos};
use super::rules::attacker_typical_action::Shape;
use super::rules::ip_prevalence::Prevalence;
use super::rules::post_compromise_activity::Linked;
use super::rules::session_anomaly::Anomaly;
use crate::detect::HashMap;
use crate::model::{Event, Id, Sym};

/// The evidence classes of the confidence ladder (docs/detection.md §5).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Evidence {
    /// Puts a session or token on a network (a replay signal).
    Origin,
    /// Makes an unfamiliar origin more likely hostile (Entra risk, hosting ASN, kit, campaign).
    Corroboration,
    /// Something attackers do with a stolen session (hiding rules, forwarding, new MFA method…).
    Action,
    /// Weighs a finding's score without moving it on the ladder by itself.
    Context,
}

impl Evidence {
    /// The class's name in docs/rules.md.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Evidence::Origin => "origin",
            Evidence::Corroboration => "corroboration",
            Evidence::Action => "attacker-typical action",
            Evidence::Context => "context",
        }
    }
}

/// One rule of the registry.
pub(crate) struct Rule {
    /// The rule id (kebab case), as findings and docs name it.
    pub id: &'static str,
    /// Its class on the ladder.
    pub evidence: Evidence,
    /// Its facts about one finding, in reading order (empty when it has nothing to say).
    /// `None` for rules that speak across findings (`campaign`) or about the finding's aftermath
    /// (`remediated`): the finding builder calls their own functions at that step.
    pub facts: Option<fn(&Group<'_, '_>) -> Vec<Contribution>>,
}

/// A fact a rule states about a finding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Contribution {
    pub rule: &'static str,
    pub points: i64,
    /// The sentence shown in the explanation and the facts table.
    pub sentence: String,
    /// Events the sentence mentions that are not anchors of the finding (listed with it).
    pub refs: Vec<Pos>,
    /// Guards and suppressions the sentence describes (`guard: …`).
    pub suppressions: Vec<String>,
}

impl Contribution {
    pub(crate) fn new(rule: &'static str, points: i64, sentence: String) -> Contribution {
        Contribution { rule, points, sentence, refs: Vec::new(), suppressions: Vec::new() }
    }

    pub(crate) fn referencing(mut self, pos: Pos) -> Contribution {
        self.refs.push(pos);
        self
    }

    pub(crate) fn guard(mut self, text: String) -> Contribution {
        self.suppressions.push(text);
        self
    }
}

/// What the anchor rules said about one event (an *anchor* of a finding).
#[derive(Debug, Default)]
pub(crate) struct Anchor {
    /// `token-from-unfamiliar-network`: the size of the user's baseline IP set.
    pub unfamiliar: Option<u32>,
    /// `short-window-origin-switch`: the interactive sign-in of the pair.
    pub pair_with: Option<Pos>,
    /// `session-origin-split`: the session's first sign-in, and whether it was interactive.
    pub split_from: Option<(Pos, bool)>,
    /// `impossible-travel`: the previous sign-in, km, km/h.
    pub hop: Option<(Pos, f64, f64)>,
    /// `aitm-kit-fingerprint`: the reasons.
    pub kit: Vec<String>,
    /// `risky-ip`: why Entra flagged this sign-in itself.
    pub risky_self: Option<String>,
    /// The token-theft variants (`device-code-phishing`, …): the rule id and why, per rule that
    /// raised the sign-in.
    pub variants: Vec<(&'static str, String)>,
    /// `attacker-typical-action`: an audit operation attackers perform, by its shape.
    pub action: Option<Shape>,
    /// The allowlist entry that suppresses it.
    pub suppressed: Option<String>,
}

/// The context rules' verdicts on one anchor.
#[derive(Debug, Default)]
pub(crate) struct Judged<'e> {
    /// Why the origin is plausibly the user's own (familiar ASN, the user's carrier or ISP
    /// family, the user's own device id, IPv6 rotation inside a baseline ASN).
    pub own: Option<String>,
    /// `no-nearby-interactive`: the nearby interactive sign-in from the same IP.
    pub nearby: Option<Pos>,
    /// `ip-prevalence`: distinct users of the IP, and the class.
    pub users: u32,
    pub prevalence: Option<Prevalence>,
    /// In a hosting network (the anchor's own ASN, or the one the sign-ins learned for its IP).
    pub hosting: bool,
    /// `risky-ip`: a risky sign-in from the same IP.
    pub risky: Option<&'e (Pos, String)>,
    /// In a country new to the user.
    pub new_country: bool,
    /// A `token-from-unfamiliar-network` candidate that is not the user's own origin.
    pub unfamiliar_live: bool,
    /// Unfamiliar, single-user (or campaign-shaped) IP and no nearby interactive sign-in.
    pub medium_grade: bool,
    /// A replay signal that survived its guards and is not the user's own origin (ladder:
    /// an unfamiliar origin).
    pub replay: bool,
    /// A token-theft variant's sign-in (`Anchor::variants`) from an origin that is not the user's
    /// own: an address and prefix no other baseline interactive sign-in of the user came from,
    /// and no familiar network, carrier or device (ladder: an unfamiliar origin).
    pub variant_unfamiliar: bool,
    /// For an action anchor: its IP is not the user's (no baseline address, prefix or familiar
    /// network), so the action came from an origin the user never used.
    pub action_unfamiliar: bool,
    /// For an action anchor: nothing tells whether its origin is the user's (no baseline, or no
    /// IP).
    pub action_origin_unknown: bool,
}

/// One value per position of a group (ascending), looked up by position with a binary search.
pub(crate) struct GroupMap<'g, T> {
    group: &'g [Pos],
    values: Vec<T>,
}

impl<'g, T> GroupMap<'g, T> {
    pub(crate) fn new(group: &'g [Pos], values: Vec<T>) -> GroupMap<'g, T> {
        debug_assert!(group.windows(2).all(|w| w[0] < w[1]) && group.len() == values.len());
        GroupMap { group, values }
    }

    pub(crate) fn get(&self, p: &Pos) -> Option<&T> {
        self.group.binary_search(p).ok().and_then(|i| self.values.get(i))
    }
}

impl<T> std::ops::Index<&Pos> for GroupMap<'_, T> {
    type Output = T;

    fn index(&self, p: &Pos) -> &T {
        self.get(p).expect("a position of the group")
    }
}

/// What the whole analysis knows that single findings read (computed once).
pub(crate) struct Shared {
    /// Distinct users per IP (`ip-prevalence`).
    pub prevalence: HashMap<IpAddr, u32>,
    /// Candidate IPs shaped like a campaign (several users in a short span, none at home there).
    pub campaign_ips: crate::detect::HashSet<IpAddr>,
    /// The first risky sign-in per IP (`risky-ip`).
    pub risky: HashMap<IpAddr, (Pos, String)>,
    /// Anomalous sessions (`session-anomaly`).
    pub anomalies: HashMap<(Sym, Id), Anomaly>,
}

/// The view of one finding every rule reads.
pub(crate) struct Group<'g, 'a> {
    pub ctx: &'g Ctx<'a>,
    pub baselines: &'g Baselines,
    pub shared: &'g Shared,
    pub user: Sym,
    /// The finding's anchors, ascending.
    pub all: &'g [Pos],
    /// Anchors not suppressed by an allowlist.
    pub active: Vec<Pos>,
    pub anchors: GroupMap<'g, &'g Anchor>,
    pub judged: GroupMap<'g, Judged<'g>>,
    /// Audit operations tied to the finding's sign-ins (`post-compromise-activity`).
    pub linked: Vec<Linked>,
    /// Active anchors raised by `token-from-unfamiliar-network`.
    pub unfamiliar: Vec<Pos>,
}

impl Group<'_, '_> {
    /// Active anchors satisfying `f`.
    pub(crate) fn active_where(&self, f: impl Fn(&Anchor, &Judged<'_>) -> bool) -> Vec<Pos> {
        self.active.iter().copied().filter(|p| f(self.anchors[p], &self.judged[p])).collect()
    }

    /// The events the finding is about, as a set (anchors and linked operations).
    pub(crate) fn referenced(&self) -> BTreeSet<Pos> {
        self.all.iter().copied().chain(self.linked.iter().map(|l| l.pos)).collect()
    }
}

/// The sign-ins of the detection window a variant rule raises, each with its reason: `reason`
/// judges one event alone (the variants whose shape is in a single sign-in).
pub(crate) fn raised_sign_ins(
    ctx: &Ctx<'_>,
    reason: fn(&Ctx<'_>, &Event) -> Option<String>,
) -> Vec<(Pos, String)> {
    ctx.positions()
        .filter(|&p| ctx.in_detection(ctx.ev(p).time))
        .filter_map(|p| reason(ctx, ctx.ev(p)).map(|why| (p, why)))
        .collect()
}

/// The fact of a token-theft variant rule (`device-code-phishing`, `legacy-ropc`, …): its first
/// raised sign-in in the finding from an origin that is not the user's (else its first), and whose
/// origin it came from. `name` opens the sentence
/// (`Device-code phishing`); `own_hint` says what such a sign-in usually is from the user's own
/// origin.
pub(crate) fn variant_fact(
    g: &Group<'_, '_>,
    rule: &'static str,
    points: i64,
    name: &str,
    own_hint: &str,
) -> Vec<Contribution> {
    let ctx = g.ctx;
    // The first raised sign-in from an origin that is not the user's, else the first at all.
    let raised = |p: &Pos| {
        g.anchors[p].variants.iter().find(|(id, _)| *id == rule).map(|(_, why)| (*p, why))
    };
    let Some((p, why)) = g
        .active
        .iter()
        .filter(|p| g.judged[*p].variant_unfamiliar)
        .find_map(raised)
        .or_else(|| g.active.iter().find_map(raised))
    else {
        return Vec::new();
    };
    let j = &g.judged[&p];
    let whose = if j.variant_unfamiliar {
        format!("from {}, an origin the user never signed in from", ctx.origin_label(ctx.ev(p)))
    } else if let Some(own) = &j.own {
        format!("from the user's own origin ({own}): {own_hint}")
    } else {
        format!("from {}", ctx.origin_label(ctx.ev(p)))
    };
    vec![Contribution::new(
        rule,
        points,
        format!("{name}: at {}, {why}, {whose}.", crate::time::rfc3339(ctx.ev(p).time)),
    )]
}

/// Capitalizes the first letter of a sentence.
pub(crate) fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}
