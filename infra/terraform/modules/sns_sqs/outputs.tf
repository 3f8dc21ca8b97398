output "topic_arn" {
  description = "AWS_SNS_TOPIC of the auto-ingest pipe (infra/snowflake/05)."
  value       = aws_sns_topic.landing_events.arn
}

output "subscription_arn" {
  description = "The Terraform-managed subscription of Snowpipe's queue, or null."
  value       = one(aws_sns_topic_subscription.snowpipe[*].arn)
}
