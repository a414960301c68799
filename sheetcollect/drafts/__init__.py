"""Reminder drafts: one message per customer with an action due, worded for its stage.

    plan_drafts(report, settings)            -> (drafts, problems)   rendered, nothing written
    write_drafts(report, settings, out_dir)  -> (drafts, problems)   .eml drafts or letters

A customer gets a draft when one of their invoices has an action due (stage other than
"none" and next action date on or before as_of) or a broken promise / missed instalment.
The draft lists every open invoice of theirs with totals per currency. Its kind is
``escalate`` if a due invoice is at escalation, else ``promise_broken`` if a promise was
broken, else the highest due stage among the other invoices, else ``plan_missed``. An
``escalate`` draft comes with a second one, ``escalate_handover``, for the agency.

Errors (``TemplateError`` joins the tree of ``core/errors.py``)::

    SheetcollectError
    ├── ConfigError        bad DraftSettings value, unknown kind, templates_dir not a folder
    └── TemplateError      template missing or broken, unknown field, sandbox violation

A bad e-mail cell is not an error: the customer gets a letter and a ``Problem`` names the cell.
"""

from .compose import call_scripts, plan_drafts, write_drafts
from .context import instalment_schedule
from .model import CHASE_KINDS, KINDS, ON_REQUEST_KINDS, Draft, DraftSettings, TemplateError

__all__ = [
    "CHASE_KINDS",
    "KINDS",
    "ON_REQUEST_KINDS",
    "Draft",
    "DraftSettings",
    "TemplateError",
    "call_scripts",
    "instalment_schedule",
    "plan_drafts",
    "write_drafts",
]
