"""Safeguarding reads, one module per part (the same parts as services/), all through core.policy."""

from keyworker.safeguarding.selectors.access import *  # noqa: F403
