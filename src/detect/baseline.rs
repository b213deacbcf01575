//! Per-user baselines (docs/detection.md §3), built from the evidence itself.
//!
//! For every user: the successful interactive sign-ins inside the baseline window give the sets of
//! IPs, prefixes (IPv4 /24, IPv6 /48 by default), ASNs, countries, cities, device ids, browsers,
//! operating systems, user agents and apps, and an hour-of-day histogram. Every session of the user
//! (all user sign-ins sharing a session id) gets per-session statistics: events and distinct IPs,
//! ASNs, countries, browsers, operating systems, user agents, device ids and apps.
//!
//! Windows are anchored to the data (see [`super::context::Ctx`]). Sets are exact: membership is
//! equality of the address or of the prefix, never substring or term matching.

use crate::detect::{HashMap, HashSet};
use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;

use ipnet::IpNet;

use super::context::{Ctx, Pos, day_of};
use crate::model::{EventKind, Id, Sym};

/// One user's baseline.
#[derive(Debug, Default)]
pub(crate) struct Baseline {
    /// Successful interactive sign-ins in the baseline window.
    pub interactive: u32,
    /// Interactive sign-ins left out as suspect ([`suspects`]), sorted.
    pub excluded: Vec<Pos>,
    /// Their addresses (capped by `baseline_max_ips`, first seen kept).
    pub ips: HashSet<IpAddr>,
    /// Their prefixes (capped by `baseline_max_prefixes`, first seen kept).
    pub prefixes: HashSet<IpNet>,
    /// Prefixes in first-seen order (for the report).
    pub prefix_list: Vec<IpNet>,
    pub asns: BTreeSet<u32>,
    pub countries: BTreeSet<String>,
    pub cities: HashSet<Sym>,
    pub devices: HashSet<Sym>,
    pub browsers: HashSet<Sym>,
    pub oses: HashSet<Sym>,
    pub user_agents: HashSet<Sym>,
    pub apps: HashSet<Sym>,
    /// Sign-ins per UTC hour of day.
    pub hours: [u32; 24],
    /// ASNs the user is at home in, with the number of distinct days (familiar-network guard).
    pub familiar_asns: BTreeMap<u32, u32>,
    /// Interactive sign-ins per address and per prefix (uncapped), to ask "known from another
    /// sign-in than this one".
    pub ip_counts: HashMap<IpAddr, u32>,
    pub prefix_counts: HashMap<IpNet, u32>,
}

impl Baseline {
    /// True when the address or its prefix is in the baseline (H1's membership test).
    pub(crate) fn knows_ip(&self, ctx: &Ctx<'_>, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        self.ips.contains(&ip) || self.prefixes.contains(&ctx.prefix(ip))
    }

    /// True when the address or its prefix was used by another baseline interactive sign-in than
    /// the one at `self_ip` (pass `None` when the event is not itself in the baseline).
    pub(crate) fn knows_ip_from_others(
        &self,
        ctx: &Ctx<'_>,
        ip: IpAddr,
        self_in_baseline: bool,
    ) -> bool {
        let ip = ip.to_canonical();
        let own = u32::from(self_in_baseline);
        self.ip_counts.get(&ip).copied().unwrap_or(0) > own
            || self.prefix_counts.get(&ctx.prefix(ip)).copied().unwrap_or(0) > own
    }

    /// Days the ASN was used, when it reaches the familiar-network threshold.
    pub(crate) fn familiar_days(&self, ctx: &Ctx<'_>, asn: u32) -> Option<u32> {
        let min = ctx.settings.familiar_asn_min_days;
        if min == 0 || asn == 0 {
            return None;
        }
        self.familiar_asns.get(&asn).copied().filter(|&d| d >= min)
    }

    /// Hours of day (UTC) holding at least a tenth of the sign-ins, for the report.
    pub(crate) fn typical_hours(&self) -> Vec<u32> {
        let total: u32 = self.hours.iter().sum();
        (0..24u32).filter(|&h| total > 0 && self.hours[h as usize] * 10 >= total).collect()
    }
}

/// Statistics of one session.
#[derive(Debug, Clone, Default)]
pub(crate) struct SessionStats {
    pub session: Id,
    /// Positions of the session's sign-ins, in time order.
    pub events: Vec<Pos>,
    pub ips: u32,
    pub asns: u32,
    pub countries: u32,
    pub browsers: u32,
    pub oses: u32,
    pub user_agents: u32,
    pub devices: u32,
    pub apps: u32,
}

impl SessionStats {
    /// The feature vector, in the order of [`FEATURES`].
    pub(crate) fn features(&self) -> [f64; 9] {
        [
            f64::from(self.ips),
            f64::from(self.asns),
            f64::from(self.countries),
            f64::from(self.browsers),
            f64::from(self.oses),
            f64::from(self.user_agents),
            f64::from(self.devices),
            f64::from(self.apps),
            self.events.len() as f64,
        ]
    }
}

/// Names of the session features.
pub(crate) const FEATURES: [&str; 9] =
    ["IPs", "ASNs", "countries", "browsers", "OSes", "user agents", "devices", "apps", "events"];

/// Baselines and session statistics of every user.
#[derive(Debug, Default)]
pub(crate) struct Baselines {
    pub users: HashMap<Sym, Baseline>,
    /// Sessions per user, ordered by their first event.
    pub sessions: HashMap<Sym, Vec<SessionStats>>,
}

impl Baselines {
    pub(crate) fn get(&self, user: Sym) -> Option<&Baseline> {
        self.users.get(&user).filter(|b| b.interactive > 0)
    }
}

/// Builds every user's baseline and session statistics from every successful interactive
/// sign-in in the baseline window, as reference hunt H1 does.
pub(crate) fn build(ctx: &Ctx<'_>) -> Baselines {
    let mut out = Baselines::default();
    // Users are independent: built on several threads where there are any, gathered in order.
    for (user, (b, sessions)) in
        ctx.users().iter().zip(crate::par::map(ctx.users(), |&u| user(ctx, u, &[])))
    {
        out.users.insert(*user, b);
        out.sessions.insert(*user, sessions);
    }
    out
}

/// Builds the baselines the detection judges against: as [`build`], but interactive sign-ins
/// that are themselves suspect ([`suspect`]) stay out, so an attacker cannot whitelist their own
/// network (docs/detection.md §5): a browser-cookie replay that Entra logs as interactive does
/// not put its IP in the victim's baseline.
pub(crate) fn build_unpoisoned(ctx: &Ctx<'_>) -> Baselines {
    let mut out = build(ctx);
    let redo: Vec<(Sym, Vec<Pos>)> = crate::par::map(ctx.users(), |&u| {
        let suspects = suspects(ctx, &out, u);
        (u, suspects)
    })
    .into_iter()
    .filter(|(_, s)| !s.is_empty())
    .collect();
    let rebuilt = crate::par::map(&redo, |(u, suspects)| user(ctx, *u, suspects));
    for ((u, _), (b, sessions)) in redo.into_iter().zip(rebuilt) {
        out.users.insert(u, b);
        out.sessions.insert(u, sessions);
    }
    out
}

/// A user's successful interactive sign-ins in the baseline window that are themselves suspect:
/// a kit fingerprint of its own (a scripting library's user agent, or an OfficeHome browser
/// sign-in with no device id from a hosting network, a shape of Tycoon 2FA or Sneaky 2FA), a
/// Conditional Access MFA bypass through a first-party app, Entra's
/// token-theft risk
/// (`attackerinTheMiddle`, `anomalousToken`), a device-code or single-factor ROPC sign-in
/// (`device-code-phishing`, `legacy-ropc`) from a network the user is not familiar with, or a
/// session taken elsewhere: the session began
/// earlier on another network, and this sign-in, with no device id, comes from a network that
/// is not the user's own (not familiar by days, not the user's carrier); or a sign-in with no
/// device id in a session a kit, risk or named-variant suspect took part in.
pub(crate) fn suspects(ctx: &Ctx<'_>, first: &Baselines, user: Sym) -> Vec<Pos> {
    use super::rules::{aitm_kit_fingerprint, risky_ip};
    let interactive = ctx.user_interactive_successes(user);
    if interactive.is_empty() {
        return Vec::new();
    }
    let b = first.users.get(&user);
    // Sign-ins after an impossible device shift in their session (`sneaky-2fa`).
    let shifted: Vec<Pos> = super::rules::sneaky_2fa::of_user(ctx, user, &mut HashMap::default())
        .into_iter()
        .map(|(p, _)| p)
        .collect();
    // The first sign-in of each session of the user, with its ASN.
    let mut session_start: HashMap<Id, u32> = HashMap::default();
    let mut out = Vec::new();
    // Sessions a suspect interactive sign-in took part in.
    let mut tainted: crate::detect::HashSet<Id> = crate::detect::HashSet::default();
    let mut next = 0;
    for &pos in ctx.user_positions(user) {
        let e = ctx.ev(pos);
        if !e.kind.is_user_sign_in() {
            continue;
        }
        let asn = ctx.asn(e);
        let started = if e.session_id.is_empty() {
            None
        } else {
            Some(*session_start.entry(e.session_id).or_insert(asn))
        };
        if interactive.get(next) != Some(&pos) {
            continue;
        }
        next += 1;
        if !ctx.in_baseline(e.time) {
            continue;
        }
        let client = ctx.ds.client(e);
        let kit = aitm_kit_fingerprint::tool_agent(ctx.s(client.user_agent)).is_some()
            || (ctx
                .s(ctx.ds.app(e).app_id)
                .eq_ignore_ascii_case(crate::enrich::OFFICE_HOME_APP_ID)
                && client.device_id.is_empty()
                && ctx.is_hosting(asn));
        let risk = risky_ip::risk_of(ctx, e, &risky_ip::TOKEN_THEFT, crate::model::RiskLevel::Low)
            .is_some();
        let moved = started.is_some_and(|first_asn| {
            first_asn != 0
                && asn != 0
                && first_asn != asn
                && !ctx.is_microsoft(asn)
                && client.device_id.is_empty()
                && b.is_none_or(|b| {
                    b.familiar_days(ctx, asn).is_none()
                        && crate::enrich::carrier_family(asn).is_none_or(|f| {
                            !b.asns
                                .iter()
                                .any(|&a| a != asn && crate::enrich::carrier_family(a) == Some(f))
                        })
                })
        });
        // The named kits' shapes (`tycoon-2fa`, `sneaky-2fa`), and a Conditional Access MFA
        // bypass (`conditional-access-mfa-bypass`).
        let named_kit = super::rules::tycoon_2fa::reason(ctx, e).is_some()
            || shifted.contains(&pos)
            || super::rules::conditional_access_mfa_bypass::reason(ctx, e).is_some();
        // A device-code or single-factor ROPC sign-in from a network the user is not familiar
        // with: the attacker's server polling the code or spraying the password, which must not
        // make its own address familiar. The meeting-room screen signed in at the office and the
        // old mail client at home come from familiar networks and stay in.
        let variant_elsewhere = asn != 0
            && b.is_none_or(|b| b.familiar_days(ctx, asn).is_none())
            && (super::rules::device_code_phishing::device_code_sign(ctx, e).is_some()
                || super::rules::legacy_ropc::reason(ctx, e).is_some());
        let named_kit = named_kit || variant_elsewhere;
        // A later sign-in of a session a suspect sign-in began, from no registered device: the
        // attacker's own session going on (My Sign-ins, a consent prompt).
        let inherited =
            started.is_some() && client.device_id.is_empty() && tainted.contains(&e.session_id);
        if kit || risk || moved || named_kit || inherited {
            out.push(pos);
            // Only a sign-in hostile by its own shape taints its session (a session merely
            // moving to a new network is often the user's own travel).
            if started.is_some() && (kit || risk || named_kit) {
                tainted.insert(e.session_id);
            }
        }
    }
    out
}

/// One user's baseline and session statistics, leaving out the interactive sign-ins `exclude`
/// (sorted).
fn user(ctx: &Ctx<'_>, user: Sym, exclude: &[Pos]) -> (Baseline, Vec<SessionStats>) {
    let max_ips = ctx.settings.baseline_max_ips.map(|n| n as usize).unwrap_or(usize::MAX);
    let max_prefixes = ctx.settings.baseline_max_prefixes.map(|n| n as usize).unwrap_or(usize::MAX);
    {
        let mut b = Baseline::default();
        let mut asn_days: BTreeMap<u32, BTreeSet<i64>> = BTreeMap::new();
        b.excluded = exclude.to_vec();
        for &pos in ctx.user_interactive_successes(user) {
            let e = ctx.ev(pos);
            if !ctx.in_baseline(e.time) || exclude.binary_search(&pos).is_ok() {
                continue;
            }
            b.interactive += 1;
            if let Some(ip) = ctx.ds.ip(e).map(|ip| ip.to_canonical()) {
                *b.ip_counts.entry(ip).or_default() += 1;
                *b.prefix_counts.entry(ctx.prefix(ip)).or_default() += 1;
                if b.ips.len() < max_ips {
                    b.ips.insert(ip);
                }
                let p = ctx.prefix(ip);
                if b.prefixes.len() < max_prefixes && b.prefixes.insert(p) {
                    b.prefix_list.push(p);
                }
            }
            if ctx.asn(e) != 0 {
                b.asns.insert(ctx.asn(e));
                asn_days.entry(ctx.asn(e)).or_default().insert(day_of(e.time));
            }
            let country = ctx.country(e);
            if !country.is_empty() {
                b.countries.insert(country.to_ascii_uppercase());
            }
            for (set, sym) in [
                (&mut b.cities, ctx.ds.place(e).location.city),
                (&mut b.devices, ctx.ds.client(e).device_id),
                (&mut b.browsers, ctx.ds.client(e).browser),
                (&mut b.oses, ctx.ds.client(e).os),
                (&mut b.user_agents, ctx.ds.client(e).user_agent),
                (&mut b.apps, ctx.ds.app(e).app_id),
            ] {
                if !sym.is_empty() {
                    set.insert(sym);
                }
            }
            let hour = (e.time.rem_euclid(super::context::DAY) / super::context::HOUR) as usize;
            b.hours[hour.min(23)] += 1;
        }
        // One pass over all of the user's events (scattered through the dataset: each costs a
        // cache miss or two) for two things.
        // Non-interactive sign-ins from one of the user's own baseline devices also make an ASN
        // familiar (a phone refreshing over its carrier's NAT pool).
        // Sessions: every user sign-in with a session id, whatever the window.
        let mut sessions: Vec<SessionStats> = Vec::new();
        let mut index: HashMap<Id, usize> = HashMap::default();
        for &pos in ctx.user_positions(user) {
            let e = ctx.ev(pos);
            if e.kind == EventKind::NonInteractive
                && e.is_success()
                && ctx.in_baseline(e.time)
                && ctx.asn(e) != 0
                && !ctx.ds.client(e).device_id.is_empty()
                && b.devices.contains(&ctx.ds.client(e).device_id)
            {
                asn_days.entry(ctx.asn(e)).or_default().insert(day_of(e.time));
            }
            if !e.kind.is_user_sign_in() || e.session_id.is_empty() {
                continue;
            }
            let i = *index.entry(e.session_id).or_insert_with(|| {
                sessions.push(SessionStats { session: e.session_id, ..SessionStats::default() });
                sessions.len() - 1
            });
            sessions[i].events.push(pos);
        }
        b.familiar_asns = asn_days.into_iter().map(|(a, d)| (a, d.len() as u32)).collect();
        // Distinct values per feature, counted in vectors reused from session to session (a
        // session has a handful of events: sorting them beats building eight hash sets).
        let mut ips: Vec<IpAddr> = Vec::new();
        let mut asns: Vec<u32> = Vec::new();
        let mut syms: [Vec<Sym>; 6] = Default::default();
        let distinct = |v: &mut Vec<Sym>| {
            v.sort_unstable();
            v.dedup();
            v.len() as u32
        };
        for s in &mut sessions {
            ips.clear();
            asns.clear();
            syms.iter_mut().for_each(Vec::clear);
            for &pos in &s.events {
                let e = ctx.ev(pos);
                if let Some(ip) = ctx.ds.ip(e) {
                    ips.push(ip);
                }
                let (place, client) = (ctx.ds.place(e), ctx.ds.client(e));
                if place.asn != 0 {
                    asns.push(place.asn);
                }
                for (set, sym) in syms.iter_mut().zip([
                    place.location.country,
                    client.browser,
                    client.os,
                    client.user_agent,
                    client.device_id,
                    ctx.ds.app(e).app_id,
                ]) {
                    if !sym.is_empty() {
                        set.push(sym);
                    }
                }
            }
            ips.sort_unstable();
            ips.dedup();
            asns.sort_unstable();
            asns.dedup();
            s.ips = ips.len() as u32;
            s.asns = asns.len() as u32;
            let [countries, browsers, oses, uas, devices, apps] = &mut syms;
            s.countries = distinct(countries);
            s.browsers = distinct(browsers);
            s.oses = distinct(oses);
            s.user_agents = distinct(uas);
            s.devices = distinct(devices);
            s.apps = distinct(apps);
        }
        (b, sessions)
    }
}

/// Coverage warnings about thin baselines (docs/detection.md §3: say so instead of guessing).
pub(crate) fn warnings(ctx: &Ctx<'_>, baselines: &Baselines) -> Vec<String> {
    let mut out = Vec::new();
    if ctx.len() == 0 {
        return out;
    }
    let span_hours = (ctx.now - ctx.start) / super::context::HOUR;
    if span_hours < i64::from(ctx.settings.min_baseline_span_hours) {
        out.push(format!(
            "The data spans only {} (less than {} h): per-user baselines are thin, so \
             network familiarity (token-from-unfamiliar-network, new-country) is judged on very \
             little history.",
            super::context::duration_label(ctx.now - ctx.start),
            ctx.settings.min_baseline_span_hours
        ));
    }
    let (mut kept_out, mut kept_out_users) = (0usize, 0usize);
    for &user in ctx.users() {
        if let Some(b) = baselines.users.get(&user).filter(|b| !b.excluded.is_empty()) {
            kept_out += b.excluded.len();
            kept_out_users += 1;
        }
    }
    if kept_out > 0 {
        out.push(format!(
            "{kept_out} interactive sign-in(s) of {kept_out_users} user(s) were kept out of the \
             baselines as suspect (a kit fingerprint or a named kit's shape, a Conditional Access \
             MFA bypass, a device-code or ROPC sign-in from an unfamiliar network, Entra \
             token-theft risk, a session taken from another network, or a \
             later sign-in of such a session), so an attacker's own sign-in cannot make its network familiar."
        ));
    }
    let mut none = Vec::new();
    let mut thin = Vec::new();
    for &user in ctx.users() {
        let has_replay_candidates = ctx.user_positions(user).iter().any(|&p| {
            let e = ctx.ev(p);
            e.kind == EventKind::NonInteractive && e.is_success() && ctx.in_detection(e.time)
        });
        if !has_replay_candidates {
            continue;
        }
        let n = baselines.users.get(&user).map(|b| b.interactive).unwrap_or(0);
        if n == 0 {
            none.push(ctx.s(user).to_owned());
        } else if n < ctx.settings.min_baseline_sign_ins {
            thin.push(format!("{} ({n})", ctx.s(user)));
        }
    }
    let list = |v: &[String]| {
        let shown: Vec<&str> = v.iter().take(20).map(String::as_str).collect();
        let more = v.len().saturating_sub(20);
        if more > 0 { format!("{} and {more} more", shown.join(", ")) } else { shown.join(", ") }
    };
    if !none.is_empty() {
        out.push(format!(
            "{} user(s) have non-interactive sign-ins in the detection window but no successful \
             interactive sign-in in the baseline window, so token-from-unfamiliar-network cannot \
             judge them (like H1, which drops them): {}.",
            none.len(),
            list(&none)
        ));
    }
    if !thin.is_empty() {
        out.push(format!(
            "{} user(s) have fewer than {} successful interactive sign-ins in the baseline window; \
             their unfamiliar-network findings rest on a thin baseline: {}.",
            thin.len(),
            ctx.settings.min_baseline_sign_ins,
            list(&thin)
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::Settings;
    use crate::sim::builder::Builder;

    /// The addresses of the sign-ins kept out of the first user's baseline, in order.
    fn excluded_ips(ctx: &Ctx<'_>, clean: &Baselines) -> Vec<String> {
        clean.users[&ctx.ev(0).user]
            .excluded
            .iter()
            .map(|&p| ctx.ds.ip(ctx.ev(p)).map(|ip| ip.to_string()).unwrap_or_default())
            .collect()
    }

    #[test]
    fn baseline_sets_are_exact_and_windowed_to_the_data() {
        let mut b = Builder::new();
        b.i("alice@x.test", "2026-03-01T08:00:00Z", "198.51.100.20", 7922).device_id = "d1".into();
        b.i("alice@x.test", "2026-03-02T08:00:00Z", "198.51.100.21", 7922);
        b.ni("alice@x.test", "2026-03-02T09:00:00Z", "203.0.113.7", 14061);
        let failed = b.i("alice@x.test", "2026-03-02T10:00:00Z", "192.0.2.1", 7018);
        failed.error_code = 50126;
        let ds = b.dataset();
        let s = Settings::default();
        let ctx = Ctx::new(&ds, &s);
        let bl = build(&ctx);
        let a = bl.get(ctx.ev(0).user).expect("a baseline");
        assert_eq!(a.interactive, 2, "successes only");
        assert_eq!(a.ips.len(), 2);
        assert_eq!(a.prefix_list.len(), 1, "one /24");
        assert!(a.asns.contains(&7922) && !a.asns.contains(&14061) && !a.asns.contains(&7018));
        assert_eq!(a.familiar_asns.get(&7922), Some(&2), "two days");
        assert!(a.knows_ip(&ctx, "198.51.100.99".parse().unwrap()), "the prefix is known");
        assert!(!a.knows_ip(&ctx, "203.0.113.7".parse().unwrap()));
    }

    #[test]
    fn suspect_interactive_sign_ins_stay_out() {
        let mut b = Builder::new();
        for day in 1..=3 {
            let s =
                b.i("alice@x.test", &format!("2026-03-0{day}T08:00:00Z"), "198.51.100.20", 7922);
            s.session_id = format!("s{day}");
            s.device_id = "d1".into();
        }
        // Her laptop at the office (a familiar network, two days) in a session begun at home:
        // the user's own move, kept.
        for day in 1..=2 {
            let s = b.i("alice@x.test", &format!("2026-03-0{day}T12:00:00Z"), "192.0.2.10", 3320);
            s.session_id = format!("s{day}");
        }
        // The home session signed in again from a stranger's network with no device id: a
        // stolen cookie, kept out.
        b.i("alice@x.test", "2026-03-03T13:00:00Z", "203.0.113.7", 7018).session_id = "s3".into();
        // A scripting library's user agent, kept out.
        b.i("alice@x.test", "2026-03-03T14:00:00Z", "203.0.113.8", 7018).user_agent =
            "axios/1.6.8".into();
        let ds = b.dataset();
        let s = Settings::default();
        let ctx = Ctx::new(&ds, &s);
        let plain = build(&ctx);
        let clean = build_unpoisoned(&ctx);
        let user = ctx.ev(0).user;
        let out = excluded_ips(&ctx, &clean);
        assert_eq!(out, ["203.0.113.7", "203.0.113.8"]);
        assert!(plain.users[&user].knows_ip(&ctx, "203.0.113.7".parse().unwrap()));
        assert!(!clean.users[&user].knows_ip(&ctx, "203.0.113.7".parse().unwrap()));
        assert!(clean.users[&user].knows_ip(&ctx, "192.0.2.10".parse().unwrap()));
    }

    #[test]
    fn a_session_begun_by_a_suspect_sign_in_stays_out_and_named_variants_are_suspects() {
        let mut b = Builder::new();
        for day in 1..=3 {
            let s =
                b.i("alice@x.test", &format!("2026-03-0{day}T08:00:00Z"), "198.51.100.20", 7922);
            s.device_id = "d1".into();
        }
        // The attacker's password-only sign-in through a first-party app, the MFA policy not
        // applied (a suspect of its own), then the same session on My Sign-ins from the same
        // address with a browser and no device id (kept out with it).
        let s = b.i("alice@x.test", "2026-03-03T09:00:00Z", "203.0.113.7", 7018);
        s.session_id = "atk".into();
        s.app_id = "1b730954-1685-4b74-9bfd-dac224a7b894".into();
        s.resource = "Microsoft Graph".into();
        s.auth_requirement = "singleFactorAuthentication".into();
        s.ca_mfa_not_applied = vec!["Require MFA for all users".into()];
        b.i("alice@x.test", "2026-03-03T09:15:00Z", "203.0.113.7", 7018).session_id = "atk".into();
        // Outdated browsers rotating in one session (Sneaky 2FA).
        for (k, ua) in [
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/103.0.0.0 Safari/537.36",
            "Mozilla/5.0 (X11; Linux x86_64; rv:102.0) Gecko/20100101 Firefox/102.0",
        ]
        .iter()
        .enumerate()
        {
            let s = b.i("alice@x.test", &format!("2026-03-03T10:0{k}:00Z"), "192.0.2.77", 7018);
            s.session_id = "sn".into();
            s.user_agent = (*ua).into();
        }
        let ds = b.dataset();
        let s = Settings::default();
        let ctx = Ctx::new(&ds, &s);
        let clean = build_unpoisoned(&ctx);
        let user = ctx.ev(0).user;
        let out = excluded_ips(&ctx, &clean);
        assert_eq!(out, ["203.0.113.7", "203.0.113.7", "192.0.2.77"], "{out:?}");
        assert!(clean.users[&user].knows_ip(&ctx, "198.51.100.20".parse().unwrap()));
    }

    #[test]
    fn device_code_and_ropc_sign_ins_stay_out_only_from_an_unfamiliar_network() {
        let mut b = Builder::new();
        crate::detect::rules::at_home(&mut b, "alice@x.test");
        // The attacker's server polls a device code, another sprays a password by ROPC.
        let s = b.i("alice@x.test", "2026-03-08T09:00:00Z", "203.0.113.7", 14061);
        s.auth_protocol = "deviceCode".into();
        s.session_id = "dc".into();
        let s = b.i("alice@x.test", "2026-03-08T10:00:00Z", "203.0.113.9", 24940);
        s.user_agent = "BAV2ROPC".into();
        s.auth_requirement = "singleFactorAuthentication".into();
        // A meeting-room screen signed in by device code, and the old mail client by ROPC, from
        // the user's own (familiar) network.
        let s = b.i("alice@x.test", "2026-03-08T11:00:00Z", "198.51.100.21", 7922);
        s.auth_protocol = "deviceCode".into();
        let s = b.i("alice@x.test", "2026-03-08T12:00:00Z", "198.51.100.22", 7922);
        s.auth_protocol = "ropc".into();
        s.auth_requirement = "singleFactorAuthentication".into();
        let ds = b.dataset();
        let s = Settings::default();
        let ctx = Ctx::new(&ds, &s);
        let clean = build_unpoisoned(&ctx);
        let user = ctx.ev(0).user;
        let out = excluded_ips(&ctx, &clean);
        assert_eq!(out, ["203.0.113.7", "203.0.113.9"], "{out:?}");
        assert!(clean.users[&user].knows_ip(&ctx, "198.51.100.21".parse().unwrap()));
    }
}
