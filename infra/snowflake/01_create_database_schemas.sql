-- Spec 5.2, script 1: the database, one schema per medallion layer, and observability.
-- Rendered and run by `c360 snowflake setup`; {{ database }} is C360_SNOWFLAKE_DATABASE.
-- Idempotent: IF NOT EXISTS everywhere, so re-running setup never drops data.

CREATE DATABASE IF NOT EXISTS {{ database }};

CREATE SCHEMA IF NOT EXISTS {{ database }}.bronze;
CREATE SCHEMA IF NOT EXISTS {{ database }}.silver;
CREATE SCHEMA IF NOT EXISTS {{ database }}.gold;
CREATE SCHEMA IF NOT EXISTS {{ database }}.observability;

-- SQLMesh's own schemas, created here so that 02 can give them schema-level grants:
-- the views in silver/gold/observability (the virtual layer) select from physical tables
-- in sqlmesh__<schema>, and SQLMesh keeps its state in `sqlmesh` (when the state connection
-- is the Snowflake gateway itself). SQLMesh creates them IF NOT EXISTS, so it reuses these.
CREATE SCHEMA IF NOT EXISTS {{ database }}.sqlmesh__silver;
CREATE SCHEMA IF NOT EXISTS {{ database }}.sqlmesh__gold;
CREATE SCHEMA IF NOT EXISTS {{ database }}.sqlmesh__observability;
CREATE SCHEMA IF NOT EXISTS {{ database }}.sqlmesh;
