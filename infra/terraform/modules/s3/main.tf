# The landing bucket (spec 5.1): customers/, campaigns/, transactions/historical/ and the
# hourly transactions/streaming/YYYY/MM/DD/HH/ files that Snowpipe auto-ingests.
# Versioned (audit), encrypted with a customer-managed KMS key, never public, TLS only,
# server access logs to a companion bucket, and hourly files expire once loaded.

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

locals {
  account_id       = data.aws_caller_identity.current.account_id
  partition        = data.aws_partition.current.partition
  streaming_prefix = "${var.landing_prefix}transactions/streaming/"
  log_bucket_name  = "${var.bucket_name}-logs"
}

# --- encryption key --------------------------------------------------------------------

data "aws_iam_policy_document" "landing_key" {
  # The account's default key policy: the key is administered, and its use granted, through
  # IAM policies of this account (the Snowflake role's policy grants kms:Decrypt via S3).
  # In a key policy, Resource "*" means "this key" and nothing else.
  #checkov:skip=CKV_AWS_109:Key policy: Resource "*" is this key only; the account root delegates to IAM policies, AWS's default key policy.
  #checkov:skip=CKV_AWS_111:Key policy: Resource "*" is this key only; the account root delegates to IAM policies, AWS's default key policy.
  #checkov:skip=CKV_AWS_356:Key policy: Resource "*" is this key only; a key policy cannot name a narrower resource.
  statement {
    sid       = "AccountAdministersTheKeyThroughIam"
    effect    = "Allow"
    actions   = ["kms:*"]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = ["arn:${local.partition}:iam::${local.account_id}:root"]
    }
  }
}

resource "aws_kms_key" "landing" {
  description             = "c360 landing bucket ${var.bucket_name}: SSE-KMS"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy                  = data.aws_iam_policy_document.landing_key.json
}

resource "aws_kms_alias" "landing" {
  # Alias names allow letters, digits, '/', '_' and '-': a bucket name's dots become dashes.
  name          = "alias/${replace(var.bucket_name, ".", "-")}"
  target_key_id = aws_kms_key.landing.key_id
}

# --- the landing bucket ----------------------------------------------------------------

resource "aws_s3_bucket" "landing" {
  #checkov:skip=CKV2_AWS_62:The notification is modules/sns_sqs's aws_s3_bucket_notification.streaming (checkov does not follow module outputs); tests/test_infra_terraform.py asserts it and its prefix.
  #checkov:skip=CKV_AWS_144:Cross-region replication not needed: every file is re-creatable from its source system, bronze keeps every loaded row, and versioning gives the audit trail; enable it at the organisation level where policy demands a second region.
  bucket = var.bucket_name
}

resource "aws_s3_bucket_ownership_controls" "landing" {
  bucket = aws_s3_bucket.landing.id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_public_access_block" "landing" {
  bucket = aws_s3_bucket.landing.id

  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_versioning" "landing" {
  bucket = aws_s3_bucket.landing.id

  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "landing" {
  bucket = aws_s3_bucket.landing.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.landing.arn
    }
    # One data key per bucket, not per object: fewer KMS calls for many small hourly files.
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "landing" {
  bucket = aws_s3_bucket.landing.id

  # Hourly files: loaded by Snowpipe within minutes, kept long enough for a late REFRESH.
  rule {
    id     = "streaming-transactions-expire"
    status = "Enabled"

    filter {
      prefix = local.streaming_prefix
    }

    expiration {
      days = var.streaming_retention_days
    }

    noncurrent_version_expiration {
      noncurrent_days = var.noncurrent_version_retention_days
    }

    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }
  }

  # Everything else is kept; previous versions of overwritten files age out.
  rule {
    id     = "landing-noncurrent-versions"
    status = "Enabled"

    filter {
      prefix = var.landing_prefix
    }

    noncurrent_version_expiration {
      noncurrent_days = var.noncurrent_version_retention_days
    }

    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }
  }

  depends_on = [aws_s3_bucket_versioning.landing]
}

resource "aws_s3_bucket_logging" "landing" {
  bucket        = aws_s3_bucket.landing.id
  target_bucket = aws_s3_bucket.access_logs.id
  target_prefix = "s3/${var.bucket_name}/"
}

data "aws_iam_policy_document" "landing_bucket" {
  statement {
    sid     = "DenyInsecureTransport"
    effect  = "Deny"
    actions = ["s3:*"]
    resources = [
      aws_s3_bucket.landing.arn,
      "${aws_s3_bucket.landing.arn}/*",
    ]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_s3_bucket_policy" "landing" {
  bucket = aws_s3_bucket.landing.id
  policy = data.aws_iam_policy_document.landing_bucket.json

  depends_on = [aws_s3_bucket_public_access_block.landing]
}

# --- server access logs ----------------------------------------------------------------

resource "aws_s3_bucket" "access_logs" {
  #checkov:skip=CKV_AWS_144:Access logs are operational records with a retention limit; a second region is not needed.
  #checkov:skip=CKV_AWS_145:S3 server access logging delivers only to buckets encrypted with SSE-S3 (AES256), not SSE-KMS.
  #checkov:skip=CKV2_AWS_62:Nothing consumes log-delivery events; event notifications would only add noise.
  bucket = local.log_bucket_name
}

resource "aws_s3_bucket_ownership_controls" "access_logs" {
  bucket = aws_s3_bucket.access_logs.id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_public_access_block" "access_logs" {
  bucket = aws_s3_bucket.access_logs.id

  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_versioning" "access_logs" {
  bucket = aws_s3_bucket.access_logs.id

  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "access_logs" {
  bucket = aws_s3_bucket.access_logs.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "access_logs" {
  bucket = aws_s3_bucket.access_logs.id

  rule {
    id     = "access-logs-expire"
    status = "Enabled"

    filter {
      prefix = ""
    }

    expiration {
      days = var.access_log_retention_days
    }

    noncurrent_version_expiration {
      noncurrent_days = 1
    }

    abort_incomplete_multipart_upload {
      days_after_initiation = 1
    }
  }

  depends_on = [aws_s3_bucket_versioning.access_logs]
}

data "aws_iam_policy_document" "access_logs" {
  statement {
    sid       = "S3ServerAccessLogDelivery"
    effect    = "Allow"
    actions   = ["s3:PutObject"]
    resources = ["${aws_s3_bucket.access_logs.arn}/s3/*"]

    principals {
      type        = "Service"
      identifiers = ["logging.s3.amazonaws.com"]
    }

    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = [aws_s3_bucket.landing.arn]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }

  statement {
    sid     = "DenyInsecureTransport"
    effect  = "Deny"
    actions = ["s3:*"]
    resources = [
      aws_s3_bucket.access_logs.arn,
      "${aws_s3_bucket.access_logs.arn}/*",
    ]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_s3_bucket_policy" "access_logs" {
  bucket = aws_s3_bucket.access_logs.id
  policy = data.aws_iam_policy_document.access_logs.json

  depends_on = [aws_s3_bucket_public_access_block.access_logs]
}
