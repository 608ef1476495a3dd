-- Per statement: how many times one request runs it (visits) and its mean
-- time (service_ms), from pg_stat_statements, for the database tier of the
-- mva and stack calculators. Reset the counters, run a known number of
-- requests (a load test, or an hour of traffic counted in the access log),
-- then run this with psql -v requests=N. mean_exec_time excludes the network
-- round trip: add the app's measured round trip (Server-Timing's db time
-- per query) before you use it as the tier's service time.
--
--   SELECT pg_stat_statements_reset();     -- before the run
--   psql -v requests=12000 -f tier_times.sql
SELECT left(query, 60)                            AS statement,
       calls,
       round(calls::numeric / :requests, 2)       AS visits_per_request,
       round(mean_exec_time::numeric, 3)          AS service_ms,
       round((total_exec_time / :requests)::numeric, 3) AS demand_ms_per_request
FROM pg_stat_statements
WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
ORDER BY total_exec_time DESC
LIMIT 10;
