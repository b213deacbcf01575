//! From rule results to findings: grouping per user and attacker origin, facts with points, the
//! confidence ladder (docs/detection.md §5), plain-language explanations.
//!
//! ## Grouping
//! Every suspicious event (an *anchor*: a sign-in raised by `token-from-unfamiliar-network`,
//! `short-window-origin-switch`, `session-origin-split`, `impossible-travel`,
//! `aitm-kit-fingerprint` or `risky-ip`) has origin keys: its session id and its network (ASN, or
//! prefix when the ASN is unknown). Anchors of one user sharing a key form one finding, so the
//! phishing sign-in through the kit's proxy and the replays from the attacker's server (same
//! session, other networks) become one finding. The finding id is an FNV-1a hash of the user and
//! the smallest origin key.
//!
//! ## The ladder, exactly
//! Per anchor: *unfamiliar* = a `token-from-unfamiliar-network` candidate outside the user's
//! familiar ASNs; *medium-grade* = unfamiliar + single-user IP + no nearby interactive sign-in.
//! A *replay signal* is an unfamiliar candidate that is neither shared (more than
//! `low_volume_max_users` users) nor near an interactive sign-in, an H2 pair into an unfamiliar ASN,
//! or a session split (which has its guards built in).
//! - critical: post-compromise activity tied to a replay-signal sign-in;
//! - high: a medium-grade anchor whose IP is risky, whose ASN is hosting (its own, or that of
//!   another anchor of the same session id in the finding: the AiTM proxy the stolen session was
//!   signed in from), or with mail/file access tied to the finding; or a session split onto a
//!   hosting ASN;
//! - medium: a medium-grade anchor;
//! - low: any other anchor (unfamiliar but shared or near an interactive sign-in, or rules the
//!   ladder does not rank on their own: H2 pairs, splits onto other networks, impossible travel,
//!   kit fingerprints, Entra risk);
//! - info: every anchor is allowlisted (kept so the suppression stays visible).

use crate::detect::{HashMap, HashSet};
use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;

use super::baseline::Baselines;
use super::context::{Ctx, Pos, duration_label, short_id};
use super::guards;
use super::rules::ip_prevalence::Prevalence;
use super::rules::post_compromise_activity::{Class, Linked};
use super::rules::{
    aitm_kit_fingerprint, campaign, hosting_network, impossible_travel, ip_prevalence, new_country,
    no_nearby_interactive, post_compromise_activity, remediated, risky_ip, session_anomaly,
    session_origin_split, short_window_origin_switch, token_from_unfamiliar_network,
};
use crate::enrich;
use crate::model::{Event, EventKind, Id, Sym};
use crate::report::{AuditRef, BaselineSummary, EventRef, Fact, Finding, Remediation, Severity};
use crate::settings::PrevalenceScope;
use crate::time::rfc3339;

/// At most this many events are listed per finding; the explanation says how many were left out.
const MAX_EVENTS: usize = 1000;

/// What the anchor rules said about one event.
#[derive(Debug, Default)]
struct Anchor {
    unfamiliar: Option<u32>,
    pair_with: Option<Pos>,
    split_from: Option<(Pos, bool)>,
    hop: Option<(Pos, f64, f64)>,
    kit: Vec<String>,
    risky_self: Option<String>,
    suppressed: Option<String>,
}

/// The context rules' verdicts on one anchor.
#[derive(Debug, Default)]
struct Judged<'e> {
    familiar: Option<u32>,
    nearby: Option<Pos>,
    users: u32,
    prevalence: Option<Prevalence>,
    /// In a hosting network (`hosting_network::check` writes why, for the one anchor shown).
    hosting: bool,
    risky: Option<&'e (Pos, String)>,
    /// In a country new to the user (`new_country::check` writes why, for the one anchor shown).
    new_country: bool,
    /// Unfamiliar, outside familiar ASNs.
    unfamiliar_live: bool,
    medium_grade: bool,
    replay: bool,
}

/// One value per position of a group (ascending, as `group_by_origin` makes them), looked up by
/// position with a binary search in the group: cheaper than a search of the map of every anchor,
/// which `draft` did about ten times per anchor.
struct GroupMap<'g, T> {
    group: &'g [Pos],
    values: Vec<T>,
}

impl<'g, T> GroupMap<'g, T> {
    fn new(group: &'g [Pos], values: Vec<T>) -> GroupMap<'g, T> {
        debug_assert!(group.windows(2).all(|w| w[0] < w[1]) && group.len() == values.len());
        GroupMap { group, values }
    }

    fn get(&self, p: &Pos) -> Option<&T> {
        self.group.binary_search(p).ok().and_then(|i| self.values.get(i))
    }
}

impl<T> std::ops::Index<&Pos> for GroupMap<'_, T> {
    type Output = T;

    fn index(&self, p: &Pos) -> &T {
        self.get(p).expect("a position of the group")
    }
}

struct Engine<'c, 'a> {
    ctx: &'c Ctx<'a>,
    baselines: &'c Baselines,
    prevalence: HashMap<IpAddr, u32>,
    risky: HashMap<IpAddr, (Pos, String)>,
    anomalies: HashMap<(Sym, Id), session_anomaly::Anomaly>,
    actions: Vec<remediated::Action>,
}

struct Draft {
    finding: Finding,
    subject: campaign::Subject,
    explanation_tail: Vec<String>,
}

/// Positions per task of the pass that looks for sign-ins from risky IPs.
const RISKY_SLICE: Pos = 1 << 12;

/// Builds the findings (sorted) and detection-level warnings.
pub(crate) fn build(ctx: &Ctx<'_>, baselines: &Baselines) -> (Vec<Finding>, Vec<String>) {
    let mut warnings = Vec::new();
    // The rules read the context and the baselines only: two groups of them run side by side
    // where there are threads; their results are applied below in one fixed order.
    let guarded = |pos: Pos| guards::microsoft_refresh(ctx, pos).is_some();
    let ((cands, cand_guarded, engine), (pairs, splits, hops, kits)) = crate::par::join(
        || {
            let cands = token_from_unfamiliar_network::run(ctx, baselines);
            let cand_guarded: Vec<bool> = cands.iter().map(|c| guarded(c.pos)).collect();
            let engine = Engine {
                ctx,
                baselines,
                prevalence: ip_prevalence::users_per_ip(ctx, &cands),
                risky: risky_ip::risky_ips(ctx),
                anomalies: session_anomaly::run(ctx, baselines),
                actions: remediated::actions(ctx),
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
            (pairs, splits, hops, kits)
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
    coverage_warnings(ctx, &mut warnings);

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
    let drafts: Vec<_> = crate::par::map(&users, |anchors| {
        let positions: Vec<Pos> = anchors.iter().map(|&(p, _)| p).collect();
        group_by_origin(ctx, &positions)
            .into_iter()
            .map(|group| engine.draft(anchors, &group))
            .collect::<Vec<_>>()
    })
    .into_iter()
    .flatten()
    .collect();

    // Campaign pivot across findings.
    let ua_users = ua_user_counts(ctx, &drafts);
    let subjects: Vec<campaign::Subject> = drafts.iter().map(|d| d.subject.clone()).collect();
    let links = campaign::run(&subjects, &ua_users, ctx.settings);
    let mut findings = Vec::with_capacity(drafts.len());
    for (mut d, link) in drafts.into_iter().zip(links) {
        if !link.is_empty() {
            let points = ctx.settings.weights.campaign;
            d.finding.facts.push(Fact {
                rule: campaign::ID.to_owned(),
                points,
                detail: format!("Campaign: {}.", link.join("; ")),
            });
            d.finding.explanation.push(format!("Campaign: {}.", link.join("; ")));
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
    (findings, warnings)
}

fn coverage_warnings(ctx: &Ctx<'_>, warnings: &mut Vec<String>) {
    let mut kinds = [0u64; 5];
    let mut with_session = 0u64;
    let mut with_asn = 0u64;
    let mut sign_ins = 0u64;
    // Counts: the events in the dataset's order (sequential reads), not the canonical one.
    for e in &ctx.ds.events {
        let k = match e.kind {
            EventKind::Interactive => 0,
            EventKind::NonInteractive => 1,
            EventKind::ServicePrincipal => 2,
            EventKind::ManagedIdentity => 3,
            EventKind::Audit => 4,
        };
        kinds[k] += 1;
        if e.kind.is_user_sign_in() {
            sign_ins += 1;
            with_session += u64::from(!e.session_id.is_empty());
            with_asn += u64::from(ctx.ds.place(e).asn != 0);
        }
    }
    if kinds[0] == 0 {
        warnings.push(
            "No interactive sign-ins loaded: there is no baseline, so token-from-unfamiliar-network, \
             new-country and H2 cannot fire. Load the interactive sign-in log."
                .to_owned(),
        );
    }
    if kinds[1] == 0 {
        warnings.push(
            "No non-interactive sign-ins loaded: token replays (H1, H2) are invisible. Load the \
             non-interactive sign-in log."
                .to_owned(),
        );
    }
    if kinds[4] == 0 {
        warnings.push(
            "No audit events loaded: post-compromise-activity and remediated cannot fire, so no \
             finding can reach critical. Load the Unified Audit Log."
                .to_owned(),
        );
    }
    if sign_ins > 0 && with_session == 0 {
        warnings.push(
            "No sign-in carries a session id (exports before late 2024, or Graph v1.0): \
             session-origin-split and session-anomaly cannot fire."
                .to_owned(),
        );
    }
    if sign_ins > 0 && with_asn == 0 {
        warnings.push(
            "No sign-in carries an ASN: network comparisons fall back to prefixes and countries; \
             H2 and hosting-network cannot fire."
                .to_owned(),
        );
    }
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
    let asn = ctx.ds.place(e).asn;
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
fn group_by_origin(ctx: &Ctx<'_>, positions: &[Pos]) -> Vec<Vec<Pos>> {
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

impl Engine<'_, '_> {
    fn judge(&self, pos: Pos, a: &Anchor) -> Judged<'_> {
        let ctx = self.ctx;
        let e = ctx.ev(pos);
        let mut j = Judged {
            familiar: guards::familiar_asn(ctx, self.baselines, pos),
            hosting: ctx.is_hosting(ctx.ds.place(e).asn),
            new_country: new_country::is_new(ctx, self.baselines, pos),
            ..Judged::default()
        };
        if let Some(ip) = ctx.ds.ip(e).map(|ip| ip.to_canonical()) {
            j.users = self.prevalence.get(&ip).copied().unwrap_or(
                match ctx.settings.ip_prevalence_scope {
                    // An anchor that is no candidate still has its own user.
                    PrevalenceScope::Candidates | PrevalenceScope::AllData => 1,
                },
            );
            j.prevalence = Some(Prevalence::of(j.users, ctx.settings));
            j.risky = self.risky.get(&ip);
        }
        if e.kind == EventKind::NonInteractive {
            j.nearby = no_nearby_interactive::nearby(ctx, pos);
        }
        j.unfamiliar_live = a.unfamiliar.is_some() && j.familiar.is_none();
        let shared = matches!(j.prevalence, Some(Prevalence::Shared(_)));
        j.medium_grade =
            j.unfamiliar_live && j.prevalence == Some(Prevalence::Single) && j.nearby.is_none();
        j.replay = (j.unfamiliar_live && !shared && j.nearby.is_none())
            || (a.pair_with.is_some() && j.familiar.is_none())
            || a.split_from.is_some();
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

    fn sign_in_label(&self, e: &Event) -> String {
        match e.kind {
            EventKind::Interactive => format!("interactive sign-in to {}", self.ctx.app_label(e)),
            EventKind::NonInteractive => {
                format!("token refresh (non-interactive sign-in to {})", self.ctx.app_label(e))
            }
            _ => format!("{} event", e.kind.as_str()),
        }
    }

    /// The finding of one group of a user's anchors (`anchors`: all of the user's, by position).
    fn draft(&self, anchors: &[(Pos, &Anchor)], group: &[Pos]) -> Draft {
        let ctx = self.ctx;
        let w = &ctx.settings.weights;
        let user_sym = ctx.ev(group[0]).user;
        let user = ctx.s(user_sym).to_owned();
        // The group's anchors, looked up once: the code below reads them about ten times each.
        let of = |p: &Pos| anchors.binary_search_by_key(p, |&(q, _)| q).map(|i| anchors[i].1);
        let anchors =
            &GroupMap::new(group, group.iter().map(|p| of(p).expect("an anchor")).collect());
        let active: Vec<Pos> =
            group.iter().copied().filter(|p| anchors[p].suppressed.is_none()).collect();
        let judged =
            GroupMap::new(group, group.iter().map(|&p| self.judge(p, anchors[&p])).collect());
        let shown: &[Pos] = if active.is_empty() { group } else { &active };

        // Attacker-side attributes.
        let evs = || shown.iter().map(|&p| ctx.ev(p));
        let ips: Vec<String> = sorted_unique(evs().filter_map(|e| ctx.ds.ip(e)))
            .iter()
            .map(|ip| ip.to_string())
            .collect();
        let asns: Vec<u32> = sorted_unique(evs().map(|e| ctx.ds.place(e).asn).filter(|&a| a != 0));
        let countries = sorted_texts(ctx, evs().map(|e| ctx.ds.place(e).location.country));
        let session_ids = sorted_id_texts(ctx, evs().map(|e| e.session_id));
        let user_agents = sorted_texts(ctx, evs().map(|e| ctx.ds.client(e).user_agent));

        let linked: Vec<Linked> = post_compromise_activity::link(ctx, user_sym, &active);
        let mut facts: Vec<Fact> = Vec::new();
        let mut sentences: Vec<String> = Vec::new();
        let mut tail: Vec<String> = Vec::new();
        let mut suppressions: BTreeSet<String> = BTreeSet::new();
        let mut referenced: BTreeSet<Pos> = group.iter().copied().collect();
        let fact = |facts: &mut Vec<Fact>, rule: &str, points: i64, detail: String| {
            facts.push(Fact { rule: rule.to_owned(), points, detail });
        };

        // Suppressions by allowlist.
        let mut by_entry: BTreeMap<&str, u32> = BTreeMap::new();
        for &p in group {
            if let Some(s) = anchors[&p].suppressed.as_deref() {
                *by_entry.entry(s).or_default() += 1;
            }
        }
        for (entry, n) in &by_entry {
            suppressions
                .insert(format!("suppressed by allowlist {entry} ({n} suspicious event(s))"));
        }

        // Headline.
        let first = ctx.ev(shown[0]);
        let last = ctx.ev(*shown.last().unwrap_or(&shown[0]));
        let asn_labels: Vec<String> = asns.iter().map(|&a| enrich::asn_label(a)).collect();
        let ip_list = if ips.len() > 3 {
            format!("{} and {} more", ips[..3].join(", "), ips.len() - 3)
        } else if ips.is_empty() {
            "unlogged addresses".to_owned()
        } else {
            ips.join(", ")
        };
        sentences.push(format!(
            "{} suspicious sign-in(s) of {user} from {ip_list} ({}{}) between {} and {}.",
            shown.len(),
            if asn_labels.is_empty() { "ASN not logged".to_owned() } else { asn_labels.join(", ") },
            if countries.is_empty() {
                String::new()
            } else {
                format!("; {}", countries.join(", "))
            },
            rfc3339(first.time),
            rfc3339(last.time),
        ));

        // token-from-unfamiliar-network (+ guard).
        let unfamiliar: Vec<Pos> =
            active.iter().copied().filter(|p| anchors[p].unfamiliar.is_some()).collect();
        if let Some(&p) =
            unfamiliar.iter().find(|p| judged[p].unfamiliar_live).or(unfamiliar.first())
        {
            let e = ctx.ev(p);
            let ip = ctx.ds.ip(e).map(|i| ctx.prefix(i).to_string()).unwrap_or_default();
            let n = anchors[&p].unfamiliar.unwrap_or(0);
            let thin = self
                .baselines
                .users
                .get(&user_sym)
                .is_some_and(|b| b.interactive < ctx.settings.min_baseline_sign_ins);
            let more = if unfamiliar.len() > 1 {
                format!(" {} such sign-ins in all.", unfamiliar.len())
            } else {
                String::new()
            };
            let d = format!(
                "{} from {} at {}: neither the address nor its prefix {ip} is among the {n} IPs of \
                 the user's successful interactive sign-ins{}.{more}",
                capitalize(&self.sign_in_label(e)),
                ctx.origin_label(e),
                rfc3339(e.time),
                if thin { " (thin baseline)" } else { "" },
            );
            fact(&mut facts, token_from_unfamiliar_network::ID, w.unfamiliar_network, d.clone());
            sentences.push(d);
            if unfamiliar.iter().all(|p| !judged[p].unfamiliar_live) {
                let days = judged[&p].familiar.unwrap_or(0);
                let d = format!(
                    "Familiar-network guard: the user signed in from {} on {days} day(s), so new \
                     addresses inside it are likely IP rotation (carrier NAT, VPN pool), not a new \
                     network.",
                    enrich::asn_label(ctx.ds.place(e).asn)
                );
                suppressions.insert(format!(
                    "guard: familiar network {} ({days} days) weakened token-from-unfamiliar-network",
                    enrich::asn_label(ctx.ds.place(e).asn)
                ));
                fact(&mut facts, token_from_unfamiliar_network::ID, w.familiar_network, d.clone());
                sentences.push(d);
            }
        }

        // ip-prevalence: the least-shared IP among the unfamiliar anchors (else all anchors).
        let prevalence_pool: &[Pos] = if unfamiliar.is_empty() { &active } else { &unfamiliar };
        if let Some(&p) = prevalence_pool
            .iter()
            .filter(|p| judged[p].prevalence.is_some())
            .min_by_key(|p| (judged[p].users, **p))
        {
            let j = &judged[&p];
            if let (Some(class), Some(ip)) = (j.prevalence, ctx.ds.ip(ctx.ev(p))) {
                let scope = match ctx.settings.ip_prevalence_scope {
                    PrevalenceScope::AllData => "in all loaded data",
                    PrevalenceScope::Candidates => "among the unfamiliar-network candidates",
                };
                let d = format!("{ip} is {}: {} user(s) {scope}.", class.label(), j.users);
                fact(&mut facts, ip_prevalence::ID, class.points(ctx.settings), d.clone());
                sentences.push(d);
            }
        }

        // no-nearby-interactive, over non-interactive unfamiliar anchors.
        let ni_unfamiliar: Vec<Pos> = unfamiliar
            .iter()
            .copied()
            .filter(|p| ctx.ev(*p).kind == EventKind::NonInteractive)
            .collect();
        if !ni_unfamiliar.is_empty() {
            let hours = ctx.settings.nearby_interactive_hours;
            if let Some(&p) = ni_unfamiliar.iter().find(|p| judged[p].nearby.is_none()) {
                let ip = ctx.ds.ip(ctx.ev(p)).map(|i| i.to_string()).unwrap_or_default();
                let d = format!(
                    "No successful interactive sign-in by the user from {ip} within ±{hours} h of \
                     the token use."
                );
                fact(&mut facts, no_nearby_interactive::ID, w.no_nearby_interactive, d.clone());
                sentences.push(d);
            } else if let Some(near) = judged[&ni_unfamiliar[0]].nearby {
                let n = ctx.ev(near);
                referenced.insert(near);
                let d = format!(
                    "The user also signed in interactively from {} at {} (within ±{hours} h): \
                     likely a new location of the user.",
                    ctx.ds.ip(n).map(|i| i.to_string()).unwrap_or_default(),
                    rfc3339(n.time)
                );
                fact(&mut facts, no_nearby_interactive::ID, w.nearby_interactive, d.clone());
                sentences.push(d);
            }
        }

        // short-window-origin-switch.
        if let Some(&p) = active.iter().find(|p| anchors[p].pair_with.is_some()) {
            let i = anchors[&p].pair_with.unwrap_or(p);
            referenced.insert(i);
            let (ie, ne) = (ctx.ev(i), ctx.ev(p));
            let guarded = judged[&p].familiar.is_some();
            let d = format!(
                "Interactive sign-in from {} at {}, then {} later a non-interactive sign-in from {}: \
                 another IP and another ASN within {} minutes (H2){}.",
                ctx.origin_label(ie),
                rfc3339(ie.time),
                duration_label(ne.time - ie.time),
                ctx.origin_label(ne),
                ctx.settings.short_window_minutes,
                if guarded { "; but the second network is one the user is at home in" } else { "" }
            );
            if guarded {
                suppressions.insert(format!(
                    "guard: familiar network {} weakened short-window-origin-switch",
                    enrich::asn_label(ctx.ds.place(ne).asn)
                ));
            }
            fact(&mut facts, short_window_origin_switch::ID, w.short_window_switch, d.clone());
            sentences.push(d);
        }

        // session-origin-split.
        let split_anchors: Vec<Pos> =
            active.iter().copied().filter(|p| anchors[p].split_from.is_some()).collect();
        if let Some(&p) = split_anchors
            .iter()
            .find(|p| ctx.is_hosting(ctx.ds.place(ctx.ev(**p)).asn))
            .or(split_anchors.first())
        {
            let (o, interactive) = anchors[&p].split_from.unwrap_or((p, false));
            referenced.insert(o);
            let (oe, e) = (ctx.ev(o), ctx.ev(p));
            let d = format!(
                "Session {} began with {} from {} at {}; {} later it was used from {}, a network \
                 that sign-in did not use{}.",
                short_id(&ctx.id(e.session_id)),
                if interactive {
                    "an interactive sign-in"
                } else {
                    "its first sign-in in the data"
                },
                ctx.origin_label(oe),
                rfc3339(oe.time),
                duration_label(e.time - oe.time),
                ctx.origin_label(e),
                if ctx.is_hosting(ctx.ds.place(e).asn) { " (a hosting network)" } else { "" },
            );
            fact(&mut facts, session_origin_split::ID, w.session_split, d.clone());
            sentences.push(d);
        }

        // impossible-travel.
        if let Some(&p) = active.iter().find(|p| anchors[p].hop.is_some())
            && let Some((from, km, kmh)) = anchors[&p].hop
        {
            {
                referenced.insert(from);
                let (a, b) = (ctx.ev(from), ctx.ev(p));
                let speed = if kmh.is_finite() {
                    format!("{kmh:.0} km/h")
                } else {
                    "no time at all".to_owned()
                };
                let d = format!(
                    "Interactive sign-ins from {} at {} and from {} at {}: {km:.0} km apart in {} \
                     ({speed}).",
                    ctx.origin_label(a),
                    rfc3339(a.time),
                    ctx.origin_label(b),
                    rfc3339(b.time),
                    duration_label(b.time - a.time),
                );
                fact(&mut facts, impossible_travel::ID, w.impossible_travel, d.clone());
                sentences.push(d);
            }
        }

        // aitm-kit-fingerprint (sign-ins, and ViaProxy on linked audits).
        let mut kit: Vec<String> = Vec::new();
        if let Some(&p) = active.iter().find(|p| !anchors[p].kit.is_empty()) {
            kit.push(format!("at {}: {}", rfc3339(ctx.ev(p).time), anchors[&p].kit.join("; ")));
        }
        if let Some(l) = linked.iter().find(|l| aitm_kit_fingerprint::via_proxy(ctx, ctx.ev(l.pos)))
        {
            kit.push(format!(
                "{} at {} carries Client=OWA;Action=ViaProxy",
                ctx.ds.audit(ctx.ev(l.pos)).map(|a| ctx.s(a.operation)).unwrap_or(""),
                rfc3339(ctx.ev(l.pos).time)
            ));
        }
        if !kit.is_empty() {
            let d = format!("AiTM kit trace {}.", kit.join("; "));
            fact(&mut facts, aitm_kit_fingerprint::ID, w.aitm_kit, d.clone());
            sentences.push(d);
        }

        // risky-ip.
        let risky_of = |p: &Pos| {
            anchors[p].risky_self.clone().map(|r| (*p, r)).or_else(|| judged[p].risky.cloned())
        };
        if let Some((rp, why)) = active.iter().find_map(risky_of) {
            let e = ctx.ev(rp);
            referenced.insert(rp);
            let d = format!(
                "Entra ID Protection flagged a sign-in from {} at {}: {why}.",
                ctx.ds.ip(e).map(|i| i.to_string()).unwrap_or_default(),
                rfc3339(e.time)
            );
            fact(&mut facts, risky_ip::ID, w.risky_ip, d.clone());
            sentences.push(d);
        }

        // hosting-network.
        if let Some(h) = active
            .iter()
            .find(|p| judged[p].hosting)
            .and_then(|&p| hosting_network::check(ctx, ctx.ds.place(ctx.ev(p)).asn))
        {
            let d = format!("{}.", capitalize(&h));
            fact(&mut facts, hosting_network::ID, w.hosting_network, d.clone());
            sentences.push(d);
        }

        // new-country.
        if let Some(c) = active
            .iter()
            .find(|p| judged[p].new_country)
            .and_then(|&p| new_country::check(ctx, self.baselines, p))
        {
            let d = format!("{}.", capitalize(&c));
            fact(&mut facts, new_country::ID, w.new_country, d.clone());
            sentences.push(d);
        }

        // session-anomaly.
        if let Some((sid, an)) = active.iter().find_map(|&p| {
            let e = ctx.ev(p);
            self.anomalies.get(&(e.user, e.session_id)).map(|a| (e.session_id, a))
        }) {
            let d = format!(
                "Session {} is unlike the user's other sessions: {} (score {:.1} ≥ {:.1}).",
                short_id(&ctx.id(sid)),
                an.detail,
                an.score,
                ctx.settings.session_anomaly_threshold
            );
            fact(&mut facts, session_anomaly::ID, w.session_anomaly, d.clone());
            sentences.push(d);
        }

        // post-compromise-activity.
        let mut related_audit = Vec::new();
        for l in &linked {
            referenced.insert(l.pos);
            let e = ctx.ev(l.pos);
            related_audit.push(AuditRef {
                operation: ctx
                    .ds
                    .audit(e)
                    .map(|a| ctx.s(a.operation).to_owned())
                    .unwrap_or_default(),
                time: rfc3339(e.time),
                linked_by: l.by.to_owned(),
                detail: l.detail.clone(),
                source: self.event_ref(l.pos),
            });
        }
        let strongest = linked.iter().map(|l| l.class).max();
        if let Some(class) = strongest {
            let points = match class {
                Class::Persistence => w.post_compromise_persistence,
                Class::Access => w.post_compromise_access,
            };
            let shown_ops: Vec<String> = linked
                .iter()
                .take(6)
                .map(|l| {
                    let e = ctx.ev(l.pos);
                    format!(
                        "{} at {} ({} after the sign-in, tied by {})",
                        l.detail,
                        rfc3339(e.time),
                        duration_label(e.time - ctx.ev(l.anchor).time),
                        l.by
                    )
                })
                .collect();
            let more = linked.len().saturating_sub(6);
            let d = format!(
                "Within {} min of the suspicious sign-ins, from the same IP, session or token: {}{}.",
                ctx.settings.post_compromise_minutes,
                shown_ops.join("; "),
                if more > 0 { format!("; and {more} more") } else { String::new() }
            );
            fact(&mut facts, post_compromise_activity::ID, points, d.clone());
            sentences.push(d);
        }

        // The ladder.
        let any_replay_linked =
            linked.iter().find(|l| judged.get(&l.anchor).is_some_and(|j| j.replay));
        let access = linked.iter().any(|l| l.class == Class::Access);
        let medium: Vec<Pos> = active.iter().copied().filter(|p| judged[p].medium_grade).collect();
        // A hosting ASN counts when it is the anchor's own network or, for a token replayed from
        // elsewhere, the network the same session was signed in from: an AiTM kit's proxy signs
        // the victim in from a VPS and the stolen session is then replayed from a residential
        // proxy. Both sign-ins belong to this one finding (grouped by session id), so the rung
        // "unfamiliar + single-user + no nearby interactive + hosting ASN" holds for the finding.
        let session_hosting = |p: Pos| -> Option<Pos> {
            let sid = ctx.ev(p).session_id;
            if sid.is_empty() {
                return None;
            }
            active
                .iter()
                .copied()
                .find(|&q| q != p && ctx.ev(q).session_id == sid && judged[&q].hosting)
        };
        let high_cand = medium.iter().copied().find_map(|p| {
            let j = &judged[&p];
            if j.risky.is_some() || anchors[&p].risky_self.is_some() {
                Some("a risky IP".to_owned())
            } else if j.hosting {
                Some("a hosting ASN".to_owned())
            } else if access {
                Some("mail or file access".to_owned())
            } else {
                session_hosting(p).map(|q| {
                    format!(
                        "a hosting ASN in the same session (signed in from {} at {})",
                        enrich::asn_label(ctx.ds.place(ctx.ev(q)).asn),
                        rfc3339(ctx.ev(q).time)
                    )
                })
            }
        });
        let hosting_split =
            split_anchors.iter().copied().find(|p| ctx.is_hosting(ctx.ds.place(ctx.ev(*p)).asn));
        let (severity, reason) = if active.is_empty() {
            (
                Severity::Info,
                format!(
                    "Info: every suspicious event is allowlisted ({}).",
                    by_entry.keys().copied().collect::<Vec<_>>().join(", ")
                ),
            )
        } else if let Some(l) = any_replay_linked {
            let a = &anchors[&l.anchor];
            let rule = if a.unfamiliar.is_some() {
                token_from_unfamiliar_network::ID
            } else if a.split_from.is_some() {
                session_origin_split::ID
            } else {
                short_window_origin_switch::ID
            };
            let op = ctx.ds.audit(ctx.ev(l.pos)).map(|x| ctx.s(x.operation)).unwrap_or("");
            (
                Severity::Critical,
                format!(
                    "Critical: a replay signal ({rule}) is chained to post-compromise activity ({op}) \
                     tied by {}.",
                    l.by
                ),
            )
        } else if let Some(why) = high_cand {
            (
                Severity::High,
                format!(
                    "High: unfamiliar network, single-user IP and no nearby interactive sign-in, \
                     plus {why}."
                ),
            )
        } else if let Some(p) = hosting_split {
            (
                Severity::High,
                format!(
                    "High: the session was split onto hosting network {}.",
                    enrich::asn_label(ctx.ds.place(ctx.ev(p)).asn)
                ),
            )
        } else if !medium.is_empty() {
            (
                Severity::Medium,
                "Medium: unfamiliar network, single-user IP and no nearby interactive sign-in, \
                 nothing more."
                    .to_owned(),
            )
        } else {
            (Severity::Low, low_reason(&active, anchors, &judged))
        };

        // remediated.
        let first_time = group.iter().map(|&p| ctx.ev(p).time).min().unwrap_or(0);
        let mut last_time = group.iter().map(|&p| ctx.ev(p).time).max().unwrap_or(0);
        for l in &linked {
            last_time = last_time.max(ctx.ev(l.pos).time);
        }
        let remediation = match remediated::find(ctx, &self.actions, user_sym, first_time) {
            Some(act) => {
                referenced.insert(act.pos);
                let t = ctx.ev(act.pos).time;
                let op = ctx.ds.audit(ctx.ev(act.pos)).map(|x| ctx.s(x.operation)).unwrap_or("");
                let mut d = format!(
                    "Contained: {} at {} ({op}).",
                    if act.status == "sessions-revoked" {
                        "sessions revoked"
                    } else {
                        "account disabled"
                    },
                    rfc3339(t)
                );
                if last_time > t {
                    d.push_str(&format!(
                        " Suspicious activity continued until {}, after the remediation.",
                        rfc3339(last_time)
                    ));
                }
                fact(&mut facts, remediated::ID, 0, d.clone());
                tail.push(d);
                Remediation { status: act.status.to_owned(), time: rfc3339(t) }
            }
            None => {
                tail.push(
                    "Not contained: no session revocation or account disable follows in the loaded \
                     audit log."
                        .to_owned(),
                );
                Remediation { status: "none".to_owned(), time: String::new() }
            }
        };
        tail.push(reason.clone());
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
        let id =
            format!("F-{:08x}", super::fnv1a64(format!("{user}\n{first_key}").as_bytes()) >> 32);
        let first_seen = rfc3339(
            group
                .iter()
                .map(|&p| ctx.ev(p).time)
                .chain(linked.iter().map(|l| ctx.ev(l.pos).time))
                .min()
                .unwrap_or(0),
        );

        let forwards: Vec<String> = sorted_unique(linked.iter().flat_map(|l| {
            ctx.ds
                .audit(ctx.ev(l.pos))
                .map(|a| a.forward_to.iter().map(|f| ctx.s(*f).to_owned()).collect::<Vec<_>>())
                .unwrap_or_default()
        }));
        let eligible = !active.is_empty() && active.iter().any(|p| judged[p].replay);

        let finding = Finding {
            id,
            user: user.clone(),
            severity,
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
            remediation,
            suppressions: suppressions.into_iter().collect(),
            severity_reason: reason,
            baseline: self.summary(user_sym),
        };
        Draft {
            finding,
            subject: campaign::Subject { user, ips, user_agents, forwards, eligible },
            explanation_tail: tail,
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

fn low_reason(
    active: &[Pos],
    anchors: &GroupMap<'_, &Anchor>,
    judged: &GroupMap<'_, Judged>,
) -> String {
    let unfamiliar: Vec<&Pos> = active.iter().filter(|p| anchors[p].unfamiliar.is_some()).collect();
    if !unfamiliar.is_empty() {
        let mut why = Vec::new();
        if unfamiliar.iter().all(|p| judged[p].familiar.is_some()) {
            why.push("inside a network the user is at home in");
        }
        if unfamiliar.iter().any(|p| matches!(judged[p].prevalence, Some(Prevalence::Shared(_)))) {
            why.push("a shared IP");
        }
        if unfamiliar.iter().any(|p| matches!(judged[p].prevalence, Some(Prevalence::LowVolume(_))))
        {
            why.push("an IP used by several users");
        }
        if unfamiliar.iter().any(|p| judged[p].nearby.is_some()) {
            why.push("a nearby interactive sign-in from the same IP");
        }
        if why.is_empty() {
            why.push("no single-user, interactive-free origin");
        }
        return format!("Low: unfamiliar network but {} (likely a new location).", why.join(", "));
    }
    let mut rules = BTreeSet::new();
    for p in active {
        let a = &anchors[p];
        if a.pair_with.is_some() {
            rules.insert(short_window_origin_switch::ID);
        }
        if a.split_from.is_some() {
            rules.insert(session_origin_split::ID);
        }
        if a.hop.is_some() {
            rules.insert(impossible_travel::ID);
        }
        if !a.kit.is_empty() {
            rules.insert(aitm_kit_fingerprint::ID);
        }
        if a.risky_self.is_some() {
            rules.insert(risky_ip::ID);
        }
    }
    format!(
        "Low: {} without a token from an unfamiliar network (the ladder ranks these signals only \
         in combination).",
        rules.into_iter().collect::<Vec<_>>().join(", ")
    )
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}
