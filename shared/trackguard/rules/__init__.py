"""Every CONTRACT §4 rule as a pure function of one order's facts.

A rule returns a finding for each (package, code) whose condition holds *now*: the caller raises a flag
for each new finding and resolves the open flags whose finding has disappeared.
"""
