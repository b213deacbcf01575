//! Deterministic tenant simulator: benign users with realistic confounders and AiTM attack variants,
//! written in real export shapes. Used for the web app's demo data, quality measurements and
//! benchmarks. Seeded; no clock, no OS randomness.
//!
//! ```
//! use sessionhunt::{analyze, ingest::Dataset, sim, Settings};
//!
//! let files = sim::demo_files(); // portal CSVs, a Graph JSON collection, a Purview audit CSV
//! let mut dataset = Dataset::new();
//! for f in &files {
//!     dataset.add_file(&f.name, &f.bytes);
//! }
//! let report = analyze(&dataset, &Settings::default());
//! assert_eq!(report.inputs.len(), files.len());
//! ```

// Test-only: a builder of hand-made events for rule unit tests, and the quality measure of a
// report against the simulator's truth (tests, `examples/quality.rs`). Not part of the product's
// API: compiled for the crate's own tests and with the `testing` feature, which the crate's
// dev-dependency on itself turns on for integration tests, examples and benchmarks.
#[cfg(any(test, feature = "testing"))]
pub mod builder;
#[cfg(any(test, feature = "testing"))]
pub mod quality;
pub mod records;
pub mod tenant;
pub mod write;

pub use records::{AuditRecord, Record, SignInRecord, to_dataset};
pub use tenant::{
    Action, Attack, CAMPAIGN_VICTIMS, Confounder, Tenant, TenantConfig, UserTruth, generate,
};
pub use write::SimFile;

use crate::ingest::Dataset;
use crate::model::Millis;
use crate::report::InputSummary;
use crate::time::rfc3339;

/// How sign-ins are split over export formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Layout {
    /// Entra portal downloads (interactive and non-interactive CSVs) plus the Purview audit CSV.
    Portal,
    /// One Graph beta JSON collection plus the Purview audit CSV.
    Graph,
    /// The first half of the span as portal CSVs, the second half as Graph JSON (an analyst with an
    /// older download and a newer collection), plus the Purview audit CSV.
    Mixed,
    /// Log Analytics "Export to CSV - all columns" of `SigninLogs` and
    /// `AADNonInteractiveUserSignInLogs` (docs/formats.md §3), plus the Purview audit CSV.
    LogAnalytics,
    /// The Unified Audit Log alone: one Purview audit CSV holding the sign-ins as STS logon records
    /// (`UserLoggedIn` / `UserLoginFailed`, RecordType 15) among the audit records. Every sign-in
    /// is written, refreshes included, although the real UAL carries only a subset of them
    /// (docs/formats-ual-sign-ins.md §1: refresh-token redemptions were never seen there),
    /// and none of them has an ASN, a location or Entra risk. The layout also writes the
    /// simulated networks' address pools as IPtoASN TSVs (`ip2asn-v4.tsv`, `ip2asn-v6.tsv`), the
    /// offline IP database an analyst would load beside such an export.
    UalOnly,
}

impl Layout {
    /// Every layout.
    pub const ALL: [Layout; 5] =
        [Layout::Portal, Layout::Graph, Layout::Mixed, Layout::LogAnalytics, Layout::UalOnly];

    /// Stable name (the CLI's `demo --layout` value).
    pub fn name(self) -> &'static str {
        match self {
            Layout::Portal => "portal",
            Layout::Graph => "graph",
            Layout::Mixed => "mixed",
            Layout::LogAnalytics => "log-analytics",
            Layout::UalOnly => "ual-only",
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Shape {
    PortalInteractive,
    PortalNonInteractive,
    Graph,
    LogAnalytics(write::LaTable),
    /// The Purview CSV: audit records, and with [`Layout::UalOnly`] the sign-ins too.
    Purview,
}

impl Tenant {
    fn day(t: Millis) -> String {
        rfc3339(t).chars().take(10).collect()
    }

    fn partition(&self, layout: Layout) -> Vec<(String, Shape, Vec<usize>)> {
        let (from, to) = (self.span.0, self.span.1 - 1);
        let mid = from + (to - from) / 2 / 86_400_000 * 86_400_000;
        let graph_from = match layout {
            Layout::Graph => Millis::MIN,
            Layout::Mixed => mid,
            _ => Millis::MAX,
        };
        let portal_to = if layout == Layout::Mixed { mid - 1 } else { to };
        let span = format!("{}_{}", Self::day(from), Self::day(to));
        let mut parts = vec![
            (
                format!("InteractiveSignIns_{}_{}.csv", Self::day(from), Self::day(portal_to)),
                Shape::PortalInteractive,
                Vec::new(),
            ),
            (
                format!("NonInteractiveSignIns_{}_{}.csv", Self::day(from), Self::day(portal_to)),
                Shape::PortalNonInteractive,
                Vec::new(),
            ),
            (
                "SignInLogs-interactiveUser-nonInteractiveUser-Combined.json".to_owned(),
                Shape::Graph,
                Vec::new(),
            ),
            (format!("AuditLog_{span}.csv"), Shape::Purview, Vec::new()),
            (
                format!("SigninLogs_{span}.csv"),
                Shape::LogAnalytics(write::LaTable::SigninLogs),
                Vec::new(),
            ),
            (
                format!("AADNonInteractiveUserSignInLogs_{span}.csv"),
                Shape::LogAnalytics(write::LaTable::NonInteractive),
                Vec::new(),
            ),
        ];
        for (i, r) in self.records.iter().enumerate() {
            let k = match (layout, r) {
                (_, Record::Audit(_)) | (Layout::UalOnly, _) => 3,
                (Layout::LogAnalytics, Record::SignIn(s)) => {
                    if s.interactive {
                        4
                    } else {
                        5
                    }
                }
                (_, Record::SignIn(s)) if s.time >= graph_from => 2,
                (_, Record::SignIn(s)) if s.interactive => 0,
                (_, Record::SignIn(_)) => 1,
            };
            parts[k].2.push(i);
        }
        parts.retain(|p| !p.2.is_empty());
        parts
    }

    /// The tenant as export files.
    pub fn files(&self, layout: Layout) -> Vec<SimFile> {
        let mut files = self.export_files(layout);
        if layout == Layout::UalOnly {
            files.extend(self.ip_database());
        }
        files
    }

    /// The simulated networks as an offline IP → ASN database in IPtoASN's TSV layout
    /// (`start<TAB>end<TAB>AS number<TAB>country<TAB>description`, sorted by start): each /24
    /// (IPv4) or /64 (IPv6) the sign-ins use, given the ASN most of its sign-ins carry, runs of
    /// them merged, with the country most of that ASN's sign-ins carry (IPtoASN gives the AS's
    /// registration country). The address pools are synthetic ([`tenant`]), so this is the
    /// database of this tenant's world, not of the real Internet. One file per family present.
    pub fn ip_database(&self) -> Vec<SimFile> {
        use std::collections::BTreeMap;
        use std::net::IpAddr;
        let mut v4: BTreeMap<u32, BTreeMap<u32, u32>> = BTreeMap::new();
        let mut v6: BTreeMap<u128, BTreeMap<u32, u32>> = BTreeMap::new();
        let mut countries: BTreeMap<u32, BTreeMap<&str, u32>> = BTreeMap::new();
        for r in &self.records {
            let Record::SignIn(s) = r else { continue };
            let Ok(ip) = s.ip.parse::<IpAddr>() else { continue };
            if s.asn == 0 {
                continue;
            }
            match ip {
                IpAddr::V4(a) => {
                    *v4.entry(u32::from(a) >> 8).or_default().entry(s.asn).or_default() += 1
                }
                IpAddr::V6(a) => {
                    *v6.entry(u128::from(a) >> 64).or_default().entry(s.asn).or_default() += 1
                }
            }
            *countries.entry(s.asn).or_default().entry(s.country.as_str()).or_default() += 1;
        }
        let most = |m: &BTreeMap<u32, u32>| {
            m.iter().max_by_key(|&(asn, n)| (*n, std::cmp::Reverse(*asn))).map_or(0, |(a, _)| *a)
        };
        let country = |asn: u32| {
            countries
                .get(&asn)
                .and_then(|m| m.iter().max_by_key(|&(c, n)| (*n, std::cmp::Reverse(*c))))
                .map_or("", |(c, _)| *c)
        };
        let row = |start: IpAddr, end: IpAddr, asn: u32| {
            let name = crate::enrich::asn_name(asn).unwrap_or("SIMULATED-NETWORK");
            let cc = country(asn);
            let cc = if cc.len() == 2 { cc } else { "None" };
            format!("{start}\t{end}\t{asn}\t{cc}\t{}\n", name.to_ascii_uppercase())
        };
        let mut out = Vec::new();
        // Runs of consecutive prefixes of one ASN, as (first, last, asn).
        fn runs<K: Copy + Ord + From<u8> + std::ops::Add<Output = K>>(
            m: &BTreeMap<K, BTreeMap<u32, u32>>,
            most: impl Fn(&BTreeMap<u32, u32>) -> u32,
        ) -> Vec<(K, K, u32)> {
            let mut v: Vec<(K, K, u32)> = Vec::new();
            for (&p, asns) in m {
                let asn = most(asns);
                match v.last_mut() {
                    Some(last) if last.2 == asn && last.1 + K::from(1) == p => last.1 = p,
                    _ => v.push((p, p, asn)),
                }
            }
            v
        }
        let mut text = String::new();
        for (first, last, asn) in runs(&v4, most) {
            let start = std::net::Ipv4Addr::from(first << 8);
            let end = std::net::Ipv4Addr::from((last << 8) | 0xff);
            text.push_str(&row(IpAddr::V4(start), IpAddr::V4(end), asn));
        }
        if !text.is_empty() {
            out.push(SimFile { name: "ip2asn-v4.tsv".to_owned(), bytes: text.into_bytes() });
        }
        let mut text = String::new();
        for (first, last, asn) in runs(&v6, most) {
            let start = std::net::Ipv6Addr::from(first << 64);
            let end = std::net::Ipv6Addr::from((last << 64) | u128::from(u64::MAX));
            text.push_str(&row(IpAddr::V6(start), IpAddr::V6(end), asn));
        }
        if !text.is_empty() {
            out.push(SimFile { name: "ip2asn-v6.tsv".to_owned(), bytes: text.into_bytes() });
        }
        out
    }

    fn export_files(&self, layout: Layout) -> Vec<SimFile> {
        let tenant_name = "Contoso";
        self.partition(layout)
            .into_iter()
            .map(|(name, shape, idx)| {
                let mut out = String::new();
                match shape {
                    Shape::PortalInteractive | Shape::PortalNonInteractive => {
                        out.push_str(write::PORTAL_HEADER);
                        out.push('\n');
                        for i in idx {
                            if let Record::SignIn(s) = &self.records[i] {
                                out.push_str(&write::portal_row(s, tenant_name));
                                out.push('\n');
                            }
                        }
                    }
                    Shape::Graph => {
                        out.push_str("[\n");
                        let objs: Vec<String> = idx
                            .iter()
                            .filter_map(|&i| match &self.records[i] {
                                Record::SignIn(s) => {
                                    serde_json::to_string(&write::graph_object(s)).ok()
                                }
                                Record::Audit(_) => None,
                            })
                            .collect();
                        out.push_str(&objs.join(",\n"));
                        out.push_str("\n]\n");
                    }
                    Shape::LogAnalytics(table) => {
                        out.push_str(&write::la_header(table));
                        out.push_str("\r\n");
                        for i in idx {
                            if let Record::SignIn(s) = &self.records[i] {
                                out.push_str(&write::la_row(
                                    s,
                                    table,
                                    write::tenant_id(),
                                    tenant_name,
                                ));
                                out.push_str("\r\n");
                            }
                        }
                    }
                    Shape::Purview => {
                        out.push_str(write::PURVIEW_HEADER);
                        out.push_str("\r\n");
                        for i in idx {
                            match &self.records[i] {
                                Record::Audit(a) => {
                                    out.push_str(&write::purview_row(a, write::tenant_id()))
                                }
                                Record::SignIn(s) => {
                                    out.push_str(&write::purview_sts_row(s, write::tenant_id()))
                                }
                            }
                            out.push_str("\r\n");
                        }
                    }
                }
                SimFile { name, bytes: out.into_bytes() }
            })
            .collect()
    }

    /// The tenant as normalized events, attributed to the same file names and lines as
    /// [`Tenant::files`] writes (what the parsers produce from those files). The portal, Graph
    /// and mixed layouts are built straight from the records (quicker, and
    /// `tests/detect_determinism.rs` checks they give the parsers' findings); the Log Analytics
    /// and UAL-only layouts are read through the parsers, which decide what those exports carry.
    pub fn dataset(&self, layout: Layout) -> Dataset {
        if matches!(layout, Layout::LogAnalytics | Layout::UalOnly) {
            let mut ds = Dataset::new();
            for f in self.files(layout) {
                ds.add_file(&f.name, &f.bytes);
            }
            return ds;
        }
        let mut ds = Dataset::new();
        for (file, (name, shape, idx)) in self.partition(layout).into_iter().enumerate() {
            let (format, kind) = match shape {
                Shape::PortalInteractive => ("entra-portal-csv", "interactive"),
                Shape::PortalNonInteractive => ("entra-portal-csv", "non-interactive"),
                Shape::Graph => ("graph-signin-json", "mixed"),
                Shape::Purview => ("purview-audit-csv", "audit"),
                Shape::LogAnalytics(_) => ("log-analytics-csv", "mixed"),
            };
            ds.files.push(InputSummary {
                name,
                format: format.to_owned(),
                log_kind: kind.to_owned(),
                ..InputSummary::default()
            });
            let portal = matches!(shape, Shape::PortalInteractive | Shape::PortalNonInteractive);
            let records: Vec<Record> = idx
                .iter()
                .map(|&i| match &self.records[i] {
                    // The portal CSV has no risk columns (docs/formats.md §1.3).
                    Record::SignIn(s) if portal => Record::SignIn(SignInRecord {
                        risk_level: String::new(),
                        risk_event_types: Vec::new(),
                        ..s.clone()
                    }),
                    r => r.clone(),
                })
                .collect();
            let lines: Vec<u32> = (0..records.len() as u32).map(|i| i + 2).collect();
            records::push_events(&mut ds, file as u32, &records, Some(&lines));
        }
        ds
    }
}

/// The demo tenant's export files (portal CSVs for the first half of the span, a Graph JSON
/// collection for the second, a Purview audit CSV): what the web app's "Try with sample data"
/// loads through the normal ingestion path. 60 benign users, 21 days, every attack variant.
pub fn demo_files() -> Vec<SimFile> {
    generate(&TenantConfig::demo()).files(Layout::Mixed)
}
