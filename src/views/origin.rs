//! An event's network and country as the detection reads them (`detect::context`): the log's own
//! ASN, else the one a sign-in from the same IP carries (the earliest in the canonical order),
//! else the loaded IP database's; the log's own country, else the database's. The views show
//! these, marked with where they came from, so a view and a finding never disagree.

use std::net::IpAddr;

use crate::detect::HashMap;
use crate::detect::context::canonical_cmp;
use crate::enrich;
use crate::ingest::Dataset;
use crate::model::Event;

/// Where an ASN or a country came from.
pub(crate) const FROM_LOG: &str = "log";
/// Learned from a sign-in of the same IP.
pub(crate) const FROM_SIGN_INS: &str = "sign-ins";
/// From the loaded IP database.
pub(crate) const FROM_DATABASE: &str = "ip-database";

/// The ASNs learned from sign-ins for the IPs some events carry without one.
pub(crate) struct Places<'a> {
    ds: &'a Dataset,
    /// Canonical IP → index of the earliest user sign-in from it that carries an ASN.
    learned: HashMap<IpAddr, Option<usize>>,
}

impl<'a> Places<'a> {
    /// Learns the ASNs of the IPs of `events` that carry none (one pass over the dataset, only
    /// when some do).
    pub(crate) fn for_events<'e>(ds: &'a Dataset, events: impl Iterator<Item = &'e Event>) -> Self {
        let mut learned: HashMap<IpAddr, Option<usize>> = HashMap::default();
        for e in events {
            if ds.place(e).asn == 0
                && let Some(ip) = ds.ip(e)
            {
                learned.insert(ip.to_canonical(), None);
            }
        }
        if !learned.is_empty() {
            for (i, e) in ds.events.iter().enumerate() {
                if ds.place(e).asn == 0 || !e.kind.is_user_sign_in() {
                    continue;
                }
                let Some(slot) = ds.ip(e).and_then(|ip| learned.get_mut(&ip.to_canonical())) else {
                    continue;
                };
                let earlier = match *slot {
                    None => true,
                    Some(j) => ds
                        .events
                        .get(j)
                        .is_none_or(|b| canonical_cmp(ds, e, b) == std::cmp::Ordering::Less),
                };
                if earlier {
                    *slot = Some(i);
                }
            }
        }
        Places { ds, learned }
    }

    /// The event's ASN (0 when unknown) and where it came from (empty when unknown).
    pub(crate) fn asn(&self, e: &Event) -> (u32, &'static str) {
        let own = self.ds.place(e).asn;
        if own != 0 {
            return (own, FROM_LOG);
        }
        let Some(ip) = self.ds.ip(e).map(|ip| ip.to_canonical()) else { return (0, "") };
        if let Some(Some(j)) = self.learned.get(&ip)
            && let Some(b) = self.ds.events.get(*j)
        {
            return (self.ds.place(b).asn, FROM_SIGN_INS);
        }
        match self.ds.ipdb.asn(ip) {
            Some(hit) if hit.asn != 0 => (hit.asn, FROM_DATABASE),
            _ => (0, ""),
        }
    }

    /// `AS14061 DigitalOcean`: the embedded name, else the IP database's for an ASN it gave.
    pub(crate) fn network(&self, e: &Event, asn: u32, source: &str) -> String {
        if source == FROM_DATABASE
            && enrich::asn_name(asn).is_none()
            && let Some(hit) = self.ds.ip(e).and_then(|ip| self.ds.ipdb.asn(ip.to_canonical()))
            && !hit.name.is_empty()
        {
            return format!("AS{asn} {}", hit.name);
        }
        enrich::asn_label(asn)
    }

    /// The event's country (ISO code, empty when unknown) and where it came from.
    pub(crate) fn country(&self, e: &Event) -> (&'a str, &'static str) {
        let own = self.ds.strings.resolve(self.ds.place(e).location.country);
        if !own.is_empty() {
            return (own, FROM_LOG);
        }
        match self.ds.ip(e).and_then(|ip| self.ds.ipdb.country(ip.to_canonical())) {
            Some(hit) if !hit.country.is_empty() => (hit.country, FROM_DATABASE),
            _ => ("", ""),
        }
    }
}
