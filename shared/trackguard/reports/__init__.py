"""The daily flagged-order report: its model and its JSON, CSV and HTML renderings."""
