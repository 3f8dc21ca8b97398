variable "bucket_name" {
  description = "The landing bucket (C360_S3_BUCKET). Globally unique; the access-log bucket is named after it."
  type        = string

  validation {
    # S3's naming rules, minus the 5 characters the "-logs" bucket adds.
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,56}[a-z0-9]$", var.bucket_name)) && !strcontains(var.bucket_name, "..") && !can(regex("^\\d+\\.\\d+\\.\\d+\\.\\d+$", var.bucket_name)) && !startswith(var.bucket_name, "xn--")
    error_message = "bucket_name: 3-58 characters of a-z, 0-9, '.', '-', starting and ending with a letter or digit, no '..', not an IP address."
  }
}

variable "landing_prefix" {
  description = "Folder of the landing zone inside the bucket (C360_S3_PREFIX): \"\" for the bucket root, else e.g. \"acquired/\"."
  type        = string

  validation {
    condition     = var.landing_prefix == "" || can(regex("^([A-Za-z0-9!_.*()=+-]+/)+$", var.landing_prefix))
    error_message = "landing_prefix: empty, or folder names ending in '/', no leading '/' (e.g. \"acquired/\")."
  }
}

variable "streaming_retention_days" {
  description = "Days an hourly streaming file stays in the bucket; Snowpipe loads it within minutes, bronze keeps its rows."
  type        = number

  validation {
    # Snowpipe's load metadata lasts 14 days: a file must not vanish before a late REFRESH could load it.
    condition     = var.streaming_retention_days >= 14 && floor(var.streaming_retention_days) == var.streaming_retention_days
    error_message = "streaming_retention_days: a whole number of days, at least 14 (Snowpipe's load-metadata window)."
  }
}

variable "noncurrent_version_retention_days" {
  description = "Days an overwritten or deleted object's previous version is kept (the audit trail versioning gives)."
  type        = number

  validation {
    condition     = var.noncurrent_version_retention_days >= 1 && floor(var.noncurrent_version_retention_days) == var.noncurrent_version_retention_days
    error_message = "noncurrent_version_retention_days: a whole number of days, at least 1."
  }
}

variable "access_log_retention_days" {
  description = "Days S3 server access logs are kept."
  type        = number

  validation {
    condition     = var.access_log_retention_days >= 1 && floor(var.access_log_retention_days) == var.access_log_retention_days
    error_message = "access_log_retention_days: a whole number of days, at least 1."
  }
}
