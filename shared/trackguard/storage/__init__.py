"""The only code that talks to DynamoDB. The single-table design is written up in docs/data-model.md."""
