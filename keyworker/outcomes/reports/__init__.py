"""Funder reports: a funding stream's figures over a period, aggregates only (funder.py builds them, shape.py
is the report as tables, render.py writes CSV, XLSX and PDF from those tables)."""
