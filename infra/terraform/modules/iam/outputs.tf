output "role_arn" {
  description = "STORAGE_AWS_ROLE_ARN of the storage integration."
  value       = aws_iam_role.snowflake.arn
}

output "role_name" {
  description = "Name of the role."
  value       = aws_iam_role.snowflake.name
}

output "trust_pending" {
  description = "True while the role does not trust Snowflake yet (snowflake_iam_user_arn unset)."
  value       = local.pending
}
