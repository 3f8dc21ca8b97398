-- Spec 5.2, script 1: the database, one schema per medallion layer, and observability.
-- Rendered and run by `c360 snowflake setup`; {{ database }} is C360_SNOWFLAKE_DATABASE.
-- Idempotent: IF NOT EXISTS everywhere, so re-running setup never drops data.

CREATE DATABASE IF NOT EXISTS {{ database }};

CREATE SCHEMA IF NOT EXISTS {{ database }}.bronze;
CREATE SCHEMA IF NOT EXISTS {{ database }}.silver;
CREATE SCHEMA IF NOT EXISTS {{ database }}.gold;
CREATE SCHEMA IF NOT EXISTS {{ database }}.observability;
