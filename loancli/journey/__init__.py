"""The applicant journey: steps in order, each a function of (journey, applicant) -> outcome.

Nothing here touches the terminal: questions go to an :class:`~loancli.asking.Asker`, the
outside world is reached through fake providers, time is the simulated clock.
"""

from loancli.journey.core import Journey, Stop
from loancli.journey.runner import STEP_NAMES, resume_journey, start_journey

__all__ = ["Journey", "Stop", "STEP_NAMES", "start_journey", "resume_journey"]
