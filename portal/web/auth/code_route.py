"""Sign in with NHS number, date of birth and postcode, then a one-time code (DESIGN.md 4).

The three details are asked on one page because they are matched together: a mismatch says
only that the details do not match (never which one), and nothing typed is carried between
pages.

Limits on the details page, and the threat each one answers:

- ``DETAILS_PER_NUMBER_AND_ADDRESS`` (10 an hour for one NHS number from one client address,
  every attempt): slows one person guessing a patient's date of birth and postcode.
- ``per_address`` (``RATELIMIT_SIGN_IN_PER_ADDRESS``): slows one address trying many numbers.
- ``DETAILS_FAILURES_PER_NUMBER`` (100 an hour for one NHS number from anywhere, failed
  attempts only): slows guessing spread over many addresses.

A limit counted per NHS number alone, over every attempt, would let anyone who knows a
patient's NHS number (it is printed on letters and prescriptions) lock that patient out of
signing in by typing wrong details 10 times. Here a stranger's attempts fill only their own
(number, address) bucket; to block the real person they would need 100 failures from at least
10 addresses within the hour, and even a correct guess only sends a code to the patient's own
email or mobile. Code entry and re-sending stay keyed on the number whose code is pending:
only someone who matched all three details reaches them.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import uuid
from datetime import UTC, datetime

from flask import current_app, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_limiter.util import get_remote_address
from werkzeug.wrappers import Response

from portal.access import public
from portal.domain.nhs_number import NhsNumber
from portal.extensions import db, limiter
from portal.security import no_store
from portal.services import delivery, identity, one_time_codes
from portal.services.one_time_codes import CodeStatus
from portal.web.auth import bp, landing_page, viewer
from portal.web.auth.forms import CodeForm, DetailsForm, ResendForm

log = logging.getLogger(__name__)
CODE_ID, CODE_TO, CODE_KEY, DEV_CODE, NOTICE = "code_id", "code_to", "code_key", "dev_code", "code_notice"
DETAILS_PER_NUMBER_AND_ADDRESS, DETAILS_FAILURES_PER_NUMBER = "10 per hour", "100 per hour"
CODE_PER_NUMBER, RESEND_PER_NUMBER = "20 per hour", "6 per hour"


def per_address() -> str:
    """The limit per client address on each sign-in form (``RATELIMIT_SIGN_IN_PER_ADDRESS``)."""
    return current_app.config["RATELIMIT_SIGN_IN_PER_ADDRESS"]


def _keyed(text: str) -> str:
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret, text.encode(), hashlib.sha256).hexdigest()[:32]


def _typed_number() -> str:
    return "".join(ch for ch in request.form.get("nhs_number", "") if ch.isdigit())


def nhs_number_key() -> str:
    """Rate-limit key for the NHS number typed (keyed hash: no NHS number in the store)."""
    typed = _typed_number()
    return "nhs:" + (_keyed(typed) if typed else "none")


def nhs_number_and_address_key() -> str:
    """Rate-limit key for the NHS number typed from this client address (keyed hash)."""
    return "nhs-address:" + _keyed(f"{_typed_number()}|{get_remote_address()}")


def _details_failed(response: Response) -> bool:
    """A details attempt that did not send a code: the form shown again (200)."""
    return response.status_code == 200


def pending_number_key() -> str:
    """Rate-limit key for the NHS number whose code is being entered or re-sent."""
    return "nhs:" + (session.get(CODE_KEY) or "none")


def _sender() -> delivery.Sender | None:
    return delivery.build_sender(current_app.config)


def _now() -> datetime:
    return datetime.now(UTC)


@bp.route("/sign-in/your-details", methods=["GET", "POST"])
@public
@no_store
@limiter.limit(DETAILS_PER_NUMBER_AND_ADDRESS, key_func=nhs_number_and_address_key, methods=["POST"])
@limiter.limit(DETAILS_FAILURES_PER_NUMBER, key_func=nhs_number_key, methods=["POST"], deduct_when=_details_failed)
@limiter.limit(per_address, methods=["POST"])
def code_details() -> str | Response | tuple[str, int]:
    sender = _sender()
    if sender is None:
        return redirect(url_for("auth.sign_in"))
    form = DetailsForm()
    if form.validate_on_submit():
        number: NhsNumber = form.nhs_number.nhs_number
        patient = one_time_codes.find_patient(db.session, number, form.date_of_birth.data, form.postcode.data)
        if patient is not None:
            try:
                issued = one_time_codes.send_code(db.session, patient, sender, current_app.config["SECRET_KEY"], _now())
            except one_time_codes.NoContactDetails:
                db.session.commit()
                return redirect(url_for("auth.code_no_contact"))
            except delivery.DeliveryFailed:
                db.session.rollback()
                log.error("one-time code not delivered")
                return render_template("auth/unavailable.html", sending=True), 503
            db.session.commit()
            _remember(issued, _keyed(number.value))
            return redirect(url_for("auth.code_enter"))
        db.session.commit()
        form.form_errors.append(_("We could not find your details. Check your NHS number, date of birth and postcode, then try again"))
    return render_template("auth/your-details.html", form=form)


def _remember(issued: one_time_codes.IssuedCode, number_key: str) -> None:
    session[CODE_ID], session[CODE_TO], session[CODE_KEY] = str(issued.id), issued.destination_masked, number_key
    if issued.display_code:
        session[DEV_CODE] = issued.display_code
    else:
        session.pop(DEV_CODE, None)


def _pending_code() -> uuid.UUID | None:
    try:
        return uuid.UUID(session.get(CODE_ID, ""))
    except ValueError:
        return None


def _forget_code() -> None:
    for key in (CODE_ID, CODE_TO, CODE_KEY, DEV_CODE, NOTICE):
        session.pop(key, None)


def _render_code_page(form: CodeForm, status: int = 200) -> tuple[str, int]:
    return render_template("auth/enter-code.html", form=form, resend=ResendForm(),
                           destination=session.get(CODE_TO), dev_code=session.get(DEV_CODE),
                           notice=session.pop(NOTICE, None)), status


@bp.route("/sign-in/enter-code", methods=["GET", "POST"])
@public
@no_store
@limiter.limit(CODE_PER_NUMBER, key_func=pending_number_key, methods=["POST"])
@limiter.limit(per_address, methods=["POST"])
def code_enter() -> str | Response | tuple[str, int]:
    code_id = _pending_code()
    if code_id is None:
        return redirect(url_for("auth.code_details"))
    form = CodeForm()
    if not form.validate_on_submit():
        return _render_code_page(form)
    check = one_time_codes.check_code(db.session, code_id, form.code.data, current_app.config["SECRET_KEY"], _now())
    if check.status is CodeStatus.OK and check.patient_id is not None:
        account = identity.account_for_code_route(db.session, check.patient_id, _now())
        viewer.start(account_id=account.id, level="P5", route=identity.CODE_ROUTE,
                     self_patient_id=check.patient_id, subject_patient_id=check.patient_id)
        db.session.commit()
        return redirect(landing_page())
    db.session.commit()
    if check.status in (CodeStatus.LOCKED, CodeStatus.UNKNOWN):
        _forget_code()
        return redirect(url_for("auth.code_too_many"))
    form.code.data = ""
    if check.status is CodeStatus.EXPIRED:
        form.code.errors.append(_("This code has expired. Ask for a new code"))
    else:
        form.code.errors.append(ngettext("The code is not right. You have %(num)d try left",
                                         "The code is not right. You have %(num)d tries left", check.tries_left))
    return _render_code_page(form)


@bp.post("/sign-in/resend-code")
@public
@no_store
@limiter.limit(RESEND_PER_NUMBER, key_func=pending_number_key)
@limiter.limit(per_address)
def code_resend() -> str | Response | tuple[str, int]:
    code_id, sender = _pending_code(), _sender()
    if code_id is None or sender is None or not ResendForm().validate_on_submit():
        return redirect(url_for("auth.code_details"))
    try:
        issued = one_time_codes.resend_code(db.session, code_id, sender, current_app.config["SECRET_KEY"], _now())
    except one_time_codes.ResendTooSoon as wait:
        session[NOTICE] = ngettext("You can ask for a new code in %(num)d second",
                                   "You can ask for a new code in %(num)d seconds", wait.seconds)
        return redirect(url_for("auth.code_enter"))
    except (one_time_codes.TooManySends, one_time_codes.NoContactDetails):
        _forget_code()
        return redirect(url_for("auth.code_too_many"))
    except delivery.DeliveryFailed:
        db.session.rollback()
        return render_template("auth/unavailable.html", sending=True), 503
    db.session.commit()
    _remember(issued, session.get(CODE_KEY, ""))
    session[NOTICE] = _("We have sent a new code. The old code no longer works.")
    return redirect(url_for("auth.code_enter"))


@bp.get("/sign-in/no-contact-details")
@public
@no_store
def code_no_contact() -> str:
    return render_template("auth/no-contact-details.html")


@bp.get("/sign-in/start-again")
@public
@no_store
def code_too_many() -> str:
    return render_template("auth/too-many-tries.html")
