//! The findings grid's columns: one list for the page's grid and the CLI's CSV (`--format csv`).
//!
//! Both media show the same columns with the same values; each formats them on purpose
//! ([`Medium`]): the CSV keeps values a script can split (lists joined by ` | `, which user agents
//! rarely contain; ASNs as bare numbers), the page reads easily (lists joined by `, `, ASNs as
//! `AS64500`). The page shows a subset of the columns and sorts and filters on them.

use super::Finding;

/// One column of the findings grid.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Column {
    /// Finding id.
    Id,
    /// Severity (sorted with the score within it).
    #[default]
    Severity,
    /// Score.
    Score,
    /// User.
    User,
    /// Rule ids.
    Rules,
    /// First event.
    FirstSeen,
    /// Last event.
    LastSeen,
    /// Attacker-side IPs.
    Ips,
    /// Attacker-side ASNs.
    Asns,
    /// Attacker-side countries.
    Countries,
    /// Session ids.
    Sessions,
    /// Attacker-side user agents.
    UserAgents,
    /// Number of events behind the finding.
    Events,
    /// Related audit operations.
    AuditOperations,
    /// Remediation status.
    Remediation,
    /// When the remediation happened.
    RemediationTime,
    /// Allowlist entries that suppressed facts.
    Suppressions,
    /// Why the finding stands on its rung of the ladder (and not higher).
    SeverityReason,
    /// The explanation, sentence by sentence.
    Explanation,
}

/// How a medium writes cells.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Medium {
    /// Between the items of a list cell.
    pub list_sep: &'static str,
    /// Before an ASN's number.
    pub asn_prefix: &'static str,
}

/// The CLI's CSV: lists a script can split, ASNs as numbers.
pub const CSV: Medium = Medium { list_sep: " | ", asn_prefix: "" };

/// The page's grid: lists as text, ASNs as `AS64500`.
pub const PAGE: Medium = Medium { list_sep: ", ", asn_prefix: "AS" };

impl Column {
    /// Every column, in the CSV's order.
    pub const ALL: [Column; 19] = [
        Column::Id,
        Column::Severity,
        Column::Score,
        Column::User,
        Column::Rules,
        Column::FirstSeen,
        Column::LastSeen,
        Column::Ips,
        Column::Asns,
        Column::Countries,
        Column::Sessions,
        Column::UserAgents,
        Column::Events,
        Column::AuditOperations,
        Column::Remediation,
        Column::RemediationTime,
        Column::Suppressions,
        Column::SeverityReason,
        Column::Explanation,
    ];

    /// The CSV header (the report's JSON field name where there is one).
    pub fn name(self) -> &'static str {
        match self {
            Column::Id => "id",
            Column::Severity => "severity",
            Column::Score => "score",
            Column::User => "user",
            Column::Rules => "rules",
            Column::FirstSeen => "first_seen",
            Column::LastSeen => "last_seen",
            Column::Ips => "ips",
            Column::Asns => "asns",
            Column::Countries => "countries",
            Column::Sessions => "session_ids",
            Column::UserAgents => "user_agents",
            Column::Events => "events",
            Column::AuditOperations => "audit_operations",
            Column::Remediation => "remediation",
            Column::RemediationTime => "remediation_time",
            Column::Suppressions => "suppressions",
            Column::SeverityReason => "severity_reason",
            Column::Explanation => "explanation",
        }
    }

    /// The page's header text.
    pub fn label(self) -> &'static str {
        match self {
            Column::Id => "Id",
            Column::Severity => "Severity",
            Column::Score => "Score",
            Column::User => "User",
            Column::Rules => "Rules",
            Column::FirstSeen => "First seen",
            Column::LastSeen => "Last seen",
            Column::Ips => "IPs",
            Column::Asns => "ASNs",
            Column::Countries => "Countries",
            Column::Sessions => "Sessions",
            Column::UserAgents => "User agents",
            Column::Events => "Events",
            Column::AuditOperations => "Audit operations",
            Column::Remediation => "Remediation",
            Column::RemediationTime => "Remediated at",
            Column::Suppressions => "Suppressions",
            Column::SeverityReason => "Why this severity",
            Column::Explanation => "Explanation",
        }
    }

    /// A stable key (the page's test ids and stored column choices).
    pub fn key(self) -> &'static str {
        match self {
            Column::Sessions => "sessions",
            Column::FirstSeen => "first-seen",
            Column::LastSeen => "last-seen",
            Column::UserAgents => "user-agents",
            Column::AuditOperations => "audit-operations",
            Column::RemediationTime => "remediation-time",
            Column::SeverityReason => "severity-reason",
            other => other.name(),
        }
    }

    /// The column with this key.
    pub fn from_key(key: &str) -> Option<Column> {
        Column::ALL.into_iter().find(|c| c.key() == key)
    }

    /// True when the cell holds text from the logs (which a spreadsheet must not run as a
    /// formula); false for the product's own values (severity, numbers).
    pub fn from_logs(self) -> bool {
        !matches!(self, Column::Severity | Column::Score | Column::Asns | Column::Events)
    }

    /// The cell's text in `medium`.
    pub fn text(self, f: &Finding, medium: &Medium) -> String {
        let list = |items: &[String]| items.join(medium.list_sep);
        match self {
            Column::Id => f.id.clone(),
            Column::Severity => f.severity.as_str().to_owned(),
            Column::Score => f.score.to_string(),
            Column::User => f.user.clone(),
            Column::Rules => list(&f.rules),
            Column::FirstSeen => f.first_seen.clone(),
            Column::LastSeen => f.last_seen.clone(),
            Column::Ips => list(&f.ips),
            Column::Asns => f
                .asns
                .iter()
                .map(|a| format!("{}{a}", medium.asn_prefix))
                .collect::<Vec<_>>()
                .join(medium.list_sep),
            Column::Countries => list(&f.countries),
            Column::Sessions => list(&f.session_ids),
            Column::UserAgents => list(&f.user_agents),
            Column::Events => f.events.len().to_string(),
            Column::AuditOperations => f
                .related_audit
                .iter()
                .map(|a| a.operation.as_str())
                .collect::<Vec<_>>()
                .join(medium.list_sep),
            Column::Remediation => f.remediation.status.clone(),
            Column::RemediationTime => f.remediation.time.clone(),
            Column::Suppressions => list(&f.suppressions),
            Column::SeverityReason => f.severity_reason.clone(),
            Column::Explanation => f.explanation.join(" "),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_names_are_unique_and_round_trip() {
        let mut names: Vec<&str> = Column::ALL.iter().map(|c| c.name()).collect();
        let mut keys: Vec<&str> = Column::ALL.iter().map(|c| c.key()).collect();
        names.sort_unstable();
        names.dedup();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(names.len(), Column::ALL.len());
        assert_eq!(keys.len(), Column::ALL.len());
        for c in Column::ALL {
            assert_eq!(Column::from_key(c.key()), Some(c));
        }
    }

    #[test]
    fn media_differ_only_in_format() {
        let f = Finding {
            asns: vec![64500, 14061],
            ips: vec!["192.0.2.1".to_owned(), "198.51.100.2".to_owned()],
            ..Finding::default()
        };
        assert_eq!(Column::Asns.text(&f, &CSV), "64500 | 14061");
        assert_eq!(Column::Asns.text(&f, &PAGE), "AS64500, AS14061");
        assert_eq!(Column::Ips.text(&f, &CSV), "192.0.2.1 | 198.51.100.2");
        assert_eq!(Column::Ips.text(&f, &PAGE), "192.0.2.1, 198.51.100.2");
    }
}
