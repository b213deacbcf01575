-- Reference hunt H2, short-window interactive / non-interactive mismatch (docs/detection.md §7),
-- as DuckDB SQL: an independent translation of its KQL, to check
-- `sessionhunt::detect::hunts::h2` row for row.
--
-- Reads the tables SigninLogs and AADNonInteractiveUserSignInLogs with the Log Analytics column
-- names (scripts/oracle/hunts.py builds them from export files). Parameters:
--   $days            the time range: the last N days back from "now", the latest sign-in in the
--                    data (NULL = the whole data span);
--   $window_minutes  the window after the interactive sign-in (10).
-- An ASN is empty when it is NULL, '' or 0 (AS0 is reserved; sessionhunt stores a missing ASN
-- as 0).
WITH
now_ AS (
  SELECT greatest((SELECT max(TimeGenerated) FROM SigninLogs),
                  (SELECT max(TimeGenerated) FROM AADNonInteractiveUserSignInLogs)) AS now
),
-- SigninLogs | where TimeGenerated between (start .. end) | where ResultType == 0
-- | project InteractiveTime = TimeGenerated, User = tolower(UserPrincipalName), InteractiveIP = IPAddress,
--   InteractiveASN = AutonomousSystemNumber, InteractiveApp = AppDisplayName, InteractiveCorrelationId = CorrelationId
interactive AS (
  SELECT s.TimeGenerated AS InteractiveTime, lower(s.UserPrincipalName) AS "User",
         s.IPAddress AS InteractiveIP, s.AutonomousSystemNumber AS InteractiveASN,
         s.AppDisplayName AS InteractiveApp, s.CorrelationId AS InteractiveCorrelationId
  FROM SigninLogs s, now_
  WHERE s.ResultType = '0'
    AND ($days IS NULL OR s.TimeGenerated > now_.now - to_days(CAST($days AS INTEGER)))
),
-- The same from AADNonInteractiveUserSignInLogs.
non_interactive AS (
  SELECT n.TimeGenerated AS NonInteractiveTime, lower(n.UserPrincipalName) AS "User",
         n.IPAddress AS NonInteractiveIP, n.AutonomousSystemNumber AS NonInteractiveASN,
         n.AppDisplayName AS NonInteractiveApp, n.CorrelationId AS NonInteractiveCorrelationId
  FROM AADNonInteractiveUserSignInLogs n, now_
  WHERE n.ResultType = '0'
    AND ($days IS NULL OR n.TimeGenerated > now_.now - to_days(CAST($days AS INTEGER)))
)
-- | join kind=inner non_interactive on User
-- | where NonInteractiveTime between (InteractiveTime .. InteractiveTime + 10m)
-- | where isnotempty(InteractiveASN) and isnotempty(NonInteractiveASN)
-- | where InteractiveASN != NonInteractiveASN and InteractiveIP != NonInteractiveIP
SELECT epoch_ms(i.InteractiveTime) AS interactive_time_ms,
       epoch_ms(n.NonInteractiveTime) AS non_interactive_time_ms,
       (epoch_ms(n.NonInteractiveTime) - epoch_ms(i.InteractiveTime)) // 1000 AS delta_seconds,
       i."User" AS "user",
       split_part(i."User", '@', 1) AS account_name,
       split_part(i."User", '@', 2) AS upn_suffix,
       i.InteractiveIP AS interactive_ip,
       n.NonInteractiveIP AS non_interactive_ip,
       CAST(i.InteractiveASN AS BIGINT) AS interactive_asn,
       CAST(n.NonInteractiveASN AS BIGINT) AS non_interactive_asn,
       i.InteractiveApp AS interactive_app,
       n.NonInteractiveApp AS non_interactive_app,
       i.InteractiveCorrelationId AS interactive_correlation_id,
       n.NonInteractiveCorrelationId AS non_interactive_correlation_id
FROM interactive i JOIN non_interactive n ON n."User" = i."User"
WHERE n.NonInteractiveTime BETWEEN i.InteractiveTime
                               AND i.InteractiveTime + to_minutes(CAST($window_minutes AS INTEGER))
  AND coalesce(i.InteractiveASN, '') NOT IN ('', '0')
  AND coalesce(n.NonInteractiveASN, '') NOT IN ('', '0')
  AND i.InteractiveASN <> n.NonInteractiveASN
  AND i.InteractiveIP <> n.NonInteractiveIP
-- | sort by InteractiveTime desc (ties: every column, so the output is deterministic)
ORDER BY interactive_time_ms DESC, non_interactive_time_ms, "user", non_interactive_ip,
         interactive_ip, interactive_app, non_interactive_app, interactive_correlation_id,
         non_interactive_correlation_id
