#!/usr/bin/env python3
"""The reference hunts H1 and H2 (docs/detection.md §7) on sign-in export files, with DuckDB.

An oracle for sessionhunt: h1.sql and h2.sql translate the hunts' KQL independently of the Rust
code, and this runner gives them the two Log Analytics tables they query, built from the files
an analyst downloads. tests/hunts_oracle.rs compares its rows with `sessionhunt::detect::hunts`.

Usage:
  hunts.py FILE...                      H1 with its own windows (7 / 30 days) and H2 over the whole
                                        span, as {"h1": [rows], "h2": [rows]}
  hunts.py --runs JSON FILE...          the runs JSON lists (see RUN_KEYS), as a list of row lists

Files: the Entra portal's sign-in CSV downloads (non-interactive when the file name says
"NonInteractive", as the portal names it) and Graph `signIn` JSON arrays (`isInteractive`
decides). Other files are skipped with a note on stderr. Rows are JSON objects whose keys are
the fields of `H1Row` / `H2Row`; times are RFC 3339 like sessionhunt's (no fraction on a whole
second, else milliseconds).

Column mapping (docs/formats.md §1 and §2): TimeGenerated = "Date (UTC)" / createdDateTime,
UserPrincipalName = "Username" / userPrincipalName (as logged), ResultType = "Sign-in error code"
/ status.errorCode, Location = the country code (the last part of the portal's "City, State, CC"
/ location.countryOrRegion, when it is two letters), LocationDetails.city = the first part /
location.city.
"""
import datetime
import json
import os
import sys

import duckdb

HERE = os.path.dirname(os.path.abspath(__file__))
NO_CAP = 2**31 - 1
# The keys of one run and their defaults (H1's parameters; None = the whole data span).
RUN_KEYS = {
    "hunt": "h1",
    "detection_days": 7,
    "baseline_days": 30,
    "max_ips": 100,
    "max_prefixes": 50,
    "nearby_hours": 24,
    "low_volume_max": 3,
    "days": None,  # H2's time range
    "window_minutes": 10,
}

# One SELECT per export shape, each giving the columns the hunts read under their Log Analytics
# names. `Interactive` says which table a row belongs to.
PORTAL = """
SELECT {interactive} AS Interactive,
       CAST("Date (UTC)" AS TIMESTAMP) AS TimeGenerated,
       coalesce("Username", '') AS UserPrincipalName,
       coalesce("IP address", '') AS IPAddress,
       coalesce("Sign-in error code", '') AS ResultType,
       -- "City, State, CC": the country is the last part, the city the first.
       CASE WHEN contains("Location", ',') THEN trim(string_split("Location", ',')[-1])
            ELSE coalesce("Location", '') END AS Country,
       CASE WHEN contains("Location", ',') THEN trim(string_split("Location", ',')[1])
            ELSE '' END AS City,
       coalesce("Application", '') AS AppDisplayName,
       coalesce("Operating System", '') AS DeviceDetail_operatingSystem,
       coalesce("Browser", '') AS DeviceDetail_browser,
       coalesce("Resource", '') AS ResourceDisplayName,
       coalesce("User agent", '') AS UserAgent,
       coalesce("Autonomous system  number", '') AS AutonomousSystemNumber,
       coalesce("Correlation ID", '') AS CorrelationId
FROM read_csv({path}, header = true, all_varchar = true, quote = '"', escape = '"')
"""

# Each object's fields as the text they hold (read_json would guess types, e.g. UUIDs).
GRAPH = """
SELECT coalesce(json ->> '$.isInteractive' = 'true', false) AS Interactive,
       CAST(json ->> '$.createdDateTime' AS TIMESTAMP) AS TimeGenerated,
       coalesce(json ->> '$.userPrincipalName', '') AS UserPrincipalName,
       coalesce(json ->> '$.ipAddress', '') AS IPAddress,
       coalesce(json ->> '$.status.errorCode', '') AS ResultType,
       coalesce(json ->> '$.location.countryOrRegion', '') AS Country,
       coalesce(json ->> '$.location.city', '') AS City,
       coalesce(json ->> '$.appDisplayName', '') AS AppDisplayName,
       coalesce(json ->> '$.deviceDetail.operatingSystem', '') AS DeviceDetail_operatingSystem,
       coalesce(json ->> '$.deviceDetail.browser', '') AS DeviceDetail_browser,
       coalesce(json ->> '$.resourceDisplayName', '') AS ResourceDisplayName,
       coalesce(json ->> '$.userAgent', '') AS UserAgent,
       coalesce(json ->> '$.autonomousSystemNumber', '') AS AutonomousSystemNumber,
       coalesce(json ->> '$.correlationId', '') AS CorrelationId
FROM read_json_objects({path}, format = 'array')
"""

# Location is a country code: two letters, upper case.
TABLE = """
CREATE OR REPLACE VIEW {name} AS
SELECT TimeGenerated, UserPrincipalName, IPAddress, ResultType,
       CASE WHEN regexp_full_match(trim(Country), '[A-Za-z]{{2}}') THEN upper(trim(Country))
            ELSE '' END AS Location,
       trim(City) AS LocationDetails_city,
       AppDisplayName, DeviceDetail_operatingSystem, DeviceDetail_browser, ResourceDisplayName,
       UserAgent, AutonomousSystemNumber, CorrelationId
FROM signins WHERE Interactive = {interactive}
"""


def sql_string(s):
    return "'" + s.replace("'", "''") + "'"


def shape(path):
    """'portal', 'graph' or None, from the file's first bytes."""
    with open(path, "rb") as f:
        head = f.read(1 << 16).lstrip(b"\xef\xbb\xbf").lstrip()
    if head.startswith(b'"Date (UTC)"') or head.startswith(b"Date (UTC)"):
        return "portal"
    if head.startswith(b"[") and b'"createdDateTime"' in head:
        return "graph"
    return None


def load(con, paths):
    parts = []
    for path in paths:
        kind = shape(path)
        if kind == "portal":
            interactive = "false" if "noninteractive" in os.path.basename(path).lower() else "true"
            parts.append(PORTAL.format(interactive=interactive, path=sql_string(path)))
        elif kind == "graph":
            parts.append(GRAPH.format(path=sql_string(path)))
        else:
            print(f"hunts.py: skipping {path}: not a portal sign-in CSV or Graph sign-in JSON",
                  file=sys.stderr)
    if not parts:
        sys.exit("hunts.py: no sign-in files")
    con.execute("CREATE TABLE signins AS " + " UNION ALL BY NAME ".join(parts))
    con.execute(TABLE.format(name="SigninLogs", interactive="true"))
    con.execute(TABLE.format(name="AADNonInteractiveUserSignInLogs", interactive="false"))


def rfc3339(ms):
    """sessionhunt's time format: UTC, `Z`, milliseconds only when there are any."""
    t = datetime.datetime.fromtimestamp(ms // 1000, tz=datetime.timezone.utc)
    text = t.strftime("%Y-%m-%dT%H:%M:%S")
    return text + (f".{ms % 1000:03d}Z" if ms % 1000 else "Z")


def query(con, name, params):
    with open(os.path.join(HERE, name)) as f:
        sql = f.read()
    cur = con.execute(sql, params)
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, row)) for row in cur.fetchall()]


def run(con, spec):
    unknown = set(spec) - set(RUN_KEYS)
    if unknown:
        sys.exit(f"hunts.py: unknown run keys {sorted(unknown)}")
    r = {**RUN_KEYS, **spec}
    if r["hunt"] == "h1":
        params = {k: r[k] for k in ("detection_days", "baseline_days", "nearby_hours",
                                    "low_volume_max")}
        params["max_ips"] = NO_CAP if r["max_ips"] is None else r["max_ips"]
        params["max_prefixes"] = NO_CAP if r["max_prefixes"] is None else r["max_prefixes"]
        rows = query(con, "h1.sql", params)
        for row in rows:
            row["time"] = rfc3339(row.pop("time_ms"))
        keys = ["time", "user", "ip", "country", "city", "app", "os", "browser", "resource",
                "user_agent", "baseline_ip_count", "ip_users", "ip_prevalence",
                "nearby_interactive"]
    elif r["hunt"] == "h2":
        rows = query(con, "h2.sql", {"days": r["days"], "window_minutes": r["window_minutes"]})
        for row in rows:
            row["interactive_time"] = rfc3339(row.pop("interactive_time_ms"))
            row["non_interactive_time"] = rfc3339(row.pop("non_interactive_time_ms"))
        keys = ["interactive_time", "non_interactive_time", "delta_seconds", "user",
                "account_name", "upn_suffix", "interactive_ip", "non_interactive_ip",
                "interactive_asn", "non_interactive_asn", "interactive_app",
                "non_interactive_app", "interactive_correlation_id",
                "non_interactive_correlation_id"]
    else:
        sys.exit(f"hunts.py: unknown hunt {r['hunt']!r}")
    return [{k: row[k] for k in keys} for row in rows]


def main(argv):
    runs = None
    if len(argv) >= 2 and argv[0] == "--runs":
        runs = json.loads(argv[1])
        argv = argv[2:]
    if not argv or argv[0].startswith("-"):
        sys.exit(__doc__)
    con = duckdb.connect()
    load(con, argv)
    if runs is None:
        out = {"h1": run(con, {"hunt": "h1"}), "h2": run(con, {"hunt": "h2"})}
    else:
        out = [run(con, spec) for spec in runs]
    json.dump(out, sys.stdout, ensure_ascii=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(sys.argv[1:])
