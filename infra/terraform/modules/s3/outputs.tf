output "bucket_name" {
  description = "The landing bucket's name."
  value       = aws_s3_bucket.landing.id
}

output "bucket_arn" {
  description = "The landing bucket's ARN (the IAM policy and the SNS topic policy refer to it)."
  value       = aws_s3_bucket.landing.arn
}

output "kms_key_arn" {
  description = "The key that encrypts the bucket's objects: readers need kms:Decrypt, writers kms:GenerateDataKey."
  value       = aws_kms_key.landing.arn
}

output "landing_url" {
  description = "s3://<bucket>/<prefix>: the storage integration's allowed location and the landing stage's URL."
  value       = "s3://${aws_s3_bucket.landing.id}/${var.landing_prefix}"
}

output "streaming_prefix" {
  description = "Key prefix of the hourly files that Snowpipe auto-ingests."
  value       = local.streaming_prefix
}

output "access_log_bucket_name" {
  description = "Where S3 server access logs of the landing bucket go."
  value       = aws_s3_bucket.access_logs.id
}
