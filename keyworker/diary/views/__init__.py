"""Diary pages, one module per part: appointments and weeks, lone working, calendar feeds."""
