# c360's AWS side (spec 5.1): the landing bucket, the role Snowflake's storage integration
# assumes, and S3 -> SNS -> Snowpipe for the hourly streaming files. Apply it twice around
# `c360 snowflake setup` (docs/deploy.md): first with the Snowflake values unset, then with
# DESC INTEGRATION's STORAGE_AWS_IAM_USER_ARN and STORAGE_AWS_EXTERNAL_ID.

provider "aws" {
  region = var.aws_region

  default_tags {
    tags = merge({ project = "c360", managed_by = "terraform" }, var.tags)
  }
}

locals {
  # Snowflake subscribes its queue as the same IAM user that assumes the role, unless
  # SYSTEM$GET_AWS_SNS_IAM_POLICY names another.
  snowflake_sns_principal_arn = var.snowflake_sns_principal_arn != null ? var.snowflake_sns_principal_arn : var.snowflake_iam_user_arn
}

module "s3" {
  source = "./modules/s3"

  bucket_name                       = var.bucket_name
  landing_prefix                    = var.landing_prefix
  streaming_retention_days          = var.streaming_retention_days
  noncurrent_version_retention_days = var.noncurrent_version_retention_days
  access_log_retention_days         = var.access_log_retention_days
}

module "iam" {
  source = "./modules/iam"

  role_name              = var.snowflake_role_name
  bucket_arn             = module.s3.bucket_arn
  landing_prefix         = var.landing_prefix
  kms_key_arn            = module.s3.kms_key_arn
  aws_region             = var.aws_region
  snowflake_iam_user_arn = var.snowflake_iam_user_arn
  snowflake_external_id  = var.snowflake_external_id
}

module "sns_sqs" {
  source = "./modules/sns_sqs"

  topic_name                  = var.sns_topic_name
  bucket_name                 = module.s3.bucket_name
  bucket_arn                  = module.s3.bucket_arn
  streaming_prefix            = module.s3.streaming_prefix
  snowflake_sns_principal_arn = local.snowflake_sns_principal_arn
  snowpipe_sqs_queue_arn      = var.snowpipe_sqs_queue_arn
}
