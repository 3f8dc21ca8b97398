# What `c360 snowflake setup` needs, named after the setting or placeholder it feeds
# (infra/snowflake/03 and 05, c360/core/settings.py). `terraform output -raw dotenv >> .env`
# writes the C360_* lines; tests/test_infra_terraform.py checks each name is a real setting.

locals {
  c360_settings = {
    C360_STAGE                   = "s3"
    C360_S3_BUCKET               = module.s3.bucket_name
    C360_S3_PREFIX               = trimsuffix(var.landing_prefix, "/")
    C360_S3_REGION               = var.aws_region
    C360_SNOWFLAKE_S3_ROLE_ARN   = module.iam.role_arn
    C360_SNOWFLAKE_SNS_TOPIC_ARN = module.sns_sqs.topic_arn
  }
}

output "storage_aws_role_arn" {
  description = "03's STORAGE_AWS_ROLE_ARN ({{ aws_role_arn }}): C360_SNOWFLAKE_S3_ROLE_ARN or --aws-role-arn."
  value       = module.iam.role_arn
}

output "sns_topic_arn" {
  description = "05's AWS_SNS_TOPIC ({{ sns_topic_arn }}): C360_SNOWFLAKE_SNS_TOPIC_ARN or --sns-topic-arn."
  value       = module.sns_sqs.topic_arn
}

output "s3_bucket" {
  description = "C360_S3_BUCKET: the landing bucket (03 builds its stage URLs from it)."
  value       = module.s3.bucket_name
}

output "s3_prefix" {
  description = "C360_S3_PREFIX: the landing zone's folder in the bucket (\"\" = root)."
  value       = trimsuffix(var.landing_prefix, "/")
}

output "s3_region" {
  description = "C360_S3_REGION: the bucket's region."
  value       = var.aws_region
}

output "landing_url" {
  description = "03's STORAGE_ALLOWED_LOCATIONS and landing_stage URL ({{ landing_url }}), as setup renders it from C360_S3_BUCKET and C360_S3_PREFIX."
  value       = module.s3.landing_url
}

output "streaming_prefix" {
  description = "Key prefix whose object-created events reach Snowpipe (05 reads @landing_stage/transactions/streaming/)."
  value       = module.s3.streaming_prefix
}

output "kms_key_arn" {
  description = "The bucket's KMS key: whoever runs `c360 upload` needs kms:GenerateDataKey on it."
  value       = module.s3.kms_key_arn
}

output "access_log_bucket" {
  description = "Bucket of the landing bucket's S3 server access logs."
  value       = module.s3.access_log_bucket_name
}

output "snowflake_trust_pending" {
  description = "True until snowflake_iam_user_arn and snowflake_external_id are set: Snowflake cannot assume the role yet."
  value       = module.iam.trust_pending
}

output "snowpipe_subscription_arn" {
  description = "The Terraform-managed subscription of the pipe's SQS queue (null unless snowpipe_sqs_queue_arn is set)."
  value       = module.sns_sqs.subscription_arn
}

output "c360_settings" {
  description = "The C360_* settings of c360/core/settings.py that come from this stack."
  value       = local.c360_settings
}

output "dotenv" {
  description = "c360_settings as .env lines: terraform output -raw dotenv >> .env"
  value = join("", [
    for name in sort(keys(local.c360_settings)) : "${name}=${local.c360_settings[name]}\n"
  ])
}
