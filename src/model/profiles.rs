//! The groups of fields that repeat together across events (who, client, app, place,
//! authentication, audit detail), stored once per dataset and referred to by number.

use std::hash::{Hash, Hasher};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use super::{AuthRequirement, Event, EventFields, Location, RiskLevel, Sym, Table};

/// Who a row names: the object id and the UPN as logged. Repeats across a user's events (a user
/// has one object id, and nearly always one spelling of the UPN).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct WhoProfile {
    /// The user's object id (`oid`), lower case, when logged.
    pub user_object_id: Sym,
    /// The UPN as logged (trimmed, case kept); empty when the row has none.
    pub upn: Sym,
}

/// The device and client side of a sign-in. Repeats across most of a user's events.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct ClientProfile {
    /// Raw user agent string.
    pub user_agent: Sym,
    /// Browser as logged (e.g. `Edge 120.0.0`).
    pub browser: Sym,
    /// Operating system as logged.
    pub os: Sym,
    /// Entra device id; empty for unregistered devices.
    pub device_id: Sym,
    /// Client app used (`Browser`, `Mobile Apps and Desktop clients`, …).
    pub client_app: Sym,
    /// Incoming token type (e.g. `primaryRefreshToken`, `none`).
    pub incoming_token_type: Sym,
    /// Device is marked compliant.
    pub compliant: bool,
    /// Device is marked managed.
    pub managed: bool,
}

/// The application and resource a sign-in was for.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct AppProfile {
    /// Application (client) id, lower case.
    pub app_id: Sym,
    /// Application display name.
    pub app_name: Sym,
    /// Resource display name (or id when no name is logged).
    pub resource: Sym,
}

/// Where a request came from as the log places it: network and location.
#[derive(Copy, Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct PlaceProfile {
    /// Autonomous system number of the client IP; 0 when not logged.
    pub asn: u32,
    /// Location as logged.
    pub location: Location,
}

impl PlaceProfile {
    fn key(&self) -> (u32, Sym, Sym, Sym, Option<(u32, u32)>) {
        let l = &self.location;
        let coordinates = l.coordinates.map(|(a, b)| (a.to_bits(), b.to_bits()));
        (self.asn, l.country, l.state, l.city, coordinates)
    }
}

// Coordinates compare by their bits (as the duplicate index always hashed them), so equality is
// an equivalence and interning is exact.
impl PartialEq for PlaceProfile {
    fn eq(&self, other: &PlaceProfile) -> bool {
        self.key() == other.key()
    }
}

impl Eq for PlaceProfile {}

impl Hash for PlaceProfile {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.key().hash(state);
    }
}

/// How a sign-in was authenticated and judged: requirement, MFA detail, risk, error code.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct AuthProfile {
    /// Sign-in error code (0 on success).
    pub error_code: u32,
    /// Entra risk level.
    pub risk_level: RiskLevel,
    /// Entra risk event types, comma-joined in log order.
    pub risk_event_types: Sym,
    /// Authentication requirement.
    pub auth_requirement: AuthRequirement,
    /// MFA detail / authentication-step result detail.
    pub mfa_detail: Sym,
    /// Authentication protocol (`deviceCode`, `ropc`, …), as logged.
    pub auth_protocol: Sym,
    /// Original transfer method (`deviceCodeFlow`, …), as logged.
    pub transfer_method: Sym,
    /// The application's owner tenant, as logged.
    pub app_owner_tenant: Sym,
    /// Conditional Access policies enforcing MFA that were not applied, `; `-joined.
    pub ca_mfa_not_applied: Sym,
}

/// What an audit operation did, as far as AiTM hunting cares.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct AuditDetail {
    /// Operation as logged (`New-InboxRule`, `MailItemsAccessed`, `Update user.`, …).
    pub operation: Sym,
    /// Workload (`Exchange`, `AzureActiveDirectory`, `SharePoint`, …).
    pub workload: Sym,
    /// `ClientInfoString` / client, e.g. `Client=OWA;Action=ViaProxy`.
    pub client_info: Sym,
    /// Name/Value parameters in log order (`Parameters`, `OperationProperties`,
    /// `ModifiedProperties` as `Name=NewValue`), keeping only the names that matter.
    pub parameters: Vec<(Sym, Sym)>,
    /// External addresses mail is forwarded or redirected to (inbox rules, mailbox forwarding).
    pub forward_to: Vec<Sym>,
    /// The target of the operation when it is a user (e.g. the user whose sessions were revoked).
    pub target_user: Sym,
}

/// The profiles, audit details and IPv6 addresses that events refer to by number.
#[derive(Debug)]
pub(crate) struct Profiles {
    whos: Table<WhoProfile>,
    clients: Table<ClientProfile>,
    apps: Table<AppProfile>,
    places: Table<PlaceProfile>,
    auths: Table<AuthProfile>,
    audits: Table<AuditDetail>,
    ipv6: Table<Ipv6Addr>,
}

/// A dataset's profiles in number order, without their lookup tables: what
/// [`Profiles::absorb`] reads.
#[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
pub(crate) struct ProfileItems {
    whos: Vec<WhoProfile>,
    clients: Vec<ClientProfile>,
    apps: Vec<AppProfile>,
    places: Vec<PlaceProfile>,
    auths: Vec<AuthProfile>,
    audits: Vec<AuditDetail>,
    ipv6: Vec<Ipv6Addr>,
}

impl Default for Profiles {
    fn default() -> Self {
        let mut p = Profiles {
            whos: Table::default(),
            clients: Table::default(),
            apps: Table::default(),
            places: Table::default(),
            auths: Table::default(),
            audits: Table::default(),
            ipv6: Table::default(),
        };
        // Number 0 of each profile is the empty one, so `Event`s of a fresh dataset are valid.
        p.whos.intern(WhoProfile::default());
        p.clients.intern(ClientProfile::default());
        p.apps.intern(AppProfile::default());
        p.places.intern(PlaceProfile::default());
        p.auths.intern(AuthProfile::default());
        p
    }
}

impl Profiles {
    /// Packs an event, interning its profiles.
    pub(crate) fn pack(&mut self, f: EventFields) -> Event {
        let who = self.whos.intern(WhoProfile { user_object_id: f.user_object_id, upn: f.upn });
        let client = self.clients.intern(ClientProfile {
            user_agent: f.user_agent,
            browser: f.browser,
            os: f.os,
            device_id: f.device_id,
            client_app: f.client_app,
            incoming_token_type: f.incoming_token_type,
            compliant: f.compliant,
            managed: f.managed,
        });
        let app = self.apps.intern(AppProfile {
            app_id: f.app_id,
            app_name: f.app_name,
            resource: f.resource,
        });
        let place = self.places.intern(PlaceProfile { asn: f.asn, location: f.location });
        let auth = self.auths.intern(AuthProfile {
            error_code: f.error_code,
            risk_level: f.risk_level,
            risk_event_types: f.risk_event_types,
            auth_requirement: f.auth_requirement,
            mfa_detail: f.mfa_detail,
            auth_protocol: f.auth_protocol,
            transfer_method: f.transfer_method,
            app_owner_tenant: f.app_owner_tenant,
            ca_mfa_not_applied: f.ca_mfa_not_applied,
        });
        let (ip_kind, ip_num) = match f.ip {
            None => (0, 0),
            Some(IpAddr::V4(v4)) => (1, u32::from(v4)),
            Some(IpAddr::V6(v6)) => (2, self.ipv6.intern(v6)),
        };
        let audit_num = match f.audit {
            None => 0,
            Some(mut detail) => {
                detail.parameters.shrink_to_fit();
                detail.forward_to.shrink_to_fit();
                self.audits.intern(detail).saturating_add(1)
            }
        };
        Event {
            time: f.time,
            user: f.user,
            session_id: f.session_id,
            unique_token_id: f.unique_token_id,
            request_id: f.request_id,
            correlation_id: f.correlation_id,
            source: f.source,
            who,
            client,
            app,
            place,
            auth,
            ip_num,
            audit_num,
            kind: f.kind,
            outcome: f.outcome,
            ip_kind,
        }
    }

    /// Every field of `e`.
    pub(crate) fn fields(&self, e: &Event) -> EventFields {
        let c = self.client(e);
        let a = self.app(e);
        let p = self.place(e);
        let h = self.auth(e);
        let w = self.who(e);
        EventFields {
            time: e.time,
            kind: e.kind,
            user: e.user,
            user_object_id: w.user_object_id,
            upn: w.upn,
            ip: self.ip(e),
            asn: p.asn,
            location: p.location,
            user_agent: c.user_agent,
            browser: c.browser,
            os: c.os,
            device_id: c.device_id,
            compliant: c.compliant,
            managed: c.managed,
            app_id: a.app_id,
            app_name: a.app_name,
            resource: a.resource,
            client_app: c.client_app,
            session_id: e.session_id,
            unique_token_id: e.unique_token_id,
            request_id: e.request_id,
            correlation_id: e.correlation_id,
            outcome: e.outcome,
            error_code: h.error_code,
            risk_level: h.risk_level,
            risk_event_types: h.risk_event_types,
            auth_requirement: h.auth_requirement,
            mfa_detail: h.mfa_detail,
            incoming_token_type: c.incoming_token_type,
            auth_protocol: h.auth_protocol,
            transfer_method: h.transfer_method,
            app_owner_tenant: h.app_owner_tenant,
            ca_mfa_not_applied: h.ca_mfa_not_applied,
            audit: self.audit(e).cloned(),
            source: e.source,
        }
    }

    pub(crate) fn who(&self, e: &Event) -> &WhoProfile {
        self.whos.get(e.who)
    }

    pub(crate) fn client(&self, e: &Event) -> &ClientProfile {
        self.clients.get(e.client)
    }

    pub(crate) fn app(&self, e: &Event) -> &AppProfile {
        self.apps.get(e.app)
    }

    pub(crate) fn place(&self, e: &Event) -> &PlaceProfile {
        self.places.get(e.place)
    }

    pub(crate) fn auth(&self, e: &Event) -> &AuthProfile {
        self.auths.get(e.auth)
    }

    pub(crate) fn ip(&self, e: &Event) -> Option<IpAddr> {
        match e.ip_kind {
            1 => Some(IpAddr::V4(Ipv4Addr::from(e.ip_num))),
            2 => Some(IpAddr::V6(*self.ipv6.get(e.ip_num))),
            _ => None,
        }
    }

    pub(crate) fn audit(&self, e: &Event) -> Option<&AuditDetail> {
        e.audit_num.checked_sub(1).map(|i| self.audits.get(i))
    }

    /// Replaces the MFA detail of `e` (the authentication-details join).
    pub(crate) fn set_mfa_detail(&mut self, e: &mut Event, detail: Sym) {
        let auth = AuthProfile { mfa_detail: detail, ..self.auth(e).clone() };
        e.auth = self.auths.intern(auth);
    }

    /// Interns every profile, audit detail and IPv6 address of `other` (whose strings map to
    /// `self`'s through `syms`, from [`Interner::absorb`]) in its order, and returns the
    /// renumbering of `other`'s events.
    pub(crate) fn absorb(&mut self, other: ProfileItems, syms: Vec<Sym>) -> Renumber {
        let s = |x: Sym| syms[x.0 as usize];
        let whos = other
            .whos
            .into_iter()
            .map(|w| {
                self.whos.intern(WhoProfile { user_object_id: s(w.user_object_id), upn: s(w.upn) })
            })
            .collect();
        let clients = other
            .clients
            .into_iter()
            .map(|c| {
                self.clients.intern(ClientProfile {
                    user_agent: s(c.user_agent),
                    browser: s(c.browser),
                    os: s(c.os),
                    device_id: s(c.device_id),
                    client_app: s(c.client_app),
                    incoming_token_type: s(c.incoming_token_type),
                    ..c
                })
            })
            .collect();
        let apps = other
            .apps
            .into_iter()
            .map(|a| {
                self.apps.intern(AppProfile {
                    app_id: s(a.app_id),
                    app_name: s(a.app_name),
                    resource: s(a.resource),
                })
            })
            .collect();
        let places = other
            .places
            .into_iter()
            .map(|p| {
                let l = p.location;
                let location =
                    Location { country: s(l.country), state: s(l.state), city: s(l.city), ..l };
                self.places.intern(PlaceProfile { location, ..p })
            })
            .collect();
        let auths = other
            .auths
            .into_iter()
            .map(|a| {
                self.auths.intern(AuthProfile {
                    risk_event_types: s(a.risk_event_types),
                    mfa_detail: s(a.mfa_detail),
                    auth_protocol: s(a.auth_protocol),
                    transfer_method: s(a.transfer_method),
                    app_owner_tenant: s(a.app_owner_tenant),
                    ca_mfa_not_applied: s(a.ca_mfa_not_applied),
                    ..a
                })
            })
            .collect();
        let audits = other
            .audits
            .into_iter()
            .map(|a| {
                self.audits.intern(AuditDetail {
                    operation: s(a.operation),
                    workload: s(a.workload),
                    client_info: s(a.client_info),
                    parameters: a.parameters.iter().map(|&(k, v)| (s(k), s(v))).collect(),
                    forward_to: a.forward_to.iter().map(|&f| s(f)).collect(),
                    target_user: s(a.target_user),
                })
            })
            .collect();
        let ipv6 = other.ipv6.into_iter().map(|ip| self.ipv6.intern(ip)).collect();
        Renumber { syms, whos, clients, apps, places, auths, audits, ipv6 }
    }

    /// The profiles as plain data, in number order, without their lookup tables.
    pub(crate) fn into_items(self) -> ProfileItems {
        ProfileItems {
            whos: self.whos.into_items(),
            clients: self.clients.into_items(),
            apps: self.apps.into_items(),
            places: self.places.into_items(),
            auths: self.auths.into_items(),
            audits: self.audits.into_items(),
            ipv6: self.ipv6.into_items(),
        }
    }

    /// Heap bytes of every profile, audit detail and IPv6 address and of their lookup tables.
    pub(crate) fn heap_bytes(&self) -> usize {
        let detail = |a: &AuditDetail| {
            a.parameters.capacity() * std::mem::size_of::<(Sym, Sym)>()
                + a.forward_to.capacity() * std::mem::size_of::<Sym>()
        };
        self.whos.heap_bytes(|_| 0)
            + self.clients.heap_bytes(|_| 0)
            + self.apps.heap_bytes(|_| 0)
            + self.places.heap_bytes(|_| 0)
            + self.auths.heap_bytes(|_| 0)
            + self.audits.heap_bytes(detail)
            + self.ipv6.heap_bytes(|_| 0)
    }

    /// Numbers of distinct who, client, app, place and auth profiles, audit details, IPv6
    /// addresses.
    pub(crate) fn counts(&self) -> [usize; 7] {
        [
            self.whos.len(),
            self.clients.len(),
            self.apps.len(),
            self.places.len(),
            self.auths.len(),
            self.audits.len(),
            self.ipv6.len(),
        ]
    }
}

/// How the strings, profiles, audit details and IPv6 addresses of one dataset are numbered in
/// another that absorbed them ([`Profiles::absorb`]).
#[derive(Debug)]
pub(crate) struct Renumber {
    syms: Vec<Sym>,
    whos: Vec<u32>,
    clients: Vec<u32>,
    apps: Vec<u32>,
    places: Vec<u32>,
    auths: Vec<u32>,
    audits: Vec<u32>,
    ipv6: Vec<u32>,
}

impl Renumber {
    /// The event as the absorbing dataset numbers it (its source is kept).
    pub(crate) fn event(&self, e: &Event) -> Event {
        let s = |x: Sym| self.syms[x.0 as usize];
        Event {
            user: s(e.user),
            session_id: e.session_id.map_sym(s),
            unique_token_id: e.unique_token_id.map_sym(s),
            request_id: e.request_id.map_sym(s),
            correlation_id: e.correlation_id.map_sym(s),
            who: self.whos[e.who as usize],
            client: self.clients[e.client as usize],
            app: self.apps[e.app as usize],
            place: self.places[e.place as usize],
            auth: self.auths[e.auth as usize],
            ip_num: if e.ip_kind == 2 { self.ipv6[e.ip_num as usize] } else { e.ip_num },
            audit_num: match e.audit_num.checked_sub(1) {
                Some(i) => self.audits[i as usize] + 1,
                None => 0,
            },
            ..*e
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{EventKind, Interner, Outcome, SourceRef};

    fn sign_in(st: &mut Interner, ip: &str, ua: &str, line: u32) -> EventFields {
        let mut e = EventFields::empty(
            EventKind::NonInteractive,
            1_772_442_000_123,
            SourceRef { file: 1, line },
        );
        e.user = st.intern("alice@example.com");
        e.user_object_id = st.intern("6f0c1b2a-1111-4222-8333-444455556666");
        e.upn = st.intern("Alice@Example.com");
        e.ip = ip.parse().ok();
        e.asn = 64496;
        e.location = Location {
            country: st.intern("NL"),
            state: st.intern("Noord-Holland"),
            city: st.intern("Amsterdam"),
            coordinates: Some((52.37, -4.89)),
        };
        e.user_agent = st.intern(ua);
        e.browser = st.intern("Edge 122.0.0");
        e.os = st.intern("Windows10");
        e.device_id = st.intern("d3v1ce");
        e.compliant = true;
        e.managed = false;
        e.app_id = st.intern("4765445b-32c6-49b0-83e6-1d93765276ca");
        e.app_name = st.intern("OfficeHome");
        e.resource = st.intern("Office 365 Exchange Online");
        e.client_app = st.intern("Browser");
        e.session_id = st.id("5d1c2b3a-0000-4000-8000-00000000abcd");
        e.unique_token_id = st.id(&format!("uti{line}"));
        e.request_id = st.id(&format!("req{line}"));
        e.correlation_id = st.id("c0ffee");
        e.outcome = Outcome::Failure;
        e.error_code = 50126;
        e.risk_level = RiskLevel::Medium;
        e.risk_event_types = st.intern("anomalousToken");
        e.auth_requirement = AuthRequirement::MultiFactor;
        e.mfa_detail = st.intern("MFA requirement satisfied by claim in the token");
        e.incoming_token_type = st.intern("primaryRefreshToken");
        e.auth_protocol = st.intern("deviceCode");
        e.transfer_method = st.intern("deviceCodeFlow");
        e.app_owner_tenant = st.intern("f8cdef31-a31e-4b4a-93e4-5f571e91255a");
        e.ca_mfa_not_applied = st.intern("Require MFA for all users");
        e
    }

    #[test]
    fn the_event_is_120_bytes() {
        assert_eq!(std::mem::size_of::<Event>(), 120);
    }

    #[test]
    fn packing_keeps_every_field() {
        let mut st = Interner::default();
        let mut p = Profiles::default();
        for (i, ip) in ["203.0.113.50", "2001:db8::77", "", "::ffff:192.0.2.1"].iter().enumerate() {
            let f = sign_in(&mut st, ip, "Mozilla/5.0", i as u32 + 2);
            let e = p.pack(f.clone());
            assert_eq!(p.fields(&e), f, "{ip:?}");
            assert_eq!(p.ip(&e), f.ip);
        }
        let mut audit = EventFields::empty(EventKind::Audit, 7, SourceRef { file: 0, line: 9 });
        audit.user = st.intern("bob@example.com");
        audit.audit = Some(AuditDetail {
            operation: st.intern("New-InboxRule"),
            workload: st.intern("Exchange"),
            parameters: vec![(st.intern("ForwardTo"), st.intern("drop@example.net"))],
            forward_to: vec![st.intern("drop@example.net")],
            ..AuditDetail::default()
        });
        let e = p.pack(audit.clone());
        assert_eq!(p.fields(&e), audit);
        // An audit detail with every field empty is still a detail, not "no detail".
        let mut bare = EventFields::empty(EventKind::Audit, 8, SourceRef::default());
        bare.audit = Some(AuditDetail::default());
        let e = p.pack(bare.clone());
        assert_eq!(p.audit(&e), Some(&AuditDetail::default()));
        assert_eq!(p.fields(&e), bare);
    }

    #[test]
    fn repeated_groups_are_stored_once() {
        let mut st = Interner::default();
        let mut p = Profiles::default();
        let a = p.pack(sign_in(&mut st, "203.0.113.50", "Mozilla/5.0", 2));
        let b = p.pack(sign_in(&mut st, "203.0.113.51", "Mozilla/5.0", 3));
        let c = p.pack(sign_in(&mut st, "203.0.113.51", "curl/8.5", 4));
        assert_eq!(
            (a.who, a.client, a.app, a.place, a.auth),
            (b.who, b.client, b.app, b.place, b.auth)
        );
        assert_ne!(b.client, c.client);
        assert_eq!((b.who, b.app, b.place, b.auth), (c.who, c.app, c.place, c.auth));
        // The empty profile of each kind, plus one who, app, place and auth and two clients.
        assert_eq!(p.counts(), [2, 3, 2, 2, 2, 0, 0]);
        // Same content, other row: equal but for the source.
        let d = p.pack(sign_in(&mut st, "203.0.113.50", "Mozilla/5.0", 2));
        let moved = p.pack(EventFields { source: SourceRef { file: 9, line: 9 }, ..p.fields(&d) });
        assert_eq!(d, a);
        assert_ne!(moved, a);
        assert_eq!(moved.content(), a.content());
    }

    #[test]
    fn coordinates_compare_by_bits() {
        let at = |lat: f32| PlaceProfile {
            asn: 1,
            location: Location { coordinates: Some((lat, 0.0)), ..Location::default() },
        };
        assert_eq!(at(1.5), at(1.5));
        assert_ne!(at(0.0), at(-0.0));
        let mut t = Table::default();
        assert_ne!(t.intern(at(0.0)), t.intern(at(-0.0)));
        assert_eq!(t.intern(at(0.0)), 0);
    }

    #[test]
    fn joined_mfa_detail_changes_only_the_auth_profile() {
        let mut st = Interner::default();
        let mut p = Profiles::default();
        let mut f = sign_in(&mut st, "203.0.113.50", "Mozilla/5.0", 2);
        f.mfa_detail = Sym::EMPTY;
        let mut e = p.pack(f.clone());
        let before = e;
        let detail = st.intern("MFA completed in Azure AD");
        p.set_mfa_detail(&mut e, detail);
        assert_eq!(p.fields(&e), EventFields { mfa_detail: detail, ..f });
        assert_eq!(Event { auth: before.auth, ..e }, before);
    }
}
