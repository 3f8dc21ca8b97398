# The role Snowflake's storage integration assumes (spec 5.1 item 2): trusted by
# Snowflake's IAM user only, with the integration's external id (no confused deputy), and
# allowed to read below the landing prefix and nothing else — no write, no delete.

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

locals {
  # Until DESC INTEGRATION has been read, the role trusts only this account, with an
  # external id nobody outside knows: nothing can assume it from Snowflake yet.
  pending           = var.snowflake_iam_user_arn == null
  trusted_principal = local.pending ? "arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:root" : var.snowflake_iam_user_arn
  external_id       = local.pending ? "c360-pending-snowflake-integration" : var.snowflake_external_id
  objects_arn       = "${var.bucket_arn}/${var.landing_prefix}*"
}

data "aws_iam_policy_document" "trust" {
  statement {
    sid     = "SnowflakeStorageIntegration"
    effect  = "Allow"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "AWS"
      identifiers = [local.trusted_principal]
    }

    condition {
      test     = "StringEquals"
      variable = "sts:ExternalId"
      values   = [local.external_id]
    }
  }
}

resource "aws_iam_role" "snowflake" {
  name                 = var.role_name
  description          = "Assumed by the c360 Snowflake storage integration to read the landing zone."
  assume_role_policy   = data.aws_iam_policy_document.trust.json
  max_session_duration = 3600

  lifecycle {
    precondition {
      condition     = (var.snowflake_iam_user_arn == null) == (var.snowflake_external_id == null)
      error_message = "Set snowflake_iam_user_arn and snowflake_external_id together (both from DESC INTEGRATION), or neither."
    }
  }
}

data "aws_iam_policy_document" "read_landing" {
  statement {
    sid       = "ReadLandingObjects"
    effect    = "Allow"
    actions   = ["s3:GetObject", "s3:GetObjectVersion"]
    resources = [local.objects_arn]
  }

  statement {
    sid       = "ListLandingPrefix"
    effect    = "Allow"
    actions   = ["s3:ListBucket"]
    resources = [var.bucket_arn]

    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = ["${var.landing_prefix}*"]
    }
  }

  statement {
    sid       = "LocateBucket"
    effect    = "Allow"
    actions   = ["s3:GetBucketLocation"]
    resources = [var.bucket_arn]
  }

  statement {
    sid       = "DecryptLandingObjects"
    effect    = "Allow"
    actions   = ["kms:Decrypt"]
    resources = [var.kms_key_arn]

    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["s3.${var.aws_region}.amazonaws.com"]
    }
  }
}

resource "aws_iam_role_policy" "read_landing" {
  name   = "c360-read-landing-zone"
  role   = aws_iam_role.snowflake.id
  policy = data.aws_iam_policy_document.read_landing.json
}
