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

/// Benign confounders of docs/detection.md §1 and §5 (the real-life confounders that must stay
/// below medium).
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
    /// An unregistered phone whose mail app refreshes move between a carrier's mobile network
    /// (IPv6 /48s rotating inside it, now and then carrier-grade NAT IPv4) and the home broadband
    /// of the same company, which is also the user's home ISP; the phone's interactive sign-ins
    /// come from home Wi-Fi only, so the mobile network is in no baseline; and the mail app's own
    /// `MailItemsAccessed` (`MailAccessType=Sync`) records follow the refreshes from the same
    /// addresses and session within the hour. The confounder that, before ladder version 2,
    /// made about one benign user in ten critical on real tenants.
    CarrierFamily,
    /// The user's own registered, compliant laptop (the device id of their interactive sign-ins)
    /// refreshing from a network it never signed in from interactively: an afternoon at a client
    /// site or a coworking space.
    OwnDeviceNewNetwork,
    /// A trip to another continent with the user's own laptop: a refresh from the arrival
    /// airport, then an interactive MFA sign-in from the hotel (same device id, new country),
    /// refreshes from a conference venue; the phone keeps refreshing through the home carrier
    /// (home-routed roaming).
    TravelWithOwnDevice,
    /// The office leaves through a second ISP now and then (failover, or a split per service):
    /// office sessions refresh from an address that all such users share, in another ASN.
    CorporateEgress,
    /// An in-house Node.js job of the user's calls Microsoft Graph through the Microsoft
    /// Authentication Broker every working day from the office, with the user agent `node`:
    /// Tycoon 2FA's shape, from the user's own network.
    NodeAutomation,
    /// A new laptop joined by Windows Autopilot at the office: `Add device.` with the real build
    /// and `Dsreg` user agent and a `DESKTOP-` name, then sign-ins with a primary refresh token,
    /// the first of them before Intune marks the laptop managed.
    AutopilotJoin,
    /// Several browsers on several machines, one of them an outdated Firefox ESR and an old
    /// Safari: each browser in its own session.
    SeveralBrowsers,
    /// A developer using Azure CLI from home from the first day of the span: `az login` in the
    /// laptop's browser every Monday, then the tool's refresh tokens redeemed for Microsoft Graph
    /// every working day, from the same home address and laptop.
    AzureCliDeveloper,
    /// A meeting-room screen the user signs in by device code (`authenticationProtocol =
    /// deviceCode`, Microsoft Teams) from the office network, habitually, and its refreshes from
    /// there.
    MeetingRoomDeviceCode,
    /// An old mail client (a scanner sending by authenticated SMTP) using basic authentication,
    /// which Exchange turns into ROPC (`BAV2ROPC`, single-factor), from the user's home ISP every
    /// day.
    LegacyMailClient,
}

impl Confounder {
    /// All confounders.
    pub const ALL: [Confounder; 19] = [
        Confounder::Travel,
        Confounder::NewHomeIsp,
        Confounder::MobileCarrierNat,
        Confounder::VpnToggle,
        Confounder::CommercialVpnOnHosting,
        Confounder::PhoneAndLaptop,
        Confounder::ZeroDelayMicrosoftRefresh,
        Confounder::ServiceAccount,
        Confounder::TwoCountriesSameDay,
        Confounder::CarrierFamily,
        Confounder::OwnDeviceNewNetwork,
        Confounder::TravelWithOwnDevice,
        Confounder::CorporateEgress,
        Confounder::NodeAutomation,
        Confounder::AutopilotJoin,
        Confounder::SeveralBrowsers,
        Confounder::AzureCliDeveloper,
        Confounder::MeetingRoomDeviceCode,
        Confounder::LegacyMailClient,
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
            Confounder::CarrierFamily => "carrier-mobile-and-home-broadband-with-mail-sync",
            Confounder::OwnDeviceNewNetwork => "own-compliant-device-on-new-network",
            Confounder::TravelWithOwnDevice => "travel-abroad-with-own-device",
            Confounder::CorporateEgress => "corporate-egress-second-isp",
            Confounder::NodeAutomation => "node-automation-through-the-broker",
            Confounder::AutopilotJoin => "autopilot-device-join",
            Confounder::SeveralBrowsers => "several-browsers-some-outdated",
            Confounder::AzureCliDeveloper => "azure-cli-developer-at-home",
            Confounder::MeetingRoomDeviceCode => "meeting-room-device-code-at-the-office",
            Confounder::LegacyMailClient => "legacy-mail-client-ropc-at-home",
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
    /// One attacker origin replaying the sessions of [`CAMPAIGN_VICTIMS`] users phished the same
    /// morning, from a hosting ASN none of them uses and where none of them ever signed in.
    Campaign,
    /// The victim's browser session cookie replayed in the attacker's browser: Entra logs the
    /// attacker's sign-ins as interactive (no MFA prompt: "MFA requirement satisfied by claim in
    /// the token") from the replay address, with the victim's session id, and no token refresh
    /// at all, so the replay address could enter the victim's interactive baseline.
    InteractiveCookieReplay,
    /// Tycoon 2FA: the kit's Node.js back end relays the victim's sign-in to OfficeHome
    /// (OfficeHome calling itself, user agent `axios/…`) from its server, then uses the stolen
    /// session through the Microsoft Authentication Broker to Graph and Exchange (user agent
    /// `node`) from another hosting network.
    Tycoon2fa,
    /// Sneaky 2FA: the kit relays the victim's sign-in from its server, rotating outdated browser
    /// user agents (Chrome on Windows, Firefox on Linux, Safari on macOS) between the steps of one
    /// session, then replays it.
    Sneaky2fa,
    /// Device-code phishing turned into a rogue device (Storm-2372, ROADtools): the broker signed
    /// in by device code for the Device Registration Service, its refresh token redeemed for it
    /// again, `Add device.` with the tool's defaults (`DESKTOP-XXXXXXX`, OS version
    /// 10.0.19045.2006, `Dsreg/10.0 (Windows 10.0.19045.2006)`), then sign-ins with the new
    /// device's primary refresh token.
    RogueDevice,
    /// A phished or sprayed password used alone: an interactive single-factor sign-in to
    /// Microsoft Graph through Azure AD PowerShell (a Microsoft first-party app) from the
    /// attacker's server, the tenant's "Require MFA for all users" policy not applied to it, then
    /// the token used from there. Only Graph JSON and Log Analytics exports keep the policy detail.
    CaMfaBypass,
    /// ConsentFix: the victim, already signed in, opens the attacker's Azure CLI authorization
    /// link (answered from the session: `OAuth2:Authorize` in the UAL) and pastes the code; the
    /// attacker redeems it for Microsoft Graph from their server, in the same session.
    ConsentFix,
    /// Device-code phishing (Storm-2372), without a device registration: the attacker starts the
    /// flow for Microsoft Office from their server and the victim enters the code on
    /// microsoft.com/devicelogin (with MFA); the sign-in is logged from the polling client's
    /// address (`authenticationProtocol = deviceCode`, `originalTransferMethod = deviceCodeFlow`),
    /// then the session's tokens are used for Graph and Exchange from there.
    DeviceCodePhishing,
    /// A sprayed password used through the resource-owner password grant: a failed attempt of the
    /// spray's first round, then a single-factor ROPC success (`authenticationProtocol = ropc`,
    /// user agent `BAV2ROPC`) from the attacker's server, then the mailbox read with the tokens
    /// from there.
    LegacyRopc,
}

/// Victims of one [`Attack::Campaign`].
pub const CAMPAIGN_VICTIMS: u32 = 6;

impl Attack {
    /// All variants.
    pub const ALL: [Attack; 13] = [
        Attack::AitmKit,
        Attack::InfostealerReplay,
        Attack::ResidentialProxy,
        Attack::SlowReplay,
        Attack::Campaign,
        Attack::InteractiveCookieReplay,
        Attack::Tycoon2fa,
        Attack::Sneaky2fa,
        Attack::RogueDevice,
        Attack::CaMfaBypass,
        Attack::ConsentFix,
        Attack::DeviceCodePhishing,
        Attack::LegacyRopc,
    ];

    /// Stable name.
    pub fn name(self) -> &'static str {
        match self {
            Attack::AitmKit => "aitm-kit-same-session-replay",
            Attack::InfostealerReplay => "infostealer-old-session-replay",
            Attack::ResidentialProxy => "residential-proxy-in-victim-country",
            Attack::SlowReplay => "slow-replay-outside-10-min",
            Attack::Campaign => "campaign-one-origin-six-users",
            Attack::InteractiveCookieReplay => "cookie-replay-logged-interactive",
            Attack::Tycoon2fa => "tycoon-2fa-node-back-end-through-the-broker",
            Attack::Sneaky2fa => "sneaky-2fa-rotating-outdated-browsers",
            Attack::RogueDevice => "device-code-rogue-device-and-prt",
            Attack::CaMfaBypass => "password-only-first-party-app-mfa-not-applied",
            Attack::ConsentFix => "consentfix-azure-cli-code-redeemed-elsewhere",
            Attack::DeviceCodePhishing => "device-code-phishing-from-the-attackers-server",
            Attack::LegacyRopc => "password-spray-success-by-legacy-ropc",
        }
    }

    /// The variant rule a finding of this attack must name (the analyst must read the variant,
    /// not only "unfamiliar network"), if the variant has one of its own.
    pub fn rule(self) -> Option<&'static str> {
        match self {
            Attack::Tycoon2fa => Some("tycoon-2fa"),
            Attack::Sneaky2fa => Some("sneaky-2fa"),
            Attack::RogueDevice => Some("rogue-device-registration"),
            Attack::CaMfaBypass => Some("conditional-access-mfa-bypass"),
            Attack::ConsentFix => Some("first-party-app-abuse"),
            Attack::DeviceCodePhishing => Some("device-code-phishing"),
            Attack::LegacyRopc => Some("legacy-ropc"),
            _ => None,
        }
    }

    /// Users one attack of this variant takes.
    pub fn victims(self) -> u32 {
        if self == Attack::Campaign { CAMPAIGN_VICTIMS } else { 1 }
    }
}

/// Attacker-typical actions (docs/detection.md §5) in a victim's audit trail, each tied to the attacker's
/// origin the way the real record is: Exchange records by client address and session id (and
/// `AppAccessContext.UniqueTokenId`), Entra directory records (which carry no address) by the
/// correlation id they share with the attacker's sign-in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    /// `MailItemsAccessed` with `MailAccessType=Bind` from the attacker's address.
    MailBind,
    /// `New-InboxRule` that hides mail: moves it to RSS Feeds / Conversation History / Archive,
    /// marks it read or deletes it, with a one- or two-character or punctuation name and keyword
    /// filters (invoice, payment, wire).
    HidingInboxRule,
    /// `New-InboxRule` forwarding mail outside the tenant.
    ForwardingInboxRule,
    /// `Set-Mailbox -ForwardingSmtpAddress` to an outside address.
    ExternalForwarding,
    /// `User registered security info.`: a new MFA method (Entra directory record in the UAL).
    MfaRegistration,
    /// `Consent to application.`: a mail-reading app consented in the victim's name.
    OAuthConsent,
    /// `Send` from the attacker's address (BEC mail).
    Send,
}

impl Action {
    /// All actions.
    pub const ALL: [Action; 7] = [
        Action::MailBind,
        Action::HidingInboxRule,
        Action::ForwardingInboxRule,
        Action::ExternalForwarding,
        Action::MfaRegistration,
        Action::OAuthConsent,
        Action::Send,
    ];

    /// Stable name.
    pub fn name(self) -> &'static str {
        match self {
            Action::MailBind => "mailbox-bind-from-origin",
            Action::HidingInboxRule => "hiding-inbox-rule",
            Action::ForwardingInboxRule => "forwarding-inbox-rule",
            Action::ExternalForwarding => "set-mailbox-external-forwarding",
            Action::MfaRegistration => "mfa-method-registration",
            Action::OAuthConsent => "oauth-consent",
            Action::Send => "send-from-origin",
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
    /// The attacker-typical actions in the victim's audit trail (empty without one).
    #[serde(default)]
    pub actions: Vec<Action>,
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
    /// Attacks: (variant, with audit trail). A campaign takes [`CAMPAIGN_VICTIMS`] victims.
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
                (Attack::InteractiveCookieReplay, true),
                (Attack::Tycoon2fa, true),
                (Attack::Sneaky2fa, false),
                (Attack::RogueDevice, false),
                (Attack::CaMfaBypass, false),
                (Attack::DeviceCodePhishing, true),
                (Attack::LegacyRopc, false),
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

/// A synthetic IPv6 address in the `block`-th /48 of `asn` (the /48s of two carriers differ),
/// in /64 `subnet` of it.
fn ip6_in(asn: u32, block: u64, subnet: u64, host: u64) -> String {
    let h = fnv1a64(&asn.to_le_bytes());
    let group3 = (h.wrapping_add(block.wrapping_mul(0x9e37)) % 0xfffe) + 1;
    format!("2001:db8:{group3:x}:{:x}::{:x}", subnet % 0xffff, 1 + host % 0xfffe)
}

/// A carrier and the broadband network of the same company (both in
/// [`enrich::CARRIER_FAMILIES`]; the same ASN when the company runs both in one).
struct Family {
    mobile: &'static [u32],
    broadband: u32,
}

struct Country {
    code: &'static str,
    city: &'static str,
    state: &'static str,
    isps: &'static [u32],
    carrier: u32,
    families: &'static [Family],
    office_asn: u32,
    /// The office's second egress ISP.
    office_alt_asn: u32,
    residential_proxy: u32,
}

const COUNTRIES: [Country; 5] = [
    Country {
        code: "US",
        city: "Chicago",
        state: "Illinois",
        isps: &[7922, 701, 7018, 22773],
        carrier: 21928,
        families: &[
            Family { mobile: &[6167, 22394], broadband: 701 },
            Family { mobile: &[20057], broadband: 7018 },
            Family { mobile: &[21928], broadband: 21928 },
        ],
        office_asn: 7018,
        office_alt_asn: 7922,
        residential_proxy: 20115,
    },
    Country {
        code: "DE",
        city: "Berlin",
        state: "Berlin",
        isps: &[3320, 3209],
        carrier: 6805,
        families: &[
            Family { mobile: &[3320], broadband: 3320 },
            Family { mobile: &[3209], broadband: 31334 },
            Family { mobile: &[6805], broadband: 13184 },
        ],
        office_asn: 3320,
        office_alt_asn: 3209,
        residential_proxy: 6830,
    },
    Country {
        code: "GB",
        city: "London",
        state: "England",
        isps: &[2856, 5089],
        carrier: 2856,
        families: &[
            Family { mobile: &[12576], broadband: 2856 },
            Family { mobile: &[35228], broadband: 5089 },
        ],
        office_asn: 2856,
        office_alt_asn: 5089,
        residential_proxy: 5607,
    },
    Country {
        code: "FR",
        city: "Paris",
        state: "Ile-de-France",
        isps: &[3215, 12322],
        carrier: 3215,
        families: &[Family { mobile: &[3215], broadband: 3215 }],
        office_asn: 3215,
        office_alt_asn: 12322,
        residential_proxy: 5410,
    },
    Country {
        code: "NL",
        city: "Amsterdam",
        state: "North Holland",
        isps: &[1136, 33915],
        carrier: 1136,
        families: &[
            Family { mobile: &[1136], broadband: 1136 },
            Family { mobile: &[15480], broadband: 33915 },
        ],
        office_asn: 1136,
        office_alt_asn: 33915,
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
/// A Teams Rooms on Android screen.
const TEAMS_ROOM_UA: &str = "Mozilla/5.0 (Linux; Android 12; TC10) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.6099.230 Safari/537.36 Teams/1449/1.0.96.2024061103";
/// The iPhone's built-in mail app (Exchange ActiveSync with modern authentication).
const NATIVE_MAIL_UA: &str = "iOS/17.3.1 (21D61) dataaccessd/1.0";
const ATTACKER_UAS: [&str; 3] = [
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/121.0.0.0 Safari/537.36",
    "axios/1.6.8",
    "python-requests/2.31.0",
];

const EXO: (&str, &str) = ("00000002-0000-0ff1-ce00-000000000000", "Office 365 Exchange Online");
const AZURE_CLI: (&str, &str) = ("04b07795-8ddb-461a-bbee-02f9e1bf7b46", "Microsoft Azure CLI");
/// The Microsoft Office client, which device-code phishing kits start the flow for.
const MS_OFFICE: (&str, &str) = ("d3590ed6-52b3-4102-aeff-aad2292ab01c", "Microsoft Office");
const AAD_POWERSHELL: (&str, &str) =
    ("1b730954-1685-4b74-9bfd-dac224a7b894", "Azure Active Directory PowerShell");
/// The tenant that owns Microsoft's first-party apps (every simulated app but the attacker's).
const MICROSOFT_APPS_TENANT: &str = "f8cdef31-a31e-4b4a-93e4-5f571e91255a";
const BROKER: (&str, &str) =
    ("29d9ed98-a469-4536-ade2-f981bc1d605e", "Microsoft Authentication Broker");
const DRS: (&str, &str) = ("01cb2876-7ebd-4aa4-9cc9-d28bd4d359a9", "Device Registration Service");
/// Outdated browsers (released before 2023), as Sneaky 2FA rotates them and as old machines keep
/// them: (user agent, browser, OS).
const OLD_BROWSERS: [(&str, &str, &str); 3] = [
    (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/103.0.5060.134 Safari/537.36",
        "Chrome 103.0.5060",
        "Windows10",
    ),
    (
        "Mozilla/5.0 (X11; Linux x86_64; rv:102.0) Gecko/20100101 Firefox/102.0",
        "Firefox 102.0",
        "Linux",
    ),
    (
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/15.6 Safari/605.1.15",
        "Safari 15.6",
        "MacOs",
    ),
];
const OFFICE_HOME: (&str, &str) = (enrich::OFFICE_HOME_APP_ID, "OfficeHome");
const TEAMS: (&str, &str) = ("1fec8e78-bce4-4aaf-ab1b-5451cc387264", "Microsoft Teams");
const GRAPH: (&str, &str) = ("00000003-0000-0000-c000-000000000000", "Microsoft Graph");
const OUTLOOK_MOBILE: (&str, &str) = ("27922004-5251-4030-b22d-91ecd9a37ea4", "Outlook Mobile");
const IOS_ACCOUNTS: (&str, &str) = ("f8d98a96-0999-43f5-8af3-69971c7bb423", "iOS Accounts");
const MY_SIGNINS: (&str, &str) = ("19db86c3-b2b9-44cc-b339-36da233a3be2", "My Signins");

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

/// A sign-in from a device Entra does not know (a phone that was never registered, an attacker's
/// machine): no device id, neither compliant nor managed.
fn unregistered(s: &mut SignInRecord) {
    s.device_id.clear();
    s.compliant = false;
    s.managed = false;
    s.trust_type.clear();
}

/// An interactive sign-in without an MFA prompt: the session cookie already carries the claim.
fn mfa_by_claim(s: &mut SignInRecord) {
    s.auth_requirement = "multiFactorAuthentication".to_owned();
    s.mfa_detail = "MFA requirement satisfied by claim in the token".to_owned();
    s.mfa_method = "Previously satisfied".to_owned();
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
            app_owner_tenant: MICROSOFT_APPS_TENANT.to_owned(),
            risk_level: "none".to_owned(),
            ..SignInRecord::default()
        };
        self.out.push(Record::SignIn(rec));
        match self.out.last_mut() {
            Some(Record::SignIn(s)) => s,
            _ => unreachable!("just pushed a sign-in"),
        }
    }

    /// A failed password attempt (a typo) a minute before an interactive sign-in.
    fn typo(&mut self, p: &Person, t: Millis, net: &Net, app: (&str, &str)) {
        let s = self.sign_in(p, t, true, net, "", app, false);
        s.error_code = 50126;
        s.failure_reason =
            "Error validating credentials due to invalid username or password.".to_owned();
        s.auth_requirement = "singleFactorAuthentication".to_owned();
        s.mfa_detail.clear();
        s.mfa_method.clear();
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

    /// The mail app's own `MailItemsAccessed` (`Sync`) after a refresh of the phone's session,
    /// from the same address, carrying the refresh's token id.
    fn mail_sync(
        &mut self,
        p: &Person,
        t: Millis,
        ip: &str,
        session: &str,
        uti: &str,
        native: bool,
    ) {
        let app = if native { IOS_ACCOUNTS } else { OUTLOOK_MOBILE };
        let a = self.audit(&p.upn, t, ip, "MailItemsAccessed", 50);
        a.session_id = session.to_owned();
        a.unique_token_id = uti.to_owned();
        a.app_id = app.0.to_owned();
        a.user_key = p.oid.clone();
        a.client_info = if native {
            format!(
                "Client=ActiveSync;UserAgent={NATIVE_MAIL_UA};Action=/Microsoft-Server-ActiveSync/default.eas?Cmd=Sync"
            )
        } else {
            "Client=REST;Client=RESTSystem;;".to_owned()
        };
        a.parameters =
            vec![("MailAccessType".into(), "Sync".into()), ("IsThrottled".into(), "False".into())];
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
    let victims: u32 = cfg.attacks.iter().map(|(a, _)| a.victims()).sum();
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
            // About a tenth carry the carrier family; their phone is theirs alone to describe, so
            // they move house and ride a carrier NAT pool only in other lives.
            let carrier = g.r.chance(10);
            if carrier {
                confounders.push(Confounder::CarrierFamily);
            }
            for c in [
                Confounder::Travel,
                Confounder::NewHomeIsp,
                Confounder::MobileCarrierNat,
                Confounder::VpnToggle,
                Confounder::CommercialVpnOnHosting,
                Confounder::ZeroDelayMicrosoftRefresh,
                Confounder::TwoCountriesSameDay,
                Confounder::OwnDeviceNewNetwork,
                Confounder::TravelWithOwnDevice,
                Confounder::CorporateEgress,
                Confounder::NodeAutomation,
                Confounder::AutopilotJoin,
                Confounder::SeveralBrowsers,
                Confounder::AzureCliDeveloper,
                Confounder::MeetingRoomDeviceCode,
                Confounder::LegacyMailClient,
            ] {
                let pct = match c {
                    Confounder::ZeroDelayMicrosoftRefresh => 35,
                    Confounder::TravelWithOwnDevice => 8,
                    Confounder::CorporateEgress => 10,
                    Confounder::OwnDeviceNewNetwork => 12,
                    Confounder::NodeAutomation => 6,
                    Confounder::AutopilotJoin => 8,
                    Confounder::SeveralBrowsers => 12,
                    Confounder::AzureCliDeveloper => 8,
                    Confounder::MeetingRoomDeviceCode => 8,
                    Confounder::LegacyMailClient => 6,
                    _ => 14,
                };
                let excluded =
                    carrier && matches!(c, Confounder::NewHomeIsp | Confounder::MobileCarrierNat);
                if g.r.chance(pct) && !excluded {
                    confounders.push(c);
                }
            }
            confounders.sort_unstable();
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
                actions: Vec::new(),
                confounders: confounders.clone(),
            });
        }
    }
    // Attacks.
    let mut next = cfg.benign_users as usize;
    for (i, &(attack, audit)) in cfg.attacks.iter().enumerate() {
        let day = 2 + (i as u64 * 3 + g.r.below(3)) % (days - 3);
        // A campaign's one origin: a hosting network no benign life uses.
        let campaign_origin = Net {
            ip: ip(14061, 40 + i as u64, g.r.below(250)),
            asn: 14061,
            country: "NL",
            city: "Amsterdam",
            state: "North Holland",
        };
        for v in 0..u64::from(attack.victims()) {
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
                + v as i64 * 7 * MINUTE;
            let how = How { attack, audit, salt: i as u64, playbook: i as u64 + v };
            let actions = attack_user(&mut g, p, c, how, t0, &campaign_origin);
            truth.push(UserTruth {
                user: p.upn.clone(),
                attack: Some((attack, audit)),
                actions,
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

/// The country a trip to another continent goes to.
fn far_country(c: &Country, pick: u64) -> &'static Country {
    if c.code == "US" { &COUNTRIES[1 + (pick % 4) as usize] } else { &COUNTRIES[0] }
}

fn life(g: &mut Gen, p: &Person, c: &'static Country, confounders: &[Confounder], days: u64) {
    let has = |x: Confounder| confounders.contains(&x);
    let family = if has(Confounder::CarrierFamily) { Some(g.r.pick(c.families)) } else { None };
    let home_asn = match family {
        Some(f) => f.broadband,
        None => *g.r.pick(c.isps),
    };
    let home = net_of(home_asn, c, g.r.below(200), g.r.below(250));
    let office = net_of(c.office_asn, c, 250, 10);
    // One second egress address per country: every such user shares it.
    let office_alt = net_of(c.office_alt_asn, c, 251, 10);
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
    // An afternoon or three at a client site or a coworking space, with the laptop.
    let elsewhere_asn = c
        .isps
        .iter()
        .copied()
        .rfind(|&a| a != home_asn && a != c.office_asn && a != new_home_asn)
        .unwrap_or(c.residential_proxy);
    // Working days (a weekend draw moves to the Friday before).
    let elsewhere_days: Vec<u64> = (0..2 + g.r.below(2))
        .map(|_| {
            let d = g.r.below(days);
            d - d % 7 + (d % 7).min(4)
        })
        .collect();
    // A trip to another continent.
    let far = far_country(c, g.r.below(4));
    let trip_day = 1 + g.r.below(days - 6);
    let trip_len = 4 + g.r.below(3);
    // The carrier's /48s this phone rotates through, and its mail app.
    let mobile_blocks: Vec<u64> = (0..3 + g.r.below(4)).map(|_| g.r.below(4000)).collect();
    let native_mail = g.r.chance(30);
    let mail_app = if native_mail { IOS_ACCOUNTS } else { OUTLOOK_MOBILE };
    let mut phone_session = g.r.guid();
    let mut laptop_session = g.r.guid();
    for d in 0..days {
        let day0 = START + d as i64 * DAY;
        let weekday = d % 7 < 5;
        let traveling = has(Confounder::Travel) && d >= travel_day && d < travel_day + 3;
        let on_trip =
            has(Confounder::TravelWithOwnDevice) && d >= trip_day && d < trip_day + trip_len;
        let hotel = net_of(abroad.isps[0], abroad, 90 + d, 20);
        // Phone: one session a week, begun interactively; refreshes over the carrier.
        if d % 7 == 0 {
            phone_session = g.r.guid();
            let net = if traveling {
                hotel.clone()
            } else if family.is_some() {
                // On home Wi-Fi: the mobile network never signs in interactively.
                home.clone()
            } else {
                net_of(c.carrier, c, 120 + g.r.below(8), g.r.below(250))
            };
            let t = day0 + 7 * HOUR + g.r.below(60) as i64 * MINUTE;
            let app = if family.is_some() { mail_app } else { OUTLOOK_MOBILE };
            let s = g.sign_in(p, t, true, &net, &phone_session, app, true);
            if family.is_some() {
                unregistered(s);
                if native_mail {
                    s.user_agent = NATIVE_MAIL_UA.to_owned();
                }
            }
        }
        for k in 0..3 {
            let t = day0 + (8 + 4 * k) * HOUR + g.r.below(120) as i64 * MINUTE;
            if let Some(f) = family {
                // Mornings and evenings on home Wi-Fi now and then; on the carrier otherwise,
                // mostly over IPv6 (a /64 of one of a few /48s), sometimes carrier-grade NAT.
                let at_home = k != 1 && g.r.chance(35);
                let net = if at_home {
                    home.clone()
                } else {
                    let asn = *g.r.pick(f.mobile);
                    let mut net = net_of(asn, c, 140 + g.r.below(60), g.r.below(250));
                    if g.r.chance(70) {
                        let block = *g.r.pick(&mobile_blocks);
                        net.ip = ip6_in(asn, block, g.r.below(60_000), g.r.below(60_000));
                    }
                    net
                };
                let s = g.sign_in(p, t, false, &net, &phone_session, mail_app, true);
                unregistered(s);
                if native_mail {
                    s.user_agent = NATIVE_MAIL_UA.to_owned();
                }
                let uti = s.unique_token_id.clone();
                if g.r.chance(if at_home { 30 } else { 70 }) {
                    let at = t + (1 + g.r.below(55) as i64) * MINUTE;
                    g.mail_sync(p, at, &net.ip, &phone_session, &uti, native_mail);
                }
                continue;
            }
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
        if !weekday && !traveling && !on_trip {
            continue;
        }
        // Laptop: a new session every working day.
        let previous_session = std::mem::replace(&mut laptop_session, g.r.guid());
        let session = laptop_session.clone();
        let mut net = if has(Confounder::NewHomeIsp) && d >= move_day {
            new_home.clone()
        } else if g.r.chance(55) {
            office.clone()
        } else {
            home.clone()
        };
        let use_nord = has(Confounder::CommercialVpnOnHosting) && d % 2 == 0 && !on_trip;
        if use_nord {
            net = nord_pool[g.r.below(6) as usize].clone();
        }
        if traveling {
            net = hotel.clone();
        }
        if on_trip {
            // One hotel for the whole trip.
            net = net_of(far.isps[0], far, 95 + trip_day, 30);
        }
        let start = day0 + (8 + g.r.below(2) as i64) * HOUR + g.r.below(50) as i64 * MINUTE;
        if has(Confounder::TwoCountriesSameDay) && d == two_country_day && !on_trip {
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
        if on_trip && d == trip_day {
            // Landed: the laptop's last session from home refreshes on the airport's Wi-Fi
            // before anything interactive happens in the new country.
            let airport = net_of(far.isps[far.isps.len() - 1], far, 181, g.r.below(250));
            g.sign_in(p, start - 90 * MINUTE, false, &airport, &previous_session, EXO, false);
        }
        let app = *g.r.pick(&[OFFICE_HOME, TEAMS]);
        if g.r.chance(4) {
            g.typo(p, start - MINUTE, &net, app);
        }
        g.sign_in(p, start, true, &net, &session, app, false);
        // Phone on the carrier within minutes of the laptop's interactive sign-in.
        if has(Confounder::PhoneAndLaptop) && g.r.chance(30) {
            let carrier = match family {
                Some(f) => net_of(*g.r.pick(f.mobile), c, 140 + g.r.below(60), g.r.below(250)),
                None => net_of(c.carrier, c, 120 + g.r.below(8), g.r.below(250)),
            };
            let t = start + (2 + g.r.below(6) as i64) * MINUTE;
            let app = if family.is_some() { mail_app } else { OUTLOOK_MOBILE };
            let s = g.sign_in(p, t, false, &carrier, &phone_session, app, true);
            if family.is_some() {
                unregistered(s);
            }
        }
        let at_office = net.ip == office.ip;
        let elsewhere = (has(Confounder::OwnDeviceNewNetwork)
            && elsewhere_days.contains(&d)
            && !use_nord
            && !traveling
            && !on_trip)
            .then(|| net_of(elsewhere_asn, c, 230 + g.r.below(20), g.r.below(250)));
        let venue = net_of(far.isps[far.isps.len() - 1], far, 186, 40);
        let refreshes = 3 + g.r.below(4);
        let mut t = start;
        for k in 0..refreshes {
            t += (40 + g.r.below(80) as i64) * MINUTE;
            let mut here = net.clone();
            if has(Confounder::VpnToggle)
                && !use_nord
                && !traveling
                && !on_trip
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
            // The afternoon away: the same laptop, its device id, a network it never signed
            // in from.
            if let Some(e) = &elsewhere
                && k >= refreshes / 2
            {
                here = e.clone();
            }
            if on_trip && k % 2 == 1 {
                here = venue.clone();
            }
            if has(Confounder::CorporateEgress)
                && at_office
                && here.ip == office.ip
                && g.r.chance(35)
            {
                here = office_alt.clone();
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
    extras(g, p, confounders, days, &office, &home);
}

/// The confounders that add activity of their own to a life: Node.js automation through the
/// broker, an Autopilot join, several browsers. Drawn after the rest of the life, so the other
/// confounders' records do not depend on them.
fn extras(
    g: &mut Gen,
    p: &Person,
    confounders: &[Confounder],
    days: u64,
    office: &Net,
    home: &Net,
) {
    let has = |x: Confounder| confounders.contains(&x);
    let working = |d: u64| d % 7 < 5;
    if has(Confounder::NodeAutomation) {
        // One job session; a run every working night at 03:xx from the office.
        let session = g.r.guid();
        for d in (0..days).filter(|&d| working(d)) {
            let t = START + d as i64 * DAY + 3 * HOUR + g.r.below(50) as i64 * MINUTE;
            let s = g.sign_in(p, t, false, office, &session, BROKER, false);
            s.user_agent = "node".to_owned();
            s.browser = String::new();
            s.os = String::new();
            s.client_app = "Mobile Apps and Desktop clients".to_owned();
            s.resource = GRAPH.1.to_owned();
            s.resource_id = GRAPH.0.to_owned();
            unregistered(s);
        }
    }
    if has(Confounder::AutopilotJoin) {
        // The join on a working morning at the office: the laptop's first interactive sign-in,
        // the directory's record, then primary-refresh-token sign-ins (unmanaged until Intune
        // enrolls it, an hour later).
        let d = (1 + g.r.below(days - 2)).min(days - 1);
        let d = d - d % 7 + (d % 7).min(4);
        let t = START + d as i64 * DAY + 7 * HOUR + g.r.below(40) as i64 * MINUTE;
        let laptop = g.r.guid();
        let session = g.r.guid();
        let name: String = (0..7)
            .map(|_| {
                let k = g.r.below(36) as u8;
                (if k < 10 { b'0' + k } else { b'A' + k - 10 }) as char
            })
            .collect();
        let s = g.sign_in(p, t, true, office, &session, OFFICE_HOME, false);
        s.device_id = laptop.clone();
        s.managed = false;
        s.compliant = false;
        s.trust_type = "Microsoft Entra joined".to_owned();
        let a = g.audit(&p.upn, t + 2 * MINUTE, &office.ip, "Add device.", 8);
        a.user_key = p.oid.clone();
        a.user_agent = "Dsreg/10.0 (Windows 10.0.22631.3155)".to_owned();
        a.object_id = laptop.clone();
        a.targets = vec![format!("Device_{laptop}"), format!("DESKTOP-{name}")];
        a.parameters = vec![
            ("CloudAccountEnabled".into(), "[true]".into()),
            ("CloudDeviceOSType".into(), "[\"Windows\"]".into()),
            ("CloudDeviceOSVersion".into(), "[\"10.0.22631.3155\"]".into()),
            ("CloudDisplayName".into(), format!("[\"DESKTOP-{name}\"]")),
            ("CloudDeviceTrustType".into(), "[\"ServerAd\"]".into()),
        ];
        for k in 0..4 {
            let at = t + (10 + 35 * k) * MINUTE;
            let app = if k % 2 == 0 { EXO } else { TEAMS };
            let s = g.sign_in(p, at, false, office, &session, app, false);
            s.device_id = laptop.clone();
            s.incoming_token_type = "primaryRefreshToken".to_owned();
            s.trust_type = "Microsoft Entra joined".to_owned();
            s.client_app = "Mobile Apps and Desktop clients".to_owned();
            s.managed = k >= 2;
            s.compliant = k >= 2;
        }
    }
    if has(Confounder::SeveralBrowsers) {
        // An old Linux desktop with Firefox ESR and an old Mac with Safari at home, now and then,
        // each browser its own session.
        for d in 0..days {
            if !g.r.chance(30) {
                continue;
            }
            let k = 1 + g.r.below(2) as usize;
            let (ua, browser, os) = OLD_BROWSERS[k];
            let session = g.r.guid();
            let t = START + d as i64 * DAY + 19 * HOUR + g.r.below(90) as i64 * MINUTE;
            for (n, interactive) in [true, false].into_iter().enumerate() {
                let app = if interactive { OFFICE_HOME } else { EXO };
                let s = g.sign_in(
                    p,
                    t + n as i64 * 20 * MINUTE,
                    interactive,
                    home,
                    &session,
                    app,
                    false,
                );
                s.user_agent = ua.to_owned();
                s.browser = browser.to_owned();
                s.os = os.to_owned();
                unregistered(s);
            }
        }
    }
    if has(Confounder::AzureCliDeveloper) {
        // `az login` for Graph in the laptop's browser from home on day 0 and every Monday, then
        // the CLI (MSAL for Python, no broker: no device id) redeems its refresh token for Graph
        // once or twice every working evening.
        let mut session = String::new();
        for d in (0..days).filter(|&d| working(d)) {
            let t = START + d as i64 * DAY + 18 * HOUR + g.r.below(60) as i64 * MINUTE;
            if d % 7 == 0 || session.is_empty() {
                session = g.r.guid();
                let s = g.sign_in(p, t, true, home, &session, AZURE_CLI, false);
                s.resource = GRAPH.1.to_owned();
                s.resource_id = GRAPH.0.to_owned();
            }
            for k in 0..1 + g.r.below(2) as i64 {
                let at = t + (5 + 45 * k) * MINUTE;
                let s = g.sign_in(p, at, false, home, &session, AZURE_CLI, false);
                s.resource = GRAPH.1.to_owned();
                s.resource_id = GRAPH.0.to_owned();
                s.user_agent = "python-requests/2.32.3".to_owned();
                s.browser = String::new();
                s.client_app = "Mobile Apps and Desktop clients".to_owned();
                unregistered(s);
            }
        }
    }
    if has(Confounder::MeetingRoomDeviceCode) {
        // The meeting room's Teams screen (enrolled, compliant) signed in again by device code
        // at the office on the first working day and on some mornings after (a reset, the
        // weekly sign-out), each time a new session that refreshes from the office.
        let room = g.r.guid();
        for d in (0..days).filter(|&d| working(d)) {
            if d > 0 && !g.r.chance(35) {
                continue;
            }
            let t = START + d as i64 * DAY + 8 * HOUR + g.r.below(50) as i64 * MINUTE;
            let session = g.r.guid();
            for k in 0..3 {
                let s = g.sign_in(p, t + k * 70 * MINUTE, k == 0, office, &session, TEAMS, false);
                s.transfer_method = "deviceCodeFlow".to_owned();
                if k == 0 {
                    s.auth_protocol = "deviceCode".to_owned();
                }
                s.user_agent = TEAMS_ROOM_UA.to_owned();
                s.browser = String::new();
                s.os = "Android".to_owned();
                s.client_app = "Mobile Apps and Desktop clients".to_owned();
                s.device_id = room.clone();
            }
        }
    }
    if has(Confounder::LegacyMailClient) {
        // A scanner at home sending by authenticated SMTP with the user's password: Exchange
        // turns each basic-auth login into an ROPC sign-in (BAV2ROPC, single-factor).
        for d in (0..days).filter(|&d| working(d)) {
            for _ in 0..1 + g.r.below(3) {
                let t = START + d as i64 * DAY + (9 + g.r.below(10) as i64) * HOUR;
                let session = g.r.guid();
                let s = g.sign_in(p, t, true, home, &session, EXO, false);
                ropc(s);
                s.client_app = "Authenticated SMTP".to_owned();
            }
        }
    }
}

/// A basic-authentication sign-in that Exchange performed by the resource-owner password grant
/// for a legacy client: user agent `BAV2ROPC`, single-factor, from a device Entra does not know.
fn ropc(s: &mut SignInRecord) {
    unregistered(s);
    s.user_agent = "BAV2ROPC".to_owned();
    s.browser = String::new();
    s.os = String::new();
    s.auth_protocol = "ropc".to_owned();
    s.auth_requirement = "singleFactorAuthentication".to_owned();
    s.mfa_detail.clear();
    s.mfa_method.clear();
    s.resource = EXO.1.to_owned();
    s.resource_id = EXO.0.to_owned();
}

/// How one victim is attacked.
#[derive(Clone, Copy)]
struct How {
    attack: Attack,
    /// Whether the attacker acts in the mailbox and the directory (an audit trail).
    audit: bool,
    /// The attack's number (separates the networks of different attacks).
    salt: u64,
    /// Which set of attacker-typical actions (see [`trail`]).
    playbook: u64,
}

fn attack_user(
    g: &mut Gen,
    p: &Person,
    c: &'static Country,
    how: How,
    t0: Millis,
    campaign_origin: &Net,
) -> Vec<Action> {
    let How { attack, salt, .. } = how;
    // The campaign replays from AS14061; its proxies sit elsewhere (a same-provider proxy and
    // replay box on a multi-victim IP ranks low: see the quality notes).
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
        Attack::Campaign => campaign_origin.asn,
        _ => *g.r.pick(&[24940u32, 20473, 51167, 9009]),
    };
    let attacker = match attack {
        Attack::Campaign => campaign_origin.clone(),
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
    let ua = match attack {
        Attack::InfostealerReplay => LAPTOP_UAS[p.ua].0,
        // A browser: the cookie is loaded into the attacker's own.
        Attack::InteractiveCookieReplay => ATTACKER_UAS[0],
        _ => *g.r.pick(&ATTACKER_UAS),
    };
    let browser = if ua.starts_with("Mozilla") { "Chrome 121.0.0" } else { "" };
    // The session being replayed.
    let (session, replay_start) = match attack {
        Attack::InfostealerReplay => {
            // An old laptop session of the victim's, three days earlier, from home.
            let old = g.r.guid();
            let home = net_of(c.isps[0], c, 199, 9);
            g.sign_in(p, t0 - 3 * DAY, true, &home, &old, OFFICE_HOME, false);
            g.sign_in(p, t0 - 3 * DAY + 30 * MINUTE, false, &home, &old, EXO, false);
            (old, t0)
        }
        Attack::InteractiveCookieReplay => {
            // The victim's own session of that morning, from home, on the registered laptop;
            // its cookie is stolen (an AiTM kit or an infostealer) and replayed hours later.
            let own = g.r.guid();
            let home = net_of(c.isps[0], c, 198, 9);
            g.sign_in(p, t0 - 4 * HOUR, true, &home, &own, OFFICE_HOME, false);
            g.sign_in(p, t0 - 4 * HOUR + 25 * MINUTE, false, &home, &own, EXO, false);
            (own, t0)
        }
        Attack::ConsentFix => {
            // The victim's authorize request on her laptop, answered from her session.
            let s = g.r.guid();
            let home = net_of(c.isps[0], c, 196, 9);
            let v = g.sign_in(p, t0, true, &home, &s, AZURE_CLI, false);
            v.resource = GRAPH.1.to_owned();
            v.resource_id = GRAPH.0.to_owned();
            mfa_by_claim(v);
            (s, t0 + (2 + g.r.below(4) as i64) * MINUTE)
        }
        Attack::DeviceCodePhishing => {
            // The attacker's server starts the flow for Microsoft Office and polls; the victim
            // enters the code (and does MFA) on microsoft.com/devicelogin. Entra logs the sign-in
            // with the polling client's address and user agent.
            let s = g.r.guid();
            let dc = g.sign_in(p, t0, true, &attacker, &s, MS_OFFICE, false);
            unregistered(dc);
            dc.user_agent = ua.to_owned();
            dc.browser = browser.to_owned();
            dc.os = "Linux".to_owned();
            dc.client_app = "Mobile Apps and Desktop clients".to_owned();
            dc.resource = GRAPH.1.to_owned();
            dc.resource_id = GRAPH.0.to_owned();
            dc.auth_protocol = "deviceCode".to_owned();
            dc.transfer_method = "deviceCodeFlow".to_owned();
            (s, t0 + (2 + g.r.below(6) as i64) * MINUTE)
        }
        Attack::LegacyRopc => {
            // The spray's first round, about an hour earlier, with a wrong password; the second
            // round's password is the victim's.
            let early = t0 - HOUR - g.r.below(30) as i64 * MINUTE;
            let f = g.sign_in(p, early, true, &attacker, "", EXO, false);
            ropc(f);
            f.client_app = "Exchange Web Services".to_owned();
            f.error_code = 50126;
            f.failure_reason =
                "Error validating credentials due to invalid username or password.".to_owned();
            let s = g.r.guid();
            let ok = g.sign_in(p, t0, true, &attacker, &s, EXO, false);
            ropc(ok);
            ok.client_app = "Exchange Web Services".to_owned();
            (s, t0 + (2 + g.r.below(6) as i64) * MINUTE)
        }
        Attack::CaMfaBypass => {
            // The password alone, through a first-party app the MFA policy does not cover.
            let s = g.r.guid();
            let pw = g.sign_in(p, t0, true, &attacker, &s, AAD_POWERSHELL, false);
            unregistered(pw);
            pw.user_agent = ua.to_owned();
            pw.browser = browser.to_owned();
            pw.resource = GRAPH.1.to_owned();
            pw.resource_id = GRAPH.0.to_owned();
            pw.auth_requirement = "singleFactorAuthentication".to_owned();
            pw.mfa_detail.clear();
            pw.mfa_method.clear();
            pw.ca_mfa_not_applied = vec!["Require MFA for all users".to_owned()];
            (s, t0 + (2 + g.r.below(6) as i64) * MINUTE)
        }
        Attack::RogueDevice => {
            // The victim enters the attacker's device code at home: the broker is signed in for
            // the Device Registration Service (Storm-2372); the attacker redeems the refresh
            // token from their server and registers a device with the tool's defaults.
            let s = g.r.guid();
            let home = net_of(c.isps[0], c, 197, 9);
            let dc = g.sign_in(p, t0, true, &home, &s, BROKER, false);
            dc.resource = DRS.1.to_owned();
            dc.resource_id = DRS.0.to_owned();
            dc.auth_protocol = "deviceCode".to_owned();
            dc.transfer_method = "deviceCodeFlow".to_owned();
            unregistered(dc);
            let t = t0 + (3 + g.r.below(5) as i64) * MINUTE;
            let r = g.sign_in(p, t, false, &attacker, &s, BROKER, false);
            r.resource = DRS.1.to_owned();
            r.resource_id = DRS.0.to_owned();
            r.user_agent = "python-requests/2.31.0".to_owned();
            r.browser = String::new();
            unregistered(r);
            let device = g.r.guid();
            let name: String = (0..7)
                .map(|_| {
                    let k = g.r.below(36) as u8;
                    (if k < 10 { b'0' + k } else { b'A' + k - 10 }) as char
                })
                .collect();
            let a = g.audit(&p.upn, t + 2 * MINUTE, &attacker.ip, "Add device.", 8);
            a.user_key = p.oid.clone();
            a.user_agent = "Dsreg/10.0 (Windows 10.0.19045.2006)".to_owned();
            a.object_id = device.clone();
            a.targets = vec![format!("Device_{device}"), format!("DESKTOP-{name}")];
            a.parameters = vec![
                ("CloudAccountEnabled".into(), "[true]".into()),
                ("CloudDeviceOSType".into(), "[\"Windows\"]".into()),
                ("CloudDeviceOSVersion".into(), "[\"10.0.19045.2006\"]".into()),
                ("CloudDisplayName".into(), format!("[\"DESKTOP-{name}\"]")),
                ("CloudDeviceTrustType".into(), "[\"Workplace\"]".into()),
            ];
            (s, t + 20 * MINUTE)
        }
        _ => {
            let s = g.r.guid();
            if attack == Attack::Sneaky2fa {
                // The kit's steps, each with another outdated browser: the password step
                // interrupted for MFA, then the MFA and the final redirect.
                for (k, (ua, browser, os)) in OLD_BROWSERS.iter().enumerate() {
                    let step = g.sign_in(
                        p,
                        t0 - (2 - k as i64) * MINUTE,
                        true,
                        &proxy,
                        &s,
                        OFFICE_HOME,
                        false,
                    );
                    unregistered(step);
                    step.user_agent = (*ua).to_owned();
                    step.browser = (*browser).to_owned();
                    step.os = (*os).to_owned();
                    if k == 0 {
                        step.error_code = 50074;
                        step.failure_reason = "Strong Authentication is required.".to_owned();
                        step.auth_requirement = "singleFactorAuthentication".to_owned();
                        step.mfa_detail.clear();
                    }
                }
            } else {
                let phish = g.sign_in(p, t0, true, &proxy, &s, OFFICE_HOME, false);
                unregistered(phish);
                if attack == Attack::Tycoon2fa {
                    // The kit's Node.js back end: OfficeHome calling itself, with axios.
                    phish.user_agent = "axios/1.7.9".to_owned();
                    phish.browser = String::new();
                    phish.os = String::new();
                    phish.resource = OFFICE_HOME.1.to_owned();
                    phish.resource_id = OFFICE_HOME.0.to_owned();
                }
            }
            let delay = if attack == Attack::SlowReplay {
                (3 + g.r.below(4) as i64) * HOUR
            } else {
                (2 + g.r.below(6) as i64) * MINUTE
            };
            (s, t0 + delay)
        }
    };
    let mut t = replay_start;
    let mut first_uti = String::new();
    if attack == Attack::InteractiveCookieReplay {
        // Interactive sign-ins only, from the replay address, the MFA claim carried by the
        // cookie: no token refresh at all.
        let n = 2 + g.r.below(3);
        for k in 0..n {
            let app = if k == 0 { OFFICE_HOME } else { *g.r.pick(&[EXO, OFFICE_HOME]) };
            let s = g.sign_in(p, t, true, &attacker, &session, app, false);
            s.user_agent = ua.to_owned();
            s.browser = browser.to_owned();
            s.os = "Linux".to_owned();
            unregistered(s);
            mfa_by_claim(s);
            if k == 0 {
                first_uti = s.unique_token_id.clone();
            }
            t += (15 + g.r.below(40) as i64) * MINUTE;
        }
    } else {
        let n = 4 + g.r.below(6);
        let rogue_device = if attack == Attack::RogueDevice { g.r.guid() } else { String::new() };
        for k in 0..n {
            let app = *g.r.pick(&[EXO, GRAPH]);
            let client = match attack {
                Attack::Tycoon2fa => BROKER,
                Attack::ConsentFix => AZURE_CLI,
                Attack::DeviceCodePhishing => MS_OFFICE,
                _ => app,
            };
            let s = g.sign_in(p, t, false, &attacker, &session, client, false);
            s.user_agent = ua.to_owned();
            s.browser = browser.to_owned();
            s.os = "Linux".to_owned();
            unregistered(s);
            match attack {
                Attack::ConsentFix => {
                    // The redeemed code's tokens for Microsoft Graph.
                    s.resource = GRAPH.1.to_owned();
                    s.resource_id = GRAPH.0.to_owned();
                }
                Attack::DeviceCodePhishing => {
                    // Microsoft Office's refresh token, redeemed for Graph or Exchange; the
                    // session keeps the flow it began with.
                    s.resource = app.1.to_owned();
                    s.resource_id = app.0.to_owned();
                    s.transfer_method = "deviceCodeFlow".to_owned();
                }
                Attack::Tycoon2fa => {
                    // The stolen session through the broker to Graph or Exchange, from the kit's
                    // Node.js back end.
                    s.resource = app.1.to_owned();
                    s.resource_id = app.0.to_owned();
                    s.user_agent = "node".to_owned();
                    s.browser = String::new();
                    s.os = String::new();
                }
                Attack::RogueDevice => {
                    // The rogue device's primary refresh token: registered, never managed.
                    s.incoming_token_type = "primaryRefreshToken".to_owned();
                    s.device_id = rogue_device.clone();
                    s.trust_type = "Microsoft Entra registered".to_owned();
                    s.os = "Windows10".to_owned();
                }
                _ => {}
            }
            if k == 1 && attack != Attack::ResidentialProxy {
                s.risk_event_types = vec!["anomalousToken".into()];
                s.risk_level = "medium".into();
            }
            if k == 0 {
                first_uti = s.unique_token_id.clone();
            }
            t += (10 + g.r.below(40) as i64) * MINUTE;
        }
    }
    let origin = Origin { net: &attacker, session: &session, uti: &first_uti };
    let actions = if how.audit { trail(g, p, how, &origin, replay_start) } else { Vec::new() };
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
    actions
}

/// The attacker's side of a replay, which the audit trail ties to.
struct Origin<'a> {
    net: &'a Net,
    session: &'a str,
    /// The token id of the first replayed sign-in.
    uti: &'a str,
}

/// An outside address mail is diverted to: one drop box per attack (the campaign's is shared by
/// all its victims, which is what the pivot hunt finds).
fn drop_address(how: How) -> String {
    if how.attack == Attack::Campaign {
        "billing@payments-desk.example".to_owned()
    } else {
        format!("remit{}@invoice-desk{}.example", how.salt, how.salt)
    }
}

/// The attacker-typical actions after a replay, from its origin: mailbox `Bind` access always,
/// then one of four playbooks (by `how.playbook`), so every shape of docs/detection.md §5 appears.
fn trail(g: &mut Gen, p: &Person, how: How, o: &Origin<'_>, t: Millis) -> Vec<Action> {
    let mut actions = vec![Action::MailBind];
    let via_kit = matches!(
        how.attack,
        Attack::AitmKit | Attack::Campaign | Attack::SlowReplay | Attack::ResidentialProxy
    );
    let a = g.audit(&p.upn, t + 4 * MINUTE, &o.net.ip, "MailItemsAccessed", 50);
    a.session_id = o.session.to_owned();
    a.unique_token_id = o.uti.to_owned();
    a.client_info = if via_kit { "Client=OWA;Action=ViaProxy" } else { "Client=OWA" }.to_owned();
    a.parameters =
        vec![("MailAccessType".into(), "Bind".into()), ("IsThrottled".into(), "False".into())];
    // Exchange admin records log the client address with a port.
    let with_port = |g: &mut Gen| format!("{}:{}", o.net.ip, 40_000 + g.r.below(20_000));
    fn rule<'g>(
        g: &'g mut Gen,
        p: &Person,
        o: &Origin<'_>,
        at: Millis,
        params: &[(&str, &str)],
    ) -> &'g mut AuditRecord {
        let ip = format!("{}:{}", o.net.ip, 40_000 + g.r.below(20_000));
        let a = g.audit(&p.upn, at, &ip, "New-InboxRule", 1);
        a.session_id = o.session.to_owned();
        a.unique_token_id = o.uti.to_owned();
        a.parameters = params.iter().map(|(n, v)| ((*n).to_owned(), (*v).to_owned())).collect();
        a
    }
    let drop = drop_address(how);
    match how.playbook % 4 {
        0 => {
            rule(
                g,
                p,
                o,
                t + 9 * MINUTE,
                &[
                    ("Name", ".."),
                    ("MoveToFolder", "RSS Feeds"),
                    ("MarkAsRead", "True"),
                    ("SubjectContainsWords", "invoice;payment"),
                    ("StopProcessingRules", "True"),
                ],
            );
            let a = g.audit(&p.upn, t + 25 * MINUTE, &o.net.ip, "Send", 2);
            a.session_id = o.session.to_owned();
            a.unique_token_id = o.uti.to_owned();
            a.parameters = vec![("Subject".into(), "Updated banking details".into())];
            actions.extend([Action::HidingInboxRule, Action::Send]);
        }
        1 => {
            rule(
                g,
                p,
                o,
                t + 8 * MINUTE,
                &[
                    ("Name", "."),
                    ("From", "accounts@northwind-traders.example"),
                    ("MoveToFolder", "Conversation History"),
                    ("MarkAsRead", "True"),
                    ("StopProcessingRules", "True"),
                ],
            );
            let ip = with_port(g);
            let a = g.audit(&p.upn, t + 14 * MINUTE, &ip, "Set-Mailbox", 1);
            a.session_id = o.session.to_owned();
            a.unique_token_id = o.uti.to_owned();
            a.parameters = vec![
                ("Identity".into(), p.upn.clone()),
                ("ForwardingSmtpAddress".into(), format!("smtp:{drop}")),
                ("DeliverToMailboxAndForward".into(), "False".into()),
            ];
            a.forward_to = vec![drop];
            actions.extend([Action::HidingInboxRule, Action::ExternalForwarding]);
        }
        2 => {
            // The attacker opens My Sign-ins in a browser with the stolen session and adds an
            // authenticator: the directory record has no address, only the sign-in's
            // correlation id.
            let s = g.sign_in(p, t + 15 * MINUTE, true, o.net, o.session, MY_SIGNINS, false);
            s.user_agent = ATTACKER_UAS[0].to_owned();
            s.browser = "Chrome 121.0.0".to_owned();
            s.os = "Linux".to_owned();
            unregistered(s);
            mfa_by_claim(s);
            let correlation = s.correlation_id.clone();
            let a = g.audit(&p.upn, t + 17 * MINUTE, "", "User registered security info.", 8);
            a.correlation_id = correlation;
            a.user_agent = ATTACKER_UAS[0].to_owned();
            a.user_key = p.oid.clone();
            a.target_user = p.upn.clone();
            a.extended = vec![
                ("extendedAuditEventCategory".into(), "User".into()),
                (
                    "resultReason".into(),
                    "User registered Authenticator App with Notification and Code".into(),
                ),
            ];
            rule(
                g,
                p,
                o,
                t + 22 * MINUTE,
                &[
                    ("Name", "ab"),
                    ("BodyContainsWords", "wire;bank"),
                    ("MoveToFolder", "Archive"),
                    ("MarkAsRead", "True"),
                ],
            );
            actions.extend([Action::MfaRegistration, Action::HidingInboxRule]);
        }
        _ => {
            // A mail-reading app consented in the victim's name: the authorize request that
            // showed the consent prompt is an interactive sign-in to that app from the origin.
            let app_id = g.r.guid();
            let sp_id = g.r.guid();
            let s = g.sign_in(
                p,
                t + 18 * MINUTE,
                true,
                o.net,
                o.session,
                (&app_id, "MailMigrate Pro"),
                false,
            );
            // A multi-tenant app of another publisher.
            s.app_owner_tenant = "5a0b1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d".to_owned();
            s.user_agent = ATTACKER_UAS[0].to_owned();
            s.browser = "Chrome 121.0.0".to_owned();
            s.os = "Linux".to_owned();
            unregistered(s);
            mfa_by_claim(s);
            let correlation = s.correlation_id.clone();
            let a = g.audit(&p.upn, t + 19 * MINUTE, "", "Consent to application.", 8);
            a.correlation_id = correlation;
            a.user_agent = ATTACKER_UAS[0].to_owned();
            a.user_key = p.oid.clone();
            a.object_id = sp_id.clone();
            a.targets = vec![format!("ServicePrincipal_{sp_id}"), sp_id.clone(), app_id.clone()];
            a.parameters = vec![
                ("ConsentContext.IsAdminConsent".into(), "False".into()),
                ("ConsentContext.IsAppOnly".into(), "False".into()),
                ("ConsentContext.OnBehalfOfAll".into(), "False".into()),
                (
                    "ConsentAction.Permissions".into(),
                    format!(
                        "[] => [[Id: {sp_id}, ClientId: {sp_id}, PrincipalId: {}, ResourceId: {}, ConsentType: Principal, Scope:  Mail.ReadWrite Mail.Send offline_access User.Read, CreatedDateTime: , LastModifiedDateTime ]]; ",
                        p.oid, GRAPH.0
                    ),
                ),
                ("TargetId.ServicePrincipalNames".into(), app_id.clone()),
            ];
            let a = rule(
                g,
                p,
                o,
                t + 26 * MINUTE,
                &[("Name", ","), ("ForwardTo", &drop), ("DeleteMessage", "True")],
            );
            a.forward_to = vec![drop.clone()];
            actions.extend([Action::OAuthConsent, Action::ForwardingInboxRule]);
        }
    }
    actions.sort_unstable();
    actions
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn carrier_families_are_one_company_each() {
        for c in &COUNTRIES {
            for f in c.families {
                let family = enrich::carrier_family(f.broadband);
                assert!(family.is_some(), "AS{} has no family", f.broadband);
                for &m in f.mobile {
                    assert_eq!(enrich::carrier_family(m), family, "AS{m} and AS{}", f.broadband);
                }
            }
        }
    }

    #[test]
    fn address_pools_of_different_networks_do_not_overlap() {
        let mut asns: Vec<u32> = COUNTRIES
            .iter()
            .flat_map(|c| {
                let mut v = c.isps.to_vec();
                v.extend([c.carrier, c.office_asn, c.office_alt_asn, c.residential_proxy]);
                v.extend(c.families.iter().flat_map(|f| f.mobile.iter().copied()));
                v.extend(c.families.iter().map(|f| f.broadband));
                v
            })
            .collect();
        asns.extend([395_747, 9009, 8075, 16509, 14061, 16276, 63949, 24940, 20473, 51167]);
        asns.sort_unstable();
        asns.dedup();
        let mut prefixes: Vec<(String, u32)> = asns
            .iter()
            .map(|&a| {
                let first = ip(a, 0, 0);
                let two: Vec<&str> = first.split('.').take(2).collect();
                (two.join("."), a)
            })
            .collect();
        prefixes.sort();
        for w in prefixes.windows(2) {
            assert_ne!(w[0].0, w[1].0, "AS{} and AS{} share a /16", w[0].1, w[1].1);
        }
        assert_ne!(ip6_in(6167, 3, 0, 0), ip6_in(22394, 3, 0, 0));
    }

    #[test]
    fn campaigns_take_six_victims_from_one_origin() {
        let cfg = TenantConfig {
            seed: 5,
            benign_users: 20,
            days: 10,
            attacks: vec![(Attack::Campaign, true)],
            domain: "x.example".to_owned(),
        };
        let t = generate(&cfg);
        let victims: Vec<&UserTruth> = t.truth.iter().filter(|u| u.attack.is_some()).collect();
        assert_eq!(victims.len(), CAMPAIGN_VICTIMS as usize);
        let mut origins = std::collections::BTreeSet::new();
        for v in &victims {
            let at_origin: Vec<&SignInRecord> = t
                .records
                .iter()
                .filter_map(|r| match r {
                    Record::SignIn(s) if s.user == v.user && s.asn == 14061 => Some(s),
                    _ => None,
                })
                .collect();
            origins.extend(at_origin.iter().map(|s| s.ip.clone()));
            // The attacker's own sign-ins there (My Sign-ins, a consent) come after the replay:
            // the victim has no interactive history at the origin.
            assert!(!at_origin.is_empty() && !at_origin[0].interactive, "{}", v.user);
        }
        assert_eq!(origins.len(), 1, "{origins:?}");
        let benign_there = t.records.iter().any(|r| matches!(r, Record::SignIn(s) if s.asn == 14061 && !victims.iter().any(|v| v.user == s.user)));
        assert!(!benign_there, "no benign user uses the campaign's ASN");
    }
    /// The variants' telling shapes are in the records they write.
    #[test]
    fn token_theft_kits_and_rogue_devices_write_their_shapes() {
        let t = generate(&TenantConfig {
            seed: 9,
            benign_users: 10,
            days: 10,
            attacks: vec![
                (Attack::Tycoon2fa, false),
                (Attack::Sneaky2fa, false),
                (Attack::RogueDevice, false),
                (Attack::CaMfaBypass, false),
            ],
            domain: "x.example".to_owned(),
        });
        let victim = |a: Attack| {
            t.truth.iter().find(|u| u.attack.map(|x| x.0) == Some(a)).map(|u| u.user.clone())
        };
        let (tycoon, sneaky, rogue) = (
            victim(Attack::Tycoon2fa).unwrap_or_default(),
            victim(Attack::Sneaky2fa).unwrap_or_default(),
            victim(Attack::RogueDevice).unwrap_or_default(),
        );
        let of = |user: &str| sign_ins(&t, user);
        assert!(of(&tycoon).iter().any(|s| s.user_agent == "node"
            && s.app_id == BROKER.0
            && [GRAPH.0, EXO.0].contains(&s.resource_id.as_str())));
        assert!(of(&tycoon).iter().any(|s| s.user_agent.starts_with("axios/")
            && s.app_id == OFFICE_HOME.0
            && s.resource_id == OFFICE_HOME.0));
        let mut agents: Vec<(&str, &str)> = of(&sneaky)
            .iter()
            .filter(|s| {
                s.user_agent.contains("Chrome/103")
                    || s.user_agent.contains("Firefox/102")
                    || s.user_agent.contains("Version/15")
            })
            .map(|s| (s.session_id.as_str(), s.user_agent.as_str()))
            .collect();
        agents.dedup();
        assert_eq!(agents.len(), 3, "{agents:?}");
        assert!(agents.iter().all(|a| a.0 == agents[0].0), "one session");
        let add = t.records.iter().find_map(|r| match r {
            Record::Audit(a) if a.user == rogue && a.operation == "Add device." => Some(a),
            _ => None,
        });
        let add = add.expect("the rogue device's registration");
        assert!(add.parameters.iter().any(|(_, v)| v.contains("10.0.19045.2006")));
        assert!(of(&rogue).iter().any(|s| s.incoming_token_type == "primaryRefreshToken"
            && !s.device_id.is_empty()
            && !s.managed
            && s.time > add.time));
        assert!(
            of(&rogue).iter().any(|s| s.auth_protocol == "deviceCode" && s.resource_id == DRS.0)
        );
        let bypass = victim(Attack::CaMfaBypass).unwrap_or_default();
        assert!(of(&bypass).iter().any(|s| s.interactive
            && s.auth_requirement == "singleFactorAuthentication"
            && s.app_id == AAD_POWERSHELL.0
            && s.resource_id == GRAPH.0
            && s.app_owner_tenant == MICROSOFT_APPS_TENANT
            && !s.ca_mfa_not_applied.is_empty()));
    }

    /// ConsentFix read from the Unified Audit Log alone: the victim's `OAuth2:Authorize` and the
    /// attacker's `OAuth2:Token` from another address name the variant.
    #[test]
    fn consentfix_in_the_ual_is_the_authorize_and_token_pair() {
        let t = generate(&TenantConfig {
            seed: 9,
            benign_users: 10,
            days: 10,
            attacks: vec![(Attack::ConsentFix, false)],
            domain: "x.example".to_owned(),
        });
        let victim = t.truth.iter().find(|u| u.attack.is_some()).map(|u| u.user.clone());
        let ds = t.dataset(crate::sim::Layout::UalOnly);
        let report = crate::analyze(&ds, &crate::Settings::default());
        let facts: Vec<&str> = report
            .findings
            .iter()
            .filter(|f| Some(&f.user) == victim.as_ref())
            .flat_map(|f| f.facts.iter())
            .filter(|f| f.rule == "first-party-app-abuse")
            .map(|f| f.detail.as_str())
            .collect();
        assert!(
            facts.iter().any(|f| f.contains("in the Unified Audit Log")
                && f.contains("OAuth2:Authorize")
                && f.contains("OAuth2:Token")),
            "{facts:?}"
        );
    }

    /// The device-code and ROPC attacks and their look-alikes write their shapes: the attacker's
    /// device-code and ROPC sign-ins from a hosting network, the look-alikes' from the user's own
    /// office or home, from the first day of the span.
    #[test]
    fn device_code_ropc_and_look_alikes_write_their_shapes() {
        let t = generate(&TenantConfig {
            seed: 9,
            benign_users: 60,
            days: 10,
            attacks: vec![(Attack::DeviceCodePhishing, true), (Attack::LegacyRopc, false)],
            domain: "x.example".to_owned(),
        });
        let victim = |a: Attack| {
            t.truth.iter().find(|u| u.attack.map(|x| x.0) == Some(a)).map(|u| u.user.clone())
        };
        let hosting = [24940u32, 20473, 51167, 9009];
        let dc = sign_ins(&t, &victim(Attack::DeviceCodePhishing).unwrap_or_default())
            .into_iter()
            .filter(|s| s.transfer_method == "deviceCodeFlow")
            .cloned()
            .collect::<Vec<_>>();
        assert!(dc.iter().any(|s| s.interactive
            && s.auth_protocol == "deviceCode"
            && s.app_id == MS_OFFICE.0
            && hosting.contains(&s.asn)));
        assert!(dc.iter().any(|s| !s.interactive && hosting.contains(&s.asn)), "{dc:?}");
        let ropc_victim = sign_ins(&t, &victim(Attack::LegacyRopc).unwrap_or_default());
        assert!(ropc_victim.iter().any(|s| s.error_code == 0
            && s.auth_protocol == "ropc"
            && s.user_agent == "BAV2ROPC"
            && s.auth_requirement == "singleFactorAuthentication"
            && hosting.contains(&s.asn)));
        assert!(ropc_victim.iter().any(|s| s.error_code == 50126 && s.user_agent == "BAV2ROPC"));
        let with = |c: Confounder| {
            t.truth.iter().filter(move |u| u.attack.is_none() && u.confounders.contains(&c))
        };
        let mut seen = [0; 3];
        for u in with(Confounder::AzureCliDeveloper) {
            let cli: Vec<_> =
                sign_ins(&t, &u.user).into_iter().filter(|s| s.app_id == AZURE_CLI.0).collect();
            assert!(cli.iter().all(|s| s.resource_id == GRAPH.0), "{}", u.user);
            assert!(cli.first().is_some_and(|s| s.interactive && s.time < START + DAY));
            seen[0] += 1;
        }
        for u in with(Confounder::MeetingRoomDeviceCode) {
            let room: Vec<_> = sign_ins(&t, &u.user)
                .into_iter()
                .filter(|s| s.auth_protocol == "deviceCode")
                .collect();
            assert!(room.first().is_some_and(|s| s.time < START + DAY), "{}", u.user);
            // Always the office: one address for all of them.
            assert!(room.iter().all(|s| s.ip == room[0].ip && s.interactive), "{}", u.user);
            seen[1] += 1;
        }
        for u in with(Confounder::LegacyMailClient) {
            let old: Vec<_> =
                sign_ins(&t, &u.user).into_iter().filter(|s| s.user_agent == "BAV2ROPC").collect();
            assert!(old.len() >= 5 && old.iter().all(|s| s.ip == old[0].ip), "{}", u.user);
            seen[2] += 1;
        }
        assert!(seen.iter().all(|&n| n > 0), "{seen:?}");
    }

    fn tenant() -> Tenant {
        generate(&TenantConfig {
            seed: 21,
            benign_users: 80,
            days: 14,
            attacks: Vec::new(),
            domain: "x.example".to_owned(),
        })
    }

    fn users_with(t: &Tenant, c: Confounder) -> Vec<&str> {
        t.truth.iter().filter(|u| u.confounders.contains(&c)).map(|u| u.user.as_str()).collect()
    }

    fn sign_ins<'t>(t: &'t Tenant, user: &str) -> Vec<&'t SignInRecord> {
        t.records
            .iter()
            .filter_map(|r| match r {
                Record::SignIn(s) if s.user == user => Some(s),
                _ => None,
            })
            .collect()
    }

    /// The phone of a carrier-family user: interactive only from the home broadband, refreshes
    /// over the same company's mobile network on several /48s, and every `Sync` record within
    /// the hour after a refresh of the phone from the same address.
    #[test]
    fn carrier_family_phones_sync_their_own_mail_after_refreshes() {
        let t = tenant();
        let users = users_with(&t, Confounder::CarrierFamily);
        assert!((4..=16).contains(&users.len()), "about a tenth of 80: {}", users.len());
        for user in users {
            let all = sign_ins(&t, user);
            // The phone's (a meeting-room screen or a command-line tool is also a mobile or
            // desktop client).
            let phone: Vec<&&SignInRecord> = all
                .iter()
                .filter(|s| s.client_app.starts_with("Mobile") && s.os == "Ios")
                .collect();
            // (A trip's hotel is not home.)
            let phone_home: Vec<u32> = phone
                .iter()
                .filter(|s| s.interactive && s.country == phone[0].country)
                .map(|s| s.asn)
                .collect();
            assert!(!phone_home.is_empty(), "{user}: the phone signs in at home");
            let family = enrich::carrier_family(phone_home[0]);
            assert!(family.is_some(), "{user}: home on AS{}", phone_home[0]);
            assert!(phone_home.iter().all(|&a| a == phone_home[0]), "{user}: {phone_home:?}");
            let mut prefixes = std::collections::BTreeSet::new();
            for s in phone.iter().filter(|s| !s.interactive) {
                assert_eq!(enrich::carrier_family(s.asn), family, "{user} {}", s.ip);
                assert!(s.device_id.is_empty(), "{user}: an unregistered phone");
                if s.ip.contains(':') {
                    prefixes.insert(s.ip.split(':').take(3).collect::<Vec<_>>().join(":"));
                }
            }
            assert!(prefixes.len() >= 2, "{user}: IPv6 /48s {prefixes:?}");
            let syncs: Vec<&AuditRecord> = t
                .records
                .iter()
                .filter_map(|r| match r {
                    Record::Audit(a) if a.user == user && a.client_info.contains("Client=") => {
                        Some(a)
                    }
                    _ => None,
                })
                .filter(|a| a.parameters.iter().any(|(_, v)| v == "Sync"))
                .collect();
            assert!(!syncs.is_empty(), "{user}");
            for a in syncs {
                let after = phone.iter().any(|s| {
                    !s.interactive
                        && s.ip == a.ip
                        && s.session_id == a.session_id
                        && s.unique_token_id == a.unique_token_id
                        && (s.time..=s.time + HOUR).contains(&a.time)
                });
                assert!(after, "{user}: Sync at {} from {} follows no refresh", a.time, a.ip);
            }
        }
    }

    /// The laptop on a new network carries the device id of the user's interactive sign-ins, from
    /// an ASN none of the user's interactive sign-ins comes from.
    #[test]
    fn own_devices_refresh_from_networks_they_never_signed_in_from() {
        let t = tenant();
        let users = users_with(&t, Confounder::OwnDeviceNewNetwork);
        assert!(!users.is_empty());
        for user in users {
            let all = sign_ins(&t, user);
            let interactive_asns: Vec<u32> =
                all.iter().filter(|s| s.interactive).map(|s| s.asn).collect();
            let laptop: Vec<&str> = all
                .iter()
                .filter(|s| s.interactive && s.client_app == "Browser")
                .map(|s| s.device_id.as_str())
                .collect();
            let away: Vec<&&SignInRecord> = all
                .iter()
                .filter(|s| {
                    !s.interactive
                        && s.client_app == "Browser"
                        && !interactive_asns.contains(&s.asn)
                        && !enrich::is_embedded_microsoft_asn(s.asn)
                })
                .collect();
            assert!(!away.is_empty(), "{user}");
            for s in away {
                assert!(laptop.contains(&s.device_id.as_str()) && s.compliant, "{user} {}", s.ip);
            }
        }
    }
}
