-- Reference hunt H1's core query (docs/detection.md §7: baseline 30 days, detection 7 days) as DuckDB SQL
-- over the Entra admin center's sign-in CSV downloads. `{interactive}` and `{noninteractive}` are
-- replaced by the CSV paths (or registered file names in DuckDB-WASM). "Now" is the latest sign-in
-- in the data, as in sessionhunt.
WITH inter AS (
  SELECT CAST("Date (UTC)" AS TIMESTAMP) AS t, lower("Username") AS upn, "IP address" AS ip, "Status" AS status
  FROM read_csv('{interactive}', header = true, all_varchar = true)
),
noninter AS (
  SELECT CAST("Date (UTC)" AS TIMESTAMP) AS t, lower("Username") AS upn, "IP address" AS ip, "Status" AS status,
         "Location" AS location, "Application" AS app, "Operating System" AS os, "Browser" AS browser,
         "Resource" AS resource, "User agent" AS ua
  FROM read_csv('{noninteractive}', header = true, all_varchar = true)
),
now_ AS (SELECT greatest((SELECT max(t) FROM inter), (SELECT max(t) FROM noninter)) AS now),
baseline AS (
  SELECT upn,
         list_slice(list(DISTINCT ip), 1, 100) AS ips,
         list_slice(list(DISTINCT regexp_extract(ip, '^(\d+\.\d+\.\d+)\.', 1) || '.0/24')
                    FILTER (WHERE regexp_matches(ip, '^\d+\.\d+\.\d+\.\d+$')), 1, 50) AS prefixes
  FROM inter, now_
  WHERE status = 'Success' AND t >= now - INTERVAL 30 DAY
  GROUP BY upn
),
candidates AS (
  SELECT n.t, n.upn, n.ip, n.location, n.app, n.os, n.browser, n.resource, n.ua, len(b.ips) AS baseline_ips
  FROM noninter n JOIN baseline b USING (upn), now_
  WHERE n.status = 'Success' AND n.t >= now - INTERVAL 7 DAY
    AND NOT list_contains(b.ips, n.ip)
    AND NOT list_contains(b.prefixes, regexp_extract(n.ip, '^(\d+\.\d+\.\d+)\.', 1) || '.0/24')
),
prevalence AS (SELECT ip, count(DISTINCT upn) AS users FROM candidates GROUP BY ip),
nearby AS (
  SELECT DISTINCT c.t, c.upn, c.ip
  FROM candidates c JOIN inter i ON i.upn = c.upn AND i.ip = c.ip AND i.status = 'Success'
   AND i.t BETWEEN c.t - INTERVAL 24 HOUR AND c.t + INTERVAL 24 HOUR
)
SELECT c.t, c.upn, c.ip, c.location, c.app, c.os, c.browser, c.resource, c.ua, c.baseline_ips,
       CASE WHEN p.users = 1 THEN 'single-user (investigate)'
            WHEN p.users <= 3 THEN 'low-volume (suspicious)'
            ELSE 'multi-user (likely infrastructure)' END AS prevalence,
       (nb.upn IS NOT NULL) AS nearby_interactive
FROM candidates c JOIN prevalence p USING (ip)
LEFT JOIN nearby nb ON nb.t = c.t AND nb.upn = c.upn AND nb.ip = c.ip
ORDER BY c.t DESC
