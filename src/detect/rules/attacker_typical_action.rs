//! `attacker-typical-action`: what attackers do with a stolen session, found on its own.
//!
//! ## What it detects
//! Audit operations whose shape is what attackers do after taking over a mailbox or an account,
//! with or without a suspicious sign-in next to them (docs/detection.md §5, attacker-typical
//! actions):
//! - an inbox rule that hides or diverts mail: moves to RSS Feeds, RSS Subscriptions,
//!   Conversation History, Archive, Deleted Items or Junk, marks as read, deletes, stops
//!   processing, forwards or redirects outside the tenant; a name of punctuation or of one or two
//!   characters; filters on words such as invoice, payment, wire, bank or password, or on one
//!   sender (`New-InboxRule`, `Set-InboxRule`, `UpdateInboxRules`);
//! - three or more inbox rules created in one session (or one hour);
//! - forwarding of the whole mailbox outside the tenant (`Set-Mailbox -ForwardingSmtpAddress`);
//! - a new MFA method (`User registered security info`, `Update user` changing
//!   `StrongAuthenticationMethod`, `User changed default security info`), an OAuth consent or
//!   grant (`Consent to application`, `Add delegated permission grant`, `Add app role assignment
//!   grant to user`), a device registration (`Register device`, `Add device`, `Add registered
//!   owner to device`, `Add registered users to device`), new application credentials (`Update
//!   application – Certificates and secrets management`, `Add service principal credentials`), as
//!   the Unified Audit Log or the Entra directory audit log (docs/formats-directory-audit.md)
//!   record them.
//!
//! A *strong* shape (hiding, deleting, forwarding outside, a punctuation name, keyword filters
//! with a hiding action, many rules at once, a device registered with a registration tool's
//! defaults as `rogue-device-registration` reads them) is a finding on its own at high. A *weak* one (a new
//! MFA method, a consent, a device, a rule that only archives) is a finding only when it came
//! from an origin the user never used (no baseline address, prefix or familiar network), a
//! hosting network, or an IP of another user's suspicious activity; from the user's own network
//! it is ordinary life and not raised. When nothing tells whose origin it is (the user has no
//! sign-ins in the data, or the operation no IP), a weak shape is shown at low.
//!
//! ## Why it matters
//! Entra logs keep sign-ins for 7 or 30 days, the Unified Audit Log 180 days or more: many
//! investigations start with the audit log alone, where these operations are the compromise.
//! Rules that hide replies and forwarding that copies mail out are how business-email
//! compromise keeps going after a password reset.
//!
//! ## False positives
//! Users do create rules (newsletters to Archive), register MFA methods, consent to apps and
//! enroll devices: weak shapes from the user's own networks are not raised. A user's own rule
//! deleting a noisy sender is a strong shape: the analyst grades it.
//!
//! ## Example
//! `New-InboxRule` `Name=..`, `MoveToFolder=RSS Feeds`, `MarkAsRead=True` from 175.45.176.99,
//! an address the user never signed in from: high on its own; critical when a token replay from
//! the same IP or session precedes it.

use std::collections::BTreeSet;

use crate::detect::context::{Ctx, Pos};
use crate::detect::rule::{Contribution, Evidence, Group, Rule};
use crate::model::{Event, Sym};

/// Rule id.
pub(crate) const ID: &str = "attacker-typical-action";

/// The registry entry.
pub(crate) const RULE: Rule = Rule { id: ID, evidence: Evidence::Action, facts: Some(facts) };

/// What kind of attacker-typical action an operation is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Kind {
    /// An inbox rule (created, changed, or set by a client).
    MailboxRule,
    /// Mailbox forwarding (`Set-Mailbox`).
    Forwarding,
    /// A new MFA method.
    MfaMethod,
    /// An OAuth consent.
    Consent,
    /// A device registration.
    Device,
    /// New credentials on an application or service principal (persistence outside the user).
    Credential,
    /// Mail sent.
    Send,
}

/// An attacker-typical operation and what makes it so.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Shape {
    pub kind: Kind,
    /// Hostile by its shape alone.
    pub strong: bool,
    /// The operation with its telling parameters, and why it is hostile.
    pub detail: String,
}

/// What an audit operation is, for the ladder.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Activity {
    /// Attacker-typical.
    Action(Shape),
    /// Mail read by binding, or files accessed or downloaded: corroborates an unfamiliar origin.
    Access(String),
    /// A mail client keeping its mailbox in sync (`MailItemsAccessed`, `MailAccessType=Sync`):
    /// what the user's own phone does all day; not evidence.
    Sync(String),
}

impl Activity {
    /// The operation with its telling parameters.
    pub(crate) fn detail(&self) -> &str {
        match self {
            Activity::Action(s) => &s.detail,
            Activity::Access(d) | Activity::Sync(d) => d,
        }
    }
}

/// The tenant's own mail domains (the domains of the users' UPNs), to tell outside addresses.
#[derive(Debug, Default)]
pub(crate) struct Domains(BTreeSet<String>);

impl Domains {
    pub(crate) fn of(ctx: &Ctx<'_>) -> Domains {
        Domains(
            ctx.users()
                .iter()
                .filter_map(|&u| ctx.s(u).rsplit_once('@').map(|(_, d)| d.to_ascii_lowercase()))
                .collect(),
        )
    }

    /// True when the address is outside the tenant's domains (or the tenant's domains are unknown).
    pub(crate) fn is_external(&self, address: &str) -> bool {
        let a = address.trim().trim_start_matches("smtp:").trim_start_matches("SMTP:");
        match a.rsplit_once('@') {
            Some((_, d)) => {
                let d = d.trim_end_matches('>').to_ascii_lowercase();
                !self.0.iter().any(|t| d == *t || d.ends_with(&format!(".{t}")))
            }
            None => false,
        }
    }
}

const HIDING_FOLDERS: [&str; 6] =
    ["rss", "conversation history", "archive", "deleted items", "junk", "rss subscriptions"];
/// Folders nobody reads: a rule moving mail there hides it by itself.
const UNREAD_FOLDERS: [&str; 3] = ["rss", "conversation history", "rss subscriptions"];
const LURE_WORDS: [&str; 12] = [
    "invoice",
    "payment",
    "wire",
    "bank",
    "password",
    "transfer",
    "remittance",
    "swift",
    "iban",
    "urgent",
    "docusign",
    "account",
];

fn norm_op(op: &str) -> String {
    op.trim().trim_end_matches('.').to_ascii_lowercase()
}

fn param<'a>(ctx: &Ctx<'a>, params: &[(Sym, Sym)], name: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(k, v)| ctx.s(*k).eq_ignore_ascii_case(name) && !ctx.s(*v).trim().is_empty())
        .map(|(_, v)| ctx.s(*v))
}

fn truthy(v: Option<&str>) -> bool {
    v.is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
}

/// A rule name made of punctuation only, or of one or two characters.
fn odd_name(name: &str) -> bool {
    let n = name.trim();
    !n.is_empty() && (n.chars().count() <= 2 || n.chars().all(|c| !c.is_alphanumeric()))
}

/// Classifies an audit operation.
pub(crate) fn classify(ctx: &Ctx<'_>, domains: &Domains, e: &Event) -> Option<Activity> {
    let a = ctx.ds.audit(e)?;
    let op_raw = ctx.s(a.operation);
    let op = norm_op(op_raw);
    let params = &a.parameters;
    let mut parts: Vec<String> = Vec::new();
    for name in [
        "Name",
        "MoveToFolder",
        "MarkAsRead",
        "DeleteMessage",
        "StopProcessingRules",
        "ForwardTo",
        "RedirectTo",
        "ForwardAsAttachmentTo",
        "ForwardingSmtpAddress",
        "ForwardingAddress",
        "From",
        "SubjectContainsWords",
        "SubjectOrBodyContainsWords",
        "BodyContainsWords",
        "RuleOperation",
        "Actions",
        "MailAccessType",
    ] {
        if let Some(v) = param(ctx, params, name) {
            parts.push(format!("{name}={v}"));
        }
    }
    let mut detail = op_raw.trim().trim_end_matches('.').to_owned();
    if !parts.is_empty() {
        detail.push_str(&format!(" ({})", parts.join(", ")));
    }
    let kind = match op.as_str() {
        "mailitemsaccessed" => {
            return Some(
                if param(ctx, params, "MailAccessType")
                    .is_some_and(|t| t.trim().eq_ignore_ascii_case("sync"))
                {
                    Activity::Sync(detail)
                } else {
                    Activity::Access(detail)
                },
            );
        }
        "fileaccessed" | "filedownloaded" | "filesyncdownloadedfull" => {
            return Some(Activity::Access(detail));
        }
        "new-inboxrule" | "set-inboxrule" | "updateinboxrules" => Kind::MailboxRule,
        "set-mailbox" => Kind::Forwarding,
        "send" | "sendas" | "sendonbehalf" => Kind::Send,
        "consent to application"
        | "add delegated permission grant"
        | "add app role assignment grant to user" => Kind::Consent,
        "user registered security info"
        | "user registered all required security info"
        | "user changed default security info" => Kind::MfaMethod,
        "update application – certificates and secrets management"
        | "update application - certificates and secrets management"
        | "add service principal credentials" => Kind::Credential,
        "update user" => {
            let mfa = params.iter().any(|(k, v)| {
                ctx.s(*k).contains("StrongAuthentication")
                    || ctx.s(*v).contains("StrongAuthentication")
            });
            if !mfa {
                return None;
            }
            detail.push_str(" (StrongAuthenticationMethod changed)");
            Kind::MfaMethod
        }
        "register device"
        | "add device"
        | "add registered owner to device"
        | "add registered users to device" => Kind::Device,
        _ => return None,
    };
    let forwards: Vec<&str> = a.forward_to.iter().map(|f| ctx.s(*f)).collect();
    let external: Vec<&str> = forwards.iter().copied().filter(|f| domains.is_external(f)).collect();
    let mut why: Vec<String> = Vec::new();
    let strong = match kind {
        Kind::MailboxRule => {
            // A client's rule update carries its actions in free text: read every value.
            let all_values: String = params
                .iter()
                .map(|(_, v)| ctx.s(*v).to_ascii_lowercase())
                .collect::<Vec<_>>()
                .join(" ");
            let folder = param(ctx, params, "MoveToFolder").map(str::to_ascii_lowercase);
            let moves_to = |list: &[&str]| {
                folder.as_deref().is_some_and(|f| list.iter().any(|h| f.contains(h)))
                    || (op == "updateinboxrules" && list.iter().any(|h| all_values.contains(h)))
            };
            let hides = moves_to(&HIDING_FOLDERS);
            let unread = moves_to(&UNREAD_FOLDERS);
            let read = truthy(param(ctx, params, "MarkAsRead"));
            let delete = truthy(param(ctx, params, "DeleteMessage"))
                || param(ctx, params, "Actions").is_some_and(|v| v.contains("Delete"));
            let name = param(ctx, params, "Name").unwrap_or("");
            let words: String =
                ["SubjectContainsWords", "SubjectOrBodyContainsWords", "BodyContainsWords"]
                    .iter()
                    .filter_map(|n| param(ctx, params, n))
                    .collect::<Vec<_>>()
                    .join(" ")
                    .to_ascii_lowercase();
            let lures: Vec<&str> =
                LURE_WORDS.iter().copied().filter(|w| words.contains(w)).collect();
            let sender = param(ctx, params, "From").is_some();
            if unread {
                why.push("moves mail to a folder nobody reads".to_owned());
            } else if hides {
                why.push("moves mail out of the inbox".to_owned());
            }
            if read {
                why.push("marks it as read".to_owned());
            }
            if delete {
                why.push("deletes it".to_owned());
            }
            if !external.is_empty() {
                why.push(format!("forwards outside the tenant to {}", external.join("; ")));
            } else if !forwards.is_empty() {
                why.push(format!("forwards to {}", forwards.join("; ")));
            }
            if odd_name(name) {
                why.push(format!("its name \"{name}\" is punctuation or one or two characters"));
            }
            if !lures.is_empty() {
                why.push(format!("filters on {}", lures.join(", ")));
            }
            if sender && (hides || read || delete) {
                why.push("filters on one sender".to_owned());
            }
            let hiding = unread || delete || (hides && read);
            hiding
                || !external.is_empty()
                || (odd_name(name) && (hides || read || delete || !forwards.is_empty()))
                || (!lures.is_empty() && (hides || read || delete || !forwards.is_empty()))
        }
        Kind::Forwarding => {
            let fwd = ["ForwardingSmtpAddress", "ForwardingAddress"]
                .iter()
                .any(|n| param(ctx, params, n).is_some());
            if !fwd && forwards.is_empty() {
                return None;
            }
            if !external.is_empty() {
                why.push(format!(
                    "forwards the mailbox outside the tenant to {}",
                    external.join("; ")
                ));
            } else {
                why.push("forwards the mailbox".to_owned());
            }
            !external.is_empty()
        }
        Kind::MfaMethod => {
            why.push("adds an MFA method, which survives a password reset".to_owned());
            false
        }
        Kind::Consent => {
            why.push("grants an application access to the user's data".to_owned());
            false
        }
        Kind::Device => {
            why.push("registers a device, which can hold a primary refresh token".to_owned());
            // A registration tool's defaults make it hostile by itself
            // (`rogue-device-registration`).
            match super::rogue_device_registration::registration_fingerprint(ctx, e) {
                Some(tool) => {
                    why.push(format!("with {tool}"));
                    true
                }
                None => false,
            }
        }
        Kind::Credential => {
            why.push(
                "adds credentials to an application, which outlive the user's password".to_owned(),
            );
            false
        }
        Kind::Send => false,
    };
    if !why.is_empty() {
        detail.push_str(&format!(": {}", why.join(", ")));
    }
    Some(Activity::Action(Shape { kind, strong, detail }))
}

/// A user's attacker-typical operations in the detection window, by position. Three or more
/// inbox rules in one session (or, without a session id, within one hour) make each of them
/// strong.
pub(crate) fn actions_of(ctx: &Ctx<'_>, domains: &Domains, user: Sym) -> Vec<(Pos, Shape)> {
    let mut out: Vec<(Pos, Shape)> = Vec::new();
    for &p in ctx.user_audits(user) {
        let e = ctx.ev(p);
        if !ctx.in_detection(e.time) {
            continue;
        }
        if let Some(Activity::Action(shape)) = classify(ctx, domains, e) {
            out.push((p, shape));
        }
    }
    let rules: Vec<usize> =
        (0..out.len()).filter(|&i| out[i].1.kind == Kind::MailboxRule).collect();
    let mut burst = vec![0usize; out.len()];
    for &i in &rules {
        let e = ctx.ev(out[i].0);
        burst[i] = rules
            .iter()
            .filter(|&&j| {
                let o = ctx.ev(out[j].0);
                if !e.session_id.is_empty() {
                    o.session_id == e.session_id
                } else {
                    (o.time - e.time).abs() <= crate::detect::context::HOUR
                }
            })
            .count();
    }
    for (i, (_, shape)) in out.iter_mut().enumerate() {
        if burst[i] >= 3 {
            shape.strong = true;
            shape.detail.push_str(&format!("; one of {} inbox rules set in one session", burst[i]));
        }
    }
    out
}

/// Whether an action anchor is raised at all: strong shapes always, weak ones only from an
/// origin that is not the user's, or whose origin nothing can judge (then at low, so the
/// analyst sees it without the page claiming more than the data shows).
pub(crate) fn raised(shape: &Shape, not_the_users_or_unknown: bool) -> bool {
    shape.kind != Kind::Send && (shape.strong || not_the_users_or_unknown)
}

/// The finding's facts: its attacker-typical actions that are anchors of their own (linked
/// operations are stated by `post-compromise-activity`).
fn facts(g: &Group<'_, '_>) -> Vec<Contribution> {
    let ctx = g.ctx;
    let linked: BTreeSet<Pos> = g.linked.iter().map(|l| l.pos).collect();
    let actions: Vec<Pos> = g
        .active
        .iter()
        .copied()
        .filter(|p| g.anchors[p].action.is_some() && !linked.contains(p))
        .collect();
    if actions.is_empty() {
        return Vec::new();
    }
    let strong = actions.iter().any(|p| g.anchors[p].action.as_ref().is_some_and(|s| s.strong));
    let shown: Vec<String> = actions
        .iter()
        .take(6)
        .map(|&p| {
            let e = ctx.ev(p);
            let j = &g.judged[&p];
            let from = match ctx.ds.ip(e) {
                Some(ip) => format!(
                    " from {ip}{}{}",
                    if j.action_unfamiliar {
                        ", an address the user never signed in from"
                    } else {
                        ""
                    },
                    if j.hosting { ", a hosting network" } else { "" }
                ),
                None => String::new(),
            };
            format!(
                "{} at {}{from}",
                g.anchors[&p].action.as_ref().map(|s| s.detail.as_str()).unwrap_or(""),
                crate::time::rfc3339(e.time)
            )
        })
        .collect();
    let more = actions.len().saturating_sub(6);
    let sentence = format!(
        "Attacker-typical action{}: {}{}.",
        if actions.len() > 1 { "s" } else { "" },
        shown.join("; "),
        if more > 0 { format!("; and {more} more") } else { String::new() }
    );
    let w = &ctx.settings.weights;
    let points = if strong { w.attacker_typical_action } else { w.attacker_typical_action / 2 };
    vec![Contribution::new(ID, points, sentence)]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::Settings;
    use crate::sim::builder::Builder;

    fn shapes(b: &Builder) -> Vec<(bool, String)> {
        let ds = b.dataset();
        let s = Settings::default();
        let ctx = Ctx::new(&ds, &s);
        let domains = Domains::of(&ctx);
        let user = ctx.ev(0).user;
        actions_of(&ctx, &domains, user).into_iter().map(|(_, s)| (s.strong, s.detail)).collect()
    }

    #[test]
    fn true_positive_hiding_rule_and_external_forwarding() {
        let mut b = Builder::new();
        b.i("alice@x.test", "2026-03-01T08:00:00Z", "198.51.100.20", 7922);
        let a = b.audit("alice@x.test", "2026-03-01T09:12:00Z", "203.0.113.7", "New-InboxRule");
        a.parameters = vec![
            ("Name".into(), "..".into()),
            ("MoveToFolder".into(), "RSS Feeds".into()),
            ("MarkAsRead".into(), "True".into()),
        ];
        let a = b.audit("alice@x.test", "2026-03-01T09:20:00Z", "203.0.113.7", "Set-Mailbox");
        a.parameters = vec![("ForwardingSmtpAddress".into(), "smtp:drop@evil.example".into())];
        a.forward_to = vec!["drop@evil.example".into()];
        let got = shapes(&b);
        assert_eq!(got.len(), 2, "{got:?}");
        assert!(got[0].0, "{got:?}");
        assert!(got[0].1.contains("moves mail to a folder nobody reads"), "{}", got[0].1);
        assert!(got[0].1.contains("\"..\" is punctuation"), "{}", got[0].1);
        assert!(got[1].0 && got[1].1.contains("outside the tenant to drop@evil.example"));
    }

    #[test]
    fn true_positive_many_rules_in_one_session_and_a_lure_filter() {
        let mut b = Builder::new();
        for (i, t) in ["09:00", "09:01", "09:02"].iter().enumerate() {
            let a = b.audit(
                "alice@x.test",
                &format!("2026-03-01T{t}:00Z"),
                "203.0.113.7",
                "New-InboxRule",
            );
            a.session_id = "s1".into();
            a.parameters = vec![("Name".into(), format!("Rule number {i}"))];
        }
        let a = b.audit("alice@x.test", "2026-03-02T09:00:00Z", "203.0.113.7", "New-InboxRule");
        a.parameters = vec![
            ("Name".into(), "Finance".into()),
            ("SubjectContainsWords".into(), "Invoice;Wire".into()),
            ("MoveToFolder".into(), "Archive".into()),
        ];
        let got = shapes(&b);
        assert!(got[..3].iter().all(|(s, d)| *s && d.contains("one of 3 inbox rules")), "{got:?}");
        assert!(got[3].0 && got[3].1.contains("filters on invoice, wire"), "{got:?}");
    }

    #[test]
    fn benign_lookalike_newsletter_rule_internal_forward_and_own_sync() {
        let mut b = Builder::new();
        let a = b.audit("alice@x.test", "2026-03-01T09:00:00Z", "198.51.100.20", "New-InboxRule");
        a.parameters = vec![
            ("Name".into(), "Newsletters".into()),
            ("From".into(), "news@shop.example".into()),
            ("MoveToFolder".into(), "Newsletters".into()),
        ];
        let a = b.audit("alice@x.test", "2026-03-01T10:00:00Z", "198.51.100.20", "Set-Mailbox");
        a.parameters = vec![("ForwardingSmtpAddress".into(), "smtp:bob@x.test".into())];
        a.forward_to = vec!["bob@x.test".into()];
        let a =
            b.audit("alice@x.test", "2026-03-01T11:00:00Z", "198.51.100.20", "MailItemsAccessed");
        a.parameters = vec![("MailAccessType".into(), "Sync".into())];
        let got = shapes(&b);
        assert_eq!(got.len(), 2, "the sync is no action: {got:?}");
        assert!(got.iter().all(|(strong, _)| !strong), "{got:?}");
        let ds = b.dataset();
        let s = Settings::default();
        let ctx = Ctx::new(&ds, &s);
        let sync = classify(&ctx, &Domains::of(&ctx), ctx.ev(2)).unwrap();
        assert!(matches!(sync, Activity::Sync(_)), "{sync:?}");
        // Weak shapes are raised only from an origin that is not the user's.
        let weak = Shape { kind: Kind::MfaMethod, strong: false, detail: String::new() };
        assert!(!raised(&weak, false));
        assert!(raised(&weak, true));
        let send = Shape { kind: Kind::Send, strong: false, detail: String::new() };
        assert!(!raised(&send, true), "Send counts only tied to an unfamiliar origin");
    }

    #[test]
    fn odd_names() {
        assert!(odd_name("..") && odd_name("a") && odd_name("--- !!") && odd_name("ab"));
        assert!(!odd_name("") && !odd_name("Newsletters") && !odd_name("abc"));
    }

    #[test]
    fn true_positive_facts_an_action_alone_reaches_the_report() {
        let mut b = Builder::new();
        let a = b.audit("alice@x.test", "2026-03-08T09:10:00Z", "175.45.176.99", "New-InboxRule");
        a.parameters =
            vec![("Name".into(), "..".into()), ("MoveToFolder".into(), "RSS Feeds".into())];
        let f = crate::detect::rules::facts_of(&b, "alice@x.test", ID);
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].points, 40);
        assert!(f[0].detail.starts_with("Attacker-typical action: New-InboxRule"), "{f:?}");
    }
}
