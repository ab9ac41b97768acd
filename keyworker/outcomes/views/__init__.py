"""Outcomes pages, one module per part (the same parts as selectors/)."""
