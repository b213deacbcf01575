//! The tenant generator: benign users living their ordinary (confusing) network lives, and AiTM
//! victims, with the ground truth of who is who.
//!
//! Everything is drawn from one seeded ChaCha8 stream, sampled as `u64` (never `usize`, which is
//! 32-bit on wasm32), and anchored to a fixed start date, so the same configuration gives the same
//! records on every platform. IP addresses are synthetic: each ASN gets a made-up address pool
//! (IPv4, or IPv6 under 2001:db8::/32 for mobile carriers); they are not the ASNs' real
//! allocations.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use super::records::{AuditRecord, Record, SignInRecord};
use crate::detect::fnv1a64;
use crate::enrich;
use crate::model::Millis;

const MINUTE: Millis = 60_000;
const HOUR: Millis = 60 * MINUTE;
const DAY: Millis = 24 * HOUR;

/// 2026-03-02T00:00:00Z, a Monday: day 0 of every simulated tenant.
pub const START: Millis = 1_772_409_600_000;

/// Benign confounders of docs/detection.md §1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Confounder {
    /// A few days abroad: hotel Wi-Fi, an airport refresh.
    Travel,
    /// Moves to a new home ISP mid-span.
    NewHomeIsp,
    /// The phone refreshes through a carrier NAT pool (a new address nearly every time).
    MobileCarrierNat,
    /// A corporate VPN that connects and disconnects mid-session.
    VpnToggle,
    /// A commercial VPN exiting from a hosting ASN.
    CommercialVpnOnHosting,
    /// Phone and laptop on different networks at the same time.
    PhoneAndLaptop,
    /// Microsoft refreshing tokens from its own network with zero delay.
    ZeroDelayMicrosoftRefresh,
    /// A service account scripting from cloud servers.
    ServiceAccount,
    /// Two countries the same day (train or short flight).
    TwoCountriesSameDay,
}

impl Confounder {
    /// All confounders.
    pub const ALL: [Confounder; 9] = [
        Confounder::Travel,
        Confounder::NewHomeIsp,
        Confounder::MobileCarrierNat,
        Confounder::VpnToggle,
        Confounder::CommercialVpnOnHosting,
        Confounder::PhoneAndLaptop,
        Confounder::ZeroDelayMicrosoftRefresh,
        Confounder::ServiceAccount,
        Confounder::TwoCountriesSameDay,
    ];

    /// Stable name.
    pub fn name(self) -> &'static str {
        match self {
            Confounder::Travel => "travel",
            Confounder::NewHomeIsp => "new-home-isp",
            Confounder::MobileCarrierNat => "mobile-carrier-nat",
            Confounder::VpnToggle => "vpn-connect-disconnect",
            Confounder::CommercialVpnOnHosting => "commercial-vpn-on-hosting-asn",
            Confounder::PhoneAndLaptop => "phone-and-laptop-on-different-networks",
            Confounder::ZeroDelayMicrosoftRefresh => "zero-delay-microsoft-refresh",
            Confounder::ServiceAccount => "service-account",
            Confounder::TwoCountriesSameDay => "two-countries-same-day",
        }
    }
}

/// Attack variants.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Attack {
    /// AiTM kit: phishing sign-in through a hosting proxy, same-session replay minutes later from
    /// another hosting network.
    AitmKit,
    /// Infostealer: an old session of the victim refreshes from a hosting network days later.
    InfostealerReplay,
    /// AiTM phishing, replay through a residential proxy in the victim's own country.
    ResidentialProxy,
    /// AiTM phishing, replay hours later (outside H2's 10 minutes).
    SlowReplay,
    /// One attacker IP replaying the sessions of three users.
    Campaign,
}

impl Attack {
    /// All variants.
    pub const ALL: [Attack; 5] = [
        Attack::AitmKit,
        Attack::InfostealerReplay,
        Attack::ResidentialProxy,
        Attack::SlowReplay,
        Attack::Campaign,
    ];

    /// Stable name.
    pub fn name(self) -> &'static str {
        match self {
            Attack::AitmKit => "aitm-kit-same-session-replay",
            Attack::InfostealerReplay => "infostealer-old-session-replay",
            Attack::ResidentialProxy => "residential-proxy-in-victim-country",
            Attack::SlowReplay => "slow-replay-outside-10-min",
            Attack::Campaign => "one-ip-three-users",
        }
    }
}

/// Ground truth for one user.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserTruth {
    /// Lower-case UPN.
    pub user: String,
    /// The attack, if the user is a victim, and whether it left an audit trail.
    pub attack: Option<(Attack, bool)>,
    /// The benign confounders in the user's life.
    pub confounders: Vec<Confounder>,
}

/// What to generate.
#[derive(Clone, Debug, PartialEq)]
pub struct TenantConfig {
    /// Random seed.
    pub seed: u64,
    /// Benign users (service accounts included).
    pub benign_users: u32,
    /// Days of logs (at least 7).
    pub days: u32,
    /// Attacks: (variant, with audit trail). A campaign takes three victims.
    pub attacks: Vec<(Attack, bool)>,
    /// Tenant domain.
    pub domain: String,
}

impl TenantConfig {
    /// Every attack variant with and without an audit trail.
    pub fn all_attacks() -> Vec<(Attack, bool)> {
        Attack::ALL.iter().flat_map(|&a| [(a, true), (a, false)]).collect()
    }

    /// The demo tenant: 60 benign users, 21 days, every attack variant once.
    pub fn demo() -> TenantConfig {
        TenantConfig {
            seed: 7,
            benign_users: 60,
            days: 21,
            attacks: vec![
                (Attack::AitmKit, true),
                (Attack::InfostealerReplay, false),
                (Attack::ResidentialProxy, true),
                (Attack::SlowReplay, true),
                (Attack::Campaign, false),
            ],
            domain: "contoso.example".to_owned(),
        }
    }
}

/// A generated tenant.
#[derive(Clone, Debug, PartialEq)]
pub struct Tenant {
    /// Every record, in time order.
    pub records: Vec<Record>,
    /// Ground truth, by user.
    pub truth: Vec<UserTruth>,
    /// First and last day (UTC milliseconds of midnight).
    pub span: (Millis, Millis),
}

struct R(ChaCha8Rng);

impl R {
    fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.0.next_u64() % n }
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
    fn guid(&mut self) -> String {
        let a = self.0.next_u64();
        let b = self.0.next_u64();
        let bytes: [u8; 16] = {
            let mut x = [0u8; 16];
            x[..8].copy_from_slice(&a.to_le_bytes());
            x[8..].copy_from_slice(&b.to_le_bytes());
            x[6] = (x[6] & 0x0f) | 0x40;
            x[8] = (x[8] & 0x3f) | 0x80;
            x
        };
        uuid::Uuid::from_bytes(bytes).hyphenated().to_string()
    }
}

/// The base64url, unpadded, little-endian encoding of a request id: its unique token identifier.
pub fn uti_of(request_id: &str) -> String {
    use base64::Engine;
    match uuid::Uuid::parse_str(request_id) {
        Ok(u) => base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(u.to_bytes_le()),
        Err(_) => String::new(),
    }
}

/// A synthetic address of `asn`: block selects the /24 (or /48), host the address inside it.
fn ip(asn: u32, block: u64, host: u64) -> String {
    let h = fnv1a64(&asn.to_le_bytes());
    let mut o1 = 23 + (h % 170) as u32;
    if o1 == 127 || o1 == 100 || o1 == 169 || o1 == 172 || o1 == 192 {
        o1 += 1;
    }
    let o2 = ((h >> 8) % 200) + block / 256;
    format!("{o1}.{}.{}.{}", o2 % 256, block % 256, 1 + host % 254)
}

fn ip6(asn: u32, block: u64, host: u64) -> String {
    let h = (fnv1a64(&asn.to_le_bytes()) % 0xffff) as u32;
    format!("2001:db8:{:x}:{h:x}::{:x}", block % 0xffff, 1 + host % 0xfffe)
}

struct Country {
    code: &'static str,
    city: &'static str,
    state: &'static str,
    isps: &'static [u32],
    carrier: u32,
    office_asn: u32,
    residential_proxy: u32,
}

const COUNTRIES: [Country; 5] = [
    Country {
        code: "US",
        city: "Chicago",
        state: "Illinois",
        isps: &[7922, 701, 7018, 22773],
        carrier: 21928,
        office_asn: 7018,
        residential_proxy: 20115,
    },
    Country {
        code: "DE",
        city: "Berlin",
        state: "Berlin",
        isps: &[3320, 3209],
        carrier: 6805,
        office_asn: 3320,
        residential_proxy: 6830,
    },
    Country {
        code: "GB",
        city: "London",
        state: "England",
        isps: &[2856, 5089],
        carrier: 2856,
        office_asn: 2856,
        residential_proxy: 5607,
    },
    Country {
        code: "FR",
        city: "Paris",
        state: "Ile-de-France",
        isps: &[3215, 12322],
        carrier: 3215,
        office_asn: 3215,
        residential_proxy: 5410,
    },
    Country {
        code: "NL",
        city: "Amsterdam",
        state: "North Holland",
        isps: &[1136, 33915],
        carrier: 1136,
        office_asn: 1136,
        residential_proxy: 6830,
    },
];

const LAPTOP_UAS: [(&str, &str, &str); 3] = [
    (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36 Edg/122.0.0.0",
        "Edge 122.0.0",
        "Windows10",
    ),
    (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36",
        "Chrome 122.0.0",
        "Windows10",
    ),
    (
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_3) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.3 Safari/605.1.15",
        "Safari 17.3",
        "MacOs",
    ),
];
const PHONE_UA: &str = "Outlook-iOS/2.0";
const ATTACKER_UAS: [&str; 3] = [
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/121.0.0.0 Safari/537.36",
    "axios/1.6.8",
    "python-requests/2.31.0",
];

const EXO: (&str, &str) = ("00000002-0000-0ff1-ce00-000000000000", "Office 365 Exchange Online");
const OFFICE_HOME: (&str, &str) = (enrich::OFFICE_HOME_APP_ID, "OfficeHome");
const TEAMS: (&str, &str) = ("1fec8e78-bce4-4aaf-ab1b-5451cc387264", "Microsoft Teams");
const GRAPH: (&str, &str) = ("00000003-0000-0000-c000-000000000000", "Microsoft Graph");
const OUTLOOK_MOBILE: (&str, &str) = ("27922004-5251-4030-b22d-91ecd9a37ea4", "Outlook Mobile");

/// Where a device is: (ip, asn, country).
#[derive(Clone)]
struct Net {
    ip: String,
    asn: u32,
    country: &'static str,
    city: &'static str,
    state: &'static str,
}

fn net_of(asn: u32, c: &'static Country, block: u64, host: u64) -> Net {
    Net { ip: ip(asn, block, host), asn, country: c.code, city: c.city, state: c.state }
}

struct Gen {
    r: R,
    out: Vec<Record>,
    domain: String,
}

struct Person {
    upn: String,
    oid: String,
    laptop: String,
    phone: String,
    ua: usize,
}

impl Gen {
    #[allow(clippy::too_many_arguments)]
    fn sign_in(
        &mut self,
        p: &Person,
        t: Millis,
        interactive: bool,
        net: &Net,
        session: &str,
        app: (&str, &str),
        phone: bool,
    ) -> &mut SignInRecord {
        let request_id = self.r.guid();
        let (ua, browser, os) =
            if phone { (PHONE_UA, "Mobile Safari", "Ios") } else { LAPTOP_UAS[p.ua] };
        let rec = SignInRecord {
            time: t,
            interactive,
            user: p.upn.clone(),
            user_id: p.oid.clone(),
            display_name: p.upn.split('@').next().unwrap_or("").to_owned(),
            ip: net.ip.clone(),
            asn: net.asn,
            country: net.country.to_owned(),
            state: net.state.to_owned(),
            city: net.city.to_owned(),
            user_agent: ua.to_owned(),
            browser: browser.to_owned(),
            os: os.to_owned(),
            device_id: if phone { p.phone.clone() } else { p.laptop.clone() },
            compliant: true,
            managed: true,
            trust_type: "Microsoft Entra registered".to_owned(),
            app_id: app.0.to_owned(),
            app_name: app.1.to_owned(),
            resource: if interactive { "Windows Azure Active Directory" } else { EXO.1 }.to_owned(),
            resource_id: if interactive { "00000002-0000-0000-c000-000000000000" } else { EXO.0 }
                .to_owned(),
            client_app: if phone { "Mobile Apps and Desktop clients" } else { "Browser" }
                .to_owned(),
            session_id: session.to_owned(),
            unique_token_id: uti_of(&request_id),
            correlation_id: self.r.guid(),
            request_id,
            auth_requirement: if interactive {
                "multiFactorAuthentication"
            } else {
                "singleFactorAuthentication"
            }
            .to_owned(),
            mfa_detail: if interactive {
                "MFA completed in Azure AD".to_owned()
            } else {
                "MFA requirement satisfied by claim in the token".to_owned()
            },
            mfa_method: if interactive { "Mobile app notification" } else { "" }.to_owned(),
            incoming_token_type: if interactive { "none" } else { "refreshToken" }.to_owned(),
            risk_level: "none".to_owned(),
            ..SignInRecord::default()
        };
        self.out.push(Record::SignIn(rec));
        match self.out.last_mut() {
            Some(Record::SignIn(s)) => s,
            _ => unreachable!("just pushed a sign-in"),
        }
    }

    fn audit(
        &mut self,
        user: &str,
        t: Millis,
        ip: &str,
        op: &str,
        record_type: u32,
    ) -> &mut AuditRecord {
        let workload = match record_type {
            8 | 15 => "AzureActiveDirectory",
            _ => "Exchange",
        };
        let rec = AuditRecord {
            time: t,
            user: user.to_owned(),
            ip: ip.to_owned(),
            operation: op.to_owned(),
            workload: workload.to_owned(),
            record_type,
            record_id: self.r.guid(),
            client_info: if record_type == 50 || record_type == 2 { "Client=OWA" } else { "" }
                .to_owned(),
            ..AuditRecord::default()
        };
        self.out.push(Record::Audit(rec));
        match self.out.last_mut() {
            Some(Record::Audit(a)) => a,
            _ => unreachable!("just pushed an audit record"),
        }
    }
}

/// Generates a tenant.
pub fn generate(cfg: &TenantConfig) -> Tenant {
    let mut g = Gen {
        r: R(ChaCha8Rng::seed_from_u64(cfg.seed)),
        out: Vec::new(),
        domain: cfg.domain.clone(),
    };
    let days = u64::from(cfg.days.max(7));
    let mut truth = Vec::new();
    let victims: u32 =
        cfg.attacks.iter().map(|(a, _)| if *a == Attack::Campaign { 3 } else { 1 }).sum();
    let total = cfg.benign_users + victims;
    // Everyone gets a life; victims are the last users.
    let mut people = Vec::new();
    for n in 0..total {
        let service = n < cfg.benign_users && n % 40 == 39;
        let name = if service { format!("svc-sync{n:03}") } else { format!("user{n:03}") };
        let p = Person {
            upn: format!("{name}@{}", g.domain),
            oid: g.r.guid(),
            laptop: g.r.guid(),
            phone: g.r.guid(),
            ua: g.r.below(3) as usize,
        };
        let mut confounders = Vec::new();
        if service {
            confounders.push(Confounder::ServiceAccount);
        } else if n < cfg.benign_users {
            // Every benign user has a phone and a laptop; most get one or two more confounders.
            confounders.push(Confounder::PhoneAndLaptop);
            for c in [
                Confounder::Travel,
                Confounder::NewHomeIsp,
                Confounder::MobileCarrierNat,
                Confounder::VpnToggle,
                Confounder::CommercialVpnOnHosting,
                Confounder::ZeroDelayMicrosoftRefresh,
                Confounder::TwoCountriesSameDay,
            ] {
                let pct = if c == Confounder::ZeroDelayMicrosoftRefresh { 35 } else { 14 };
                if g.r.chance(pct) {
                    confounders.push(c);
                }
            }
        }
        people.push((p, confounders));
    }
    for (n, (p, confounders)) in people.iter().enumerate() {
        let country = &COUNTRIES[if g.r.chance(60) { 0 } else { 1 + g.r.below(4) as usize }];
        if confounders.contains(&Confounder::ServiceAccount) {
            service_account(&mut g, p, days);
        } else {
            life(&mut g, p, country, confounders, days);
        }
        if n < cfg.benign_users as usize {
            truth.push(UserTruth {
                user: p.upn.clone(),
                attack: None,
                confounders: confounders.clone(),
            });
        }
    }
    // Attacks.
    let mut next = cfg.benign_users as usize;
    for (i, &(attack, audit)) in cfg.attacks.iter().enumerate() {
        let n_victims = if attack == Attack::Campaign { 3 } else { 1 };
        let day = 2 + (i as u64 * 3 + g.r.below(3)) % (days - 3);
        let shared_ip =
            ip(*g.r.pick(&[14061u32, 24940, 16276, 20473]), 40 + i as u64, g.r.below(250));
        for v in 0..n_victims {
            let (p, _) = &people[next];
            let country_code = g
                .out
                .iter()
                .find_map(|r| match r {
                    Record::SignIn(s) if s.user == p.upn => Some(s.country.clone()),
                    _ => None,
                })
                .unwrap_or_else(|| "US".to_owned());
            let c = COUNTRIES.iter().find(|c| c.code == country_code).unwrap_or(&COUNTRIES[0]);
            let t0 = START
                + day as i64 * DAY
                + (9 + g.r.below(7) as i64) * HOUR
                + g.r.below(60) as i64 * MINUTE
                + v * 7 * MINUTE;
            attack_user(&mut g, p, c, attack, audit, t0, &shared_ip, i as u64);
            truth.push(UserTruth {
                user: p.upn.clone(),
                attack: Some((attack, audit)),
                confounders: vec![Confounder::PhoneAndLaptop],
            });
            next += 1;
        }
    }
    g.out.sort_by(|a, b| a.time().cmp(&b.time()).then_with(|| a.user().cmp(b.user())));
    truth.sort_by(|a, b| a.user.cmp(&b.user));
    Tenant { records: g.out, truth, span: (START, START + days as i64 * DAY) }
}

fn service_account(g: &mut Gen, p: &Person, days: u64) {
    let us = &COUNTRIES[0];
    let servers: Vec<Net> = (0..2).map(|k| net_of(16509, us, 7, 10 + k)).collect();
    let session = g.r.guid();
    for d in 0..days {
        for h in (0..24).step_by(3) {
            let net = servers[(h / 3 % 2) as usize].clone();
            let t = START + d as i64 * DAY + h * HOUR + g.r.below(600) as i64 * 1000;
            let interactive = h == 0;
            let s = g.sign_in(p, t, interactive, &net, &session, GRAPH, false);
            s.user_agent = "python-requests/2.31.0".to_owned();
            s.browser = "Python Requests 2.31".to_owned();
            s.device_id.clear();
            s.client_app = "Mobile Apps and Desktop clients".to_owned();
        }
    }
}

fn life(g: &mut Gen, p: &Person, c: &'static Country, confounders: &[Confounder], days: u64) {
    let has = |x: Confounder| confounders.contains(&x);
    let home_asn = *g.r.pick(c.isps);
    let home = net_of(home_asn, c, g.r.below(200), g.r.below(250));
    let office = net_of(c.office_asn, c, 250, 10);
    let new_home_asn = *c.isps.iter().find(|&&a| a != home_asn).unwrap_or(&c.residential_proxy);
    let new_home = net_of(new_home_asn, c, g.r.below(200), g.r.below(250));
    let move_day = 3 + g.r.below(days - 5);
    let travel_day = 2 + g.r.below(days - 6);
    let abroad = &COUNTRIES[(COUNTRIES.iter().position(|x| x.code == c.code).unwrap_or(0)
        + 1
        + g.r.below(4) as usize)
        % 5];
    let vpn_corp = Net {
        ip: ip(395_747, 3, g.r.below(4)),
        asn: 395_747,
        country: c.code,
        city: c.city,
        state: c.state,
    };
    let nord_pool: Vec<Net> =
        (0..6).map(|k| net_of(9009, &COUNTRIES[4], 60 + k, g.r.below(250))).collect();
    let two_country_day = 1 + g.r.below(days - 2);
    let mut phone_session = g.r.guid();
    for d in 0..days {
        let day0 = START + d as i64 * DAY;
        let weekday = d % 7 < 5;
        let traveling = has(Confounder::Travel) && d >= travel_day && d < travel_day + 3;
        let hotel = net_of(abroad.isps[0], abroad, 90 + d, 20);
        // Phone: one session a week, begun interactively; refreshes over the carrier.
        if d % 7 == 0 {
            phone_session = g.r.guid();
            let net = if traveling {
                hotel.clone()
            } else {
                net_of(c.carrier, c, 120 + g.r.below(8), g.r.below(250))
            };
            let t = day0 + 7 * HOUR + g.r.below(60) as i64 * MINUTE;
            g.sign_in(p, t, true, &net, &phone_session, OUTLOOK_MOBILE, true);
        }
        for k in 0..3 {
            let t = day0 + (8 + 4 * k) * HOUR + g.r.below(120) as i64 * MINUTE;
            let block = if has(Confounder::MobileCarrierNat) {
                120 + g.r.below(40)
            } else {
                120 + g.r.below(8)
            };
            let mut net = net_of(c.carrier, c, block, g.r.below(250));
            if has(Confounder::MobileCarrierNat) && c.code == "US" {
                net.ip = ip6(c.carrier, g.r.below(300), g.r.below(60_000));
            }
            g.sign_in(p, t, false, &net, &phone_session, OUTLOOK_MOBILE, true);
        }
        if !weekday && !traveling {
            continue;
        }
        // Laptop: a new session every working day.
        let session = g.r.guid();
        let mut net = if has(Confounder::NewHomeIsp) && d >= move_day {
            new_home.clone()
        } else if g.r.chance(55) {
            office.clone()
        } else {
            home.clone()
        };
        let use_nord = has(Confounder::CommercialVpnOnHosting) && d % 2 == 0;
        if use_nord {
            net = nord_pool[g.r.below(6) as usize].clone();
        }
        if traveling {
            net = hotel.clone();
        }
        let start = day0 + (8 + g.r.below(2) as i64) * HOUR + g.r.below(50) as i64 * MINUTE;
        if has(Confounder::TwoCountriesSameDay) && d == two_country_day {
            // Morning at home, evening in the neighbouring country after a 3-hour train.
            let there = abroad;
            let tn = net_of(there.isps[0], there, 77, 5);
            g.sign_in(p, start, true, &net, &session, OFFICE_HOME, false);
            let s2 = g.r.guid();
            g.sign_in(p, start + 6 * HOUR, true, &tn, &s2, OFFICE_HOME, false);
            g.sign_in(p, start + 6 * HOUR + 20 * MINUTE, false, &tn, &s2, EXO, false);
            continue;
        }
        if traveling && d == travel_day {
            // An airport refresh before the hotel.
            let airport = net_of(abroad.isps[abroad.isps.len() - 1], abroad, 180, g.r.below(250));
            g.sign_in(p, start - 2 * HOUR, false, &airport, &session, EXO, false);
        }
        let app = *g.r.pick(&[OFFICE_HOME, TEAMS]);
        g.sign_in(p, start, true, &net, &session, app, false);
        // Phone on the carrier within minutes of the laptop's interactive sign-in.
        if has(Confounder::PhoneAndLaptop) && g.r.chance(30) {
            let carrier = net_of(c.carrier, c, 120 + g.r.below(8), g.r.below(250));
            let t = start + (2 + g.r.below(6) as i64) * MINUTE;
            g.sign_in(p, t, false, &carrier, &phone_session, OUTLOOK_MOBILE, true);
        }
        let refreshes = 3 + g.r.below(4);
        let mut t = start;
        for k in 0..refreshes {
            t += (40 + g.r.below(80) as i64) * MINUTE;
            let mut here = net.clone();
            if has(Confounder::VpnToggle)
                && !use_nord
                && !traveling
                && (k == 1 || (k == 0 && d % 3 == 0))
            {
                here = vpn_corp.clone();
                if k == 0 {
                    // The VPN also sees an interactive prompt now and then: it is a known network.
                    g.sign_in(p, t - 5 * MINUTE, true, &here, &session, TEAMS, false);
                }
            }
            if use_nord {
                here = nord_pool[g.r.below(6) as usize].clone();
            }
            let app = *g.r.pick(&[EXO, TEAMS, GRAPH]);
            g.sign_in(p, t, false, &here, &session, app, false);
            if has(Confounder::ZeroDelayMicrosoftRefresh) && g.r.chance(40) {
                let ms = Net {
                    ip: ip(8075, 5, g.r.below(250)),
                    asn: 8075,
                    country: "US",
                    city: "Redmond",
                    state: "Washington",
                };
                g.sign_in(p, t + 1000, false, &ms, &session, GRAPH, false);
            }
            if g.r.chance(25) {
                let a = g.audit(&p.upn, t + 2 * MINUTE, &here.ip, "MailItemsAccessed", 50);
                a.session_id = session.clone();
                a.parameters = vec![("MailAccessType".into(), "Bind".into())];
            }
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn attack_user(
    g: &mut Gen,
    p: &Person,
    c: &'static Country,
    attack: Attack,
    audit: bool,
    t0: Millis,
    shared_ip: &str,
    salt: u64,
) {
    // The campaign replays from AS14061; its proxies sit elsewhere (a same-provider proxy and
    // replay box on a three-victim IP ranks low: see the quality notes).
    let proxy_asn = if attack == Attack::Campaign {
        *g.r.pick(&[16276u32, 63949])
    } else {
        *g.r.pick(&[16276u32, 14061, 63949])
    };
    let proxy = Net {
        ip: ip(proxy_asn, 30 + salt, g.r.below(250)),
        asn: proxy_asn,
        country: "US",
        city: "Ashburn",
        state: "Virginia",
    };
    let replay_asn = match attack {
        Attack::ResidentialProxy => c.residential_proxy,
        Attack::Campaign => 0,
        _ => *g.r.pick(&[24940u32, 20473, 51167, 9009]),
    };
    let attacker = match attack {
        Attack::Campaign => Net {
            ip: shared_ip.to_owned(),
            asn: 14061,
            country: "NL",
            city: "Amsterdam",
            state: "North Holland",
        },
        Attack::ResidentialProxy => Net {
            ip: ip(replay_asn, 210 + salt, g.r.below(250)),
            asn: replay_asn,
            country: c.code,
            city: c.city,
            state: c.state,
        },
        _ => Net {
            ip: ip(replay_asn, 20 + salt, g.r.below(250)),
            asn: replay_asn,
            country: "NL",
            city: "Amsterdam",
            state: "North Holland",
        },
    };
    let ua = if attack == Attack::InfostealerReplay {
        LAPTOP_UAS[p.ua].0
    } else {
        *g.r.pick(&ATTACKER_UAS)
    };
    // The session being replayed.
    let (session, replay_start) = if attack == Attack::InfostealerReplay {
        // An old laptop session of the victim's, three days earlier, from home.
        let old = g.r.guid();
        let home = net_of(c.isps[0], c, 199, 9);
        g.sign_in(p, t0 - 3 * DAY, true, &home, &old, OFFICE_HOME, false);
        g.sign_in(p, t0 - 3 * DAY + 30 * MINUTE, false, &home, &old, EXO, false);
        (old, t0)
    } else {
        let s = g.r.guid();
        let phish = g.sign_in(p, t0, true, &proxy, &s, OFFICE_HOME, false);
        phish.device_id.clear();
        phish.compliant = false;
        phish.managed = false;
        phish.trust_type.clear();
        let delay = if attack == Attack::SlowReplay {
            (3 + g.r.below(4) as i64) * HOUR
        } else {
            (2 + g.r.below(6) as i64) * MINUTE
        };
        (s, t0 + delay)
    };
    let mut t = replay_start;
    let n = 4 + g.r.below(6);
    let mut first_uti = String::new();
    for k in 0..n {
        let app = *g.r.pick(&[EXO, GRAPH]);
        let s = g.sign_in(p, t, false, &attacker, &session, app, false);
        s.user_agent = ua.to_owned();
        s.browser = if ua.starts_with("Mozilla") { "Chrome 121.0.0" } else { "" }.to_owned();
        s.os = "Linux".to_owned();
        s.device_id.clear();
        s.compliant = false;
        s.managed = false;
        s.trust_type.clear();
        if k == 1 && attack != Attack::ResidentialProxy {
            s.risk_event_types = vec!["anomalousToken".into()];
            s.risk_level = "medium".into();
        }
        if k == 0 {
            first_uti = s.unique_token_id.clone();
        }
        t += (10 + g.r.below(40) as i64) * MINUTE;
    }
    if audit {
        let ip_port = format!("{}:{}", attacker.ip, 40_000 + g.r.below(20_000));
        let a = g.audit(&p.upn, replay_start + 4 * MINUTE, &attacker.ip, "MailItemsAccessed", 50);
        a.session_id = session.clone();
        a.client_info = "Client=OWA;Action=ViaProxy".to_owned();
        a.parameters = vec![("MailAccessType".into(), "Bind".into())];
        let a = g.audit(&p.upn, replay_start + 9 * MINUTE, &ip_port, "New-InboxRule", 1);
        a.session_id = session.clone();
        a.unique_token_id = first_uti.clone();
        a.parameters = vec![
            ("Name".into(), "..".into()),
            ("MoveToFolder".into(), "RSS Feeds".into()),
            ("MarkAsRead".into(), "True".into()),
            ("SubjectContainsWords".into(), "invoice;payment".into()),
            ("StopProcessingRules".into(), "True".into()),
        ];
        if attack == Attack::Campaign || attack == Attack::AitmKit {
            let a = g.audit(&p.upn, replay_start + 12 * MINUTE, &ip_port, "New-InboxRule", 1);
            a.session_id = session.clone();
            a.parameters = vec![
                ("Name".into(), "fwd".into()),
                ("ForwardTo".into(), "billing@payments-desk.example".into()),
            ];
            a.forward_to = vec!["billing@payments-desk.example".into()];
        }
        let a = g.audit(&p.upn, replay_start + 25 * MINUTE, &attacker.ip, "Send", 2);
        a.session_id = session.clone();
        a.parameters = vec![("Subject".into(), "Updated banking details".into())];
    }
    // Half the attacks are contained later that day.
    if g.r.chance(50) {
        let a = g.audit(
            "secops@contoso.example",
            t + 2 * HOUR,
            "",
            "Update StsRefreshTokenValidFrom Timestamp.",
            8,
        );
        a.target_user = p.upn.clone();
    }
}
