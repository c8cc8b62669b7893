"""Importers for the city's own files: BPD arrests and case-management referrals.

``python -m ingest arrests FILE`` and ``python -m ingest referrals FILE`` and the staff import page
all call :func:`import_arrests` / :func:`import_referrals`, which return an :class:`ImportReport`
or raise :class:`ImportRejected` (the database then unchanged).
"""

from ingest.importers.arrests import import_arrests
from ingest.importers.read import ImportRejected
from ingest.importers.referrals import import_referrals
from ingest.importers.report import ImportReport
from ingest.importers.upload import import_bytes

__all__ = ["ImportRejected", "ImportReport", "import_arrests", "import_bytes", "import_referrals"]
