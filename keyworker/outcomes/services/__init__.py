"""Outcomes writes, one module per part: scales and readings, milestones and spells, mentoring, letters."""
