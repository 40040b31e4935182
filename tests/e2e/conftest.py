"""The e2e suite's stacks: the fixture app and the real template, each booted once per session."""

from tests.support.stacks import fixture_stack, real_stack

__all__ = ["fixture_stack", "real_stack"]
