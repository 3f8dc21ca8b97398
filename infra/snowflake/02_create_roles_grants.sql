-- Spec 5.2, script 2: one role per persona. Run as a role that may create roles
-- (SECURITYADMIN or ACCOUNTADMIN); grant the roles to users separately.

-- Data engineer: owns the pipeline end to end.
CREATE ROLE IF NOT EXISTS data_engineer;
GRANT ALL ON DATABASE {{ database }} TO ROLE data_engineer;
GRANT ALL ON ALL SCHEMAS IN DATABASE {{ database }} TO ROLE data_engineer;
GRANT ALL ON FUTURE TABLES IN DATABASE {{ database }} TO ROLE data_engineer;

-- Marketing manager: gold only; bronze and silver stay invisible.
CREATE ROLE IF NOT EXISTS marketing_manager;
GRANT USAGE ON DATABASE {{ database }} TO ROLE marketing_manager;
GRANT USAGE ON SCHEMA {{ database }}.gold TO ROLE marketing_manager;
GRANT SELECT ON ALL TABLES IN SCHEMA {{ database }}.gold TO ROLE marketing_manager;
GRANT SELECT ON FUTURE TABLES IN SCHEMA {{ database }}.gold TO ROLE marketing_manager;

-- Data analyst: reads every layer, including tables created later.
CREATE ROLE IF NOT EXISTS data_analyst;
GRANT USAGE ON DATABASE {{ database }} TO ROLE data_analyst;
GRANT USAGE ON ALL SCHEMAS IN DATABASE {{ database }} TO ROLE data_analyst;
GRANT SELECT ON ALL TABLES IN DATABASE {{ database }} TO ROLE data_analyst;
GRANT SELECT ON FUTURE TABLES IN DATABASE {{ database }} TO ROLE data_analyst;
