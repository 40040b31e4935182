"""Developer tooling for trackguard: the local stack and its sandboxes, the demo and the CLI.

None of it is deployed: the Lambda layer is `shared/trackguard/` alone, and nothing there imports this
package.
"""
