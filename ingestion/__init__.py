"""Everything between the source systems and the bronze layer: synthetic data,
the landing zone (local folder or S3) and the Snowpipe-like loader."""
