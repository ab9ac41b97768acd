"""Subject access requests (issue 10): the deadline rules, who may see and do what (the data protection officer
only; everyone else 404), bad input changing nothing, the build job with its progress and its failure, sending
(which writes the person's disclosure log), withdrawing, the officer's list, and `keyworker sar export --request`."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from keyworker.audit.models import AuditAction, AuditEvent
from keyworker.core.errors import ConcurrentEdit, NotFound, ValidationFailed
from keyworker.core.testing import ClientFactory, ContactFactory, run_tasks, signed_in
from keyworker.privacy.models import Disclosure, SarStatus, SubjectAccessRequest
from keyworker.privacy.sar import build as sar_build
from keyworker.privacy.sar import services
from keyworker.privacy.sar.services import (
    SAR_BASIS,
    SAR_RECIPIENT,
    extension_limit,
    extension_problems,
    sar_due_on,
)

pytestmark = pytest.mark.django_db


# ------------------------------------------------------------------------------------- the deadline (pure)


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (dt.date(2026, 1, 31), dt.date(2026, 2, 28)),
        (dt.date(2028, 1, 31), dt.date(2028, 2, 29)),  # a leap year
        (dt.date(2026, 1, 15), dt.date(2026, 2, 15)),
        (dt.date(2026, 3, 31), dt.date(2026, 4, 30)),
        (dt.date(2026, 12, 31), dt.date(2027, 1, 31)),
    ],
)
def test_one_calendar_month(received: dt.date, due: dt.date) -> None:
    assert sar_due_on(received) == due


def _last_day(year: int, month: int) -> int:
    following = dt.date(year + (month == 12), month % 12 + 1, 1)
    return (following - dt.timedelta(days=1)).day


@given(st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2090, 12, 31)))
def test_the_deadline_is_the_same_day_next_month_or_its_last_day(received: dt.date) -> None:
    due = sar_due_on(received)
    month, year = received.month % 12 + 1, received.year + (received.month == 12)
    assert (due.year, due.month) == (year, month)
    assert due.day == min(received.day, _last_day(year, month))
    assert 28 <= (due - received).days <= 31


@given(st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2090, 12, 31)), st.integers(1, 120))
def test_an_extension_is_at_most_two_further_months(received: dt.date, days: int) -> None:
    due = sar_due_on(received)
    limit = extension_limit(due)
    assert 59 <= (limit - due).days <= 62
    asked = due + dt.timedelta(days=days)
    problems = extension_problems(due_on=due, current=due, extended_to=asked, reason="Complex: many records.")
    assert (problems == {}) == (asked <= limit)
    # No reason, no extension; never to the current deadline or before it.
    assert "extension_reason" in extension_problems(due_on=due, current=due, extended_to=limit, reason=" ")
    assert "extended_to" in extension_problems(due_on=due, current=due, extended_to=due, reason="Complex.")


# ----------------------------------------------------------------------------------------------- helpers


def _request(p: Any, **fields: Any) -> SubjectAccessRequest:
    client = fields.pop("client", None) or p.client_of(p.you, first_name="Dwayne", last_name="Example")
    received = fields.pop("received_on", timezone.localdate() - dt.timedelta(days=3))
    return services.sar_request_start(
        actor=p.data_protection_officer,
        client=client,
        received_on=received,
        how_received=fields.pop("how_received", "By letter"),
        identity_checked=fields.pop("identity_checked", "Known to his caseworker"),
    )


def _built(p: Any, **fields: Any) -> SubjectAccessRequest:
    sar = _request(p, **fields)
    services.sar_request_build(actor=p.data_protection_officer, request=sar)
    run_tasks()
    sar.refresh_from_db()
    assert sar.status == SarStatus.READY, sar.error
    return sar


def _state(sar: SubjectAccessRequest) -> tuple:
    sar.refresh_from_db()
    return (sar.status, sar.version, sar.extended_to, sar.extension_reason, sar.sent_on, sar.sent_how)


# ------------------------------------------------------------------------------------------ who may see it


def test_request_pages_by_persona(personas: Any) -> None:
    p = personas
    sar = _built(p)
    urls_get = [
        reverse("privacy:sar_list"),
        reverse("privacy:sar_new"),
        reverse("privacy:sar_new") + f"?client={sar.client_id}",
        reverse("privacy:sar_detail", args=[sar.pk]),
        reverse("privacy:sar_download", args=[sar.pk, "pdf"]),
        reverse("privacy:sar_download", args=[sar.pk, "json"]),
    ]
    urls_post = [
        reverse(f"privacy:{name}", args=[sar.pk]) for name in ("sar_extend", "sar_build", "sar_send", "sar_withdraw")
    ]
    before = _state(sar)
    for name, user in {**p.everyone(), "peer_mentor": p.peer_mentor}.items():
        http = signed_in(user)
        for url in urls_get:
            assert http.get(url).status_code == 404, (name, url)
        for url in urls_post:
            data = {"version": sar.version, "sent_on": "2026-01-01", "sent_how": "post", "extended_to": "2099-01-01"}
            assert http.post(url, data).status_code == 404, (name, url)
        with pytest.raises(NotFound):
            services.sar_request_build(actor=user, request=sar)
    assert _state(sar) == before
    assert not Disclosure.objects.filter(client=sar.client).exists()
    dpo = signed_in(p.data_protection_officer)
    for url in urls_get:
        assert dpo.get(url).status_code == 200, url
    assert dpo.get(reverse("privacy:sar_download", args=[sar.pk, "xml"])).status_code == 404


# ----------------------------------------------------------------------------------------- starting one


def test_the_officer_finds_anyone_and_records_the_request(personas: Any) -> None:
    p = personas
    # Nobody's caseload: the officer finds him all the same, with his date of birth to tell him apart.
    client = ClientFactory(first_name="Marlon", last_name="Fictional", date_of_birth=dt.date(2004, 5, 17))
    ClientFactory(first_name="Marlon", last_name="Otherperson", date_of_birth=dt.date(1999, 1, 2))
    http = signed_in(p.data_protection_officer)
    page = http.get(reverse("privacy:sar_new"), {"q": "marlon fictionl"}).content.decode()
    assert "Marlon Fictional" in page and "17 May 2004" in page and "Otherperson" not in page
    page = http.get(reverse("privacy:sar_new"), {"client": client.pk}).content.decode()
    assert "17 May 2004" in page
    response = http.post(
        reverse("privacy:sar_new"),
        {
            "client": client.pk,
            "received_on": "2026-01-31",
            "how_received": "In person at the office",
            "identity_checked": "Photo ID seen",
        },
    )
    sar = SubjectAccessRequest.objects.get(client=client)
    assert response.status_code == 302 and response["Location"] == reverse("privacy:sar_detail", args=[sar.pk])
    assert sar.due_on == dt.date(2026, 2, 28) and sar.status == SarStatus.RECEIVED
    assert sar.recorded_by == p.data_protection_officer
    event = AuditEvent.objects.get(object_id=str(sar.pk), action=AuditAction.CREATE)
    assert event.client_id == client.pk and "Photo" not in json.dumps(event.detail)
    assert "Marlon" not in json.dumps(event.detail)


def test_a_case_reference_finds_the_person(personas: Any) -> None:
    p = personas
    client = p.client_of(p.you, first_name="Quentin", last_name="Example")
    reference = client.cases.get().reference
    page = signed_in(p.data_protection_officer).get(reverse("privacy:sar_new"), {"q": reference}).content.decode()
    assert "Quentin Example" in page and reference in page


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"received_on": ""}, "received_on", "Enter the date the request was received."),
        ({"received_on": "2999-01-01"}, "received_on", "cannot be in the future"),
        ({"received_on": "31/02/2026"}, "received_on", "Enter a real date"),
        ({"how_received": " "}, "how_received", "Say how the request came in"),
        ({"identity_checked": ""}, "identity_checked", "Say how you checked"),
        ({"how_received": "x" * 201}, "how_received", "200 characters or fewer"),
    ],
)
def test_bad_input_when_starting_changes_nothing(personas: Any, data: dict, field: str, message: str) -> None:
    p = personas
    client = p.client_of(p.you)
    form = {"client": client.pk, "received_on": "2026-01-10", "how_received": "Letter", "identity_checked": "ID"}
    response = signed_in(p.data_protection_officer).post(reverse("privacy:sar_new"), {**form, **data})
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not SubjectAccessRequest.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditAction.CREATE, object_type="privacy.subjectaccessrequest").exists()


def test_a_request_for_no_one_is_refused(personas: Any) -> None:
    p = personas
    http = signed_in(p.data_protection_officer)
    response = http.post(reverse("privacy:sar_new"), {"received_on": "2026-01-10", "how_received": "Letter"})
    assert response.status_code == 422 and "Choose the person who asked." in response.content.decode()
    response = http.post(
        reverse("privacy:sar_new"),
        {"client": "00000000-0000-0000-0000-000000000000", "received_on": "2026-01-10", "how_received": "L"},
    )
    assert response.status_code == 404
    assert not SubjectAccessRequest.objects.exists()


# --------------------------------------------------------------------------------------------- extending


def test_extending_the_deadline(personas: Any) -> None:
    p = personas
    sar = _request(p, received_on=dt.date(2026, 1, 31))
    http = signed_in(p.data_protection_officer)
    url = reverse("privacy:sar_extend", args=[sar.pk])
    before = _state(sar)
    for data, message in [
        ({"extended_to": "2026-04-29"}, "no later than 28 April 2026"),
        ({"extended_to": "2026-02-28", "extension_reason": "Complex"}, "after the current one"),
        ({"extended_to": "2026-04-28", "extension_reason": ""}, "Say why"),
        ({"extended_to": "", "extension_reason": "Complex"}, "Enter the new deadline."),
    ]:
        response = http.post(url, {"version": sar.version, "extension_reason": "Complex", **data})
        assert response.status_code == 422 and message in response.content.decode(), data
        assert _state(sar) == before
    response = http.post(url, {"version": sar.version, "extended_to": "2026-04-01", "extension_reason": "Complex"})
    assert response.status_code == 302
    sar.refresh_from_db()
    assert sar.deadline == dt.date(2026, 4, 1) and sar.extension_reason == "Complex"
    assert sar.due_on == dt.date(2026, 2, 28)  # the first deadline stays: the limit counts from it
    # Someone else's change meanwhile: refused, nothing saved.
    stale = http.post(url, {"version": sar.version - 1, "extended_to": "2026-04-20", "extension_reason": "Other"})
    assert stale.status_code == 409
    sar.refresh_from_db()
    assert sar.deadline == dt.date(2026, 4, 1) and sar.extension_reason == "Complex"
    # Extended again, still no later than two months after the first deadline.
    response = http.post(url, {"version": sar.version, "extended_to": "2026-04-28", "extension_reason": "More"})
    assert response.status_code == 302


# ---------------------------------------------------------------------------------------------- building


def test_the_build_job_keeps_the_record_and_the_withheld_list(personas: Any) -> None:
    p = personas
    sar = _request(p)
    ContactFactory(client=sar.client, recorded_by=p.you, note="Talked about college.")
    http = signed_in(p.data_protection_officer)
    assert http.post(reverse("privacy:sar_build", args=[sar.pk])).status_code == 302
    sar.refresh_from_db()
    assert sar.status == SarStatus.BUILDING and sar.progress == 0
    page = http.get(reverse("privacy:sar_detail", args=[sar.pk])).content.decode()
    assert "<progress" in page and "hx-get" in page
    # The poll gets the progress block alone, which shows nothing about him: no view recorded for it.
    views = AuditEvent.objects.filter(action=AuditAction.VIEW, client_id=sar.client_id).count()
    poll = http.get(reverse("privacy:sar_detail", args=[sar.pk]), headers={"HX-Request": "true"}).content.decode()
    assert "<progress" in poll and "<html" not in poll and "Dwayne" not in poll
    assert AuditEvent.objects.filter(action=AuditAction.VIEW, client_id=sar.client_id).count() == views
    # A second build while one is queued is refused; nothing queued twice.
    with pytest.raises(ValidationFailed):
        services.sar_request_build(actor=p.data_protection_officer, request=sar)
    run_tasks()
    sar.refresh_from_db()
    assert sar.status == SarStatus.READY and sar.progress == 100 and sar.built_at is not None
    record = json.loads(bytes(sar.export_json))
    assert record["sections"]["Contacts and notes"][0]["note"] == "Talked about college."
    assert bytes(sar.export_pdf).startswith(b"%PDF")
    assert isinstance(sar.withheld, list)
    # The poll now reloads the page, which offers the downloads.
    poll = http.get(reverse("privacy:sar_detail", args=[sar.pk]), headers={"HX-Request": "true"})
    assert poll["HX-Refresh"] == "true"
    page = http.get(reverse("privacy:sar_detail", args=[sar.pk])).content.decode()
    assert reverse("privacy:sar_download", args=[sar.pk, "pdf"]) in page
    built = AuditEvent.objects.get(object_id=str(sar.pk), action=AuditAction.EXPORT)
    assert built.client_id == sar.client_id and built.actor is None


def test_progress_moves_through_many_values_for_a_large_record(personas: Any) -> None:
    p = personas
    sar = _request(p)
    for i in range(400):
        ContactFactory(client=sar.client, recorded_by=p.you, note=f"Contact number {i}")
    services.sar_request_build(actor=p.data_protection_officer, request=sar)
    seen: list[tuple[int, int, str]] = []

    def observe(percent: int, step: str) -> None:
        # What the polling page would read at this moment.
        stored = SubjectAccessRequest.objects.values_list("progress", flat=True).get(pk=sar.pk)
        seen.append((percent, stored, step))

    assert sar_build.sar_build_run(request_id=sar.pk, observer=observe) == SarStatus.READY
    percents = [percent for percent, _, _ in seen]
    assert len(set(percents)) >= 10 and percents == sorted(percents) and percents[-1] == 100
    assert all(stored == percent for percent, stored, _ in seen[:-1])  # saved before it is reported
    assert any("Contacts and notes" in step for _, _, step in seen)
    record = json.loads(bytes(SubjectAccessRequest.objects.get(pk=sar.pk).export_json))
    assert len(record["sections"]["Contacts and notes"]) == 400


def test_a_build_that_fails_says_so_and_can_be_tried_again(personas: Any, monkeypatch: Any) -> None:
    p = personas
    sar = _request(p)
    services.sar_request_build(actor=p.data_protection_officer, request=sar)

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(sar_build, "subject_access_record", broken)
    run_tasks()
    sar.refresh_from_db()
    assert sar.status == SarStatus.FAILED and sar.error == sar_build.BUILD_FAILED_MESSAGE
    assert sar.export_json is None and sar.export_pdf is None
    page = signed_in(p.data_protection_officer).get(reverse("privacy:sar_detail", args=[sar.pk])).content.decode()
    assert "could not be built" in page and "Build the record again" in page and "disk" not in page
    monkeypatch.undo()
    services.sar_request_build(actor=p.data_protection_officer, request=sar)
    run_tasks()
    sar.refresh_from_db()
    assert sar.status == SarStatus.READY and sar.error == ""


# ---------------------------------------------------------------------------------------- sending it


def test_sending_writes_the_disclosure_log(personas: Any) -> None:
    p = personas
    sar = _built(p)
    http = signed_in(p.data_protection_officer)
    url = reverse("privacy:sar_send", args=[sar.pk])
    before = _state(sar)
    for data, message in [
        ({"sent_on": "", "sent_how": "By secure e-mail"}, "Enter the date it was sent."),
        ({"sent_on": "2999-01-01", "sent_how": "By secure e-mail"}, "cannot be in the future"),
        ({"sent_on": "2000-01-01", "sent_how": "By secure e-mail"}, "before the request was received"),
        ({"sent_on": timezone.localdate().isoformat(), "sent_how": ""}, "Say how it was sent"),
    ]:
        response = http.post(url, {"version": sar.version, **data})
        assert response.status_code == 422 and message in response.content.decode(), data
        assert _state(sar) == before
        assert not Disclosure.objects.filter(client=sar.client).exists()
    today = timezone.localdate()
    response = http.post(url, {"version": sar.version, "sent_on": today.isoformat(), "sent_how": "By secure e-mail"})
    assert response.status_code == 302
    sar.refresh_from_db()
    assert sar.status == SarStatus.SENT and sar.sent_on == today and sar.closed_by == p.data_protection_officer
    (disclosure,) = Disclosure.objects.filter(client=sar.client)
    assert disclosure.recipient == SAR_RECIPIENT and disclosure.basis == SAR_BASIS
    assert disclosure.source_type == "privacy.subjectaccessrequest" and disclosure.source_id == sar.pk
    # Once sent, it is closed: no second sending, extension or rebuild.
    again = http.post(url, {"version": sar.version, "sent_on": today.isoformat(), "sent_how": "Again"})
    assert again.status_code == 422
    with pytest.raises(ValidationFailed):
        services.sar_request_build(actor=p.data_protection_officer, request=sar)
    assert Disclosure.objects.filter(client=sar.client).count() == 1
    # The caseworker sees it in the client's disclosure log.
    log = signed_in(p.you).get(reverse("privacy:client_disclosures", args=[sar.client_id])).content.decode()
    assert SAR_RECIPIENT in log
    # And the person's own record (asked for again) shows the request and the disclosure.
    record = json.loads(bytes(_built(p, client=sar.client).export_json))
    assert record["sections"]["Your requests to see your record"]
    log_lines = record["sections"]["Disclosure log: what about you was shared, with whom and why"]
    assert any(line["recipient"] == SAR_RECIPIENT for line in log_lines)


def test_a_request_not_yet_built_cannot_be_sent(personas: Any) -> None:
    p = personas
    sar = _request(p)
    with pytest.raises(ValidationFailed):
        services.sar_request_send(
            actor=p.data_protection_officer, request=sar, expected_version=sar.version, sent_on=None, sent_how="x"
        )
    assert not Disclosure.objects.exists()


def test_withdrawing_deletes_the_built_copy(personas: Any) -> None:
    p = personas
    sar = _built(p)
    with pytest.raises(ConcurrentEdit):
        services.sar_request_withdraw(actor=p.data_protection_officer, request=sar, expected_version=sar.version - 1)
    response = signed_in(p.data_protection_officer).post(
        reverse("privacy:sar_withdraw", args=[sar.pk]), {"version": sar.version}
    )
    assert response.status_code == 302
    sar.refresh_from_db()
    assert sar.status == SarStatus.WITHDRAWN and sar.export_json is None and sar.export_pdf is None
    http = signed_in(p.data_protection_officer)
    assert http.get(reverse("privacy:sar_download", args=[sar.pk, "pdf"])).status_code == 404


def test_downloads_are_audited_as_exports(personas: Any) -> None:
    p = personas
    sar = _built(p)
    http = signed_in(p.data_protection_officer)
    exports = AuditEvent.objects.filter(action=AuditAction.EXPORT, actor=p.data_protection_officer)
    response = http.get(reverse("privacy:sar_download", args=[sar.pk, "pdf"]))
    assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF")
    assert "Dwayne" not in response["Content-Disposition"]
    data = json.loads(http.get(reverse("privacy:sar_download", args=[sar.pk, "json"])).content)
    assert data["client"]["first_name"] == "Dwayne"
    assert [e.detail["format"] for e in exports.order_by("sequence")] == ["pdf", "json"]
    assert all(e.client_id == sar.client_id for e in exports)


# ------------------------------------------------------------------------------------------------ the list


def test_the_list_shows_open_requests_by_deadline_then_done_ones(
    personas: Any, django_assert_max_num_queries: Any
) -> None:
    p = personas
    today = timezone.localdate()
    overdue = _request(p, received_on=today - dt.timedelta(days=40), client=ClientFactory(first_name="Olly"))
    soon = _request(p, received_on=today - dt.timedelta(days=25), client=ClientFactory(first_name="Sunny"))
    sent = _built(p, client=ClientFactory(first_name="Sasha"))
    services.sar_request_send(
        actor=p.data_protection_officer, request=sent, expected_version=sent.version, sent_on=today, sent_how="Post"
    )
    for i in range(5):
        _request(p, client=ClientFactory(first_name=f"Extra{i}"))
    http = signed_in(p.data_protection_officer)
    with django_assert_max_num_queries(20):
        page = http.get(reverse("privacy:sar_list")).content.decode()
    assert page.index("Olly") < page.index("Sunny") < page.index("Answered or withdrawn") < page.index("Sasha")
    days_over = (today - overdue.deadline).days
    assert f"Overdue by {days_over} days" in page
    assert f"Due in {(soon.deadline - today).days} days" in page


# ------------------------------------------------------------------------------------------- the command


def test_sar_export_request_builds_inline_with_progress(personas: Any, tmp_path: Any) -> None:
    p = personas
    sar = _request(p)
    err = StringIO()
    call_command("sar", "export", "--request", str(sar.pk), stderr=err, stdout=StringIO())
    sar.refresh_from_db()
    assert sar.status == SarStatus.READY and sar.export_pdf
    lines = err.getvalue()
    assert "%" in lines and "ready" in lines.lower()
    with pytest.raises(CommandError):
        call_command("sar", "export", "--request", "not-an-id", stderr=StringIO())
