"""Official documents issued from cases — 出国（境）任务批件 (`trip_batch`) and 签证通知函
(`visa_notice`) — as PDFs with a public verification code. No Flask here.

    kinds     the kinds, the case-data field holding each one's number, the field snapshot
    wording   printed words for stored codes (countries, sex, visa types…) and Chinese dates
    render    Jinja templates (templates/) → WeasyPrint PDF with Noto CJK fonts and a QR code
    codes     verification codes (10 characters of Crockford base32 from `secrets`)
    files     where the PDFs live: <WAISHI_DATA_DIR>/documents/, outside the web root
    service   DocumentService: issue / issue_due / regenerate (audited case commands),
              for_case / get / pdf (case readers), public / lookup / check (anyone)
"""

from engine.documents.kinds import KINDS
from engine.documents.service import DocumentService, DocumentView, Issued, PublicDocument, Regenerated, Verdict

__all__ = ["KINDS", "DocumentService", "DocumentView", "Issued", "PublicDocument", "Regenerated", "Verdict"]
