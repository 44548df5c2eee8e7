"""``POST /api/v1/ai-decision-checks?tool=<slug>&purpose=<purpose>``: a CSV of NHS numbers
in, a CSV of decisions out, streamed, one row per input row in the same order.

Scope ``system/Consent.read``. The audit event (one, listing every known patient) is
committed before the first byte is sent. Errors (problem documents): 400 ``missing-parameter``,
``unknown-tool``, ``unknown-purpose``, ``purpose-not-served``, ``invalid-csv``; 413
``body-too-large`` or ``too-many-rows``; 415 ``unsupported-media-type``.
"""

from __future__ import annotations

from collections.abc import Iterator

from flask import Blueprint, Response, request

from portal.api import problems
from portal.api.common import check_query, parse_purpose, route_template
from portal.api.oauth import current_client, require_scopes
from portal.extensions import db
from portal.security import mark_no_store
from portal.services import batch_checks
from portal.services.api_clients import CONSENT_READ
from portal.services.batch_checks import BatchResult
from portal.services.decision_reads import ReadContext, UnknownTool

bp = Blueprint("api_batch", __name__, url_prefix="/api/v1")
MAX_BODY_BYTES = 32 * 1024 * 1024
ROWS_PER_CHUNK = 5000
COLUMNS = ("row", "nhs_number", "decision", "basis", "reason")


def _body_text() -> str:
    if request.mimetype != "text/csv":
        raise problems.unsupported_media_type("text/csv")
    charset = (request.mimetype_params.get("charset") or "utf-8").lower()
    if charset not in ("utf-8", "utf8"):
        raise problems.unsupported_media_type("text/csv; charset=utf-8")
    if (request.content_length or 0) > MAX_BODY_BYTES:
        raise problems.too_large(f"Send at most {MAX_BODY_BYTES // (1024 * 1024)} MB of CSV.")
    raw = request.stream.read(MAX_BODY_BYTES + 1)
    if len(raw) > MAX_BODY_BYTES:
        raise problems.too_large(f"Send at most {MAX_BODY_BYTES // (1024 * 1024)} MB of CSV.")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise problems.ApiProblem(400, "invalid-csv", "The body is not UTF-8 CSV",
                                  "Save the file as CSV UTF-8.") from None


def _stream(result: BatchResult) -> Iterator[str]:
    """The answer as CSV in chunks of ``ROWS_PER_CHUNK`` rows (``BatchResult.csv_chunks``)."""
    return result.csv_chunks(COLUMNS, ROWS_PER_CHUNK)


@bp.post("/ai-decision-checks")
@require_scopes(CONSENT_READ)
def decision_checks():  # type: ignore[no-untyped-def]
    check_query({"tool", "purpose"})
    tool = request.args.get("tool")
    if not tool:
        raise problems.missing_parameter("tool")
    purpose = parse_purpose(request.args.get("purpose"))
    if purpose is None:
        raise problems.missing_parameter("purpose")
    text = _body_text()
    context = ReadContext(current_client(), route_template())
    try:
        result = batch_checks.prepare(db.session, context, text, tool, purpose)
    except UnknownTool as error:
        raise problems.unknown_tool(error.slug) from None
    except batch_checks.PurposeNotServed:
        raise problems.ApiProblem(400, "purpose-not-served", "The tool does not serve this purpose",
                                  f"'{tool[:80]}' is not used for {purpose.value}.") from None
    except batch_checks.TooManyRows:
        raise problems.too_many_rows(batch_checks.MAX_ROWS) from None
    db.session.commit()  # the audit is durable before the first byte is sent
    response = Response(_stream(result), mimetype="text/csv")
    response.headers["X-Rows"] = str(result.rows_total)
    return mark_no_store(response)
