"""Lone-working pages: my visit and the start form, the alerts a buddy or manager answers, one visit's page;
who may see each (a visit out of reach is 404), bad input changes nothing, and views are audited."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from keyworker.accounts.models import Role
from keyworker.audit.models import AuditAction, AuditEvent
from keyworker.core.testing import AppointmentFactory, LoneWorkingVisitFactory, Personas, UserFactory
from keyworker.diary.models import AppointmentKind, EscalationLevel, LoneWorkingStatus, LoneWorkingVisit

pytestmark = pytest.mark.django_db
ADDRESS = "Flat 3, 12 Example Road, London SE5 0AA"


def _in(minutes: int) -> str:
    return timezone.localtime(timezone.now() + dt.timedelta(minutes=minutes)).strftime("%H:%M")


def _visit(personas: Personas, *, overdue: bool = False, **fields) -> LoneWorkingVisit:
    now = timezone.now()
    start, end = (now - dt.timedelta(hours=2), now - dt.timedelta(minutes=20)) if overdue else (now, None)
    return LoneWorkingVisitFactory(
        staff=fields.pop("staff", personas.you),
        buddy=fields.pop("buddy", personas.teammate),
        place=fields.pop("place", ADDRESS),
        with_whom="Dee and her boyfriend",
        checked_in_at=start,
        **({"expected_end": end} if end else {}),
        **fields,
    )


def test_start_form_checks_in_and_shows_my_visit(client, personas: Personas):
    client.force_login(personas.you)
    page = client.get(reverse("diary:lone_working")).content.decode()
    assert "Start a lone visit" in page and personas.teammate.display_name in page
    assert personas.other_caseworker.display_name not in page  # buddies come from your own team
    response = client.post(
        reverse("diary:lone_working"),
        {"place": ADDRESS, "with_whom": "Dee", "ends": _in(60), "buddy": str(personas.teammate.pk)},
    )
    assert response.status_code == 302
    visit = LoneWorkingVisit.objects.get()
    assert (visit.staff, visit.buddy, visit.place) == (personas.you, personas.teammate, ADDRESS)
    assert DBTaskResult.objects.count() == 2
    page = client.get(reverse("diary:lone_working")).content.decode()
    assert "Check out: I am safe" in page and "Send alert" in page and ADDRESS in page
    buttons = [text.strip() for text in re.findall(r"<button[^>]*>(.*?)</button>", page, re.S)]
    assert "Send alert" in buttons
    assert not [b for b in buttons if "help" in b.lower()]  # discreet: nothing on screen says "help"


@pytest.mark.parametrize(
    ("post", "message"),
    [
        ({"ends": "past"}, "The expected end must be later than now."),
        ({"buddy": "other_team"}, "Choose a buddy from your team."),
        ({"buddy": "self"}, "Choose a buddy from your team."),
        ({"place": ""}, "Enter the address of the visit."),
        ({"ends": "half past"}, "Enter a time, like 14:30."),
    ],
)
def test_bad_start_input_is_a_clear_message_and_nothing_is_saved(client, personas: Personas, post, message):
    values = {"past": _in(-5), "other_team": str(personas.other_caseworker.pk), "self": str(personas.you.pk)}
    data = {"place": ADDRESS, "ends": _in(60), "buddy": str(personas.teammate.pk)}
    data.update({k: values.get(v, v) for k, v in post.items()})
    client.force_login(personas.you)
    response = client.post(reverse("diary:lone_working"), data)
    assert response.status_code == 422
    page = response.content.decode()
    assert "There is a problem" in page and message in page
    assert not LoneWorkingVisit.objects.exists()
    assert not DBTaskResult.objects.exists()


def test_start_form_is_filled_from_an_appointment_and_audited(client, personas: Personas):
    dee = personas.client_of(personas.you, first_name="Dee", last_name="Fictional")
    appointment = AppointmentFactory(
        staff=personas.you, client=dee, kind=AppointmentKind.HOME_VISIT, location="14 Sample Street, SW9 1AA",
        starts_at=timezone.now(), ends_at=timezone.now() + dt.timedelta(minutes=90),
    )
    client.force_login(personas.you)
    page = client.get(reverse("diary:lone_working"), {"appointment": appointment.pk}).content.decode()
    assert "14 Sample Street, SW9 1AA" in page and "Dee Fictional" in page
    assert AuditEvent.objects.filter(actor=personas.you, client_id=dee.pk, action=AuditAction.VIEW).exists()
    client.post(
        reverse("diary:lone_working"),
        {"appointment": appointment.pk, "place": "14 Sample Street, SW9 1AA", "ends": _in(90),
         "buddy": str(personas.teammate.pk)},
    )
    assert LoneWorkingVisit.objects.get().appointment == appointment


def test_start_form_from_an_appointment_out_of_reach_is_404(client, personas: Personas):
    theirs = AppointmentFactory(staff=personas.other_caseworker, client=personas.client_of(personas.other_caseworker))
    client.force_login(personas.you)
    assert client.get(reverse("diary:lone_working"), {"appointment": theirs.pk}).status_code == 404
    assert client.get(reverse("diary:lone_working"), {"appointment": "not-an-id"}).status_code == 404


def test_lone_working_page_by_role(client, personas: Personas):
    for user, status in ((personas.you, 200), (personas.manager, 200), (personas.report_viewer, 404)):
        client.force_login(user)
        assert client.get(reverse("diary:lone_working")).status_code == status
        assert client.get(reverse("diary:lone_working_alerts")).status_code == status
    client.logout()
    response = client.get(reverse("diary:lone_working"))
    assert response.status_code == 302 and reverse("account_login") in response["Location"]


def test_visit_page_by_persona(client, personas: Personas):
    dee = personas.client_of(personas.you, first_name="Dee", last_name="Fictional")
    visit = _visit(personas, client=dee)
    url = reverse("diary:lone_working_detail", args=[visit.pk])
    another_teammate = UserFactory(team=personas.team, email="another@keyworker.test")
    for user in (personas.you, personas.teammate, personas.manager):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200, user
        assert ADDRESS in response.content.decode()
        assert AuditEvent.objects.filter(actor=user, client_id=dee.pk, action=AuditAction.VIEW).exists()
    for user in (personas.other_manager, personas.other_caseworker, personas.report_viewer, another_teammate):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 404, user
        assert ADDRESS not in response.content.decode()
    client.logout()
    assert client.get(url).status_code == 302


def test_a_visit_with_no_client_is_still_audited_when_viewed(client, personas: Personas):
    visit = _visit(personas)
    client.force_login(personas.manager)
    client.get(reverse("diary:lone_working_detail", args=[visit.pk]))
    assert AuditEvent.objects.filter(actor=personas.manager, object_id=str(visit.pk), action=AuditAction.VIEW).exists()


def test_risk_summary_shows_to_watchers_only_once_the_ladder_has_called_them(client, personas: Personas):
    dee = personas.client_of(personas.you, first_name="Dee", safe_contact_note="Text only, never voicemail.")
    visit = _visit(personas, client=dee)
    url = reverse("diary:lone_working_detail", args=[visit.pk])
    client.force_login(personas.teammate)
    assert "Text only, never voicemail." not in client.get(url).content.decode()
    client.force_login(personas.you)
    assert "Text only, never voicemail." in client.get(url).content.decode()
    visit.escalations.create(level=EscalationLevel.BUDDY, raised_at=timezone.now())
    client.force_login(personas.teammate)
    assert "Text only, never voicemail." in client.get(url).content.decode()


def test_one_tap_check_out_extend_and_alert(client, personas: Personas):
    visit = _visit(personas)
    client.force_login(personas.you)
    old_end = visit.expected_end
    client.post(reverse("diary:lone_working_extend", args=[visit.pk]), {"minutes": "30"})
    visit.refresh_from_db()
    assert visit.expected_end == old_end + dt.timedelta(minutes=30)
    response = client.post(reverse("diary:lone_working_extend", args=[visit.pk]), {"minutes": "600"}, follow=True)
    assert "Choose how much longer you need." in response.content.decode()
    visit.refresh_from_db()
    assert visit.expected_end == old_end + dt.timedelta(minutes=30)

    response = client.post(reverse("diary:lone_working_help", args=[visit.pk]), follow=True)
    assert "Alert sent." in response.content.decode()
    visit.refresh_from_db()
    assert visit.help_requested_at and visit.escalations.count() == 3

    client.post(reverse("diary:lone_working_check_out", args=[visit.pk]))
    visit.refresh_from_db()
    assert visit.status == LoneWorkingStatus.CHECKED_OUT
    assert "Start a lone visit" in client.get(reverse("diary:lone_working")).content.decode()


def test_only_the_worker_can_check_out_and_others_find_nothing(client, personas: Personas):
    visit = _visit(personas)
    client.force_login(personas.teammate)  # the buddy sees the visit, but cannot check out for the worker
    response = client.post(reverse("diary:lone_working_check_out", args=[visit.pk]), follow=True)
    assert "Only the worker on the visit can do this." in response.content.decode()
    client.force_login(personas.other_caseworker)
    assert client.post(reverse("diary:lone_working_check_out", args=[visit.pk])).status_code == 404
    assert client.post(reverse("diary:lone_working_help", args=[visit.pk])).status_code == 404
    assert client.get(reverse("diary:lone_working_check_out", args=[visit.pk])).status_code == 405
    visit.refresh_from_db()
    assert visit.status == LoneWorkingStatus.ON_VISIT and not visit.escalations.exists()


def test_alerts_page_lists_overdue_visits_to_buddy_and_manager_only(client, personas: Personas,
                                                                   django_assert_max_num_queries):
    dee = personas.client_of(personas.you, first_name="Dee", last_name="Fictional")
    overdue = _visit(personas, overdue=True, client=dee)
    for n in range(5):
        worker = UserFactory(team=personas.team, email=f"worker{n}@keyworker.test")
        _visit(personas, staff=worker, buddy=personas.teammate, overdue=n % 2 == 0, place=f"{n} Other Road")
    client.force_login(personas.teammate)
    with django_assert_max_num_queries(10):  # bounded, whatever the number of visits
        page = client.get(reverse("diary:lone_working_alerts")).content.decode()
    attention = page.split("Needs attention")[1].split("On visits now")[0]
    assert ADDRESS in attention and "Dee and her boyfriend" in attention
    assert "1 Other Road" in page.split("On visits now")[1]
    assert AuditEvent.objects.filter(actor=personas.teammate, client_id=dee.pk, action=AuditAction.VIEW).exists()

    client.force_login(personas.manager)
    assert ADDRESS in client.get(reverse("diary:lone_working_alerts")).content.decode()
    for user in (personas.other_manager, personas.other_caseworker):
        client.force_login(user)
        assert ADDRESS not in client.get(reverse("diary:lone_working_alerts")).content.decode()
    assert overdue.status == LoneWorkingStatus.ON_VISIT


def test_stand_down_from_the_alerts_page(client, personas: Personas):
    visit = _visit(personas, overdue=True)
    client.force_login(personas.manager)
    url = reverse("diary:lone_working_resolve", args=[visit.pk])
    response = client.post(url, {"resolution_note": ""})
    assert response.status_code == 422
    assert "Say what happened" in response.content.decode()
    visit.refresh_from_db()
    assert visit.status == LoneWorkingStatus.ON_VISIT

    response = client.post(
        url, {"resolution_note": "Rang her: safe, phone died.", "next": reverse("diary:lone_working_alerts")}
    )
    assert response.status_code == 302 and response["Location"] == reverse("diary:lone_working_alerts")
    visit.refresh_from_db()
    assert visit.status == LoneWorkingStatus.RESOLVED and visit.resolved_by == personas.manager

    client.force_login(personas.other_manager)
    assert client.post(url, {"resolution_note": "Not mine to stand down."}).status_code == 404


def test_the_worker_cannot_stand_their_own_alert_down(client, personas: Personas):
    visit = _visit(personas, overdue=True)
    client.force_login(personas.you)
    response = client.post(reverse("diary:lone_working_resolve", args=[visit.pk]), {"resolution_note": "I'm fine."})
    assert response.status_code == 422
    assert "Only the buddy or a manager" in response.content.decode()
    visit.refresh_from_db()
    assert visit.status == LoneWorkingStatus.ON_VISIT


def test_a_peer_mentor_buddy_can_open_the_visit_they_watch(client, personas: Personas):
    mentor = UserFactory(team=personas.team, role=Role.PEER_MENTOR, email="mentor@keyworker.test")
    visit = _visit(personas, buddy=mentor)
    client.force_login(mentor)
    assert client.get(reverse("diary:lone_working_detail", args=[visit.pk])).status_code == 200
