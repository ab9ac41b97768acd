"""Diary writes, one module per part: appointments, lone working, calendar feeds, reminders."""

from keyworker.diary.services.appointments import *  # noqa: F403
