terraform {
  # Spec appendix A: Terraform 1.6+ (strcontains needs 1.5; preconditions 1.2).
  required_version = ">= 1.6"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.40, < 7.0"
    }
  }
}
