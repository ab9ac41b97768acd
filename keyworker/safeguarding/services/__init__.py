"""Safeguarding writes, one module per part: access rules, break-glass, area concerns and the safety profile
(access); concerns and third-party records (concerns); DASH, MARAC and NRM (assessments); risk reviews and
safety plans (risk); the disclosure scanner's lists (scanner); the on-call rota and crisis calls (on_call)."""

from keyworker.safeguarding.services.access import *  # noqa: F403
from keyworker.safeguarding.services.assessments import *  # noqa: F403
from keyworker.safeguarding.services.concerns import *  # noqa: F403
from keyworker.safeguarding.services.on_call import *  # noqa: F403
from keyworker.safeguarding.services.risk import *  # noqa: F403
from keyworker.safeguarding.services.scanner import *  # noqa: F403
from keyworker.safeguarding.services.sharing import *  # noqa: F403
