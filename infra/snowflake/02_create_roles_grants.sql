-- Spec 5.2, script 2, extended to every schema c360 creates. Run as a role that may create
-- roles and grant on the database (ACCOUNTADMIN, or SECURITYADMIN + SYSADMIN); grant the
-- persona roles to users separately. {{ warehouse }} is C360_SNOWFLAKE_WAREHOUSE.
-- `c360 snowflake grants --intended` prints the matrix this script gives;
-- `c360 snowflake grants` prints what the account really has (SHOW GRANTS).
--
-- Who is who:
--   c360_pipeline      the service role SQLMesh, `c360 ingest --gateway snowflake` and
--                      `c360 train --gateway snowflake` run as (C360_SNOWFLAKE_ROLE=C360_PIPELINE);
--                      it creates, and so owns, every table and view the build makes.
--   data_engineer      everything, and may act as the pipeline (inherits c360_pipeline).
--   data_analyst       reads every layer (bronze, silver, gold, observability and SQLMesh's
--                      physical schemas), now and future; not SQLMesh's state.
--   marketing_manager  reads gold only.
--
-- Two Snowflake rules shape this script:
-- 1. Future grants on a schema take precedence over future grants on its database, for
--    every role at once: a schema with any schema-level FUTURE TABLES grant ignores all
--    database-level FUTURE TABLES grants. So every schema below carries the schema-level
--    future grants of every role that reads it, and the database-level ones only cover
--    schemas created later (SQLMesh dev environments such as gold__dev).
-- 2. A view runs with its owner's privileges on what it selects from. gold's objects are
--    SQLMesh views over sqlmesh__gold tables, all owned by c360_pipeline, so SELECT on the
--    gold views is all a marketing manager needs: no grant on sqlmesh__gold at all.

CREATE ROLE IF NOT EXISTS c360_pipeline COMMENT = 'c360: builds and loads (SQLMesh, ingest, Cortex training)';
CREATE ROLE IF NOT EXISTS data_engineer COMMENT = 'c360: owns the pipeline end to end';
CREATE ROLE IF NOT EXISTS data_analyst COMMENT = 'c360: reads every layer';
CREATE ROLE IF NOT EXISTS marketing_manager COMMENT = 'c360: reads gold only';

-- SYSADMIN sees everything c360 creates (Snowflake's recommended hierarchy).
GRANT ROLE c360_pipeline TO ROLE data_engineer;
GRANT ROLE data_engineer TO ROLE SYSADMIN;
GRANT ROLE data_analyst TO ROLE SYSADMIN;
GRANT ROLE marketing_manager TO ROLE SYSADMIN;

-- Compute: everyone queries; the pipeline and engineers may resume a suspended warehouse.
GRANT USAGE, OPERATE ON WAREHOUSE {{ warehouse }} TO ROLE c360_pipeline;
GRANT USAGE, OPERATE, MONITOR ON WAREHOUSE {{ warehouse }} TO ROLE data_engineer;
GRANT USAGE ON WAREHOUSE {{ warehouse }} TO ROLE data_analyst;
GRANT USAGE ON WAREHOUSE {{ warehouse }} TO ROLE marketing_manager;

-- The database. The pipeline creates schemas: SQLMesh's dev environments (gold__dev, ...).
GRANT ALL ON DATABASE {{ database }} TO ROLE data_engineer;
GRANT USAGE, MONITOR, CREATE SCHEMA ON DATABASE {{ database }} TO ROLE c360_pipeline;
GRANT USAGE ON DATABASE {{ database }} TO ROLE data_analyst;
GRANT USAGE ON DATABASE {{ database }} TO ROLE marketing_manager;

-- Schemas created after this script (rule 1: only where no schema-level grant exists).
GRANT ALL ON FUTURE SCHEMAS IN DATABASE {{ database }} TO ROLE data_engineer;
GRANT ALL ON FUTURE TABLES IN DATABASE {{ database }} TO ROLE data_engineer;
GRANT ALL ON FUTURE VIEWS IN DATABASE {{ database }} TO ROLE data_engineer;
GRANT USAGE ON FUTURE SCHEMAS IN DATABASE {{ database }} TO ROLE data_analyst;
GRANT SELECT ON FUTURE TABLES IN DATABASE {{ database }} TO ROLE data_analyst;
GRANT SELECT ON FUTURE VIEWS IN DATABASE {{ database }} TO ROLE data_analyst;

-- bronze: the files as loaded (04), the stages and file format (03), the pipe (05).
GRANT ALL ON SCHEMA {{ database }}.bronze TO ROLE data_engineer;
GRANT ALL ON ALL TABLES IN SCHEMA {{ database }}.bronze TO ROLE data_engineer;
GRANT ALL ON FUTURE TABLES IN SCHEMA {{ database }}.bronze TO ROLE data_engineer;
GRANT ALL ON ALL VIEWS IN SCHEMA {{ database }}.bronze TO ROLE data_engineer;
GRANT ALL ON FUTURE VIEWS IN SCHEMA {{ database }}.bronze TO ROLE data_engineer;
GRANT USAGE ON SCHEMA {{ database }}.bronze TO ROLE data_analyst;
GRANT SELECT ON ALL TABLES IN SCHEMA {{ database }}.bronze TO ROLE data_analyst;
GRANT SELECT ON FUTURE TABLES IN SCHEMA {{ database }}.bronze TO ROLE data_analyst;
GRANT SELECT ON ALL VIEWS IN SCHEMA {{ database }}.bronze TO ROLE data_analyst;
GRANT SELECT ON FUTURE VIEWS IN SCHEMA {{ database }}.bronze TO ROLE data_analyst;
GRANT USAGE, CREATE TABLE, CREATE VIEW ON SCHEMA {{ database }}.bronze TO ROLE c360_pipeline;
GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON ALL TABLES IN SCHEMA {{ database }}.bronze TO ROLE c360_pipeline;
GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON FUTURE TABLES IN SCHEMA {{ database }}.bronze TO ROLE c360_pipeline;
-- COPY INTO reads the external stages with their file format; ALTER PIPE ... REFRESH needs
-- OPERATE, SYSTEM$PIPE_STATUS needs MONITOR.
GRANT USAGE ON ALL STAGES IN SCHEMA {{ database }}.bronze TO ROLE c360_pipeline;
GRANT USAGE ON FUTURE STAGES IN SCHEMA {{ database }}.bronze TO ROLE c360_pipeline;
GRANT USAGE ON ALL FILE FORMATS IN SCHEMA {{ database }}.bronze TO ROLE c360_pipeline;
GRANT USAGE ON FUTURE FILE FORMATS IN SCHEMA {{ database }}.bronze TO ROLE c360_pipeline;
GRANT OPERATE, MONITOR ON ALL PIPES IN SCHEMA {{ database }}.bronze TO ROLE c360_pipeline;
GRANT OPERATE, MONITOR ON FUTURE PIPES IN SCHEMA {{ database }}.bronze TO ROLE c360_pipeline;

-- silver: the virtual layer of the cleaned models (views into sqlmesh__silver).
GRANT ALL ON SCHEMA {{ database }}.silver TO ROLE data_engineer;
GRANT ALL ON ALL TABLES IN SCHEMA {{ database }}.silver TO ROLE data_engineer;
GRANT ALL ON FUTURE TABLES IN SCHEMA {{ database }}.silver TO ROLE data_engineer;
GRANT ALL ON ALL VIEWS IN SCHEMA {{ database }}.silver TO ROLE data_engineer;
GRANT ALL ON FUTURE VIEWS IN SCHEMA {{ database }}.silver TO ROLE data_engineer;
GRANT USAGE ON SCHEMA {{ database }}.silver TO ROLE data_analyst;
GRANT SELECT ON ALL TABLES IN SCHEMA {{ database }}.silver TO ROLE data_analyst;
GRANT SELECT ON FUTURE TABLES IN SCHEMA {{ database }}.silver TO ROLE data_analyst;
GRANT SELECT ON ALL VIEWS IN SCHEMA {{ database }}.silver TO ROLE data_analyst;
GRANT SELECT ON FUTURE VIEWS IN SCHEMA {{ database }}.silver TO ROLE data_analyst;
GRANT USAGE, CREATE TABLE, CREATE VIEW ON SCHEMA {{ database }}.silver TO ROLE c360_pipeline;
GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON ALL TABLES IN SCHEMA {{ database }}.silver TO ROLE c360_pipeline;
GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON FUTURE TABLES IN SCHEMA {{ database }}.silver TO ROLE c360_pipeline;

-- gold: dimensions, facts, marts, churn_predictions and churn_features_at_cutoff — the
-- marketing managers' schema. Future views matter most: SQLMesh re-creates each gold view
-- (CREATE OR REPLACE VIEW) whenever a plan changes a model, and only future grants follow.
GRANT ALL ON SCHEMA {{ database }}.gold TO ROLE data_engineer;
GRANT ALL ON ALL TABLES IN SCHEMA {{ database }}.gold TO ROLE data_engineer;
GRANT ALL ON FUTURE TABLES IN SCHEMA {{ database }}.gold TO ROLE data_engineer;
GRANT ALL ON ALL VIEWS IN SCHEMA {{ database }}.gold TO ROLE data_engineer;
GRANT ALL ON FUTURE VIEWS IN SCHEMA {{ database }}.gold TO ROLE data_engineer;
GRANT USAGE ON SCHEMA {{ database }}.gold TO ROLE data_analyst;
GRANT SELECT ON ALL TABLES IN SCHEMA {{ database }}.gold TO ROLE data_analyst;
GRANT SELECT ON FUTURE TABLES IN SCHEMA {{ database }}.gold TO ROLE data_analyst;
GRANT SELECT ON ALL VIEWS IN SCHEMA {{ database }}.gold TO ROLE data_analyst;
GRANT SELECT ON FUTURE VIEWS IN SCHEMA {{ database }}.gold TO ROLE data_analyst;
GRANT USAGE ON SCHEMA {{ database }}.gold TO ROLE marketing_manager;
GRANT SELECT ON ALL TABLES IN SCHEMA {{ database }}.gold TO ROLE marketing_manager;
GRANT SELECT ON FUTURE TABLES IN SCHEMA {{ database }}.gold TO ROLE marketing_manager;
GRANT SELECT ON ALL VIEWS IN SCHEMA {{ database }}.gold TO ROLE marketing_manager;
GRANT SELECT ON FUTURE VIEWS IN SCHEMA {{ database }}.gold TO ROLE marketing_manager;
GRANT USAGE, CREATE TABLE, CREATE VIEW ON SCHEMA {{ database }}.gold TO ROLE c360_pipeline;
GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON ALL TABLES IN SCHEMA {{ database }}.gold TO ROLE c360_pipeline;
GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON FUTURE TABLES IN SCHEMA {{ database }}.gold TO ROLE c360_pipeline;

-- observability: load_history (06), run metadata, quality metrics, record counts, audit
-- failures, the ML evaluation tables, the churn model and its training view (Cortex), and
-- the assistant's log and feedback tables wherever they are kept in Snowflake.
GRANT ALL ON SCHEMA {{ database }}.observability TO ROLE data_engineer;
GRANT ALL ON ALL TABLES IN SCHEMA {{ database }}.observability TO ROLE data_engineer;
GRANT ALL ON FUTURE TABLES IN SCHEMA {{ database }}.observability TO ROLE data_engineer;
GRANT ALL ON ALL VIEWS IN SCHEMA {{ database }}.observability TO ROLE data_engineer;
GRANT ALL ON FUTURE VIEWS IN SCHEMA {{ database }}.observability TO ROLE data_engineer;
GRANT USAGE ON SCHEMA {{ database }}.observability TO ROLE data_analyst;
GRANT SELECT ON ALL TABLES IN SCHEMA {{ database }}.observability TO ROLE data_analyst;
GRANT SELECT ON FUTURE TABLES IN SCHEMA {{ database }}.observability TO ROLE data_analyst;
GRANT SELECT ON ALL VIEWS IN SCHEMA {{ database }}.observability TO ROLE data_analyst;
GRANT SELECT ON FUTURE VIEWS IN SCHEMA {{ database }}.observability TO ROLE data_analyst;
GRANT USAGE, CREATE TABLE, CREATE VIEW, CREATE SNOWFLAKE.ML.CLASSIFICATION ON SCHEMA {{ database }}.observability TO ROLE c360_pipeline;
GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON ALL TABLES IN SCHEMA {{ database }}.observability TO ROLE c360_pipeline;
GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON FUTURE TABLES IN SCHEMA {{ database }}.observability TO ROLE c360_pipeline;

-- sqlmesh__silver, sqlmesh__gold, sqlmesh__observability: SQLMesh's physical tables, every
-- version of every model. Analysts read them (table diffs, old versions); marketing
-- managers never need them (rule 2).
GRANT ALL ON SCHEMA {{ database }}.sqlmesh__silver TO ROLE data_engineer;
GRANT ALL ON ALL TABLES IN SCHEMA {{ database }}.sqlmesh__silver TO ROLE data_engineer;
GRANT ALL ON FUTURE TABLES IN SCHEMA {{ database }}.sqlmesh__silver TO ROLE data_engineer;
GRANT ALL ON ALL VIEWS IN SCHEMA {{ database }}.sqlmesh__silver TO ROLE data_engineer;
GRANT ALL ON FUTURE VIEWS IN SCHEMA {{ database }}.sqlmesh__silver TO ROLE data_engineer;
GRANT USAGE ON SCHEMA {{ database }}.sqlmesh__silver TO ROLE data_analyst;
GRANT SELECT ON ALL TABLES IN SCHEMA {{ database }}.sqlmesh__silver TO ROLE data_analyst;
GRANT SELECT ON FUTURE TABLES IN SCHEMA {{ database }}.sqlmesh__silver TO ROLE data_analyst;
GRANT SELECT ON ALL VIEWS IN SCHEMA {{ database }}.sqlmesh__silver TO ROLE data_analyst;
GRANT SELECT ON FUTURE VIEWS IN SCHEMA {{ database }}.sqlmesh__silver TO ROLE data_analyst;
GRANT USAGE, CREATE TABLE, CREATE VIEW ON SCHEMA {{ database }}.sqlmesh__silver TO ROLE c360_pipeline;
GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON ALL TABLES IN SCHEMA {{ database }}.sqlmesh__silver TO ROLE c360_pipeline;
GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON FUTURE TABLES IN SCHEMA {{ database }}.sqlmesh__silver TO ROLE c360_pipeline;

GRANT ALL ON SCHEMA {{ database }}.sqlmesh__gold TO ROLE data_engineer;
GRANT ALL ON ALL TABLES IN SCHEMA {{ database }}.sqlmesh__gold TO ROLE data_engineer;
GRANT ALL ON FUTURE TABLES IN SCHEMA {{ database }}.sqlmesh__gold TO ROLE data_engineer;
GRANT ALL ON ALL VIEWS IN SCHEMA {{ database }}.sqlmesh__gold TO ROLE data_engineer;
GRANT ALL ON FUTURE VIEWS IN SCHEMA {{ database }}.sqlmesh__gold TO ROLE data_engineer;
GRANT USAGE ON SCHEMA {{ database }}.sqlmesh__gold TO ROLE data_analyst;
GRANT SELECT ON ALL TABLES IN SCHEMA {{ database }}.sqlmesh__gold TO ROLE data_analyst;
GRANT SELECT ON FUTURE TABLES IN SCHEMA {{ database }}.sqlmesh__gold TO ROLE data_analyst;
GRANT SELECT ON ALL VIEWS IN SCHEMA {{ database }}.sqlmesh__gold TO ROLE data_analyst;
GRANT SELECT ON FUTURE VIEWS IN SCHEMA {{ database }}.sqlmesh__gold TO ROLE data_analyst;
GRANT USAGE, CREATE TABLE, CREATE VIEW ON SCHEMA {{ database }}.sqlmesh__gold TO ROLE c360_pipeline;
GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON ALL TABLES IN SCHEMA {{ database }}.sqlmesh__gold TO ROLE c360_pipeline;
GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON FUTURE TABLES IN SCHEMA {{ database }}.sqlmesh__gold TO ROLE c360_pipeline;

GRANT ALL ON SCHEMA {{ database }}.sqlmesh__observability TO ROLE data_engineer;
GRANT ALL ON ALL TABLES IN SCHEMA {{ database }}.sqlmesh__observability TO ROLE data_engineer;
GRANT ALL ON FUTURE TABLES IN SCHEMA {{ database }}.sqlmesh__observability TO ROLE data_engineer;
GRANT ALL ON ALL VIEWS IN SCHEMA {{ database }}.sqlmesh__observability TO ROLE data_engineer;
GRANT ALL ON FUTURE VIEWS IN SCHEMA {{ database }}.sqlmesh__observability TO ROLE data_engineer;
GRANT USAGE ON SCHEMA {{ database }}.sqlmesh__observability TO ROLE data_analyst;
GRANT SELECT ON ALL TABLES IN SCHEMA {{ database }}.sqlmesh__observability TO ROLE data_analyst;
GRANT SELECT ON FUTURE TABLES IN SCHEMA {{ database }}.sqlmesh__observability TO ROLE data_analyst;
GRANT SELECT ON ALL VIEWS IN SCHEMA {{ database }}.sqlmesh__observability TO ROLE data_analyst;
GRANT SELECT ON FUTURE VIEWS IN SCHEMA {{ database }}.sqlmesh__observability TO ROLE data_analyst;
GRANT USAGE, CREATE TABLE, CREATE VIEW ON SCHEMA {{ database }}.sqlmesh__observability TO ROLE c360_pipeline;
GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON ALL TABLES IN SCHEMA {{ database }}.sqlmesh__observability TO ROLE c360_pipeline;
GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON FUTURE TABLES IN SCHEMA {{ database }}.sqlmesh__observability TO ROLE c360_pipeline;

-- sqlmesh: SQLMesh's state (snapshots, environments, intervals). The pipeline writes it,
-- engineers may repair it; analysts and marketing managers have no business there. Its
-- schema-level future grants also keep the analysts' database-level ones out (rule 1).
GRANT ALL ON SCHEMA {{ database }}.sqlmesh TO ROLE data_engineer;
GRANT ALL ON ALL TABLES IN SCHEMA {{ database }}.sqlmesh TO ROLE data_engineer;
GRANT ALL ON FUTURE TABLES IN SCHEMA {{ database }}.sqlmesh TO ROLE data_engineer;
GRANT ALL ON ALL VIEWS IN SCHEMA {{ database }}.sqlmesh TO ROLE data_engineer;
GRANT ALL ON FUTURE VIEWS IN SCHEMA {{ database }}.sqlmesh TO ROLE data_engineer;
GRANT USAGE, CREATE TABLE, CREATE VIEW ON SCHEMA {{ database }}.sqlmesh TO ROLE c360_pipeline;
GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON ALL TABLES IN SCHEMA {{ database }}.sqlmesh TO ROLE c360_pipeline;
GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON FUTURE TABLES IN SCHEMA {{ database }}.sqlmesh TO ROLE c360_pipeline;
