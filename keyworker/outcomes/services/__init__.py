"""Outcomes writes, one module per part: scales and readings, milestones and spells, mentoring, letters."""
from keyworker.outcomes.services.funder_reports import *  # noqa: F403
from keyworker.outcomes.services.jdl import *  # noqa: F403
from keyworker.outcomes.services.letters import *  # noqa: F403
from keyworker.outcomes.services.mentoring import *  # noqa: F403
from keyworker.outcomes.services.milestones import *  # noqa: F403
from keyworker.outcomes.services.readings import *  # noqa: F403
