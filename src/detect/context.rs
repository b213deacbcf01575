//! The shared view every rule reads: events in a canonical order, the data-anchored windows, the
//! compiled allowlists and network lists, and small helpers (prefixes, labels, times).
//!
//! The canonical order depends only on event content (time first, then resolved strings, then the
//! source file *name* and line), never on load order, interner symbol numbers or hash order, so
//! every rule sees the same sequence whatever order the files arrived in.

use crate::detect::HashMap;
use std::cmp::Ordering;
use std::collections::BTreeSet;
use std::net::IpAddr;

use ipnet::{IpNet, Ipv4Net, Ipv6Net};

use crate::enrich;
use crate::ingest::Dataset;
use crate::model::{Event, EventKind, Id, IdText, Millis, Sym};
use crate::settings::Settings;

/// Milliseconds per hour.
pub(crate) const HOUR: Millis = 3_600_000;
/// Milliseconds per day.
pub(crate) const DAY: Millis = 24 * HOUR;

/// Position of an event in the canonical order.
pub(crate) type Pos = u32;

/// Read-only context shared by the rules.
pub(crate) struct Ctx<'a> {
    pub ds: &'a Dataset,
    pub settings: &'a Settings,
    /// The events in canonical order: a copy, so that a pass in that order reads memory in
    /// sequence and a user's events cost one cache miss each, not two (an index, then the event
    /// it points to). 120 bytes an event, for the time of an analysis.
    events: Vec<Event>,
    /// Positions of each user's events, ascending (so in time order).
    by_user: HashMap<Sym, Vec<Pos>>,
    /// Per user, the positions of their successful interactive sign-ins (a few per day, against
    /// hundreds of token refreshes: the nearby-interactive test scans these).
    interactive_by_user: HashMap<Sym, Vec<Pos>>,
    /// Per user, the positions of their audit events (what post-compromise linking scans).
    audit_by_user: HashMap<Sym, Vec<Pos>>,
    /// Users sorted by name.
    users_sorted: Vec<Sym>,
    /// Latest event time ("now"), earliest event time.
    pub now: Millis,
    pub start: Millis,
    /// Detection window: `time > det_after`.
    pub det_after: Millis,
    /// Baseline window: `base_after < time <= base_until` (`base_until` excludes the detection
    /// window when the setting says so).
    pub base_after: Millis,
    pub base_until: Millis,
    pub base_until_inclusive: bool,
    hosting: BTreeSet<u32>,
    microsoft: BTreeSet<u32>,
    pub allow: Allow,
    /// For the IPs of events that carry no ASN (audit records), the ASN the sign-ins from the
    /// same IP carry (the first in canonical order), so an audit operation from an attacker's
    /// server is judged in its network.
    learned_asn: HashMap<IpAddr, u32>,
    /// For the IPs of events the log leaves without an ASN (that no sign-in taught either) or
    /// without a country, what the loaded IP database says (empty when none is loaded).
    from_db: HashMap<IpAddr, DbPlace<'a>>,
}

/// What the IP database says of an address the log leaves without an ASN or a country.
#[derive(Clone, Copy, Debug, Default)]
struct DbPlace<'a> {
    /// 0 when the log has its own ASN, a sign-in taught one, or the database has none.
    asn: u32,
    asn_name: &'a str,
    /// Empty when the database has none.
    country: &'a str,
    /// Some event of the address has no ASN of its own and none learned from a sign-in.
    needs_asn: bool,
    /// Some event of the address has no country of its own.
    needs_country: bool,
}

/// Where an event's ASN comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum AsnSource {
    /// The event's own log row.
    Log,
    /// Sign-ins from the same IP.
    SignIns,
    /// The IP database the analyst loaded.
    Database,
    /// Nowhere: the ASN is unknown.
    Unknown,
}

/// Compiled allowlist.
#[derive(Default)]
pub(crate) struct Allow {
    ips: BTreeSet<IpAddr>,
    cidrs: Vec<(IpNet, String)>,
    asns: BTreeSet<u32>,
    users: BTreeSet<String>,
    apps: BTreeSet<String>,
}

impl Allow {
    fn compile(settings: &Settings) -> Allow {
        let mut allow = Allow::default();
        for ip in &settings.allow.ips {
            if let Ok(ip) = ip.trim().parse::<IpAddr>() {
                allow.ips.insert(ip.to_canonical());
            }
        }
        for cidr in &settings.allow.cidrs {
            if let Ok(net) = cidr.trim().parse::<IpNet>() {
                allow.cidrs.push((net.trunc(), cidr.trim().to_owned()));
            }
        }
        allow.asns = settings.allow.asns.iter().copied().collect();
        allow.users = settings.allow.users.iter().map(|u| u.trim().to_lowercase()).collect();
        allow.apps = settings.allow.apps.iter().map(|a| a.trim().to_lowercase()).collect();
        allow
    }

    /// The allowlist entry an event matches, written `kind:value`, if any.
    pub(crate) fn matches(&self, ctx: &Ctx<'_>, e: &Event) -> Option<String> {
        let user = ctx.s(e.user).to_lowercase();
        if !user.is_empty() && self.users.contains(&user) {
            return Some(format!("user:{user}"));
        }
        let oid = ctx.s(ctx.ds.who(e).user_object_id).to_lowercase();
        if !oid.is_empty() && self.users.contains(&oid) {
            return Some(format!("user:{oid}"));
        }
        if let Some(ip) = ctx.ds.ip(e).map(|ip| ip.to_canonical()) {
            if self.ips.contains(&ip) {
                return Some(format!("ip:{ip}"));
            }
            if let Some((_, text)) = self.cidrs.iter().find(|(net, _)| net.contains(&ip)) {
                return Some(format!("cidr:{text}"));
            }
        }
        if ctx.ds.place(e).asn != 0 && self.asns.contains(&ctx.ds.place(e).asn) {
            return Some(format!("asn:{}", ctx.ds.place(e).asn));
        }
        for app in [ctx.ds.app(e).app_id, ctx.ds.app(e).app_name] {
            let a = ctx.s(app).to_lowercase();
            if !a.is_empty() && self.apps.contains(&a) {
                return Some(format!("app:{a}"));
            }
        }
        None
    }
}

impl<'a> Ctx<'a> {
    pub(crate) fn new(ds: &'a Dataset, settings: &'a Settings) -> Ctx<'a> {
        // Time decides nearly every comparison: sorted first by time alone, from a compact
        // array (no event is read per comparison), then each run of equal times by the whole
        // canonical order. That order is total (it ends with file and line), so this is the
        // order a full sort gives.
        let mut keyed: Vec<(Millis, u32)> =
            ds.events.iter().enumerate().map(|(i, e)| (e.time, i as u32)).collect();
        // Keys are unique (they end with the index), so an unstable sort gives one order.
        crate::par::sort_unstable(&mut keyed);
        let mut order: Vec<u32> = keyed.iter().map(|&(_, i)| i).collect();
        let mut from = 0;
        while from < keyed.len() {
            let time = keyed[from].0;
            let to = from + keyed[from..].partition_point(|&(t, _)| t == time);
            if to - from > 1 {
                order[from..to].sort_by(|&a, &b| {
                    canonical_cmp(ds, &ds.events[a as usize], &ds.events[b as usize])
                });
            }
            from = to;
        }
        drop(keyed);
        let events: Vec<Event> = order.iter().map(|&i| ds.events[i as usize]).collect();
        drop(order);
        let mut by_user: HashMap<Sym, Vec<Pos>> = HashMap::default();
        let mut interactive_by_user: HashMap<Sym, Vec<Pos>> = HashMap::default();
        let mut audit_by_user: HashMap<Sym, Vec<Pos>> = HashMap::default();
        for (pos, e) in events.iter().enumerate() {
            if !e.user.is_empty() {
                by_user.entry(e.user).or_default().push(pos as Pos);
                if e.kind == EventKind::Interactive && e.is_success() {
                    interactive_by_user.entry(e.user).or_default().push(pos as Pos);
                } else if e.kind == EventKind::Audit {
                    audit_by_user.entry(e.user).or_default().push(pos as Pos);
                }
            }
        }
        let mut users_sorted: Vec<Sym> = by_user.keys().copied().collect();
        users_sorted.sort_by(|a, b| ds.strings.resolve(*a).cmp(ds.strings.resolve(*b)));
        let now = events.last().map_or(0, |e| e.time);
        let start = events.first().map_or(0, |e| e.time);
        let det_after = match settings.detection_days {
            Some(d) => now - Millis::from(d) * DAY,
            None => Millis::MIN,
        };
        let base_after = match settings.baseline_days {
            Some(d) => now - Millis::from(d) * DAY,
            None => Millis::MIN,
        };
        let (base_until, base_until_inclusive) =
            if settings.exclude_detection_from_baseline && settings.detection_days.is_some() {
                (det_after, true)
            } else if settings.exclude_detection_from_baseline {
                // The detection window is the whole span: nothing is left for the baseline.
                (Millis::MIN, false)
            } else {
                (now, true)
            };
        let mut hosting: BTreeSet<u32> = enrich::HOSTING_ASNS.iter().map(|x| x.0).collect();
        hosting.extend(settings.hosting_asns.iter().copied());
        let mut microsoft: BTreeSet<u32> = enrich::MICROSOFT_ASNS.iter().map(|x| x.0).collect();
        microsoft.extend(settings.microsoft_asns.iter().copied());
        // IPs of events without an ASN, then the ASN a sign-in from each carries.
        let mut learned_asn: HashMap<IpAddr, u32> = HashMap::default();
        for e in &events {
            if ds.place(e).asn == 0
                && let Some(ip) = ds.ip(e)
            {
                learned_asn.insert(ip.to_canonical(), 0);
            }
        }
        if !learned_asn.is_empty() {
            for e in &events {
                let asn = ds.place(e).asn;
                if asn != 0
                    && e.kind.is_user_sign_in()
                    && let Some(slot) =
                        ds.ip(e).and_then(|ip| learned_asn.get_mut(&ip.to_canonical()))
                    && *slot == 0
                {
                    *slot = asn;
                }
            }
            learned_asn.retain(|_, asn| *asn != 0);
        }
        let from_db = db_places(ds, &events, &learned_asn);
        Ctx {
            learned_asn,
            from_db,
            ds,
            settings,
            events,
            by_user,
            interactive_by_user,
            audit_by_user,
            users_sorted,
            now,
            start,
            det_after,
            base_after,
            base_until,
            base_until_inclusive,
            hosting,
            microsoft,
            allow: Allow::compile(settings),
        }
    }

    /// Number of events.
    pub(crate) fn len(&self) -> usize {
        self.events.len()
    }

    /// The event at a canonical position.
    pub(crate) fn ev(&self, pos: Pos) -> &Event {
        &self.events[pos as usize]
    }

    /// All positions, in canonical (time) order.
    pub(crate) fn positions(&self) -> impl Iterator<Item = Pos> + '_ {
        0..self.events.len() as Pos
    }

    /// The positions of a user's events, in time order.
    pub(crate) fn user_positions(&self, user: Sym) -> &[Pos] {
        self.by_user.get(&user).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Positions of one user's audit events, in canonical (time) order.
    pub(crate) fn user_audits(&self, user: Sym) -> &[Pos] {
        self.audit_by_user.get(&user).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Positions of one user's successful interactive sign-ins, in canonical (time) order.
    pub(crate) fn user_interactive_successes(&self, user: Sym) -> &[Pos] {
        self.interactive_by_user.get(&user).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Users, sorted by name.
    pub(crate) fn users(&self) -> &[Sym] {
        &self.users_sorted
    }

    /// The string behind a symbol.
    pub(crate) fn s(&self, sym: Sym) -> &'a str {
        self.ds.strings.resolve(sym)
    }

    /// The text of an id.
    pub(crate) fn id(&self, id: Id) -> IdText<'a> {
        self.ds.strings.id_text(id)
    }

    /// True when `t` is in the detection window.
    pub(crate) fn in_detection(&self, t: Millis) -> bool {
        t > self.det_after
    }

    /// True when `t` is in the baseline window.
    pub(crate) fn in_baseline(&self, t: Millis) -> bool {
        t > self.base_after
            && if self.base_until_inclusive { t <= self.base_until } else { t < self.base_until }
    }

    /// True for hosting/VPS ASNs (embedded list plus settings).
    pub(crate) fn is_hosting(&self, asn: u32) -> bool {
        asn != 0 && self.hosting.contains(&asn)
    }

    /// True for Microsoft ASNs (embedded list plus settings).
    pub(crate) fn is_microsoft(&self, asn: u32) -> bool {
        asn != 0 && self.microsoft.contains(&asn)
    }

    /// The comparison prefix of an address (IPv4 /24, IPv6 /48 by default).
    pub(crate) fn prefix(&self, ip: IpAddr) -> IpNet {
        prefix_of(ip, self.settings.ipv4_prefix, self.settings.ipv6_prefix)
    }

    /// The event's ASN: its own, or else the one sign-ins from the same IP carry, or else the one
    /// the loaded IP database gives its IP (0 when none is known).
    pub(crate) fn asn(&self, e: &Event) -> u32 {
        self.asn_from(e).0
    }

    /// The event's ASN and where it comes from.
    pub(crate) fn asn_from(&self, e: &Event) -> (u32, AsnSource) {
        match self.ds.place(e).asn {
            0 => {
                let Some(ip) = self.ds.ip(e).map(|ip| ip.to_canonical()) else {
                    return (0, AsnSource::Unknown);
                };
                if let Some(&asn) = self.learned_asn.get(&ip) {
                    return (asn, AsnSource::SignIns);
                }
                match self.from_db.get(&ip) {
                    Some(d) if d.asn != 0 => (d.asn, AsnSource::Database),
                    _ => (0, AsnSource::Unknown),
                }
            }
            asn => (asn, AsnSource::Log),
        }
    }

    /// True when the event's ASN was learned from other events of its IP.
    pub(crate) fn asn_is_learned(&self, e: &Event) -> bool {
        self.asn_from(e).1 == AsnSource::SignIns
    }

    /// True when the event's ASN comes from the loaded IP database.
    pub(crate) fn asn_is_from_db(&self, e: &Event) -> bool {
        self.asn_from(e).1 == AsnSource::Database
    }

    /// The event's country (ISO code as logged): its own, or else the one the loaded IP database
    /// gives its IP (empty when neither is known).
    pub(crate) fn country(&self, e: &Event) -> &'a str {
        match self.s(self.ds.place(e).location.country) {
            "" => self.db_place(e).map_or("", |d| d.country),
            own => own,
        }
    }

    /// True when the event's country comes from the loaded IP database.
    pub(crate) fn country_is_from_db(&self, e: &Event) -> bool {
        self.s(self.ds.place(e).location.country).is_empty() && !self.country(e).is_empty()
    }

    fn db_place(&self, e: &Event) -> Option<&DbPlace<'a>> {
        if self.from_db.is_empty() {
            return None;
        }
        self.from_db.get(&self.ds.ip(e)?.to_canonical())
    }

    /// `AS14061 DigitalOcean`: the embedded name, else the IP database's for an ASN it gave.
    pub(crate) fn asn_label(&self, e: &Event) -> String {
        let (asn, source) = self.asn_from(e);
        match (enrich::asn_name(asn), source, self.db_place(e)) {
            (None, AsnSource::Database, Some(d)) if !d.asn_name.is_empty() => {
                format!("AS{asn} {}", d.asn_name)
            }
            _ => enrich::asn_label(asn),
        }
    }

    /// `203.0.113.7 (AS14061 DigitalOcean, NL)`; an ASN learned from the IP's sign-ins is marked
    /// so (`…, ASN from its sign-ins`), and values from the loaded IP database too
    /// (`…, from the IP database`).
    pub(crate) fn origin_label(&self, e: &Event) -> String {
        let ip =
            self.ds.ip(e).map(|ip| ip.to_string()).unwrap_or_else(|| "an unlogged IP".to_owned());
        let country = self.country(e);
        let asn_db = self.asn_is_from_db(e);
        let country_db = self.country_is_from_db(e);
        let marks = match (self.asn_is_learned(e), asn_db, country_db) {
            (true, _, true) => ", ASN from its sign-ins, country from the IP database",
            (true, _, false) => ", ASN from its sign-ins",
            (false, true, true) | (false, true, false) if country.is_empty() || country_db => {
                ", from the IP database"
            }
            (false, true, false) => ", ASN from the IP database",
            (false, false, true) => ", country from the IP database",
            _ => "",
        };
        let asn = self.asn_label(e);
        if country.is_empty() {
            format!("{ip} ({asn}{marks})")
        } else {
            format!("{ip} ({asn}, {country}{marks})")
        }
    }

    /// When an IP database is loaded: how many distinct addresses the logs leave without an ASN
    /// (none taught by a sign-in) or without a country, and how many of each it supplied.
    pub(crate) fn db_counts(&self) -> Option<[u64; 4]> {
        if self.ds.ipdb.is_empty() {
            return None;
        }
        let mut n = [0u64; 4];
        let mut keys: Vec<&IpAddr> = self.from_db.keys().collect();
        keys.sort_unstable();
        for ip in keys {
            let d = &self.from_db[ip];
            n[0] += u64::from(d.needs_asn);
            n[1] += u64::from(d.needs_asn && d.asn != 0);
            n[2] += u64::from(d.needs_country);
            n[3] += u64::from(d.needs_country && !d.country.is_empty());
        }
        Some(n)
    }

    /// `interactive sign-in to Office 365`, `token refresh (non-interactive sign-in to …)`, or
    /// the operation of an audit event.
    pub(crate) fn sign_in_label(&self, e: &Event) -> String {
        match e.kind {
            EventKind::Interactive => format!("interactive sign-in to {}", self.app_label(e)),
            EventKind::NonInteractive => {
                format!("token refresh (non-interactive sign-in to {})", self.app_label(e))
            }
            EventKind::Audit => match self.ds.audit(e) {
                Some(a) => format!("audit operation {}", self.s(a.operation)),
                None => "audit operation".to_owned(),
            },
            _ => format!("{} event", e.kind.as_str()),
        }
    }

    /// The application of an event, by name when known.
    pub(crate) fn app_label(&self, e: &Event) -> String {
        let name = self.s(self.ds.app(e).app_name);
        if !name.is_empty() {
            return name.to_owned();
        }
        let id = self.s(self.ds.app(e).app_id);
        match enrich::app_name(id) {
            Some(n) => n.to_owned(),
            None if id.is_empty() => "an unnamed application".to_owned(),
            None => id.to_owned(),
        }
    }
}

/// The IP database's answers for the addresses of events that have no ASN of their own (and none
/// learned from a sign-in) or no country; empty when no database is loaded, so that nothing
/// changes without one.
fn db_places<'a>(
    ds: &'a Dataset,
    events: &[Event],
    learned: &HashMap<IpAddr, u32>,
) -> HashMap<IpAddr, DbPlace<'a>> {
    let mut out: HashMap<IpAddr, DbPlace<'a>> = HashMap::default();
    if ds.ipdb.is_empty() {
        return out;
    }
    for e in events {
        let place = ds.place(e);
        let (no_asn, no_country) = (place.asn == 0, place.location.country.is_empty());
        if !no_asn && !no_country {
            continue;
        }
        let Some(ip) = ds.ip(e).map(|ip| ip.to_canonical()) else { continue };
        let slot = out.entry(ip).or_insert_with(|| {
            let hit = if learned.contains_key(&ip) { None } else { ds.ipdb.asn(ip) };
            DbPlace {
                asn: hit.map_or(0, |h| h.asn),
                asn_name: hit.map_or("", |h| h.name),
                country: ds.ipdb.country(ip).map_or("", |h| h.country),
                needs_asn: false,
                needs_country: false,
            }
        });
        slot.needs_asn |= no_asn && !learned.contains_key(&ip);
        slot.needs_country |= no_country;
    }
    out
}

/// The network prefix of `ip` with the given lengths (clamped to the address size). IPv4-mapped
/// IPv6 addresses are compared as IPv4.
pub(crate) fn prefix_of(ip: IpAddr, v4: u8, v6: u8) -> IpNet {
    match ip.to_canonical() {
        IpAddr::V4(a) => IpNet::V4(Ipv4Net::new(a, v4.min(32)).unwrap_or_default().trunc()),
        IpAddr::V6(a) => IpNet::V6(Ipv6Net::new(a, v6.min(128)).unwrap_or_default().trunc()),
    }
}

fn kind_rank(k: EventKind) -> u8 {
    match k {
        EventKind::Interactive => 0,
        EventKind::NonInteractive => 1,
        EventKind::ServicePrincipal => 2,
        EventKind::ManagedIdentity => 3,
        EventKind::Audit => 4,
    }
}

pub(crate) fn canonical_cmp(ds: &Dataset, a: &Event, b: &Event) -> Ordering {
    let s = |x: Sym| ds.strings.resolve(x);
    let ids = &ds.strings;
    let op = |e: &Event| ds.audit(e).map(|d| s(d.operation)).unwrap_or("");
    let file =
        |e: &Event| ds.files.get(e.source.file as usize).map(|f| f.name.as_str()).unwrap_or("");
    a.time
        .cmp(&b.time)
        .then_with(|| kind_rank(a.kind).cmp(&kind_rank(b.kind)))
        .then_with(|| s(a.user).cmp(s(b.user)))
        .then_with(|| ds.ip(a).cmp(&ds.ip(b)))
        .then_with(|| ds.place(a).asn.cmp(&ds.place(b).asn))
        .then_with(|| ids.cmp_ids(a.session_id, b.session_id))
        .then_with(|| ids.cmp_ids(a.request_id, b.request_id))
        .then_with(|| ids.cmp_ids(a.unique_token_id, b.unique_token_id))
        .then_with(|| s(ds.app(a).app_id).cmp(s(ds.app(b).app_id)))
        .then_with(|| s(ds.client(a).user_agent).cmp(s(ds.client(b).user_agent)))
        .then_with(|| op(a).cmp(op(b)))
        .then_with(|| file(a).cmp(file(b)))
        .then_with(|| a.source.line.cmp(&b.source.line))
}

/// UTC day number of a time.
pub(crate) fn day_of(t: Millis) -> i64 {
    t.div_euclid(DAY)
}

/// A duration in words (`crate::time::duration`: `45 s`, `3 min`, `2 h 5 min`, `3 d`).
pub(crate) fn duration_label(ms: Millis) -> String {
    crate::time::duration(ms)
}

/// A short form of a long id for sentences (`a1b2c3d4…`).
pub(crate) fn short_id(id: &str) -> String {
    if id.chars().count() <= 12 {
        id.to_owned()
    } else {
        let head: String = id.chars().take(8).collect();
        format!("{head}…")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_are_correct_for_both_families() {
        let p = prefix_of("203.0.113.77".parse().unwrap(), 24, 48);
        assert_eq!(p.to_string(), "203.0.113.0/24");
        let p = prefix_of("2001:db8:aa:bb::1".parse().unwrap(), 24, 48);
        assert_eq!(p.to_string(), "2001:db8:aa::/48");
        let p = prefix_of("2001:db8:aa:bb::1".parse().unwrap(), 24, 64);
        assert_eq!(p.to_string(), "2001:db8:aa:bb::/64");
        let p = prefix_of("::ffff:198.51.100.9".parse().unwrap(), 16, 48);
        assert_eq!(p.to_string(), "198.51.0.0/16", "mapped IPv4 compares as IPv4");
        let p = prefix_of("10.1.2.3".parse().unwrap(), 40, 200);
        assert_eq!(p.to_string(), "10.1.2.3/32", "lengths are clamped");
    }

    #[test]
    fn durations_read_well() {
        assert_eq!(duration_label(45_000), "45 s");
        assert_eq!(duration_label(180_000), "3 min");
        assert_eq!(duration_label(3 * HOUR + 60_000), "3 h 1 min");
        assert_eq!(duration_label(4 * DAY), "4 d");
    }
}
