"""Diary reads, one module per part: appointments and My week, lone working, calendar feeds."""

from keyworker.diary.selectors.appointments import *  # noqa: F403
