"""The Snowflake gateway: setup scripts (infra/snowflake), COPY INTO / pipe refresh,
and COPY_HISTORY read back into observability.load_history."""
