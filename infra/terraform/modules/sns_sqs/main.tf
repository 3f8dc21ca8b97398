# Spec 5.1 item 3: S3 -> SNS -> SQS -> Snowpipe. The bucket announces objects created under
# transactions/streaming/ on an encrypted SNS topic; Snowflake's per-account SQS queue (the
# pipe's notification_channel) subscribes to it. The topic accepts messages from this bucket
# in this account only, and subscriptions from Snowflake's IAM user only.

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  partition  = data.aws_partition.current.partition
}

# --- topic encryption key ---------------------------------------------------------------

data "aws_iam_policy_document" "topic_key" {
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

  # S3 must encrypt what it publishes to the (encrypted) topic.
  statement {
    sid       = "LandingBucketPublishesEncrypted"
    effect    = "Allow"
    actions   = ["kms:GenerateDataKey*", "kms:Decrypt"]
    resources = ["*"]

    principals {
      type        = "Service"
      identifiers = ["s3.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }

    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = [var.bucket_arn]
    }
  }
}

resource "aws_kms_key" "topic" {
  description             = "c360 ${var.topic_name}: SNS topic encryption"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy                  = data.aws_iam_policy_document.topic_key.json
}

resource "aws_kms_alias" "topic" {
  name          = "alias/${var.topic_name}"
  target_key_id = aws_kms_key.topic.key_id
}

# --- the topic --------------------------------------------------------------------------

resource "aws_sns_topic" "landing_events" {
  name              = var.topic_name
  kms_master_key_id = aws_kms_key.topic.arn
}

data "aws_iam_policy_document" "topic" {
  statement {
    sid       = "LandingBucketPublishes"
    effect    = "Allow"
    actions   = ["sns:Publish"]
    resources = [aws_sns_topic.landing_events.arn]

    principals {
      type        = "Service"
      identifiers = ["s3.amazonaws.com"]
    }

    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = [var.bucket_arn]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }

  # SYSTEM$GET_AWS_SNS_IAM_POLICY('<topic arn>') returns exactly this statement.
  dynamic "statement" {
    for_each = var.snowflake_sns_principal_arn == null ? [] : [var.snowflake_sns_principal_arn]

    content {
      sid       = "SnowflakeSubscribesSnowpipeQueue"
      effect    = "Allow"
      actions   = ["sns:Subscribe"]
      resources = [aws_sns_topic.landing_events.arn]

      principals {
        type        = "AWS"
        identifiers = [statement.value]
      }
    }
  }
}

resource "aws_sns_topic_policy" "landing_events" {
  arn    = aws_sns_topic.landing_events.arn
  policy = data.aws_iam_policy_document.topic.json
}

# --- bucket -> topic --------------------------------------------------------------------

resource "aws_s3_bucket_notification" "streaming" {
  bucket = var.bucket_name

  topic {
    id            = "c360-streaming-transactions"
    topic_arn     = aws_sns_topic.landing_events.arn
    events        = ["s3:ObjectCreated:*"]
    filter_prefix = var.streaming_prefix
  }

  # S3 checks at once that it may publish.
  depends_on = [aws_sns_topic_policy.landing_events]
}

# --- topic -> Snowpipe's queue (optional) -----------------------------------------------

# A pipe created with AWS_SNS_TOPIC subscribes its queue itself. Set snowpipe_sqs_queue_arn
# (SHOW PIPES' notification_channel) to hold that subscription in Terraform state as well;
# SNS returns the same subscription for the same endpoint, so nothing is delivered twice.
resource "aws_sns_topic_subscription" "snowpipe" {
  count = var.snowpipe_sqs_queue_arn == null ? 0 : 1

  topic_arn = aws_sns_topic.landing_events.arn
  protocol  = "sqs"
  endpoint  = var.snowpipe_sqs_queue_arn
}
