-- Reference hunt H1, AiTM session hijacking (docs/detection.md §7), as DuckDB SQL: an independent
-- translation of its KQL, step by step, to check `sessionhunt::detect::hunts::h1` row for row.
--
-- Reads the tables SigninLogs and AADNonInteractiveUserSignInLogs with the Log Analytics column
-- names (scripts/oracle/hunts.py builds them from export files). Parameters:
--   $detection_days, $baseline_days  the look-backs (7 and 30 in H1; NULL = the whole data span),
--                                    counted back from "now", the latest sign-in in the data;
--   $max_ips, $max_prefixes          make_set's caps (100 and 50 in H1);
--   $nearby_hours                    enrichment 2's window (24);
--   $low_volume_max                  enrichment 1's "low-volume" bound (3).
--
-- Faithful to the KQL where sessionhunt's rules are not:
--   * `summarize ... by UserPrincipalName` and `join ... on UserPrincipalName` compare the UPN as
--     logged, case-sensitively (SQL `=` on VARCHAR does too);
--   * the prefix set is built from the dotted quad as text, `a.b.c.0/24`: an IPv6 address has
--     none and is compared as a whole address;
--   * an empty IPAddress is a value like any other.
-- make_set's order is unspecified in KQL; the IPs (prefixes) kept are the ones first seen
-- earliest, ties broken by their text, the rule sessionhunt documents in src/detect/hunts.rs.
WITH
now_ AS (
  SELECT greatest((SELECT max(TimeGenerated) FROM SigninLogs),
                  (SELECT max(TimeGenerated) FROM AADNonInteractiveUserSignInLogs)) AS now
),
-- Step 1: SigninLogs | where TimeGenerated > ago(30d) | where ResultType == 0
baseline_signins AS (
  SELECT s.*, CASE WHEN regexp_full_match(IPAddress, '[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+')
                   THEN split_part(IPAddress, '.', 1) || '.' || split_part(IPAddress, '.', 2) || '.'
                        || split_part(IPAddress, '.', 3) || '.0/24' END AS Prefix
  FROM SigninLogs s, now_
  WHERE s.ResultType = '0'
    AND ($baseline_days IS NULL OR s.TimeGenerated > now_.now - to_days(CAST($baseline_days AS INTEGER)))
),
-- | summarize BaselineIPs = make_set(IPAddress, 100), BaselinePrefixes = make_set(Prefix, 50)
--   by UserPrincipalName
ip_first AS (
  SELECT UserPrincipalName, IPAddress, min(TimeGenerated) AS FirstSeen
  FROM baseline_signins GROUP BY UserPrincipalName, IPAddress
),
prefix_first AS (
  SELECT UserPrincipalName, Prefix, min(TimeGenerated) AS FirstSeen
  FROM baseline_signins WHERE Prefix IS NOT NULL GROUP BY UserPrincipalName, Prefix
),
baseline AS (
  SELECT i.UserPrincipalName,
         list_slice(list(i.IPAddress ORDER BY i.FirstSeen, i.IPAddress), 1, $max_ips) AS BaselineIPs,
         coalesce((SELECT list_slice(list(p.Prefix ORDER BY p.FirstSeen, p.Prefix), 1, $max_prefixes)
                   FROM prefix_first p WHERE p.UserPrincipalName = i.UserPrincipalName), []) AS BaselinePrefixes
  FROM ip_first i GROUP BY i.UserPrincipalName
),
-- Step 2: AADNonInteractiveUserSignInLogs | where TimeGenerated > ago(7d) | where ResultType == 0
-- | join kind=inner baseline on UserPrincipalName
-- | where not(IPAddress in (BaselineIPs)) and not(Prefix in (BaselinePrefixes))
candidates AS (
  SELECT n.*, len(b.BaselineIPs) AS BaselineIPCount
  FROM AADNonInteractiveUserSignInLogs n
  JOIN baseline b ON n.UserPrincipalName = b.UserPrincipalName, now_
  WHERE n.ResultType = '0'
    AND ($detection_days IS NULL OR n.TimeGenerated > now_.now - to_days(CAST($detection_days AS INTEGER)))
    AND NOT list_contains(b.BaselineIPs, n.IPAddress)
    AND NOT (regexp_full_match(n.IPAddress, '[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+')
             AND list_contains(b.BaselinePrefixes,
                               split_part(n.IPAddress, '.', 1) || '.' || split_part(n.IPAddress, '.', 2)
                               || '.' || split_part(n.IPAddress, '.', 3) || '.0/24'))
),
-- Enrichment 1: | summarize DistinctUsers = dcount(UserPrincipalName) by IPAddress
prevalence AS (
  SELECT IPAddress, count(DISTINCT UserPrincipalName) AS DistinctUsers FROM candidates GROUP BY IPAddress
)
-- Enrichment 2: a successful SigninLogs row of the same user from the same IP within ±24 h.
SELECT epoch_ms(c.TimeGenerated) AS time_ms,
       c.UserPrincipalName AS "user",
       c.IPAddress AS ip,
       c.Location AS country,
       c.LocationDetails_city AS city,
       c.AppDisplayName AS app,
       c.DeviceDetail_operatingSystem AS os,
       c.DeviceDetail_browser AS browser,
       c.ResourceDisplayName AS resource,
       c.UserAgent AS user_agent,
       c.BaselineIPCount AS baseline_ip_count,
       p.DistinctUsers AS ip_users,
       CASE WHEN p.DistinctUsers = 1 THEN 'single-user (investigate)'
            WHEN p.DistinctUsers <= $low_volume_max THEN 'low-volume (suspicious)'
            ELSE 'multi-user (likely infrastructure)' END AS ip_prevalence,
       EXISTS (SELECT 1 FROM SigninLogs s
               WHERE s.ResultType = '0' AND s.UserPrincipalName = c.UserPrincipalName
                 AND s.IPAddress = c.IPAddress
                 AND s.TimeGenerated BETWEEN c.TimeGenerated - to_hours(CAST($nearby_hours AS INTEGER))
                                         AND c.TimeGenerated + to_hours(CAST($nearby_hours AS INTEGER)))
         AS nearby_interactive
FROM candidates c JOIN prevalence p ON p.IPAddress = c.IPAddress
-- | sort by TimeGenerated desc (ties: every column, so the output is deterministic)
ORDER BY time_ms DESC, "user", ip, country, city, app, os, browser, resource, user_agent
