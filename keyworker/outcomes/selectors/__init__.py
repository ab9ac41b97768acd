"""Outcomes reads, one module per part: mentees (a mentor's view), scales and readings, milestones, mentoring,
letters. All through core.policy."""

from keyworker.outcomes.selectors.funder_reports import *  # noqa: F403
from keyworker.outcomes.selectors.jdl import *  # noqa: F403
from keyworker.outcomes.selectors.letters import *  # noqa: F403
from keyworker.outcomes.selectors.mentees import *  # noqa: F403
from keyworker.outcomes.selectors.mentoring import *  # noqa: F403
from keyworker.outcomes.selectors.milestones import *  # noqa: F403
from keyworker.outcomes.selectors.readings import *  # noqa: F403
