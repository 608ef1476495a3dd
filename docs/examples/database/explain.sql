-- EXPLAIN (ANALYZE, BUFFERS) before and after an index, on a scratch schema.
-- Run it on a test database: psql "$DATABASE_URL" -f explain.sql
-- ANALYZE executes the statement: never EXPLAIN ANALYZE a write on data you
-- care about outside a transaction you roll back.

CREATE SCHEMA IF NOT EXISTS explain_demo;
-- public stays on the path, so an extension already installed there is found.
SET search_path = explain_demo, public;

CREATE TABLE IF NOT EXISTS users (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email      text        NOT NULL,
    name       text        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- One million rows; about 10 s on a laptop.
INSERT INTO users (email, name)
SELECT 'user' || g || '@example.com', 'User number ' || g
FROM generate_series(1, 1000000) AS g;

ANALYZE users;

-- 1. No index on email: a sequential scan reads every page of the table.
--    "Buffers: shared hit=… read=…" counts 8 kB pages found in PostgreSQL's
--    shared buffers (hit) and requested from the kernel (read), which may
--    serve them from its page cache. Run it twice: the first run pays for
--    cold pages. To see the cost of a scan on one core, run it again after
--    SET max_parallel_workers_per_gather = 0;
EXPLAIN (ANALYZE, BUFFERS)
SELECT id, name FROM users WHERE email = 'user424242@example.com';

-- 2. Build the index without blocking writes (CONCURRENTLY cannot run inside
--    a transaction block; if it fails, drop the INVALID index and retry).
CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_users_email ON users (email);

-- 3. The same query: an index scan, four buffers (three index levels, one
--    heap page) for a million rows.
EXPLAIN (ANALYZE, BUFFERS)
SELECT id, name FROM users WHERE email = 'user424242@example.com';

-- 4. The index-scan calculator's inputs for this table: rows, rows per page,
--    and the shape of the B-tree: tree_level + 1 levels, and rows divided by
--    leaf_pages for the fan-out (pgstattuple ships with PostgreSQL's contrib
--    modules and is allowed on the main managed services).
SELECT relname,
       reltuples::bigint                                AS table_rows,
       relpages                                         AS table_pages,
       round((reltuples / NULLIF(relpages, 0))::numeric) AS rows_per_page
FROM pg_class
WHERE relname = 'users' AND relnamespace = 'explain_demo'::regnamespace;

CREATE EXTENSION IF NOT EXISTS pgstattuple;
SELECT tree_level, leaf_pages, round(avg_leaf_density) AS leaf_fill_pct
FROM pgstatindex('explain_demo.idx_users_email');

-- 5. Clean up (this also drops pgstattuple if step 4 installed it here).
RESET search_path;
DROP SCHEMA explain_demo CASCADE;

-- 6. On a real database, start from the statements that cost the most in
--    total (needs pg_stat_statements in shared_preload_libraries, then
--    CREATE EXTENSION pg_stat_statements; PostgreSQL 13 or later).
SELECT calls,
       round(total_exec_time::numeric, 0)                        AS total_ms,
       round(mean_exec_time::numeric, 2)                         AS mean_ms,
       shared_blks_read,
       round(100.0 * shared_blks_hit
             / NULLIF(shared_blks_hit + shared_blks_read, 0), 1) AS hit_pct,
       left(query, 80)                                           AS query
FROM pg_stat_statements
ORDER BY total_exec_time DESC
LIMIT 10;
