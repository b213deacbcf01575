//! From rule results to findings: grouping per user and attacker origin, every rule's facts,
//! the confidence ladder, and the campaign pass across findings.
//!
//! ## Grouping
//! Every suspicious event (an *anchor*: a sign-in raised by `token-from-unfamiliar-network`,
//! `short-window-origin-switch`, `session-origin-split`, `impossible-travel`,
//! `aitm-kit-fingerprint` or `risky-ip`, or an audit operation raised by
//! `attacker-typical-action`) has origin keys: its session id and its network (ASN, the ASN its
//! IP's sign-ins carry, or else its prefix). Anchors of one user sharing a key form one finding,
//! so the phishing sign-in through the kit's proxy, the replays from the attacker's server (same
//! session, other networks) and the inbox rules they set become one finding; an operation tied
//! to a sign-in by its token id joins that sign-in's finding too. The finding id is an FNV-1a
//! hash of the user and the smallest origin key.
//!
//! ## Facts and rungs
//! Each rule of [`super::rules::REGISTRY`] states its own facts about the finding (its module
//! owns the points and the sentences); [`super::ladder::place`] puts the finding on a rung from
//! the evidence classes (docs/detection.md §5). Across findings, `campaign` links users sharing
//! an attacker IP, user agent or forwarding address, and every member of a campaign is raised to
//! high once one of them is high or critical.

use crate::detect::{HashMap, HashSet};
use std::collections::{BTreeMap, BTreeSet};

use super::baseline::Baselines;
use super::context::{Ctx, Pos};
use super::guards;
use super::ladder::{self, Rung};
use super::rule::{Anchor, Contribution, Group, GroupMap, Judged, Shared};
use super::rules::attacker_typical_action::{self, Domains};
use super::rules::ip_prevalence::Prevalence;
use super::rules::{
    REGISTRY, aitm_kit_fingerprint, campaign, conditional_access_mfa_bypass, device_code_phishing,
    first_party_app_abuse, impossible_travel, ip_prevalence, legacy_ropc, new_country,
    no_nearby_interactive, post_compromise_activity, remediated, risky_ip,
    rogue_device_registration, session_anomaly, session_origin_split, short_window_origin_switch,
    sneaky_2fa, token_from_unfamiliar_network, tycoon_2fa,
};
use crate::enrich;
use crate::model::{Event, EventKind, Id, Sym};
use crate::report::{AuditRef, BaselineSummary, EventRef, Fact, Finding, Severity};
use crate::settings::PrevalenceScope;
use crate::time::rfc3339;

/// At most this many events are listed per finding; the explanation says how many were left out.
const MAX_EVENTS: usize = 1000;

/// Positions per task of the pass that looks for sign-ins from risky IPs.
const RISKY_SLICE: Pos = 1 << 12;

struct Engine<'c, 'a> {
    ctx: &'c Ctx<'a>,
    baselines: &'c Baselines,
    shared: Shared,
    actions: Vec<remediated::Action>,
    domains: Domains,
    /// Any audit event loaded at all (else containment is unknown, never "not contained").
    audit_loaded: bool,
    /// Per IP of an unfamiliar-network candidate, up to two of its users: a weak action from an
    /// IP behind another user's suspicious sign-ins is raised.
    candidate_ips: HashMap<std::net::IpAddr, (Sym, Option<Sym>)>,
}

struct Draft {
    finding: Finding,
    subject: campaign::Subject,
    explanation_tail: Vec<String>,
    rung: Rung,
}

/// Builds the findings (sorted) and detection-level warnings.
pub(crate) fn build(ctx: &Ctx<'_>, baselines: &Baselines) -> (Vec<Finding>, Vec<String>) {
    let mut warnings = Vec::new();
    // The rules read the context and the baselines only: two groups of them run side by side
    // where there are threads; their results are applied below in one fixed order.
    let guarded = |pos: Pos| guards::microsoft_refresh(ctx, pos).is_some();
    let ((cands, cand_guarded, engine), (pairs, splits, hops, kits, variants)) = crate::par::join(
        || {
            let cands = token_from_unfamiliar_network::run(ctx, baselines);
            let cand_guarded: Vec<bool> = cands.iter().map(|c| guarded(c.pos)).collect();
            let engine = Engine {
                ctx,
                baselines,
                shared: Shared {
                    prevalence: ip_prevalence::users_per_ip(ctx, &cands),
                    campaign_ips: ip_prevalence::campaign_ips(ctx, baselines, &cands),
                    risky: risky_ip::risky_ips(ctx),
                    anomalies: session_anomaly::run(ctx, baselines),
                },
                actions: remediated::actions(ctx),
                domains: Domains::of(ctx),
                audit_loaded: ctx.ds.events.iter().any(|e| e.kind == EventKind::Audit),
                candidate_ips: candidate_ips(ctx, &cands),
            };
            (cands, cand_guarded, engine)
        },
        || {
            let pairs: Vec<_> = short_window_origin_switch::run(ctx)
                .into_iter()
                .map(|p| (guarded(p.non_interactive), p))
                .collect();
            let splits = session_origin_split::run(ctx, baselines);
            let hops = impossible_travel::run(ctx);
            let kits = aitm_kit_fingerprint::run(ctx, baselines);
            let mut variants: Vec<(Pos, &'static str, String)> = device_code_phishing::run(ctx)
                .into_iter()
                .map(|m| (m.pos, device_code_phishing::ID, m.reason))
                .collect();
            variants.extend(
                legacy_ropc::run(ctx).into_iter().map(|(p, why)| (p, legacy_ropc::ID, why)),
            );
            variants.extend(
                first_party_app_abuse::run(ctx)
                    .into_iter()
                    .map(|m| (m.pos, first_party_app_abuse::ID, m.reason)),
            );
            variants
                .extend(tycoon_2fa::run(ctx).into_iter().map(|(p, why)| (p, tycoon_2fa::ID, why)));
            variants
                .extend(sneaky_2fa::run(ctx).into_iter().map(|(p, why)| (p, sneaky_2fa::ID, why)));
            variants.extend(
                rogue_device_registration::run(ctx, baselines)
                    .into_iter()
                    .map(|(p, why)| (p, rogue_device_registration::ID, why)),
            );
            variants.extend(
                conditional_access_mfa_bypass::run(ctx)
                    .into_iter()
                    .map(|(p, why)| (p, conditional_access_mfa_bypass::ID, why)),
            );
            (pairs, splits, hops, kits, variants)
        },
    );

    let mut anchors: BTreeMap<Pos, Anchor> = BTreeMap::new();
    let mut ms_guarded: BTreeSet<Pos> = BTreeSet::new();
    for (c, guarded) in cands.iter().zip(cand_guarded) {
        if guarded {
            ms_guarded.insert(c.pos);
            continue;
        }
        anchors.entry(c.pos).or_default().unfamiliar = Some(c.baseline_ips);
    }
    for (guarded, p) in pairs {
        if guarded {
            ms_guarded.insert(p.non_interactive);
            continue;
        }
        anchors.entry(p.non_interactive).or_default().pair_with.get_or_insert(p.interactive);
    }
    for s in &splits.splits {
        anchors.entry(s.pos).or_default().split_from = Some((s.origin, s.origin_interactive));
    }
    for h in hops {
        anchors.entry(h.to).or_default().hop = Some((h.from, h.km, h.kmh));
    }
    for k in kits {
        anchors.entry(k.pos).or_default().kit = k.reasons;
    }
    for (pos, rule, why) in variants {
        let a = anchors.entry(pos).or_default();
        // Tycoon 2FA names the kit's JavaScript runtime: the kit fingerprint does not count the
        // same user agent again (its other reasons stay).
        if rule == tycoon_2fa::ID {
            a.kit.retain(|k| !k.starts_with(aitm_kit_fingerprint::SCRIPTING_AGENT));
        }
        a.variants.push((rule, why));
    }
    // Every sign-in is looked at: in slices, on several threads where there are any.
    let slices: Vec<std::ops::Range<Pos>> = (0..ctx.len() as Pos)
        .step_by(RISKY_SLICE as usize)
        .map(|from| from..(from + RISKY_SLICE).min(ctx.len() as Pos))
        .collect();
    let risky = crate::par::map(&slices, |slice| {
        slice
            .clone()
            .filter_map(|pos| {
                let e = ctx.ev(pos);
                let candidate =
                    e.kind.is_user_sign_in() && e.is_success() && ctx.in_detection(e.time);
                candidate.then(|| risky_ip::reason(ctx, e)).flatten().map(|why| (pos, why))
            })
            .collect::<Vec<_>>()
    });
    for (pos, why) in risky.into_iter().flatten() {
        anchors.entry(pos).or_default().risky_self = Some(why);
    }
    // Attacker-typical operations, per user: strong shapes always, weak ones from an origin that
    // is not the user's.
    let actions = crate::par::map(ctx.users(), |&user| {
        attacker_typical_action::actions_of(ctx, &engine.domains, user)
            .into_iter()
            .filter(|(pos, shape)| {
                let o = engine.action_origin(*pos);
                attacker_typical_action::raised(shape, o.unfamiliar || o.hosting || o.unknown)
            })
            .collect::<Vec<_>>()
    });
    for (pos, shape) in actions.into_iter().flatten() {
        anchors.entry(pos).or_default().action = Some(shape);
    }
    let positions: Vec<Pos> = anchors.keys().copied().collect();
    let suppressed = crate::par::map(&positions, |&pos| ctx.allow.matches(ctx, ctx.ev(pos)));
    for (a, suppressed) in anchors.values_mut().zip(suppressed) {
        a.suppressed = suppressed;
    }

    let ms_count = ms_guarded.len() + splits.microsoft_guarded as usize;
    if ms_count > 0 {
        warnings.push(format!(
            "Zero-delay Microsoft refresh guard: {ms_count} sign-in(s) from Microsoft networks \
             within {} s of the same user's own sign-ins were not treated as replays.",
            ctx.settings.microsoft_refresh_max_delay_secs
        ));
    }
    super::coverage::coverage_warnings(ctx, &mut warnings);

    // Group per user and origin. Each user's anchors go with them (in position order), so a
    // draft finds its anchors in a short list instead of the map of every user's.
    // Keyed by symbol (no string comparison per anchor), then put in the order of user names.
    let mut by_user: HashMap<Sym, Vec<(Pos, &Anchor)>> = HashMap::default();
    for (&pos, anchor) in &anchors {
        by_user.entry(ctx.ev(pos).user).or_default().push((pos, anchor));
    }
    let mut by_user: Vec<(&str, Vec<(Pos, &Anchor)>)> =
        by_user.into_iter().map(|(user, anchors)| (ctx.s(user), anchors)).collect();
    by_user.sort_unstable_by(|a, b| a.0.cmp(b.0));
    // Users are independent: drafted on several threads where there are any, gathered in order.
    let users: Vec<Vec<(Pos, &Anchor)>> =
        by_user.into_iter().filter(|(user, _)| !user.is_empty()).map(|(_, p)| p).collect();
    let drafts: Vec<Draft> = crate::par::map(&users, |anchors| {
        engine
            .groups(anchors)
            .into_iter()
            .map(|(group, own_apart)| engine.draft(anchors, &group, own_apart))
            .collect::<Vec<_>>()
    })
    .into_iter()
    .flatten()
    .collect();

    let findings = campaign_pass(ctx, drafts);
    (findings, warnings)
}

/// Campaign pivot across findings, then every campaign member raised to high once one member is
/// high or critical; scores, rule lists and the report order.
fn campaign_pass(ctx: &Ctx<'_>, mut drafts: Vec<Draft>) -> Vec<Finding> {
    let ua_users = ua_user_counts(ctx, &drafts);
    let subjects: Vec<campaign::Subject> = drafts.iter().map(|d| d.subject.clone()).collect();
    let links = campaign::run(&subjects, &ua_users, ctx.settings);
    // Users with a high or critical finding that takes part in a campaign.
    let high_users: BTreeSet<&str> = drafts
        .iter()
        .zip(&links)
        .filter(|(d, l)| l.is_strong() && d.finding.severity >= Severity::High)
        .map(|(d, _)| d.finding.user.as_str())
        .collect();
    let raise: Vec<Option<String>> = drafts
        .iter()
        .zip(&links)
        .map(|(d, link)| {
            if !link.is_strong() {
                return None;
            }
            let high: Vec<&str> = link
                .strong_users
                .iter()
                .map(String::as_str)
                .filter(|u| high_users.contains(u))
                .collect();
            ladder::campaign_rung(&d.rung, &high)
        })
        .collect();
    let mut findings = Vec::with_capacity(drafts.len());
    for ((mut d, link), raise) in drafts.drain(..).zip(links).zip(raise) {
        if !link.is_empty() {
            let fact = link.fact(ctx.settings);
            d.finding.explanation.push(fact.sentence.clone());
            d.finding.facts.push(Fact {
                rule: fact.rule.to_owned(),
                points: fact.points,
                detail: fact.sentence,
            });
        }
        if let Some(reason) = raise {
            d.finding.severity = Severity::High;
            for s in
                d.explanation_tail.iter_mut().chain(std::iter::once(&mut d.finding.severity_reason))
            {
                if *s == d.rung.reason {
                    s.clone_from(&reason);
                }
            }
        }
        d.finding.explanation.extend(d.explanation_tail);
        d.finding.score = d.finding.facts.iter().map(|f| f.points).sum();
        d.finding.rules = sorted_unique(d.finding.facts.iter().map(|f| f.rule.clone()));
        findings.push(d.finding);
    }
    findings.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then(b.score.cmp(&a.score))
            .then(a.user.cmp(&b.user))
            .then(a.id.cmp(&b.id))
    });
    findings
}

/// An origin key of an anchor (its session, its network); [`Origin::key`] is its text, and two
/// anchors share a key exactly when they share a key text, so grouping compares these instead of
/// allocating strings per anchor.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Origin {
    Session(Id),
    Asn(u32),
    Net(ipnet::IpNet),
    Unknown,
}

impl Origin {
    /// The key's text: `session:<id>`, `asn:<n>`, `net:<prefix>` or `net:unknown`.
    fn key(self, ctx: &Ctx<'_>) -> String {
        match self {
            Origin::Session(s) => format!("session:{}", ctx.id(s)),
            Origin::Asn(asn) => format!("asn:{asn}"),
            Origin::Net(net) => format!("net:{net}"),
            Origin::Unknown => "net:unknown".to_owned(),
        }
    }
}

/// The origin keys of an anchor: its session (if any), then its network.
fn origins(ctx: &Ctx<'_>, e: &Event) -> impl Iterator<Item = Origin> {
    let session = (!e.session_id.is_empty()).then_some(Origin::Session(e.session_id));
    let asn = ctx.asn(e);
    let net = if asn != 0 {
        Origin::Asn(asn)
    } else if let Some(ip) = ctx.ds.ip(e) {
        Origin::Net(ctx.prefix(ip))
    } else {
        Origin::Unknown
    };
    session.into_iter().chain(std::iter::once(net))
}

/// Union-find over one user's anchors; groups in order of their first anchor.
fn group_by_origin(ctx: &Ctx<'_>, positions: &[Pos], extra: &[(Pos, Pos)]) -> Vec<Vec<Pos>> {
    let n = positions.len();
    let mut parent: Vec<usize> = (0..n).collect();
    fn find(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    let mut owner: HashMap<Origin, usize> = HashMap::default();
    for (i, &pos) in positions.iter().enumerate() {
        for key in origins(ctx, ctx.ev(pos)) {
            match owner.get(&key) {
                Some(&j) => {
                    let (a, b) = (find(&mut parent, i), find(&mut parent, j));
                    if a != b {
                        parent[a.max(b)] = a.min(b);
                    }
                }
                None => {
                    owner.insert(key, i);
                }
            }
        }
    }
    // Pairs tied otherwise (an operation and the sign-in its token id names).
    for &(x, y) in extra {
        if let (Ok(i), Ok(j)) = (positions.binary_search(&x), positions.binary_search(&y)) {
            let (a, b) = (find(&mut parent, i), find(&mut parent, j));
            if a != b {
                parent[a.max(b)] = a.min(b);
            }
        }
    }
    let mut groups: BTreeMap<usize, Vec<Pos>> = BTreeMap::new();
    for (i, &pos) in positions.iter().enumerate() {
        let root = find(&mut parent, i);
        groups.entry(root).or_default().push(pos);
    }
    groups.into_values().collect()
}

fn ua_user_counts(ctx: &Ctx<'_>, drafts: &[Draft]) -> HashMap<String, u32> {
    let wanted: HashSet<&str> =
        drafts.iter().flat_map(|d| d.subject.user_agents.iter().map(String::as_str)).collect();
    let mut users: HashMap<&str, HashSet<Sym>> = HashMap::default();
    for pos in ctx.positions() {
        let e = ctx.ev(pos);
        let ua = ctx.s(ctx.ds.client(e).user_agent);
        if wanted.contains(ua) {
            users.entry(ua).or_default().insert(e.user);
        }
    }
    users.into_iter().map(|(ua, u)| (ua.to_owned(), u.len() as u32)).collect()
}

fn sorted_unique<T: Ord>(items: impl IntoIterator<Item = T>) -> Vec<T> {
    items.into_iter().collect::<BTreeSet<T>>().into_iter().collect()
}

/// The distinct non-empty texts of `syms`, sorted. Distinct symbols are distinct texts, so the
/// symbols are deduplicated first (numbers, not strings: a group can hold thousands of events)
/// and only the survivors become strings.
fn sorted_texts(ctx: &Ctx<'_>, syms: impl IntoIterator<Item = Sym>) -> Vec<String> {
    let mut syms: Vec<Sym> = syms.into_iter().collect();
    syms.sort_unstable();
    syms.dedup();
    let mut texts: Vec<String> =
        syms.into_iter().map(|s| ctx.s(s)).filter(|t| !t.is_empty()).map(str::to_owned).collect();
    texts.sort_unstable();
    texts
}

/// The distinct non-empty texts of some ids, sorted.
fn sorted_id_texts(ctx: &Ctx<'_>, ids: impl IntoIterator<Item = Id>) -> Vec<String> {
    let mut ids: Vec<Id> = ids.into_iter().filter(|i| !i.is_empty()).collect();
    ids.sort_unstable();
    ids.dedup();
    let mut texts: Vec<String> = ids.into_iter().map(|i| ctx.id(i).to_string()).collect();
    texts.sort_unstable();
    texts
}

/// Where an attacker-typical operation came from ([`Engine::action_origin`]).
struct ActionOrigin {
    unfamiliar: bool,
    hosting: bool,
    unknown: bool,
}

/// Per IP of the candidates, up to two of its users.
fn candidate_ips(
    ctx: &Ctx<'_>,
    cands: &[token_from_unfamiliar_network::Candidate],
) -> HashMap<std::net::IpAddr, (Sym, Option<Sym>)> {
    let mut out: HashMap<std::net::IpAddr, (Sym, Option<Sym>)> = HashMap::default();
    for c in cands {
        let e = ctx.ev(c.pos);
        if let Some(ip) = ctx.ds.ip(e).map(|ip| ip.to_canonical()) {
            let slot = out.entry(ip).or_insert((e.user, None));
            if slot.0 != e.user && slot.1.is_none() {
                slot.1 = Some(e.user);
            }
        }
    }
    out
}

impl Engine<'_, '_> {
    /// True when the event's IP is behind another user's unfamiliar-network candidates.
    fn another_users_candidate_ip(&self, pos: Pos) -> bool {
        let e = self.ctx.ev(pos);
        self.ctx
            .ds
            .ip(e)
            .and_then(|ip| self.candidate_ips.get(&ip.to_canonical()))
            .is_some_and(|&(a, b)| a != e.user || b.is_some_and(|b| b != e.user))
    }

    /// Where an audit operation came from. Not the user's: the user has a baseline and the IP
    /// is neither in it nor the user's own origin, or the IP is behind another user's
    /// unfamiliar-network candidates. Unknown: the user has no baseline (an audit log alone) or
    /// the operation no IP, so nothing tells whether the origin is the user's.
    fn action_origin(&self, pos: Pos) -> ActionOrigin {
        let ctx = self.ctx;
        let e = ctx.ev(pos);
        let hosting = ctx.is_hosting(ctx.asn(e));
        let (unfamiliar, unknown) = match (self.baselines.get(e.user), ctx.ds.ip(e)) {
            (Some(b), Some(ip)) => (
                !b.knows_ip(ctx, ip) && guards::own_origin(ctx, self.baselines, pos).is_none(),
                false,
            ),
            _ => (false, true),
        };
        let unfamiliar = unfamiliar || self.another_users_candidate_ip(pos);
        ActionOrigin { unfamiliar, hosting, unknown: unknown && !unfamiliar && !hosting }
    }

    /// One user's anchors (by position) in groups of one origin each, in order of their first
    /// anchor. Anchors share an origin when they share a session or a network; an operation tied
    /// by its token id to a sign-in anchor joins that sign-in.
    /// Each group comes with whether it is the user's own anchors set apart from an attacker's
    /// (their finding's id says so, so the two never share one).
    fn groups(&self, anchors: &[(Pos, &Anchor)]) -> Vec<(Vec<Pos>, bool)> {
        let ctx = self.ctx;
        let positions: Vec<Pos> = anchors.iter().map(|&(p, _)| p).collect();
        let mut extra: Vec<(Pos, Pos)> = Vec::new();
        let has_actions = anchors.iter().any(|(_, a)| a.action.is_some());
        if has_actions {
            let sign_ins: Vec<Pos> =
                positions.iter().copied().filter(|&p| ctx.ev(p).kind.is_user_sign_in()).collect();
            if !sign_ins.is_empty() {
                let user = ctx.ev(positions[0]).user;
                for l in
                    post_compromise_activity::link(ctx, &self.domains, user, &sign_ins, |_| false)
                {
                    if l.by == "token" && positions.binary_search(&l.pos).is_ok() {
                        extra.push((l.pos, l.anchor));
                    }
                }
            }
        }
        let groups = group_by_origin(ctx, &positions, &extra);
        // A network shared with the user's own life (a familiar ASN, the user's carrier) ties
        // nothing to an attacker: the user's phone refreshing through the same carrier as the
        // sign-in a device-code phish was entered from is not the attacker's. In a group that
        // holds foreign anchors, the user's own-origin anchors stay only when a session ties them
        // to a foreign one; the others become a group of their own (as they would be alone).
        let mut out = Vec::with_capacity(groups.len());
        for group in groups {
            let own: Vec<bool> = group
                .iter()
                .map(|&p| guards::own_origin(ctx, self.baselines, p).is_some())
                .collect();
            if own.iter().all(|&o| o) || own.iter().all(|&o| !o) {
                out.push((group, false));
                continue;
            }
            // Sessions reached from the foreign anchors, through anchors that share a session.
            let mut sessions: HashSet<Id> = group
                .iter()
                .zip(&own)
                .filter(|&(_, &o)| !o)
                .map(|(&p, _)| ctx.ev(p).session_id)
                .filter(|s| !s.is_empty())
                .collect();
            let tied = |p: Pos, sessions: &HashSet<Id>| {
                let e = ctx.ev(p);
                !e.session_id.is_empty() && sessions.contains(&e.session_id)
            };
            let mut keep: Vec<bool> = own.iter().map(|&o| !o).collect();
            loop {
                let mut grew = false;
                for (i, &p) in group.iter().enumerate() {
                    if !keep[i] && tied(p, &sessions) {
                        keep[i] = true;
                        grew = true;
                        sessions.insert(ctx.ev(p).session_id);
                    }
                }
                if !grew {
                    break;
                }
            }
            let kept: Vec<Pos> =
                group.iter().zip(&keep).filter(|&(_, &k)| k).map(|(&p, _)| p).collect();
            let apart: Vec<Pos> =
                group.iter().zip(&keep).filter(|&(_, &k)| !k).map(|(&p, _)| p).collect();
            out.push((kept, false));
            if !apart.is_empty() {
                out.push((apart, true));
            }
        }
        // Groups in order of their first anchor, as `group_by_origin` gives them.
        out.sort_by_key(|(g, _)| g.first().copied());
        out
    }

    fn judge(&self, pos: Pos, a: &Anchor) -> Judged<'_> {
        let ctx = self.ctx;
        let e = ctx.ev(pos);
        let own = guards::own_origin(ctx, self.baselines, pos);
        let mut j = Judged {
            hosting: ctx.is_hosting(ctx.asn(e)),
            new_country: new_country::is_new(ctx, self.baselines, pos),
            ..Judged::default()
        };
        if let Some(ip) = ctx.ds.ip(e).map(|ip| ip.to_canonical()) {
            j.users = self.shared.prevalence.get(&ip).copied().unwrap_or(
                match ctx.settings.ip_prevalence_scope {
                    // An anchor that is no candidate still has its own user.
                    PrevalenceScope::Candidates | PrevalenceScope::AllData => 1,
                },
            );
            j.prevalence = Some(if self.shared.campaign_ips.contains(&ip) {
                Prevalence::Campaign(j.users)
            } else {
                Prevalence::of(j.users, ctx.settings)
            });
            j.risky = self.shared.risky.get(&ip);
        }
        if e.kind == EventKind::NonInteractive {
            let except = self.baselines.users.get(&e.user).map(|b| b.excluded.as_slice());
            j.nearby = no_nearby_interactive::nearby_except(ctx, pos, except.unwrap_or(&[]));
        }
        if a.action.is_some() {
            let o = self.action_origin(pos);
            j.action_unfamiliar = o.unfamiliar;
            j.action_origin_unknown = o.unknown;
        }
        j.unfamiliar_live = a.unfamiliar.is_some() && own.is_none();
        // A failed attempt (an ROPC probe) places no token anywhere: never an origin.
        j.variant_unfamiliar = !a.variants.is_empty()
            && e.is_success()
            && own.is_none()
            && match (self.baselines.get(e.user), ctx.ds.ip(e)) {
                (Some(b), Some(ip)) => !b.knows_ip_from_others(
                    ctx,
                    ip,
                    ctx.in_baseline(e.time) && b.excluded.binary_search(&pos).is_err(),
                ),
                _ => false,
            };
        let shared = matches!(j.prevalence, Some(Prevalence::Shared(_)));
        let single = matches!(j.prevalence, Some(Prevalence::Single | Prevalence::Campaign(_)));
        j.medium_grade = j.unfamiliar_live && single && j.nearby.is_none();
        j.replay = own.is_none()
            && ((j.unfamiliar_live && !shared && j.nearby.is_none())
                || j.variant_unfamiliar
                || a.pair_with.is_some()
                || a.split_from.is_some());
        j.own = own;
        j
    }

    fn event_ref(&self, pos: Pos) -> EventRef {
        let e = self.ctx.ev(pos);
        EventRef {
            file: self
                .ctx
                .ds
                .files
                .get(e.source.file as usize)
                .map(|f| f.name.clone())
                .unwrap_or_default(),
            line: u64::from(e.source.line),
            time: rfc3339(e.time),
            kind: e.kind.as_str().to_owned(),
        }
    }

    /// The finding of one group of a user's anchors (`anchors`: all of the user's, by position).
    fn draft(&self, anchors: &[(Pos, &Anchor)], group: &[Pos], own_apart: bool) -> Draft {
        let ctx = self.ctx;
        let user_sym = ctx.ev(group[0]).user;
        let user = ctx.s(user_sym).to_owned();
        // The group's anchors, looked up once: the rules read them many times each.
        let of = |p: &Pos| anchors.binary_search_by_key(p, |&(q, _)| q).map(|i| anchors[i].1);
        let anchor_map =
            GroupMap::new(group, group.iter().map(|p| of(p).expect("an anchor")).collect());
        let active: Vec<Pos> =
            group.iter().copied().filter(|p| anchor_map[p].suppressed.is_none()).collect();
        let judged =
            GroupMap::new(group, group.iter().map(|&p| self.judge(p, anchor_map[&p])).collect());
        let linked = post_compromise_activity::link(ctx, &self.domains, user_sym, &active, |p| {
            judged.get(&p).is_some_and(|j| j.replay)
        });
        let unfamiliar: Vec<Pos> =
            active.iter().copied().filter(|p| anchor_map[p].unfamiliar.is_some()).collect();
        let g = Group {
            ctx,
            baselines: self.baselines,
            shared: &self.shared,
            user: user_sym,
            all: group,
            active,
            anchors: anchor_map,
            judged,
            linked,
            unfamiliar,
        };
        let shown: &[Pos] = if g.active.is_empty() { group } else { &g.active };

        // Attacker-side attributes.
        let evs = || shown.iter().map(|&p| ctx.ev(p));
        let ips: Vec<String> = sorted_unique(evs().filter_map(|e| ctx.ds.ip(e)))
            .iter()
            .map(|ip| ip.to_string())
            .collect();
        let asns: Vec<u32> = sorted_unique(evs().map(|e| ctx.asn(e)).filter(|&a| a != 0));
        let countries = sorted_texts(ctx, evs().map(|e| ctx.ds.place(e).location.country));
        let session_ids = sorted_id_texts(ctx, evs().map(|e| e.session_id));
        let user_agents = sorted_texts(ctx, evs().map(|e| ctx.ds.client(e).user_agent));

        // Suppressions by allowlist.
        let mut suppressions: BTreeSet<String> = BTreeSet::new();
        let mut by_entry: BTreeMap<&str, u32> = BTreeMap::new();
        for &p in group {
            if let Some(s) = g.anchors[&p].suppressed.as_deref() {
                *by_entry.entry(s).or_default() += 1;
            }
        }
        for (entry, n) in &by_entry {
            suppressions
                .insert(format!("suppressed by allowlist {entry} ({n} suspicious event(s))"));
        }

        // Headline: what the finding is about (no rule's fact, no points).
        let mut sentences: Vec<String> = Vec::new();
        let (first, last) = (ctx.ev(shown[0]), ctx.ev(*shown.last().unwrap_or(&shown[0])));
        let asn_labels: Vec<String> = asns.iter().map(|&a| enrich::asn_label(a)).collect();
        let ip_list = if ips.len() > 3 {
            format!("{} and {} more", ips[..3].join(", "), ips.len() - 3)
        } else if ips.is_empty() {
            "unlogged addresses".to_owned()
        } else {
            ips.join(", ")
        };
        let sign_ins = shown.iter().filter(|&&p| ctx.ev(p).kind.is_user_sign_in()).count();
        let what = match (sign_ins, shown.len() - sign_ins) {
            (n, 0) => format!("{n} suspicious sign-in(s)"),
            (0, n) => format!("{n} suspicious operation(s)"),
            (s, o) => format!("{s} suspicious sign-in(s) and {o} operation(s)"),
        };
        sentences.push(format!(
            "{what} of {user} from {ip_list} ({}{}) between {} and {}.",
            if asn_labels.is_empty() { "ASN not logged".to_owned() } else { asn_labels.join(", ") },
            if countries.is_empty() {
                String::new()
            } else {
                format!("; {}", countries.join(", "))
            },
            rfc3339(first.time),
            rfc3339(last.time),
        ));

        // Every rule's facts, in the registry's order.
        let mut referenced: BTreeSet<Pos> = g.referenced();
        let mut facts: Vec<Fact> = Vec::new();
        let mut push = |c: Contribution,
                        facts: &mut Vec<Fact>,
                        sentences: &mut Vec<String>,
                        suppressions: &mut BTreeSet<String>| {
            referenced.extend(c.refs.iter().copied());
            suppressions.extend(c.suppressions);
            sentences.push(c.sentence.clone());
            facts.push(Fact { rule: c.rule.to_owned(), points: c.points, detail: c.sentence });
        };
        for rule in &REGISTRY {
            if let Some(f) = rule.facts {
                for c in f(&g) {
                    push(c, &mut facts, &mut sentences, &mut suppressions);
                }
            }
        }

        let related_audit: Vec<AuditRef> = g
            .linked
            .iter()
            .map(|l| {
                let e = ctx.ev(l.pos);
                AuditRef {
                    operation: ctx
                        .ds
                        .audit(e)
                        .map(|a| ctx.s(a.operation).to_owned())
                        .unwrap_or_default(),
                    time: rfc3339(e.time),
                    linked_by: l.by.to_owned(),
                    detail: l.activity.detail().to_owned(),
                    source: self.event_ref(l.pos),
                }
            })
            .collect();

        // The ladder.
        let rung = ladder::place(&g, &by_entry.keys().copied().collect::<Vec<_>>().join(", "));

        // remediated.
        let mut tail: Vec<String> = Vec::new();
        let first_time = group.iter().map(|&p| ctx.ev(p).time).min().unwrap_or(0);
        let mut last_time = group.iter().map(|&p| ctx.ev(p).time).max().unwrap_or(0);
        for l in &g.linked {
            last_time = last_time.max(ctx.ev(l.pos).time);
        }
        let assessment = remediated::assess(
            ctx,
            &self.actions,
            user_sym,
            (first_time, last_time),
            rung.severity,
            self.audit_loaded,
        );
        if let Some(c) = assessment.fact {
            referenced.extend(c.refs.iter().copied());
            facts.push(Fact { rule: c.rule.to_owned(), points: c.points, detail: c.sentence });
        }
        let mut remediation_sentence = assessment.sentence;
        if rogue_device_registration::in_finding(&g) {
            remediation_sentence.push(' ');
            remediation_sentence.push_str(rogue_device_registration::REMEDIATION);
        }
        tail.push(remediation_sentence);
        tail.push(rung.reason.clone());
        if !suppressions.is_empty() {
            tail.push(format!(
                "Suppressions and guards: {}.",
                suppressions.iter().cloned().collect::<Vec<_>>().join("; ")
            ));
        }

        // Events.
        let all: Vec<Pos> = referenced.into_iter().collect();
        let mut events: Vec<EventRef> =
            all.iter().take(MAX_EVENTS).map(|&p| self.event_ref(p)).collect();
        if all.len() > MAX_EVENTS {
            tail.push(format!(
                "{} more events behind this finding are not listed.",
                all.len() - MAX_EVENTS
            ));
        }
        events.dedup();

        // Ids and times.
        // The smallest key text among the group's distinct origins (a group can hold thousands of
        // anchors sharing a few origins).
        let mut origins_seen: Vec<Origin> =
            group.iter().flat_map(|&p| origins(ctx, ctx.ev(p))).collect();
        origins_seen.sort_unstable();
        origins_seen.dedup();
        let first_key = origins_seen.into_iter().map(|o| o.key(ctx)).min().unwrap_or_default();
        // The user's own anchors set apart from an attacker's group share its network key.
        let first_key = if own_apart { format!("own:{first_key}") } else { first_key };
        let id =
            format!("F-{:08x}", super::fnv1a64(format!("{user}\n{first_key}").as_bytes()) >> 32);
        let first_seen = rfc3339(
            group
                .iter()
                .map(|&p| ctx.ev(p).time)
                .chain(g.linked.iter().map(|l| ctx.ev(l.pos).time))
                .min()
                .unwrap_or(0),
        );

        let forwards: Vec<String> = sorted_unique(
            g.linked
                .iter()
                .map(|l| l.pos)
                .chain(g.active.iter().copied().filter(|p| g.anchors[p].action.is_some()))
                .flat_map(|p| {
                    ctx.ds
                        .audit(ctx.ev(p))
                        .map(|a| {
                            a.forward_to.iter().map(|f| ctx.s(*f).to_owned()).collect::<Vec<_>>()
                        })
                        .unwrap_or_default()
                }),
        );
        let eligible = rung.origin || rung.action;

        let finding = Finding {
            id,
            user: user.clone(),
            severity: rung.severity,
            score: 0,
            rules: Vec::new(),
            first_seen,
            last_seen: rfc3339(last_time),
            ips: ips.clone(),
            asns,
            countries,
            session_ids,
            user_agents: user_agents.clone(),
            explanation: sentences,
            facts,
            events,
            related_audit,
            remediation: assessment.remediation,
            suppressions: suppressions.into_iter().collect(),
            severity_reason: rung.reason.clone(),
            baseline: self.summary(user_sym),
        };
        Draft {
            finding,
            subject: campaign::Subject { user, ips, user_agents, forwards, eligible },
            explanation_tail: tail,
            rung,
        }
    }

    fn summary(&self, user: Sym) -> BaselineSummary {
        let ctx = self.ctx;
        let Some(b) = self.baselines.users.get(&user) else { return BaselineSummary::default() };
        BaselineSummary {
            interactive_sign_ins: u64::from(b.interactive),
            ips: b.ips.len() as u64,
            prefixes: b.prefix_list.iter().take(20).map(|p| p.to_string()).collect(),
            asns: b.asns.iter().copied().collect(),
            familiar_asns: b
                .familiar_asns
                .iter()
                .filter(|(_, d)| {
                    ctx.settings.familiar_asn_min_days > 0
                        && **d >= ctx.settings.familiar_asn_min_days
                })
                .map(|(a, _)| *a)
                .collect(),
            countries: b.countries.iter().cloned().collect(),
            devices: b.devices.len() as u64,
            user_agents: b.user_agents.len() as u64,
            apps: b.apps.len() as u64,
            typical_hours_utc: b.typical_hours(),
            sessions: self.baselines.sessions.get(&user).map(|s| s.len() as u64).unwrap_or(0),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::settings::Settings;
    use crate::sim::builder::Builder;

    /// The victim entered a phished code at home (their ISP); the attacker used the session from
    /// a hosting network. The victim's phone refreshes through the same ISP's mobile network all
    /// along: that is the user's own life, not the attacker's, so it is a finding of its own
    /// (low), never merged into the attack by the shared network.
    #[test]
    fn the_users_own_network_is_not_merged_into_an_attack_that_began_there() {
        let mut b = Builder::new();
        let user = "alice@x.test";
        crate::detect::rules::at_home(&mut b, user);
        for day in 1..=9 {
            for (h, ip) in [(10, "198.51.101.7"), (15, "198.51.102.9")] {
                let s = b.ni(user, &format!("2026-03-0{day}T{h}:00:00Z"), ip, 7922);
                s.session_id = "phone-session".into();
                s.device_id = String::new();
            }
        }
        // The code entered at home: a device-code sign-in (device-code-phishing's anchor).
        let s = b.i(user, "2026-03-08T09:00:00Z", "198.51.100.20", 7922);
        s.session_id = "phished".into();
        s.auth_protocol = "deviceCode".into();
        let s = b.ni(user, "2026-03-08T09:05:00Z", "203.0.113.50", 14061);
        s.session_id = "phished".into();
        s.user_agent = "python-requests/2.31.0".into();
        b.audit(user, "2026-03-08T09:20:00Z", "203.0.113.50", "New-InboxRule");
        let findings = crate::detect::run(&b.dataset(), &Settings::default()).findings;
        let attack = findings
            .iter()
            .find(|f| f.ips.iter().any(|ip| ip == "203.0.113.50"))
            .expect("the attack is found");
        assert!(
            !attack
                .ips
                .iter()
                .any(|ip| ip.starts_with("198.51.101.") || ip.starts_with("198.51.102.")),
            "the phone's addresses are not the attacker's: {:?}",
            attack.ips
        );
        let mut ids: Vec<&str> = findings.iter().map(|f| f.id.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), findings.len(), "finding ids are unique");
    }
}
