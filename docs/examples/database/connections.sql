-- Who holds this database's connections, and doing what (PostgreSQL 10 or later).
-- "active": running a query. "idle": parked in some worker's pool.
-- "idle in transaction": checked out by a request that is doing something
-- else (calling an API, rendering) with its transaction still open.
SELECT state,
       count(*) AS connections,
       max(now() - state_change) AS longest_in_this_state
FROM pg_stat_activity
WHERE datname = current_database()
  AND backend_type = 'client backend'
GROUP BY state
ORDER BY connections DESC;

-- The sessions that sit idle inside a transaction, longest first: each is a
-- pooled connection that no other request can use meanwhile.
SELECT pid,
       application_name,
       client_addr,
       now() - xact_start AS transaction_age,
       now() - state_change AS idle_for,
       left(query, 80) AS last_query
FROM pg_stat_activity
WHERE state = 'idle in transaction'
ORDER BY idle_for DESC
LIMIT 20;
