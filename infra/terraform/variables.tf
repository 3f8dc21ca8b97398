# Everything account-specific comes in here (terraform.tfvars, never committed; see
# terraform.tfvars.example). No account id is written anywhere in infra/terraform.

variable "aws_region" {
  description = "Region of the bucket and the topic; the Snowflake account should be in the same region (C360_S3_REGION)."
  type        = string
  default     = "us-east-1"

  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-\\d$", var.aws_region))
    error_message = "aws_region: an AWS region name such as us-east-1."
  }
}

variable "bucket_name" {
  description = "The landing bucket (C360_S3_BUCKET); the spec's name is snowflake-customer-analytics-data, but bucket names are global."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,56}[a-z0-9]$", var.bucket_name)) && !strcontains(var.bucket_name, "..")
    error_message = "bucket_name: 3-58 characters of a-z, 0-9, '.', '-', starting and ending with a letter or digit, no '..' (a \"-logs\" bucket is named after it)."
  }
}

variable "landing_prefix" {
  description = "Folder of the landing zone inside the bucket (C360_S3_PREFIX with a trailing '/'): \"\" = the bucket root."
  type        = string
  default     = ""

  validation {
    condition     = var.landing_prefix == "" || can(regex("^([A-Za-z0-9!_.*()=+-]+/)+$", var.landing_prefix))
    error_message = "landing_prefix: empty, or folder names each ending in '/', without a leading '/' (e.g. \"acquired/\")."
  }
}

variable "snowflake_role_name" {
  description = "IAM role the storage integration assumes."
  type        = string
  default     = "c360-snowflake-s3"

  validation {
    condition     = can(regex("^[A-Za-z0-9+=,.@_-]{1,64}$", var.snowflake_role_name))
    error_message = "snowflake_role_name: 1-64 characters of A-Z a-z 0-9 + = , . @ _ -."
  }
}

variable "sns_topic_name" {
  description = "SNS topic of the bucket's object-created events."
  type        = string
  default     = "c360-snowflake-s3-events"

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,256}$", var.sns_topic_name))
    error_message = "sns_topic_name: 1-256 characters of A-Z a-z 0-9 _ -."
  }
}

variable "snowflake_iam_user_arn" {
  description = "STORAGE_AWS_IAM_USER_ARN from `DESC INTEGRATION s3_integration` (second apply); null on the first apply."
  type        = string
  default     = null

  validation {
    condition     = var.snowflake_iam_user_arn == null || can(regex("^arn:aws[a-z-]*:iam::\\d{12}:user/[A-Za-z0-9+=,.@_/-]{1,512}$", var.snowflake_iam_user_arn))
    error_message = "snowflake_iam_user_arn: an IAM user ARN, arn:aws:iam::<12 digits>:user/<name>."
  }
}

variable "snowflake_external_id" {
  description = "STORAGE_AWS_EXTERNAL_ID from `DESC INTEGRATION s3_integration` (second apply); null on the first apply. Set together with snowflake_iam_user_arn (modules/iam checks)."
  type        = string
  default     = null

  validation {
    condition     = var.snowflake_external_id == null || can(regex("^[A-Za-z0-9_+=,.@:/-]{2,1224}$", var.snowflake_external_id))
    error_message = "snowflake_external_id: 2-1224 characters of A-Z a-z 0-9 _ + = , . @ : / - (an sts:ExternalId)."
  }
}

variable "snowflake_sns_principal_arn" {
  description = "Principal of SYSTEM$GET_AWS_SNS_IAM_POLICY('<topic arn>'), if it differs from snowflake_iam_user_arn; null = the same user."
  type        = string
  default     = null

  validation {
    condition     = var.snowflake_sns_principal_arn == null || can(regex("^arn:aws[a-z-]*:iam::\\d{12}:user/[A-Za-z0-9+=,.@_/-]{1,512}$", var.snowflake_sns_principal_arn))
    error_message = "snowflake_sns_principal_arn: an IAM user ARN, arn:aws:iam::<12 digits>:user/<name>."
  }
}

variable "snowpipe_sqs_queue_arn" {
  description = "SHOW PIPES' notification_channel, to keep the queue's subscription in Terraform state (optional; the pipe subscribes itself)."
  type        = string
  default     = null

  validation {
    condition     = var.snowpipe_sqs_queue_arn == null || can(regex("^arn:aws[a-z-]*:sqs:[a-z0-9-]+:\\d{12}:[A-Za-z0-9_-]{1,80}$", var.snowpipe_sqs_queue_arn))
    error_message = "snowpipe_sqs_queue_arn: an SQS queue ARN, arn:aws:sqs:<region>:<12 digits>:<queue>."
  }
}

variable "streaming_retention_days" {
  description = "Days an hourly streaming file is kept (Snowpipe loads it within minutes; bronze keeps the rows)."
  type        = number
  default     = 90

  validation {
    condition     = var.streaming_retention_days >= 14 && floor(var.streaming_retention_days) == var.streaming_retention_days
    error_message = "streaming_retention_days: a whole number of days, at least 14 (Snowpipe's load-metadata window)."
  }
}

variable "noncurrent_version_retention_days" {
  description = "Days a previous version of an overwritten or deleted file is kept."
  type        = number
  default     = 365

  validation {
    condition     = var.noncurrent_version_retention_days >= 1 && floor(var.noncurrent_version_retention_days) == var.noncurrent_version_retention_days
    error_message = "noncurrent_version_retention_days: a whole number of days, at least 1."
  }
}

variable "access_log_retention_days" {
  description = "Days S3 server access logs are kept."
  type        = number
  default     = 365

  validation {
    condition     = var.access_log_retention_days >= 1 && floor(var.access_log_retention_days) == var.access_log_retention_days
    error_message = "access_log_retention_days: a whole number of days, at least 1."
  }
}

variable "tags" {
  description = "Tags added to every resource (the provider's default_tags)."
  type        = map(string)
  default     = {}
}
