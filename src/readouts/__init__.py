"""readouts: structured, auditable event data from diplomatic readouts."""
from readouts.records import (
    CleanDocument,
    Engagement,
    IngestError,
    Issue,
    Location,
    ThirdParty,
    Participant,
    PlannedEngagement,
    RawDocument,
    Readout,
    Span,
    Statement,
)

__version__ = "0.1.0"

__all__ = [
    "CleanDocument",
    "Engagement",
    "IngestError",
    "Issue",
    "Location",
    "ThirdParty",
    "Participant",
    "PlannedEngagement",
    "RawDocument",
    "Readout",
    "Span",
    "Statement",
    "__version__",
]
