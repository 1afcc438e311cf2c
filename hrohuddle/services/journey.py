"""A report's journey back to its reporter: the five modes of feedback of Benn et al.

Benn J, Koutantji M, Wallace L, et al. Feedback from incident reporting: information
and action to improve patient safety. Qual Saf Health Care 2009;18:11-21. A reporting
system owes its reporters acknowledgement, a rapid local fix, shared learning,
word of what was done and lasting system change. Each is a dated step of the report
(``ReportStep``) with a sentence written for the reporter.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from hrohuddle.store.models import ReportStep

#: The steps in the order a report usually travels them.
STEPS = ("acknowledged", "local_fix", "shared", "action", "system_change")

#: The sentence every report's first step says (as revision 0009 wrote for earlier ones).
ACKNOWLEDGED = "Your report reached the unit's reviewers. Thank you for speaking up."


def acknowledge(s: Session, event_id: int, on: dt.date) -> None:
    """The automatic first step, inside the transaction that stores the report."""
    s.add(ReportStep(event_id=event_id, step="acknowledged", on_date=on, sentence=ACKNOWLEDGED))
