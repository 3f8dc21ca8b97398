variable "role_name" {
  description = "Name of the role the storage integration assumes (its ARN is STORAGE_AWS_ROLE_ARN)."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9+=,.@_-]{1,64}$", var.role_name))
    error_message = "role_name: 1-64 characters of A-Z a-z 0-9 + = , . @ _ -."
  }
}

variable "bucket_arn" {
  description = "ARN of the landing bucket."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:s3:::[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.bucket_arn))
    error_message = "bucket_arn: an S3 bucket ARN, arn:aws:s3:::<bucket>."
  }
}

variable "landing_prefix" {
  description = "Folder of the landing zone inside the bucket (\"\" = the whole bucket); Snowflake reads only below it."
  type        = string

  validation {
    condition     = var.landing_prefix == "" || can(regex("^([A-Za-z0-9!_.*()=+-]+/)+$", var.landing_prefix))
    error_message = "landing_prefix: empty, or folder names ending in '/'."
  }
}

variable "kms_key_arn" {
  description = "The bucket's KMS key: Snowflake needs kms:Decrypt to read SSE-KMS objects."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:\\d{12}:key/[A-Za-z0-9-]+$", var.kms_key_arn))
    error_message = "kms_key_arn: a KMS key ARN, arn:aws:kms:<region>:<account>:key/<id>."
  }
}

variable "aws_region" {
  description = "Region of the bucket (kms:Decrypt is allowed only via S3 in this region)."
  type        = string

  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-\\d$", var.aws_region))
    error_message = "aws_region: an AWS region name such as us-east-1."
  }
}

variable "snowflake_iam_user_arn" {
  description = "STORAGE_AWS_IAM_USER_ARN from DESC INTEGRATION; null until the integration exists (the role then trusts only this account)."
  type        = string
  nullable    = true

  validation {
    condition     = var.snowflake_iam_user_arn == null || can(regex("^arn:aws[a-z-]*:iam::\\d{12}:user/[A-Za-z0-9+=,.@_/-]{1,512}$", var.snowflake_iam_user_arn))
    error_message = "snowflake_iam_user_arn: an IAM user ARN, arn:aws:iam::<12 digits>:user/<name> (DESC INTEGRATION's STORAGE_AWS_IAM_USER_ARN)."
  }
}

variable "snowflake_external_id" {
  description = "STORAGE_AWS_EXTERNAL_ID from DESC INTEGRATION; null until the integration exists."
  type        = string
  nullable    = true

  validation {
    # sts:ExternalId allows 2-1224 characters of [\w+=,.@:/-].
    condition     = var.snowflake_external_id == null || can(regex("^[A-Za-z0-9_+=,.@:/-]{2,1224}$", var.snowflake_external_id))
    error_message = "snowflake_external_id: 2-1224 characters of A-Z a-z 0-9 _ + = , . @ : / - (DESC INTEGRATION's STORAGE_AWS_EXTERNAL_ID)."
  }
}
