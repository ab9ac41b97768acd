"""Safeguarding pages, one module per part (the same parts as services/)."""
