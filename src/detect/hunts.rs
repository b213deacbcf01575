//! The raw result rows of the two reference hunts (docs/detection.md §7), as their KQL returns
//! them: what `sessionhunt hunt h1|h2` prints, and what the fidelity tests check, row for row and
//! column for column, against hand-computed rows (`tests/detect_hunts.rs`) and against an
//! independent translation of the KQL to DuckDB SQL (`scripts/oracle/`, `tests/hunts_oracle.rs`).
//!
//! [`h1`] follows H1's KQL literally, where the rules deliberately differ from it:
//! - users are `UserPrincipalName` **as logged**: KQL's `summarize … by UserPrincipalName` and
//!   `join … on UserPrincipalName` are case-sensitive, so `Erin@Contoso.test` in `SigninLogs` and
//!   `erin@contoso.test` in `AADNonInteractiveUserSignInLogs` are two users and the second has no
//!   baseline (the rules compare lower-cased UPNs, docs/detection.md §3);
//! - the prefix set holds IPv4 `a.b.c.0/24` prefixes only (the KQL builds them from the dotted
//!   quad); an IPv6 address is compared as a whole address (the rules compare IPv6 /48s);
//! - a sign-in with no IP takes part as KQL's empty `IPAddress` does: a value like any other.
//!
//! The KQL leaves open which 100 IPs (50 prefixes) `make_set(…, 100)` keeps when a user has more;
//! here, and in the oracle, they are the ones first seen earliest in the baseline window, ties
//! broken by their text (`make_set`'s own order is unspecified; this one is deterministic and can
//! be written in SQL).
//!
//! Where the data does not tell the two apart, H1's rows are exactly the candidates of the rule
//! `token-from-unfamiliar-network` (a unit test below checks it). [`h2`] is the rule
//! `short-window-origin-switch`, which follows H2's KQL (lower-cased users).
//!
//! Both take their windows from the settings: [`crate::Settings::h1_preset`] gives H1's 7 and 30
//! days; the default is the whole data span. "Now" is the latest event loaded.
//!
//! Two conventions of the model hold here where KQL would see the raw text: IPs are compared as
//! addresses (`2001:DB8::1` equals `2001:db8::1`; an unparseable IP is no IP), and ASN 0 is an
//! empty ASN (it is reserved, RFC 7607, and the model stores a missing ASN as 0). A row with no
//! UPN is keyed by its user (the object id) instead of KQL's empty string, which would merge every
//! such user into one.

use std::net::IpAddr;

use ipnet::Ipv4Net;
use serde::Serialize;

use super::context::{Ctx, HOUR, Pos};
use super::rules::ip_prevalence::Prevalence;
use super::rules::short_window_origin_switch;
use super::{HashMap, HashSet};
use crate::ingest::Dataset;
use crate::model::{Event, EventKind, Millis, Sym};
use crate::settings::{PrevalenceScope, Settings};
use crate::time::rfc3339;

/// The columns of [`H1Row`], in order (its serialized field names).
pub const H1_COLUMNS: [&str; 14] = [
    "time",
    "user",
    "ip",
    "country",
    "city",
    "app",
    "os",
    "browser",
    "resource",
    "user_agent",
    "baseline_ip_count",
    "ip_users",
    "ip_prevalence",
    "nearby_interactive",
];

/// One row of H1 (core query plus enrichments 1 and 2), in the KQL's column order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct H1Row {
    /// Sign-in time, RFC 3339 (`TimeGenerated`).
    pub time: String,
    /// `UserPrincipalName` as logged (the user, i.e. the object id, when the row has no UPN).
    pub user: String,
    /// IP address; empty when not logged.
    pub ip: String,
    /// Country (`Location`).
    pub country: String,
    /// City (`LocationDetails.city`).
    pub city: String,
    /// Application name (`AppDisplayName`).
    pub app: String,
    /// Device operating system (`DeviceDetail.operatingSystem`).
    pub os: String,
    /// Browser (`DeviceDetail.browser`).
    pub browser: String,
    /// Resource (`ResourceDisplayName`).
    pub resource: String,
    /// User agent.
    pub user_agent: String,
    /// Size of the user's baseline IP set (after the cap).
    pub baseline_ip_count: u32,
    /// Distinct users among the candidates from this IP (enrichment 1; among all events of the
    /// IP with `ip_prevalence_scope = "all-data"`).
    pub ip_users: u32,
    /// Enrichment 1's label.
    pub ip_prevalence: String,
    /// Enrichment 2: a successful interactive sign-in of the same user from the same IP within
    /// ±`nearby_interactive_hours` (24 h).
    pub nearby_interactive: bool,
}

/// One user's baseline while it is built: each address and IPv4 /24 with the time it was first
/// seen.
#[derive(Default)]
struct FirstSeen {
    ips: HashMap<Option<IpAddr>, Millis>,
    prefixes: HashMap<Ipv4Net, Millis>,
}

/// A user's baseline: the capped sets.
struct Baseline {
    ips: HashSet<Option<IpAddr>>,
    prefixes: HashSet<Ipv4Net>,
}

/// The `max` entries first seen earliest, ties broken by their text.
fn earliest<K: Copy + Eq + std::hash::Hash>(
    seen: &HashMap<K, Millis>,
    max: Option<u32>,
    text: impl Fn(&K) -> String,
) -> HashSet<K> {
    let mut all: Vec<(Millis, String, K)> = seen.iter().map(|(k, &t)| (t, text(k), *k)).collect();
    all.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
    let max = max.map_or(usize::MAX, |m| m as usize);
    all.into_iter().take(max).map(|(_, _, k)| k).collect()
}

fn ip_text(ip: &Option<IpAddr>) -> String {
    ip.map(|i| i.to_string()).unwrap_or_default()
}

/// H1's `a.b.c.0/24` of an IPv4 address (IPv4-mapped IPv6 included); none for IPv6.
fn slash24(ip: Option<IpAddr>) -> Option<Ipv4Net> {
    match ip? {
        IpAddr::V4(a) => Ipv4Net::new(a, 24).ok().map(|n| n.trunc()),
        IpAddr::V6(_) => None,
    }
}

/// H1's user of an event: the UPN as logged, else the user.
fn h1_user(ctx: &Ctx<'_>, e: &Event) -> Sym {
    let upn = ctx.ds.who(e).upn;
    if upn.is_empty() { e.user } else { upn }
}

/// H1's candidates, newest first (ties in the canonical order of the events).
pub fn h1(dataset: &Dataset, settings: &Settings) -> Vec<H1Row> {
    let ctx = Ctx::new(dataset, settings);
    let ip = |e: &Event| ctx.ds.ip(e).map(|i| i.to_canonical());
    // Step 1 (baseline) and what enrichment 2 searches: every successful interactive sign-in,
    // per user, in time order.
    let mut seen: HashMap<Sym, FirstSeen> = HashMap::default();
    let mut interactive: HashMap<Sym, Vec<(Millis, Option<IpAddr>)>> = HashMap::default();
    for pos in ctx.positions() {
        let e = ctx.ev(pos);
        if e.kind != EventKind::Interactive || !e.is_success() {
            continue;
        }
        let (user, addr) = (h1_user(&ctx, e), ip(e));
        interactive.entry(user).or_default().push((e.time, addr));
        if ctx.in_baseline(e.time) {
            let b = seen.entry(user).or_default();
            b.ips.entry(addr).or_insert(e.time);
            if let Some(p) = slash24(addr) {
                b.prefixes.entry(p).or_insert(e.time);
            }
        }
    }
    let baselines: HashMap<Sym, Baseline> = seen
        .iter()
        .map(|(&user, s)| {
            let ips = earliest(&s.ips, settings.baseline_max_ips, ip_text);
            let prefixes = earliest(&s.prefixes, settings.baseline_max_prefixes, |p| p.to_string());
            (user, Baseline { ips, prefixes })
        })
        .collect();
    // Step 2: successful non-interactive sign-ins in the detection window of users with a
    // baseline (the inner join), from neither a known address nor a known /24.
    let candidates: Vec<(Pos, Sym, u32)> = ctx
        .positions()
        .filter_map(|pos| {
            let e = ctx.ev(pos);
            if e.kind != EventKind::NonInteractive || !e.is_success() || !ctx.in_detection(e.time) {
                return None;
            }
            let user = h1_user(&ctx, e);
            let b = baselines.get(&user)?;
            let addr = ip(e);
            let known =
                b.ips.contains(&addr) || slash24(addr).is_some_and(|p| b.prefixes.contains(&p));
            (!known).then_some((pos, user, b.ips.len() as u32))
        })
        .collect();
    // Enrichment 1: distinct users per IP.
    let mut users_of: HashMap<Option<IpAddr>, HashSet<Sym>> = HashMap::default();
    match settings.ip_prevalence_scope {
        PrevalenceScope::Candidates => {
            for &(pos, user, _) in &candidates {
                users_of.entry(ip(ctx.ev(pos))).or_default().insert(user);
            }
        }
        PrevalenceScope::AllData => {
            for pos in ctx.positions() {
                let e = ctx.ev(pos);
                if !e.user.is_empty() {
                    users_of.entry(ip(e)).or_default().insert(h1_user(&ctx, e));
                }
            }
        }
    }
    // Enrichment 2: an interactive success of the same user from the same IP within the window.
    let window = Millis::from(settings.nearby_interactive_hours) * HOUR;
    let nearby = |pos: Pos, user: Sym| {
        let e = ctx.ev(pos);
        let list = interactive.get(&user).map(Vec::as_slice).unwrap_or(&[]);
        let lo = list.partition_point(|&(t, _)| t < e.time - window);
        list[lo..].iter().take_while(|&&(t, _)| t <= e.time + window).any(|&(_, a)| a == ip(e))
    };
    let s = |sym: Sym| ctx.s(sym).to_owned();
    let mut rows: Vec<(Millis, Pos, H1Row)> = candidates
        .iter()
        .map(|&(pos, user, baseline_ip_count)| {
            let e = ctx.ev(pos);
            let n = users_of.get(&ip(e)).map_or(1, |u| u.len() as u32);
            let (place, client, app) = (ctx.ds.place(e), ctx.ds.client(e), ctx.ds.app(e));
            let row = H1Row {
                time: rfc3339(e.time),
                user: s(user),
                ip: ip_text(&ctx.ds.ip(e)),
                country: s(place.location.country),
                city: s(place.location.city),
                app: s(app.app_name),
                os: s(client.os),
                browser: s(client.browser),
                resource: s(app.resource),
                user_agent: s(client.user_agent),
                baseline_ip_count,
                ip_users: n,
                ip_prevalence: Prevalence::of(n, settings).label().to_owned(),
                nearby_interactive: nearby(pos, user),
            };
            (e.time, pos, row)
        })
        .collect();
    rows.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    rows.into_iter().map(|r| r.2).collect()
}

/// The columns of [`H2Row`], in order (its serialized field names).
pub const H2_COLUMNS: [&str; 14] = [
    "interactive_time",
    "non_interactive_time",
    "delta_seconds",
    "user",
    "account_name",
    "upn_suffix",
    "interactive_ip",
    "non_interactive_ip",
    "interactive_asn",
    "non_interactive_asn",
    "interactive_app",
    "non_interactive_app",
    "interactive_correlation_id",
    "non_interactive_correlation_id",
];

/// One row of H2, in the KQL's column order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct H2Row {
    /// Interactive sign-in time.
    pub interactive_time: String,
    /// Non-interactive sign-in time.
    pub non_interactive_time: String,
    /// Whole seconds from the interactive to the non-interactive sign-in (rounded down).
    pub delta_seconds: i64,
    /// Lower-cased UPN.
    pub user: String,
    /// The part before the first `@` (KQL's `split(UserPrincipalName, "@")[0]`).
    pub account_name: String,
    /// The part after the first `@`, up to a second one (`split(…, "@")[1]`).
    pub upn_suffix: String,
    /// Interactive IP.
    pub interactive_ip: String,
    /// Non-interactive IP.
    pub non_interactive_ip: String,
    /// Interactive ASN.
    pub interactive_asn: u32,
    /// Non-interactive ASN.
    pub non_interactive_asn: u32,
    /// Interactive app.
    pub interactive_app: String,
    /// Non-interactive app.
    pub non_interactive_app: String,
    /// Interactive correlation id (lower case, as the model stores ids).
    pub interactive_correlation_id: String,
    /// Non-interactive correlation id.
    pub non_interactive_correlation_id: String,
}

/// H2's pairs, newest interactive first (ties in the canonical order of the interactive, then the
/// non-interactive sign-in).
pub fn h2(dataset: &Dataset, settings: &Settings) -> Vec<H2Row> {
    let ctx = Ctx::new(dataset, settings);
    let mut pairs = short_window_origin_switch::run(&ctx);
    pairs.sort_by(|a, b| {
        ctx.ev(b.interactive)
            .time
            .cmp(&ctx.ev(a.interactive).time)
            .then(a.interactive.cmp(&b.interactive))
            .then(a.non_interactive.cmp(&b.non_interactive))
    });
    pairs
        .iter()
        .map(|p| {
            let (i, n) = (ctx.ev(p.interactive), ctx.ev(p.non_interactive));
            let user = ctx.s(i.user).to_owned();
            let mut parts = user.split('@');
            let account_name = parts.next().unwrap_or("").to_owned();
            let upn_suffix = parts.next().unwrap_or("").to_owned();
            H2Row {
                interactive_time: rfc3339(i.time),
                non_interactive_time: rfc3339(n.time),
                delta_seconds: (n.time - i.time).div_euclid(1000),
                account_name,
                upn_suffix,
                interactive_ip: ip_text(&ctx.ds.ip(i)),
                non_interactive_ip: ip_text(&ctx.ds.ip(n)),
                interactive_asn: ctx.ds.place(i).asn,
                non_interactive_asn: ctx.ds.place(n).asn,
                interactive_app: ctx.s(ctx.ds.app(i).app_name).to_owned(),
                non_interactive_app: ctx.s(ctx.ds.app(n).app_name).to_owned(),
                interactive_correlation_id: ctx.id(i.correlation_id).to_string(),
                non_interactive_correlation_id: ctx.id(n.correlation_id).to_string(),
                user,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::baseline;
    use crate::detect::rules::token_from_unfamiliar_network;
    use crate::sim::{Layout, TenantConfig, generate};

    /// The column lists name every field, in the order the rows serialize them.
    #[test]
    fn column_lists_are_the_serialized_fields_in_order() {
        fn keys<T: Serialize>(row: &T) -> Vec<String> {
            // serde_json writes a struct's fields in declaration order; `Value` would sort them.
            let text = serde_json::to_string(row).unwrap_or_default();
            let map: serde_json::Map<String, serde_json::Value> =
                serde_json::from_str(&text).unwrap_or_default();
            let mut keys: Vec<String> = map.keys().cloned().collect();
            keys.sort_by_key(|k| text.find(&format!("\"{k}\":")));
            keys
        }
        let h1 = H1Row {
            time: String::new(),
            user: String::new(),
            ip: String::new(),
            country: String::new(),
            city: String::new(),
            app: String::new(),
            os: String::new(),
            browser: String::new(),
            resource: String::new(),
            user_agent: String::new(),
            baseline_ip_count: 0,
            ip_users: 0,
            ip_prevalence: String::new(),
            nearby_interactive: false,
        };
        assert_eq!(keys(&h1), H1_COLUMNS);
        let h2 = H2Row {
            interactive_time: String::new(),
            non_interactive_time: String::new(),
            delta_seconds: 0,
            user: String::new(),
            account_name: String::new(),
            upn_suffix: String::new(),
            interactive_ip: String::new(),
            non_interactive_ip: String::new(),
            interactive_asn: 0,
            non_interactive_asn: 0,
            interactive_app: String::new(),
            non_interactive_app: String::new(),
            interactive_correlation_id: String::new(),
            non_interactive_correlation_id: String::new(),
        };
        assert_eq!(keys(&h2), H2_COLUMNS);
    }

    /// Where the data cannot tell them apart, H1's rows are the rule's candidates: the rule is H1.
    /// The simulator's events carry no UPN as logged (so H1 keys users by the lower-cased UPN, as
    /// the rule does), and IPv6 addresses are compared whole when the IPv6 prefix is /128.
    #[test]
    fn h1_rows_are_the_rule_candidates_where_the_data_cannot_tell_them_apart() {
        let config = TenantConfig { benign_users: 25, days: 14, ..TenantConfig::demo() };
        let ds = generate(&config).dataset(Layout::Portal);
        for settings in [Settings::h1_preset(), Settings::default()] {
            let settings = Settings { ipv6_prefix: 128, ..settings };
            let ctx = Ctx::new(&ds, &settings);
            let mut rule: Vec<(String, String)> =
                token_from_unfamiliar_network::run(&ctx, &baseline::build(&ctx))
                    .iter()
                    .map(|c| (rfc3339(ctx.ev(c.pos).time), ip_text(&ctx.ds.ip(ctx.ev(c.pos)))))
                    .collect();
            let mut hunt: Vec<(String, String)> =
                h1(&ds, &settings).into_iter().map(|r| (r.time, r.ip)).collect();
            assert!(hunt.len() > 10, "{} rows", hunt.len());
            rule.sort();
            hunt.sort();
            assert_eq!(hunt, rule);
        }
    }
}
