//! An event's network as the page shows it: the log's own ASN, else the one the same IP's
//! sign-ins carry, marked as derived (issue 21: what the data knows is used everywhere; the core's
//! detection does the same, `Ctx::asn`). The page knows the events of the user it shows, so it
//! learns from that user's sign-ins: an audit operation from the IP an attacker signed in from
//! gets the sign-in's network instead of "unknown ASN".

use std::collections::HashMap;

use sessionhunt::model::EventKind;

use crate::protocol::EventView;

/// What the marked label adds to a derived network.
pub const DERIVED: &str = "from the IP's sign-ins";

/// The networks the user's sign-ins teach, by IP.
#[derive(Default)]
pub struct Networks<'a> {
    by_ip: HashMap<&'a str, (u32, &'a str)>,
}

impl<'a> Networks<'a> {
    /// Learns from `events` (in time order): the first sign-in with an ASN from each IP.
    pub fn of(events: &'a [EventView]) -> Networks<'a> {
        let mut by_ip = HashMap::new();
        for e in events {
            if e.kind != EventKind::Audit && e.asn != 0 && !e.ip.is_empty() {
                by_ip.entry(e.ip.as_str()).or_insert((e.asn, e.network.as_str()));
            }
        }
        Networks { by_ip }
    }

    /// The event's ASN and network label, and whether they were derived.
    pub fn of_event<'e>(&self, e: &'e EventView) -> (u32, &'e str, bool)
    where
        'a: 'e,
    {
        if e.asn == 0
            && let Some(&(asn, network)) = self.by_ip.get(e.ip.as_str())
        {
            return (asn, network, true);
        }
        (e.asn, e.network.as_str(), false)
    }

    /// The event's ASN (derived when the log has none).
    pub fn asn(&self, e: &EventView) -> u32 {
        self.of_event(e).0
    }

    /// The event's network as text, "(from the IP's sign-ins)" when derived.
    pub fn label(&self, e: &EventView) -> String {
        match self.of_event(e) {
            (_, network, true) => format!("{network} ({DERIVED})"),
            (_, network, false) => network.to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(kind: &str, ip: &str, asn: u32) -> EventView {
        let kind = EventKind::ALL.into_iter().find(|k| k.as_str() == kind).expect("a kind");
        EventView {
            file: "f.csv".into(),
            line: 2,
            time_ms: 0,
            kind,
            ip: ip.into(),
            asn,
            network: if asn == 0 { "unknown ASN".into() } else { format!("AS{asn} Net") },
            location: String::new(),
            user_agent: String::new(),
            client: String::new(),
            app: String::new(),
            resource: String::new(),
            session_id: String::new(),
            request_id: String::new(),
            outcome: String::new(),
            risk: String::new(),
            device: String::new(),
            authentication: String::new(),
            operation: String::new(),
            audit_detail: Vec::new(),
        }
    }

    #[test]
    fn an_audit_row_takes_the_asn_of_its_ips_sign_ins_marked() {
        let events = vec![
            event("audit", "203.0.113.9", 0),
            event("non-interactive", "203.0.113.9", 24940),
            event("interactive", "203.0.113.9", 64500),
            event("audit", "198.51.100.1", 0),
            event("audit", "203.0.113.9", 8075),
        ];
        let n = Networks::of(&events);
        assert_eq!(
            n.label(&events[0]),
            "AS24940 Net (from the IP's sign-ins)",
            "the first sign-in"
        );
        assert_eq!(n.asn(&events[0]), 24940);
        assert_eq!(n.label(&events[3]), "unknown ASN", "no sign-in from that IP");
        assert_eq!(n.label(&events[4]), "AS8075 Net", "the log's own ASN wins");
        assert_eq!(n.label(&events[1]), "AS24940 Net");
    }
}
