"""HRO Huddle: a unit's safety huddles, event capture, HRO checklists,
learner observations and onboarding pulses."""

__version__ = "0.1.0"
APP_NAME = "HRO Huddle"
APP_ID = "hrohuddle"
