variable "topic_name" {
  description = "Name of the SNS topic of the bucket's object-created events (its ARN is the pipe's AWS_SNS_TOPIC)."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,256}$", var.topic_name))
    error_message = "topic_name: 1-256 characters of A-Z a-z 0-9 _ -."
  }
}

variable "bucket_name" {
  description = "The landing bucket whose events are published."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.bucket_name))
    error_message = "bucket_name: an S3 bucket name."
  }
}

variable "bucket_arn" {
  description = "ARN of the landing bucket (only it may publish to the topic)."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:s3:::[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.bucket_arn))
    error_message = "bucket_arn: an S3 bucket ARN, arn:aws:s3:::<bucket>."
  }
}

variable "streaming_prefix" {
  description = "Only objects created below this prefix are announced (the hourly streaming files)."
  type        = string

  validation {
    condition     = can(regex("^([A-Za-z0-9!_.*()=+-]+/)*transactions/streaming/$", var.streaming_prefix))
    error_message = "streaming_prefix: <landing prefix>transactions/streaming/."
  }
}

variable "snowflake_sns_principal_arn" {
  description = "Snowflake's IAM user that subscribes its Snowpipe queue (Principal of SYSTEM$GET_AWS_SNS_IAM_POLICY); null = not yet known."
  type        = string
  nullable    = true

  validation {
    condition     = var.snowflake_sns_principal_arn == null || can(regex("^arn:aws[a-z-]*:iam::\\d{12}:user/[A-Za-z0-9+=,.@_/-]{1,512}$", var.snowflake_sns_principal_arn))
    error_message = "snowflake_sns_principal_arn: an IAM user ARN, arn:aws:iam::<12 digits>:user/<name>."
  }
}

variable "snowpipe_sqs_queue_arn" {
  description = "The pipe's notification_channel (SHOW PIPES) to subscribe with Terraform; null = Snowflake subscribes it itself when the pipe is created."
  type        = string
  nullable    = true

  validation {
    condition     = var.snowpipe_sqs_queue_arn == null || can(regex("^arn:aws[a-z-]*:sqs:[a-z0-9-]+:\\d{12}:[A-Za-z0-9_-]{1,80}$", var.snowpipe_sqs_queue_arn))
    error_message = "snowpipe_sqs_queue_arn: an SQS queue ARN, arn:aws:sqs:<region>:<12 digits>:<queue> (SHOW PIPES' notification_channel)."
  }
}
