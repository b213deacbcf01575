//! Embedded reference data: hosting/VPS and Microsoft ASN lists (dated, with sources),
//! first-party application ids, country centroids.
//!
//! Everything here is compiled in, so enrichment needs no network, no API key and no licence, and
//! the same data gives the same answers in the CLI and in the browser. The lists are small and
//! dated ([`LIST_DATE`]); the report names the date whenever a list entry contributes to a finding,
//! and users extend the ASN lists through [`crate::Settings`] (`hosting_asns`, `microsoft_asns`).
//! [`ipdb`] reads the IP → ASN / country databases an analyst supplies as input files.

pub mod ipdb;

/// The date the embedded lists were last reviewed (shown in explanations).
pub const LIST_DATE: &str = "2026-03-01";

/// Hosting, VPS, CDN and commercial-VPN-exit networks: the infrastructure AiTM kits and token
/// replays run from.
///
/// Sources: the ASNs named by AiTM incident-response runbooks and repeated in docs/detection.md §4 (16509,
/// 14618, 14061, 24940, 16276, 63949, 20473, 9009, 51167; the runbooks' 13335 is in
/// [`MIXED_ASNS`] instead); the rest are the large public
/// cloud / VPS / colocation providers whose ASNs appear in Microsoft's and peers' AiTM write-ups
/// and in the community VPS list Sentinel's `Signins-From-VPS-Providers` hunt reads
/// (`Sample Data/Feeds/VPS_Networks.csv`). Names are the registrants' names from RIR WHOIS as of
/// [`LIST_DATE`]. Microsoft's own networks (AS8075 …) are deliberately *not* here: they are in
/// [`MICROSOFT_ASNS`] and handled by the zero-delay refresh guard instead.
pub const HOSTING_ASNS: &[(u32, &str)] = &[
    (16509, "Amazon AWS"),
    (14618, "Amazon AES"),
    (14061, "DigitalOcean"),
    (24940, "Hetzner Online"),
    (16276, "OVH"),
    (63949, "Akamai Connected Cloud (Linode)"),
    (20473, "The Constant Company (Vultr)"),
    (9009, "M247"),
    (51167, "Contabo"),
    (396982, "Google Cloud"),
    (45102, "Alibaba Cloud"),
    (132203, "Tencent Cloud"),
    (31898, "Oracle Cloud"),
    (36352, "ColoCrossing"),
    (60068, "Datacamp (CDN77)"),
    (212238, "Datacamp"),
    (62240, "Clouvider"),
    (8100, "QuadraNet"),
    (197540, "netcup"),
    (12876, "Scaleway"),
    (53667, "FranTech (BuyVM)"),
    (36351, "IBM Cloud (SoftLayer)"),
    (8560, "IONOS"),
    (202425, "IP Volume"),
    (40021, "Contabo US"),
    (29802, "HIVELOCITY"),
    (46606, "Unified Layer"),
    (35916, "Multacom"),
];

/// Networks that rent servers to anyone but carry mostly ordinary users, so a sign-in from them
/// says little about who is behind it: a weaker class than [`HOSTING_ASNS`]. The
/// `hosting-network` rule names them with a few points (`weights.hosting_network_mixed`), and they
/// are no corroboration on the ladder (docs/detection.md §5).
///
/// - AS13335 Cloudflare: besides Workers (where some kits proxy from), it is the exit of WARP,
///   Cloudflare's free consumer VPN app (1.1.1.1) and of Cloudflare Zero Trust, which many
///   companies route every employee through; a user on WARP signs in from AS13335 all day.
/// - AS174 Cogent: a tier-1 transit carrier; most addresses announced under it are its business
///   and ISP customers' offices and broadband, only some of them hosting.
///
/// Source: the operators' own descriptions (Cloudflare WARP and Zero Trust egress documentation,
/// Cogent's PeeringDB entry) as of [`LIST_DATE`].
pub const MIXED_ASNS: &[(u32, &str)] = &[(13335, "Cloudflare"), (174, "Cogent")];

/// Microsoft's own networks, from which Entra logs confidential-client and service-side token
/// refreshes (the "zero-delay Microsoft refresh" confounder).
///
/// Sources: Microsoft's published ASNs (PeeringDB entry "Microsoft", RIR WHOIS
/// `MICROSOFT-CORP-*` as of [`LIST_DATE`]); Elastic's telemetry on session-IP alerts (docs/detection.md §1.2:
/// 44 % were delay-0 Microsoft proxying).
pub const MICROSOFT_ASNS: &[(u32, &str)] = &[
    (8075, "Microsoft"),
    (8068, "Microsoft"),
    (8069, "Microsoft"),
    (8070, "Microsoft"),
    (8071, "Microsoft"),
    (8072, "Microsoft"),
    (8073, "Microsoft"),
    (8074, "Microsoft"),
    (12076, "Microsoft (ExpressRoute)"),
    (3598, "Microsoft"),
    (6584, "Microsoft"),
];

/// Names of common access networks, used only to make explanations readable (and by the
/// simulator). Source: RIR WHOIS registrant names as of [`LIST_DATE`].
pub const ISP_ASNS: &[(u32, &str)] = &[
    (7922, "Comcast"),
    (701, "Verizon Business"),
    (7018, "AT&T"),
    (20115, "Charter"),
    (22773, "Cox"),
    (21928, "T-Mobile USA"),
    (6167, "Verizon Wireless"),
    (3320, "Deutsche Telekom"),
    (3209, "Vodafone Germany"),
    (6805, "Telefonica Germany"),
    (2856, "BT"),
    (5089, "Virgin Media"),
    (3215, "Orange France"),
    (12322, "Free"),
    (1136, "KPN"),
    (33915, "Vodafone Ziggo"),
    (5432, "Proximus"),
    (1221, "Telstra"),
    (812, "Rogers"),
    (577, "Bell Canada"),
    (3352, "Telefonica Spain"),
    (3269, "Telecom Italia"),
    (2516, "KDDI"),
    (55836, "Reliance Jio"),
    (28573, "Claro Brazil"),
    (4766, "Korea Telecom"),
    (6830, "Liberty Global"),
    (8452, "TE Data"),
    (9121, "Turk Telekom"),
    (3301, "Telia"),
];

/// First-party Microsoft application ids → names.
///
/// Sources: Microsoft Learn "Verify first-party Microsoft applications in sign-in reports" and
/// Sentinel's `Sample Data/Feeds/Microsoft.OAuth.KnownApplications.csv`; the AiTM-kit targets
/// (OfficeHome, Office 365, Exchange Online) as used by Microsoft-Analyzer-Suite (docs/formats.md §5.7).
pub const FIRST_PARTY_APPS: &[(&str, &str)] = &[
    ("4765445b-32c6-49b0-83e6-1d93765276ca", "OfficeHome"),
    ("72782ba9-4490-4f03-8d82-562370ea3566", "Office 365"),
    ("00000002-0000-0ff1-ce00-000000000000", "Office 365 Exchange Online"),
    ("00000003-0000-0000-c000-000000000000", "Microsoft Graph"),
    ("00000003-0000-0ff1-ce00-000000000000", "Office 365 SharePoint Online"),
    ("00000002-0000-0000-c000-000000000000", "Windows Azure Active Directory"),
    ("c44b4083-3bb0-49c1-b47d-974e53cbdf3c", "Azure Portal"),
    ("1fec8e78-bce4-4aaf-ab1b-5451cc387264", "Microsoft Teams"),
    ("5e3ce6c0-2b1f-4285-8d4b-75ee78787346", "Microsoft Teams Web Client"),
    ("cc15fd57-2c6c-4117-a88c-83b1d56b4bbe", "Microsoft Teams Services"),
    ("d3590ed6-52b3-4102-aeff-aad2292ab01c", "Microsoft Office"),
    ("27922004-5251-4030-b22d-91ecd9a37ea4", "Outlook Mobile"),
    ("29d9ed98-a469-4536-ade2-f981bc1d605e", "Microsoft Authentication Broker"),
    ("01cb2876-7ebd-4aa4-9cc9-d28bd4d359a9", "Device Registration Service"),
    ("4813382a-8fa7-425e-ab75-3b753aab3abb", "Microsoft Authenticator App"),
    ("1b730954-1685-4b74-9bfd-dac224a7b894", "Azure Active Directory PowerShell"),
    ("04b07795-8ddb-461a-bbee-02f9e1bf7b46", "Microsoft Azure CLI"),
    ("1950a258-227b-4e31-a9cf-717495945fc2", "Microsoft Azure PowerShell"),
    ("aebc6443-996d-45c2-90f0-388ff96faa56", "Visual Studio Code"),
    ("ab9b8c07-8f02-4f72-87fa-80105867a763", "OneDrive SyncEngine"),
    ("d326c1ce-6cc6-4de2-bebc-4591e5e13ef0", "SharePoint"),
    ("0ec893e0-5785-4de6-99da-4ed124e5296c", "Office UWP PWA"),
    ("89bee1f7-5e6e-4d8a-9f3d-ecd601259da7", "Office365 Shell WCSS-Client"),
    ("00b41c95-dab0-4487-9791-b9d2c32c80f2", "Office 365 Management"),
    ("fb78d390-0c51-40cd-8e17-fdbfab77341b", "Microsoft Exchange REST API Based Powershell"),
    ("a0c73c16-a7e3-4564-9a95-2bdf47383716", "Microsoft Exchange Online Remote PowerShell"),
    ("9bc3ab49-b65d-410a-85ad-de819febfddc", "Microsoft SharePoint Online Management Shell"),
];

/// The date [`FOCI_DEV_APPS`] was last reviewed.
pub const FOCI_LIST_DATE: &str = "2026-12-06";

/// Family-of-client-id (FOCI) first-party developer tools that ConsentFix / AuthCodeFix-style
/// authorization-code phishing abuses: the victim pastes the `localhost` redirect of one of these
/// public clients into the attacker's page, and the attacker redeems the code for a Graph token
/// (`first-party-app-abuse`). They are pre-consented in every tenant, so no consent prompt shows.
///
/// Sources, as of [`FOCI_LIST_DATE`]: the ConsentFix / AuthCodeFix write-ups of December 2025, and
/// the peers that hunt the same three ids (Elastic's
/// `initial_access_entra_id_oauth_phishing_via_first_party_microsoft_application` rule,
/// Microsoft-Analyzer-Suite's `LETHAL-022` check); the names are those of [`FIRST_PARTY_APPS`].
/// The list is deliberately short, the developer tools those sources name; other FOCI apps
/// (Office, Teams, the broker) are hunted by other rules.
pub const FOCI_DEV_APPS: &[&str] = &[
    "04b07795-8ddb-461a-bbee-02f9e1bf7b46", // Microsoft Azure CLI
    "aebc6443-996d-45c2-90f0-388ff96faa56", // Visual Studio Code
    "1950a258-227b-4e31-a9cf-717495945fc2", // Microsoft Azure PowerShell
];

/// Whether an application id (case-insensitive) is one of [`FOCI_DEV_APPS`].
pub fn is_foci_dev_app(app_id: &str) -> bool {
    FOCI_DEV_APPS.iter().any(|id| id.eq_ignore_ascii_case(app_id))
}

/// OfficeHome, the application AiTM kits sign the victim into.
pub const OFFICE_HOME_APP_ID: &str = "4765445b-32c6-49b0-83e6-1d93765276ca";

/// Approximate country centroids (ISO 3166 alpha-2, latitude, longitude), used by
/// `impossible-travel` when a log gives a country but no coordinates.
///
/// Source: Google's public "countries.csv" canonical dataset (DSPL), rounded to 0.1°. A centroid
/// is a coarse stand-in: distances between neighbouring countries are approximate, and travel
/// inside one country always measures 0 km.
pub const COUNTRY_CENTROIDS: &[(&str, f32, f32)] = &[
    ("AE", 23.4, 53.8),
    ("AR", -38.4, -63.6),
    ("AT", 47.5, 14.6),
    ("AU", -25.3, 133.8),
    ("BE", 50.5, 4.5),
    ("BG", 42.7, 25.5),
    ("BR", -14.2, -51.9),
    ("BY", 53.7, 28.0),
    ("CA", 56.1, -106.3),
    ("CH", 46.8, 8.2),
    ("CL", -35.7, -71.5),
    ("CN", 35.9, 104.2),
    ("CO", 4.6, -74.3),
    ("CZ", 49.8, 15.5),
    ("DE", 51.2, 10.5),
    ("DK", 56.3, 9.5),
    ("EE", 58.6, 25.0),
    ("EG", 26.8, 30.8),
    ("ES", 40.5, -3.7),
    ("FI", 61.9, 25.7),
    ("FR", 46.2, 2.2),
    ("GB", 55.4, -3.4),
    ("GR", 39.1, 21.8),
    ("HK", 22.4, 114.1),
    ("HU", 47.2, 19.5),
    ("ID", -0.8, 113.9),
    ("IE", 53.4, -8.2),
    ("IL", 31.0, 34.9),
    ("IN", 20.6, 79.0),
    ("IR", 32.4, 53.7),
    ("IS", 65.0, -19.0),
    ("IT", 41.9, 12.6),
    ("JP", 36.2, 138.3),
    ("KE", -0.0, 37.9),
    ("KR", 35.9, 127.8),
    ("KZ", 48.0, 66.9),
    ("LT", 55.2, 23.9),
    ("LU", 49.8, 6.1),
    ("LV", 56.9, 24.6),
    ("MA", 31.8, -7.1),
    ("MX", 23.6, -102.6),
    ("MY", 4.2, 102.0),
    ("NG", 9.1, 8.7),
    ("NL", 52.1, 5.3),
    ("NO", 60.5, 8.5),
    ("NZ", -40.9, 174.9),
    ("PE", -9.2, -75.0),
    ("PH", 12.9, 121.8),
    ("PK", 30.4, 69.3),
    ("PL", 51.9, 19.1),
    ("PT", 39.4, -8.2),
    ("RO", 45.9, 25.0),
    ("RS", 44.0, 21.0),
    ("RU", 61.5, 105.3),
    ("SA", 23.9, 45.1),
    ("SE", 60.1, 18.6),
    ("SG", 1.4, 103.8),
    ("SK", 48.7, 19.7),
    ("TH", 15.9, 101.0),
    ("TR", 39.0, 35.2),
    ("TW", 23.7, 121.0),
    ("UA", 48.4, 31.2),
    ("US", 37.1, -95.7),
    ("VN", 14.1, 108.3),
    ("ZA", -30.6, 22.9),
];

fn lookup_asn(list: &[(u32, &'static str)], asn: u32) -> Option<&'static str> {
    list.iter().find(|(a, _)| *a == asn).map(|(_, n)| *n)
}

/// True when `asn` is in the embedded hosting/VPS list.
pub fn is_embedded_hosting_asn(asn: u32) -> bool {
    asn != 0 && lookup_asn(HOSTING_ASNS, asn).is_some()
}

/// True when `asn` is in the embedded list of networks of hosting and ordinary users alike
/// ([`MIXED_ASNS`]).
pub fn is_mixed_asn(asn: u32) -> bool {
    asn != 0 && lookup_asn(MIXED_ASNS, asn).is_some()
}

/// True when `asn` is in the embedded Microsoft list.
pub fn is_embedded_microsoft_asn(asn: u32) -> bool {
    asn != 0 && lookup_asn(MICROSOFT_ASNS, asn).is_some()
}

/// A readable name for an ASN from the embedded lists, if known.
pub fn asn_name(asn: u32) -> Option<&'static str> {
    lookup_asn(HOSTING_ASNS, asn)
        .or_else(|| lookup_asn(MIXED_ASNS, asn))
        .or_else(|| lookup_asn(MICROSOFT_ASNS, asn))
        .or_else(|| lookup_asn(ISP_ASNS, asn))
}

/// `AS14061 DigitalOcean`, or `AS64500` when the name is unknown, or `unknown ASN` for 0.
pub fn asn_label(asn: u32) -> String {
    match (asn, asn_name(asn)) {
        (0, _) => "unknown ASN".to_owned(),
        (a, Some(name)) => format!("AS{a} {name}"),
        (a, None) => format!("AS{a}"),
    }
}

/// The name of a first-party application id (case-insensitive), if known.
pub fn app_name(app_id: &str) -> Option<&'static str> {
    FIRST_PARTY_APPS.iter().find(|(id, _)| id.eq_ignore_ascii_case(app_id)).map(|(_, n)| *n)
}

/// The centroid of a country (ISO alpha-2, case-insensitive), if known.
pub fn country_centroid(country: &str) -> Option<(f32, f32)> {
    COUNTRY_CENTROIDS
        .iter()
        .find(|(c, _, _)| c.eq_ignore_ascii_case(country))
        .map(|&(_, lat, lon)| (lat, lon))
}

/// Great-circle distance in kilometres (haversine, mean Earth radius 6371 km).
pub fn distance_km(a: (f32, f32), b: (f32, f32)) -> f64 {
    let (lat1, lon1) = (f64::from(a.0).to_radians(), f64::from(a.1).to_radians());
    let (lat2, lon2) = (f64::from(b.0).to_radians(), f64::from(b.1).to_radians());
    let h = ((lat2 - lat1) / 2.0).sin().powi(2)
        + lat1.cos() * lat2.cos() * ((lon2 - lon1) / 2.0).sin().powi(2);
    2.0 * 6371.0 * h.sqrt().min(1.0).asin()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_contain_the_asns_domain_md_names() {
        for asn in [16509, 14618, 14061, 24940, 16276, 63949, 20473, 9009, 51167] {
            assert!(is_embedded_hosting_asn(asn), "{asn}");
        }
        // Cloudflare (WARP) and Cogent (transit) carry mostly ordinary users: their own weaker
        // class, never hosting.
        for asn in [13335, 174] {
            assert!(!is_embedded_hosting_asn(asn) && is_mixed_asn(asn), "{asn}");
        }
        assert_eq!(asn_label(13335), "AS13335 Cloudflare");
        assert!(!is_mixed_asn(0) && !is_mixed_asn(14061));
        assert!(is_embedded_microsoft_asn(8075));
        assert!(!is_embedded_hosting_asn(8075), "Microsoft is handled by its own guard");
        assert!(!is_embedded_hosting_asn(0));
        assert!(!is_embedded_hosting_asn(7922));
    }

    #[test]
    fn names_and_labels() {
        assert_eq!(asn_label(14061), "AS14061 DigitalOcean");
        assert_eq!(asn_label(64500), "AS64500");
        assert_eq!(asn_label(0), "unknown ASN");
        assert_eq!(app_name("4765445B-32C6-49B0-83E6-1D93765276CA"), Some("OfficeHome"));
        assert_eq!(app_name("00000003-0000-0000-c000-000000000000"), Some("Microsoft Graph"));
        assert_eq!(app_name("nope"), None);
        // Every abusable developer tool has a name an explanation can show.
        for id in FOCI_DEV_APPS {
            assert!(app_name(id).is_some(), "{id}");
        }
        assert!(is_foci_dev_app("04B07795-8DDB-461A-BBEE-02F9E1BF7B46"));
        assert!(!is_foci_dev_app("4765445b-32c6-49b0-83e6-1d93765276ca"), "OfficeHome");
    }

    #[test]
    fn distances_are_plausible() {
        let de = country_centroid("de").unwrap();
        let us = country_centroid("US").unwrap();
        let d = distance_km(de, us);
        assert!((7000.0..9000.0).contains(&d), "{d}");
        assert_eq!(distance_km(de, de), 0.0);
    }

    #[test]
    fn lists_have_no_duplicates() {
        let mut all: Vec<u32> =
            HOSTING_ASNS.iter().chain(MIXED_ASNS).chain(MICROSOFT_ASNS).map(|x| x.0).collect();
        all.extend(ISP_ASNS.iter().map(|x| x.0));
        let n = all.len();
        all.sort_unstable();
        all.dedup();
        assert_eq!(all.len(), n);
    }
}

/// Mobile carriers and the broadband networks of the same company: a phone whose refreshes move
/// between a carrier's mobile ASN and the home broadband ASN of the same group (or rotate through
/// the carrier's IPv6 /48s) stays inside one family, which docs/detection.md §5 counts as the user's own
/// origin. Family names are the groups' trading names.
///
/// Sources: the registrants the RIR WHOIS and PeeringDB records name for these networks, written
/// down from those records without a network lookup at [`CARRIER_LIST_DATE`] (re-check an entry
/// against WHOIS before leaning on it) (ARIN: AS6167 and AS22394 Cellco Partnership DBA Verizon Wireless, AS701 Verizon Business
/// (Fios), AS20057 AT&T Mobility, AS7018 AT&T Services, AS21928 T-Mobile USA (mobile and home
/// internet); RIPE: AS3320 Deutsche Telekom (fixed and mobile), AS3209 Vodafone GmbH and AS31334
/// Vodafone Kabel Deutschland, AS6805 and AS13184 Telefonica Germany (O2), AS3215 and AS5511
/// Orange, AS2856 British Telecommunications and AS12576 EE (BT Group), AS5089 Virgin Media and
/// AS35228 Telefonica UK (Virgin Media O2), AS1136 KPN, AS9143 Ziggo, AS33915 and AS15480 Vodafone
/// Libertel (VodafoneZiggo)). The list is deliberately small: the carriers of the countries the
/// simulator models and the examples the detection specification gives; a user's own carrier
/// missing here is judged like any other network.
pub const CARRIER_FAMILIES: &[(u32, &str)] = &[
    (6167, "Verizon"),
    (22394, "Verizon"),
    (701, "Verizon"),
    (20057, "AT&T"),
    (7018, "AT&T"),
    (21928, "T-Mobile US"),
    (3320, "Deutsche Telekom"),
    (3209, "Vodafone Germany"),
    (31334, "Vodafone Germany"),
    (6805, "Telefonica Germany"),
    (13184, "Telefonica Germany"),
    (3215, "Orange"),
    (5511, "Orange"),
    (2856, "BT Group"),
    (12576, "BT Group"),
    (5089, "Virgin Media O2"),
    (35228, "Virgin Media O2"),
    (1136, "KPN"),
    (9143, "VodafoneZiggo"),
    (33915, "VodafoneZiggo"),
    (15480, "VodafoneZiggo"),
];

/// The date [`CARRIER_FAMILIES`] was last reviewed.
pub const CARRIER_LIST_DATE: &str = "2026-03-01";

/// The carrier family (company group) an ASN belongs to, if it is in [`CARRIER_FAMILIES`]: two
/// ASNs with the same family are one company's mobile and broadband networks.
pub fn carrier_family(asn: u32) -> Option<&'static str> {
    if asn == 0 { None } else { lookup_asn(CARRIER_FAMILIES, asn) }
}

#[cfg(test)]
mod carrier_family_tests {
    use super::*;

    #[test]
    fn mobile_and_broadband_networks_of_one_company_share_a_family() {
        assert_eq!(carrier_family(6167), carrier_family(701));
        assert_eq!(carrier_family(6167), Some("Verizon"));
        assert_eq!(carrier_family(20057), carrier_family(7018));
        assert_eq!(carrier_family(12576), carrier_family(2856));
        assert_eq!(carrier_family(3209), carrier_family(31334));
        assert_ne!(carrier_family(3209), carrier_family(3320), "Vodafone is not Telekom");
        assert_ne!(carrier_family(6167), carrier_family(20057), "Verizon is not AT&T");
        assert_eq!(carrier_family(14061), None, "hosting networks are no carrier");
        assert_eq!(carrier_family(0), None);
    }

    #[test]
    fn no_carrier_is_listed_twice_or_as_hosting() {
        let mut asns: Vec<u32> = CARRIER_FAMILIES.iter().map(|x| x.0).collect();
        let n = asns.len();
        asns.sort_unstable();
        asns.dedup();
        assert_eq!(asns.len(), n);
        assert!(asns.iter().all(|&a| !is_embedded_hosting_asn(a) && !is_embedded_microsoft_asn(a)));
    }
}
