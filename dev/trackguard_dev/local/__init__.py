"""The local stack: the template's resources and routes on one laptop, no Docker, no AWS account."""
