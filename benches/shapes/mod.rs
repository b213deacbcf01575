//! Deterministic generators of the three main input shapes (portal sign-in CSV, Graph beta
//! `signIn` JSON, Purview UAL CSV), shared by the ingestion benchmark, the memory example and the
//! memory tests (each includes this file with `#[path]`).

#![allow(dead_code)]

use std::fmt::Write as _;

pub(crate) const PORTAL_HEADER: &str = "\"Date (UTC)\",\"Request ID\",\"User agent\",\"Correlation ID\",\"User ID\",\"User\",\"Username\",\"User type\",\"Cross tenant access type\",\"Incoming token type\",\"Authentication Protocol\",\"Unique token identifier\",\"Original transfer method\",\"Client credential type\",\"Token Protection - Sign In Session\",\"Token Protection - Sign In Session StatusCode\",\"Application\",\"Application ID \",\"App owner tenant ID\",\"Resource\",\"Resource ID \",\"Resource tenant ID\",\"Resource owner tenant ID\",\"Home tenant ID\",\"Home tenant name\",\"IP address\",\"Location\",\"Status\",\"Sign-in error code\",\"Failure reason\",\"Client app\",\"Device ID\",\"Browser\",\"Operating System\",\"Compliant\",\"Managed\",\"Join Type\",\"Multifactor authentication result\",\"Multifactor authentication auth method\",\"Multifactor authentication auth detail\",\"Authentication requirement\",\"Sign-in identifier\",\"Session ID\",\"IP address (seen by resource)\",\"Through Global Secure Access\",\"Global Secure Access IP address\",\"Autonomous system  number\",\"Flagged for review\",\"Token issuer type\",\"Incoming token type\",\"Token issuer name\",\"Latency\",\"Conditional Access\",\"Managed Identity type\",\"Associated Resource Id\",\"Federated Token Id\",\"Federated Token Issuer\"\r\n";

/// A small deterministic generator (no randomness in benches either).
pub(crate) fn mix(i: usize) -> u64 {
    let mut x = i as u64 ^ 0x9e37_79b9_7f4a_7c15;
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

pub(crate) fn guid(i: usize, salt: u64) -> String {
    let x = mix(i) ^ salt;
    format!(
        "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
        x as u32,
        (x >> 32) as u16,
        (x >> 48) & 0xfff,
        i & 0xfff,
        i
    )
}

/// A portal interactive sign-in CSV of `rows` rows.
pub(crate) fn portal_csv(rows: usize) -> Vec<u8> {
    let mut s = String::from(PORTAL_HEADER);
    for i in 0..rows {
        let x = mix(i);
        let user = x % 2000;
        let _ = write!(
            s,
            "2026-03-{:02}T{:02}:{:02}:{:02}Z,{},\"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/12{}.0.0.0 Safari/537.36\",{},{},User {user},user{user}@example.com,Member,None,,OAuth2:Authorize,AbCdEfGhIjKlMnOpQrStUv,None,None,,,OfficeHome,4765445b-32c6-49b0-83e6-1d93765276ca,,Office 365 Exchange Online,00000002-0000-0ff1-ce00-000000000000,,,,,198.51.{}.{},\"Seattle, Washington, US\",Success,0,Other.,Browser,,Chrome 122.0.0,Windows10,False,False,,MFA successfully completed,,,Multifactor authentication,,{},,,,{},,,primaryRefreshToken,,{},Success,,,,\r\n",
            1 + x % 28,
            (x >> 8) % 24,
            (x >> 16) % 60,
            (x >> 24) % 60,
            guid(i, 1),
            (x >> 5) % 4,
            guid(i, 2),
            guid(user as usize, 3),
            (x >> 33) % 256,
            (x >> 41) % 256,
            guid(user as usize, 4),
            64496 + (x >> 50) % 16,
            (x >> 7) % 300,
        );
    }
    s.into_bytes()
}

/// A Graph beta `signIn` JSON array of `rows` sign-ins.
pub(crate) fn graph_json(rows: usize) -> Vec<u8> {
    let mut s = String::from("[");
    for i in 0..rows {
        let x = mix(i);
        let user = x % 2000;
        if i > 0 {
            s.push(',');
        }
        let _ = write!(
            s,
            r#"{{"id":"{}","createdDateTime":"2026-03-{:02}T{:02}:{:02}:{:02}Z","userDisplayName":"User {user}","userPrincipalName":"user{user}@example.com","userId":"{}","appId":"4765445b-32c6-49b0-83e6-1d93765276ca","appDisplayName":"OfficeHome","ipAddress":"198.51.{}.{}","clientAppUsed":"Browser","userAgent":"Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/122.0.0.0","correlationId":"{}","conditionalAccessStatus":"success","isInteractive":true,"sessionId":"{}","uniqueTokenIdentifier":"AbCdEfGhIjKlMnOpQrStUv","autonomousSystemNumber":{},"signInEventTypes":["interactiveUser"],"incomingTokenType":"none","resourceDisplayName":"Office 365 Exchange Online","riskLevelAggregated":"none","riskLevelDuringSignIn":"none","riskEventTypes_v2":[],"authenticationRequirement":"multiFactorAuthentication","status":{{"errorCode":0,"failureReason":"Other.","additionalDetails":null}},"deviceDetail":{{"deviceId":"","displayName":"","operatingSystem":"Windows10","browser":"Edge 122.0.0","isCompliant":false,"isManaged":false,"trustType":""}},"location":{{"city":"Seattle","state":"Washington","countryOrRegion":"US","geoCoordinates":{{"altitude":null,"latitude":47.6,"longitude":-122.3}}}},"appliedConditionalAccessPolicies":[]}}"#,
            guid(i, 1),
            1 + x % 28,
            (x >> 8) % 24,
            (x >> 16) % 60,
            (x >> 24) % 60,
            guid(user as usize, 3),
            (x >> 33) % 256,
            (x >> 41) % 256,
            guid(i, 2),
            guid(user as usize, 4),
            64496 + (x >> 50) % 16,
        );
    }
    s.push(']');
    s.into_bytes()
}

/// A Purview Unified Audit Log CSV of `rows` `MailItemsAccessed` records.
pub(crate) fn ual_csv(rows: usize) -> Vec<u8> {
    let mut s = String::from(
        "RecordId,CreationDate,RecordType,Operation,UserId,AuditData,AssociatedAdminUnits,AssociatedAdminUnitsNames\r\n",
    );
    for i in 0..rows {
        let x = mix(i);
        let user = x % 2000;
        let (d, h, m, sec) = (1 + x % 28, (x >> 8) % 24, (x >> 16) % 60, (x >> 24) % 60);
        let _ = write!(
            s,
            "{id},3/{d}/2026 {h12}:{m:02}:{sec:02} {ap},2,MailItemsAccessed,user{user}@example.com,\"{{\"\"CreationTime\"\":\"\"2026-03-{d:02}T{h:02}:{m:02}:{sec:02}\"\",\"\"Id\"\":\"\"{id}\"\",\"\"Operation\"\":\"\"MailItemsAccessed\"\",\"\"RecordType\"\":50,\"\"ResultStatus\"\":\"\"Succeeded\"\",\"\"UserKey\"\":\"\"1003200{user}\"\",\"\"Workload\"\":\"\"Exchange\"\",\"\"UserId\"\":\"\"user{user}@example.com\"\",\"\"ClientIPAddress\"\":\"\"198.51.{a}.{b}\"\",\"\"ClientInfoString\"\":\"\"Client=OWA;Action=ViaProxy\"\",\"\"SessionId\"\":\"\"{sid}\"\",\"\"OperationProperties\"\":[{{\"\"Name\"\":\"\"MailAccessType\"\",\"\"Value\"\":\"\"Bind\"\"}},{{\"\"Name\"\":\"\"IsThrottled\"\",\"\"Value\"\":\"\"False\"\"}}],\"\"AppAccessContext\"\":{{\"\"AADSessionId\"\":\"\"{sid}\"\",\"\"UniqueTokenId\"\":\"\"AbCdEfGhIjKlMnOpQrStUv\"\"}}}}\",,\r\n",
            id = guid(i, 5),
            h12 = if h % 12 == 0 { 12 } else { h % 12 },
            ap = if h < 12 { "AM" } else { "PM" },
            a = (x >> 33) % 256,
            b = (x >> 41) % 256,
            sid = guid(user as usize, 4),
        );
    }
    s.into_bytes()
}

/// Reads `data` as one file named `name`, in 1 MiB chunks.
pub(crate) fn ingest(name: &str, data: &[u8]) -> sessionhunt::ingest::Dataset {
    let mut ds = sessionhunt::ingest::Dataset::new();
    let mut ing = ds.begin_file(name, Some(data.len() as u64));
    for chunk in data.chunks(1 << 20) {
        ing.push(chunk);
    }
    ing.finish();
    ds
}
