"""Safeguarding reads, one module per part (the same parts as services/), all through core.policy."""

from keyworker.safeguarding.selectors.access import *  # noqa: F403
from keyworker.safeguarding.selectors.assessments import *  # noqa: F403
from keyworker.safeguarding.selectors.concerns import *  # noqa: F403
from keyworker.safeguarding.selectors.on_call import *  # noqa: F403
from keyworker.safeguarding.selectors.risk import *  # noqa: F403
from keyworker.safeguarding.selectors.scanner import *  # noqa: F403
