//! A small builder of hand-made records, for tests and fixtures: `b.ni("alice@x", "2026-03-10T10:00:00Z", "203.0.113.7", 14061)`
//! pushes a successful non-interactive sign-in and returns it for further fields.

use super::records::{AuditRecord, Record, SignInRecord, to_dataset};
use crate::ingest::Dataset;
use crate::model::Millis;

/// Parses RFC 3339 into UTC milliseconds; 0 when unparseable (builders are for hand-written input).
pub fn at(rfc3339: &str) -> Millis {
    chrono::DateTime::parse_from_rfc3339(rfc3339).map(|t| t.timestamp_millis()).unwrap_or(0)
}

/// Collects hand-made records.
#[derive(Clone, Debug, Default)]
pub struct Builder {
    /// The records so far.
    pub records: Vec<Record>,
}

impl Builder {
    /// An empty builder.
    pub fn new() -> Builder {
        Builder::default()
    }

    fn sign_in(
        &mut self,
        interactive: bool,
        user: &str,
        time: &str,
        ip: &str,
        asn: u32,
    ) -> &mut SignInRecord {
        let n = self.records.len();
        let rec = SignInRecord {
            time: at(time),
            interactive,
            user: user.to_owned(),
            ip: ip.to_owned(),
            asn,
            country: "US".to_owned(),
            app_id: "00000002-0000-0ff1-ce00-000000000000".to_owned(),
            app_name: "Office 365 Exchange Online".to_owned(),
            client_app: "Browser".to_owned(),
            request_id: format!("00000000-0000-4000-8000-{n:012}"),
            ..SignInRecord::default()
        };
        self.records.push(Record::SignIn(rec));
        match self.records.last_mut() {
            Some(Record::SignIn(s)) => s,
            _ => unreachable!("just pushed a sign-in"),
        }
    }

    /// A successful interactive sign-in.
    pub fn i(&mut self, user: &str, time: &str, ip: &str, asn: u32) -> &mut SignInRecord {
        self.sign_in(true, user, time, ip, asn)
    }

    /// A successful non-interactive sign-in.
    pub fn ni(&mut self, user: &str, time: &str, ip: &str, asn: u32) -> &mut SignInRecord {
        self.sign_in(false, user, time, ip, asn)
    }

    /// An audit operation.
    pub fn audit(&mut self, user: &str, time: &str, ip: &str, operation: &str) -> &mut AuditRecord {
        let n = self.records.len();
        self.records.push(Record::Audit(AuditRecord {
            time: at(time),
            user: user.to_owned(),
            ip: ip.to_owned(),
            operation: operation.to_owned(),
            workload: "Exchange".to_owned(),
            record_id: format!("10000000-0000-4000-8000-{n:012}"),
            ..AuditRecord::default()
        }));
        match self.records.last_mut() {
            Some(Record::Audit(a)) => a,
            _ => unreachable!("just pushed an audit record"),
        }
    }

    /// The records as a dataset of one in-memory file.
    pub fn dataset(&self) -> Dataset {
        to_dataset("built.json", &self.records)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_events() {
        let mut b = Builder::new();
        b.i("Alice@Example.com", "2026-03-10T10:00:00Z", "198.51.100.7", 7922).country =
            "DE".into();
        b.audit("alice@example.com", "2026-03-10T10:05:00Z", "198.51.100.7:5555", "New-InboxRule");
        let ds = b.dataset();
        assert_eq!(ds.events.len(), 2);
        assert_eq!(ds.strings.resolve(ds.events[0].user), "alice@example.com");
        assert_eq!(ds.ip(&ds.events[1]), "198.51.100.7".parse().ok());
        assert_eq!(ds.events[0].time, 1_773_136_800_000);
    }
}
