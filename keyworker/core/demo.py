"""The demo: three teams, staff in every role, about 200 fictional clients with two years of casework, and
the acceptance week from DESIGN.md staged in the current week for Dee Harlow (dee@demo.keyworker.test), with
local partner services, referrals out, courses and safety profiles around it.

Everyone here is invented. Phone numbers are from Ofcom's ranges reserved for drama (07700 900xxx, 020 7946 0xxx) and
e-mail addresses use reserved domains. The random stream is seeded, so the same day gives the same demo;
dates are relative to today, so the staged week is always the current one.

`demo_load()` is idempotent: when the demo is already there it changes nothing. `demo_load(reset=True)`
deletes every demo row (and every row that refers to one, in any app) and builds it again, in one
transaction, so a failed rebuild leaves the old demo in place.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
import time
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.db import connections, models, router, transaction
from django.db.models import F
from django.utils import timezone

from keyworker.accounts.models import Role, Team, User
from keyworker.audit.models import AuditEvent
from keyworker.casework.models import (
    Case,
    CaseStatus,
    ClosureReason,
    Contact,
    ContactKind,
    Pathway,
    Programme,
    Task,
)
from keyworker.core.demo_funding import FundingHistory, ethnicity_for
from keyworker.core.demo_outcomes import OutcomesDemo
from keyworker.core.demo_safeguarding import SafeguardingDemo
from keyworker.core.erasure import delete_closure, referring_closure
from keyworker.core.models import Sequence
from keyworker.custody.directory import ESTABLISHMENTS
from keyworker.custody.models import (
    Charge,
    ChargeSource,
    CustodyEpisode,
    CustodyTransfer,
    Establishment,
    Hearing,
    HearingKind,
    HearingOutcome,
    LegalStatus,
    NeedStatus,
    ReleaseNeed,
    ReleaseNeedUpdate,
    ReleaseType,
)
from keyworker.custody.rules import plan_for
from keyworker.diary.models import (
    Appointment,
    AppointmentKind,
    AppointmentStatus,
    EscalationLevel,
    LoneWorkingEscalation,
    LoneWorkingStatus,
    LoneWorkingVisit,
)
from keyworker.intake.models import AgencyKind, ConsentMethod, ConsentRecord, LawfulBasis
from keyworker.intake.rules import sharing_permitted
from keyworker.intake.selectors import consent_fact
from keyworker.outcomes.models import MentoringSession, Milestone, OutcomeReading
from keyworker.people.models import Client, Gender, ThirdParty
from keyworker.privacy.models import Disclosure, SharingAgreement
from keyworker.safeguarding.models import AreaKind, Concern, CrisisCall, KeepApart, RiskReview, UnsafeArea
from keyworker.services.models import (
    ENDED_OUTBOUND_STATUSES,
    AttendanceStatus,
    Cohort,
    Course,
    CourseSession,
    Enrolment,
    EnrolmentStatus,
    Organisation,
    OutboundOutcome,
    OutboundReferral,
    OutboundReferralUpdate,
    OutboundStatus,
    ReferralMethod,
    Service,
    ServiceCategory,
    SessionAttendance,
    Signposting,
    SignpostingMethod,
    Venue,
)
from keyworker.services.rules import agency_kind_for, can_move, default_outcome
from keyworker.services.services.referrals import recipient_of

SEED = 2026
DEFAULT_CLIENTS = 200
DEMO_DOMAIN = "demo.keyworker.test"
DEMO_PASSWORD = "keyworker-demo-2026"  # noqa: S105 - printed for everyone to use; demo data only
# Every demo account has an authenticator app (TOTP, 30 s, 6 digits, SHA-1) set up with this one base32 key,
# printed by `keyworker demo` and in README.md: `oathtool --totp -b KEYWORKERDEMOSEEDKEYWORKERDEMOSE` gives
# the current code. Demo data only: a real account's key is made by allauth when the user sets MFA up.
DEMO_TOTP_SECRET = "KEYWORKERDEMOSEEDKEYWORKERDEMOSE"  # noqa: S105
FEATURED_EMAIL = f"dee@{DEMO_DOMAIN}"
CASE_SEQUENCE = "case"
HISTORY_DAYS = 730

# --- Teams and staff ------------------------------------------------------------------------------------

LAMBETH, SOUTHWARK, CROYDON = "Lambeth Gang Exit", "Southwark Resettlement", "Croydon Young People"


@dataclass(frozen=True)
class _TeamSpec:
    name: str
    area: str
    office: str
    neighbourhoods: tuple[str, ...]
    nearby: tuple[str, ...]
    programmes: tuple[tuple[str, int], ...]
    share: int


TEAMS: tuple[_TeamSpec, ...] = (
    _TeamSpec(
        LAMBETH,
        "Lambeth",
        "Lambeth office, Brixton",
        ("Brixton", "Stockwell", "Kennington", "Streatham", "Tulse Hill", "West Norwood", "Vauxhall"),
        ("Southwark", "Wandsworth"),
        (
            (Programme.GANG_EXIT, 60),
            (Programme.WOMEN_AND_GIRLS, 18),
            (Programme.YOUNG_PEOPLE, 12),
            (Programme.PEER_MENTORING, 10),
        ),
        36,
    ),
    _TeamSpec(
        SOUTHWARK,
        "Southwark",
        "Southwark office, Peckham",
        ("Peckham", "Camberwell", "Walworth", "Bermondsey", "Elephant and Castle", "Nunhead"),
        ("Lambeth", "Lewisham"),
        ((Programme.RESETTLEMENT, 68), (Programme.GANG_EXIT, 22), (Programme.PEER_MENTORING, 10)),
        34,
    ),
    _TeamSpec(
        CROYDON,
        "Croydon",
        "Croydon office, West Croydon",
        ("Thornton Heath", "New Addington", "Norbury", "South Norwood", "Selhurst", "Broad Green"),
        ("Sutton", "Merton"),
        ((Programme.YOUNG_PEOPLE, 75), (Programme.GANG_EXIT, 15), (Programme.WOMEN_AND_GIRLS, 10)),
        30,
    ),
)
TEAM_BY_NAME = {spec.name: spec for spec in TEAMS}


@dataclass(frozen=True)
class _StaffSpec:
    first_name: str
    last_name: str
    role: Role
    team: str | None

    @property
    def email(self) -> str:
        return f"{self.first_name.lower()}@{DEMO_DOMAIN}"


# Order matters: it is the order of the sign-in table, and Dee (the README's first sign-in) comes first.
STAFF: tuple[_StaffSpec, ...] = (
    _StaffSpec("Dee", "Harlow", Role.CASEWORKER, LAMBETH),
    _StaffSpec("Marcia", "Fenwick", Role.MANAGER, LAMBETH),
    _StaffSpec("Kwame", "Ashby", Role.CASEWORKER, LAMBETH),
    _StaffSpec("Priya", "Lindley", Role.CASEWORKER, LAMBETH),
    _StaffSpec("Sol", "Okereke", Role.CASEWORKER, LAMBETH),
    _StaffSpec("Grace", "Adebayo-Rowe", Role.MANAGER, SOUTHWARK),
    _StaffSpec("Ade", "Whitlock", Role.CASEWORKER, SOUTHWARK),
    _StaffSpec("Shanice", "Morrow", Role.CASEWORKER, SOUTHWARK),
    _StaffSpec("Tom", "Hallett", Role.CASEWORKER, SOUTHWARK),
    _StaffSpec("Leon", "Castellano", Role.CASEWORKER, SOUTHWARK),
    _StaffSpec("Bex", "Tanner", Role.CASEWORKER, SOUTHWARK),
    _StaffSpec("Nadia", "Pemberton", Role.MANAGER, CROYDON),
    _StaffSpec("Jamal", "Birchall", Role.CASEWORKER, CROYDON),
    _StaffSpec("Chloe", "Wrenfield", Role.CASEWORKER, CROYDON),
    _StaffSpec("Femi", "Larkin", Role.CASEWORKER, CROYDON),
    _StaffSpec("Rico", "Baptiste", Role.PEER_MENTOR, LAMBETH),
    # Friday's Jerome mentors younger boys on his estate from a peer-mentor account of his own.
    _StaffSpec("Jerome", "Whitfield", Role.PEER_MENTOR, LAMBETH),
    _StaffSpec("Sunita", "Ravel", Role.SAFEGUARDING_LEAD, None),
    _StaffSpec("Cal", "Drummond", Role.ON_CALL, None),
    _StaffSpec("Helen", "Quayle", Role.DATA_PROTECTION_OFFICER, None),
    _StaffSpec("Omar", "Fairley", Role.REPORT_VIEWER, None),
    _StaffSpec("Pat", "Kendrick", Role.ADMINISTRATOR, None),
)

# --- Places -----------------------------------------------------------------------------------------------

# Prisons and courts by their names in the custody directory (keyworker/custody/directory.py).
PRISONS_MEN = (
    "HMP Brixton", "HMP Wandsworth", "HMP Pentonville", "HMP Thameside", "HMP Belmarsh", "HMP Wormwood Scrubs"
)
PRISONS_YOUNG = ("HMYOI Feltham", "HMYOI Isis")
PRISONS_WOMEN = ("HMP Bronzefield", "HMP Downview")
# Where people on remand are usually held before a move to a resettlement or training prison.
REMAND_PRISONS = ("HMP Thameside", "HMP Belmarsh", "HMP Wandsworth", "HMP Pentonville")
COURTS = (
    "Inner London Crown Court",
    "Camberwell Green Magistrates' Court",
    "Croydon Crown Court",
    "Croydon Magistrates' Court",
    "Southwark Crown Court",
    "Lavender Hill Magistrates' Court",
)
YOUTH_COURTS = ("Camberwell Green Youth Court", "Croydon Youth Court")
BLOCKS = (
    "Amberley",
    "Bellflower",
    "Corrigan",
    "Dunstan",
    "Elmswood",
    "Fernhill",
    "Galloway",
    "Hartwell",
    "Ivydene",
    "Juniper",
    "Kestrel",
    "Larchmont",
    "Merriweather",
    "Northcote",
    "Orchard",
)
ESTATES = (
    "Tennyson",
    "Marlowe",
    "Cranmer",
    "Wilberforce",
    "Fairbank",
    "Holloway Green",
    "Peartree",
    "Ashgrove",
    "Kingswood Vale",
    "Rosemead",
)
POSTCODE_DISTRICTS = {
    "Lambeth": ("SW2", "SW9", "SE11", "SE27", "SW16"),
    "Southwark": ("SE5", "SE15", "SE17", "SE1", "SE16"),
    "Croydon": ("CR0", "CR7", "SE25", "SW16"),
    "Wandsworth": ("SW18", "SW11"),
    "Lewisham": ("SE13", "SE4"),
    "Sutton": ("SM1",),
    "Merton": ("SW19", "CR4"),
}
REFERRAL_SOURCES = (
    "self-referral",
    "the YOT",
    "probation",
    "{their} school",
    "the hospital youth worker at A&E",
    "{their} mum",
    "the prison resettlement team",
    "a housing officer",
    "a peer mentor",
)

# --- Funding (invented funders; the rules are data, as a manager would enter them) -------------------------


@dataclass(frozen=True)
class _StreamSpec:
    funder: str
    name: str
    places: int
    targets: str
    rules: tuple[tuple[str, dict[str, Any]], ...]
    started_days_ago: int = 300
    runs_days: int = 3 * 365


# Monday's young woman (19, female, Lambeth, no postcode given, self-referred, never in custody) is eligible
# for none of these, each for a reason the eligibility page puts in words.
FUNDING_STREAMS: tuple[_StreamSpec, ...] = (
    # The main stream (demo_funding.MAIN_STREAM): two years of funded cases, for the funder report.
    _StreamSpec(
        "Two Boroughs Foundation",
        "Keyworker Programme: Lambeth and Southwark",
        45,
        "120 people a year referred; three in four engaged; 30 a year into education, training or work.",
        (
            ("programme", {"programmes": ["gang_exit", "resettlement"]}),
            ("home_area", {"areas": ["Lambeth", "Southwark"]}),
        ),
        started_days_ago=800,
        runs_days=4 * 365,
    ),
    _StreamSpec(
        "Thameside Community Foundation",
        "Safer Streets Youth Fund",
        24,
        "60 young people a year; 70% with no new arrest six months after starting.",
        (
            ("age_range", {"min": 14, "max": 24, "at": "referral"}),
            ("home_area", {"areas": ["SE1", "SE5", "SE11", "SE15", "SE17", "SW8", "SW9"]}),
        ),
    ),
    _StreamSpec(
        "Hallam Justice Trust",
        "Through the Gate Resettlement Grant",
        20,
        "Met at the gate within a day of release; 75% in settled housing at three months.",
        (("custody_status", {"released_within_months": 6}),),
        started_days_ago=500,
    ),
    _StreamSpec(
        "Kingsway Boys' Futures",
        "Boys to Men Mentoring",
        15,
        "Weekly mentoring for a year; 40 boys and young men a year.",
        (("gender", {"genders": ["male"]}), ("age_range", {"min": 16, "max": 25, "at": "today"})),
    ),
    _StreamSpec(
        "Adeyemi Women's Trust",
        "Women's Justice Pathway",
        10,
        "Women referred by the justice system; 12 a year; fewer breaches of licence or order.",
        (
            ("gender", {"genders": ["female"]}),
            ("referral_source", {"sources": ["probation", "prison", "police"]}),
        ),
        started_days_ago=200,
    ),
    _StreamSpec(
        "Norwood & Croydon Community Trust",
        "Croydon Young People's Fund",
        18,
        "Children and young people 10 to 18 in Croydon; back in education or training within a term.",
        (
            ("age_range", {"min": 10, "max": 18, "at": "referral"}),
            ("home_area", {"areas": ["Croydon", "CR0", "CR7", "SE25"]}),
        ),
    ),
)
FUNDER_NAMES = tuple(dict.fromkeys(spec.funder for spec in FUNDING_STREAMS))
UNFUNDED_REASONS = (
    "No current stream covers {them}. Risk is high right now and {they} asked for help; we cannot turn "
    "{them} away.",
    "Not eligible for any current stream. {They} came back to us after a bad few months and trust the team: "
    "take {them} on while the next bid goes in.",
    "Outside every stream's rules. Referred by the A&E youth worker after a stabbing; needs support now.",
)

# --- Names (invented; combinations are drawn without repeats) ---------------------------------------------

MALE_NAMES = (
    "Aaron",
    "Abdi",
    "Ahmed",
    "Andre",
    "Antoine",
    "Bilal",
    "Brandon",
    "Callum",
    "Charlie",
    "Connor",
    "Daniel",
    "Dante",
    "Darius",
    "Elijah",
    "Emmanuel",
    "Ethan",
    "Fabio",
    "Ibrahim",
    "Isaac",
    "Jaden",
    "Jake",
    "Jayden",
    "Joel",
    "Kai",
    "Kareem",
    "Kieran",
    "Kyle",
    "Liam",
    "Luca",
    "Malachi",
    "Mason",
    "Mohamed",
    "Nathan",
    "Nico",
    "Olu",
    "Reuben",
    "Ryan",
    "Samuel",
    "Tariq",
    "Theo",
    "Tobi",
    "Tyrese",
    "Yusuf",
    "Zack",
    "Mateusz",
    "Dawid",
    "Bogdan",
    "Kwabena",
    "Marley",
    "Rohan",
)
FEMALE_NAMES = (
    "Aaliyah",
    "Abena",
    "Amara",
    "Amber",
    "Ayesha",
    "Bethany",
    "Chantelle",
    "Demi",
    "Destiny",
    "Ebony",
    "Esme",
    "Faith",
    "Hannah",
    "Imani",
    "Jade",
    "Jasmine",
    "Keisha",
    "Lacey",
    "Leah",
    "Maya",
    "Nia",
    "Precious",
    "Rianna",
    "Sade",
    "Sophie",
    "Tanisha",
    "Tia",
    "Zara",
    "Roxana",
    "Oliwia",
)
NEUTRAL_NAMES = ("Alex", "Jules", "Remi", "Sky", "Rowan", "Ash", "Frankie")
SURNAMES = (
    "Abara",
    "Adewale",
    "Akinola",
    "Allerton",
    "Amankwah",
    "Archer",
    "Asante",
    "Barnett",
    "Bello",
    "Boateng",
    "Bramwell",
    "Brennan",
    "Carmody",
    "Chinwe",
    "Coker",
    "Costa",
    "Cullen",
    "Daley",
    "Danso",
    "Delaney",
    "Doherty",
    "Ekwueme",
    "Farah",
    "Fernandes",
    "Forde",
    "Gayle",
    "Gordon-Price",
    "Hassan",
    "Hendry",
    "Hussain",
    "Ibe",
    "Jarrett",
    "Kamara",
    "Sandhu",
    "Kowalski",
    "Lawal",
    "Mahmood",
    "McKenzie",
    "Mensah",
    "Mitchum",
    "Nowak",
    "Nwosu",
    "Ogunleye",
    "O'Connell",
    "Osei",
    "Owusu",
    "Pattani",
    "Quarshie",
    "Reid",
    "Sesay",
    "Shah",
    "Stanhope",
    "Thackeray",
    "Uddin",
    "Varga",
    "Walsh",
    "Warsame",
    "Yeboah",
    "Zielinski",
    "Ashdown",
    "Blackwood",
    "Cheswick",
    "Dunford",
    "Everley",
    "Gilmartin",
    "Holbrook",
    "Kingsley-Mann",
)
NICKNAMES = {
    "Tyrese": "Ty",
    "Jayden": "JJ",
    "Kareem": "Reem",
    "Malachi": "Kai",
    "Emmanuel": "Manny",
    "Mohamed": "Mo",
    "Samuel": "Sammy",
    "Nathan": "Nate",
    "Chantelle": "Chanty",
    "Tanisha": "Tash",
    "Precious": "Pre",
    "Isaac": "Ize",
    "Dawid": "Dave",
    "Abena": "Bee",
    "Ebony": "Eb",
}
CODE_WORDS = (
    "sunflower",
    "marmalade",
    "bluebird",
    "jollof",
    "Tuesday",
    "lighthouse",
    "conker",
    "biscuit",
    "Peckham Rye",
    "kingfisher",
    "plantain",
    "oak tree",
)
SAFE_CONTACT_NOTES = (
    "Only after 6pm: works days and can't talk on site.",
    "Mum opens the post: never write to the home address.",
    "Shares a phone with his brother. Ask for 'T' and use the code word.",
    "Don't text. Her partner checks the phone. Call the mobile and hang up if a man answers.",
    "Prefers WhatsApp-style short texts; won't pick up unknown numbers.",
    "Moving between friends' sofas: the phone is the only reliable way.",
    "No calls during college hours (9 to 3).",
    "Lives with a relative who doesn't know about the referral. Say you're from the college.",
)

# --- Notes, written the way a caseworker writes them ------------------------------------------------------
# Placeholders: {name} (what the client goes by), {they} {They} {them} {their} {Their}, {prison}, {court},
# {area}, {office}. Sentences avoid present-tense verbs after a pronoun so "he", "she" and "they" all read.


@dataclass(frozen=True)
class _Note:
    kind: str
    text: str
    pathways: tuple[str, ...] = ()
    sensitive: bool = False


_P = Pathway
NOTES: tuple[_Note, ...] = (
    _Note(
        ContactKind.OFFICE,
        "{name} came in on time. Went through the housing register form together. Housing "
        "Options want proof of ID and a letter from us; said I'd do the letter by Friday.",
        (_P.ACCOMMODATION,),
    ),
    _Note(
        ContactKind.OFFICE,
        "Talked about what a normal week looks like now {they} stopped going round the "
        "estate at night. Bit flat but engaged. Small goal for this week: gym twice.",
        (_P.ATTITUDES, _P.HEALTH),
    ),
    _Note(
        ContactKind.OFFICE,
        "Helped {name} with the Universal Credit journal and the sanction letter. Hadn't "
        "opened post for a month. Made a list of what's owed: phone contract, council tax arrears.",
        (_P.FINANCE,),
    ),
    _Note(
        ContactKind.OFFICE,
        "Looked at courses at the college. {name} keen on the CSCS card so {they} can get "
        "site work. Printed the application, will finish it together next week.",
        (_P.ETE,),
    ),
    _Note(
        ContactKind.OFFICE,
        "Reviewed the plan. Goals still: stay out of the area after dark, keep the "
        "Jobcentre appointments, get back in touch with {their} little sister. Two out of three going OK.",
        (_P.ATTITUDES, _P.FAMILY),
    ),
    _Note(
        ContactKind.OFFICE,
        "{name} dropped in without an appointment. Someone from the old group had been "
        "messaging. Went through options: blocked the number, agreed to ring me if it carries on.",
        (_P.ATTITUDES,),
    ),
    _Note(
        ContactKind.OFFICE,
        "Money session: {they} had been lending to mates and coming up short. Did a simple "
        "budget on paper. Referred to the debt advice drop-in.",
        (_P.FINANCE,),
    ),
    _Note(
        ContactKind.OFFICE,
        "CV session. Put the warehouse work and the first aid course on it. {name} "
        "surprised how much there was to put down.",
        (_P.ETE,),
    ),
    _Note(
        ContactKind.OFFICE,
        "Talked about sleep and stress: it goes out the window before court dates. Suggested the GP; agreed to book.",
        (_P.HEALTH,),
    ),
    _Note(
        ContactKind.OFFICE,
        "Went through the consent form again: who we share with and why. Happy to carry "
        "on. Updated the safe-contact details.",
        (),
    ),
    _Note(
        ContactKind.OFFICE,
        "Brought {their} little one along, nursery closed. Short session. Contact with the "
        "child's other parent still difficult; will raise with the family support worker.",
        (_P.FAMILY,),
    ),
    _Note(
        ContactKind.OFFICE,
        "Session on triggers: what tends to happen before a slide back to the old lot. "
        "Named three (boredom, money, a certain group chat). Left the group chat in front of me.",
        (_P.ATTITUDES,),
    ),
    _Note(ContactKind.PHONE, "Rang {name} to check in. Fine, busy with the course. Confirmed next week.", ()),
    _Note(
        ContactKind.PHONE, "Call from {name}: Jobcentre moved the appointment. Rebooked for Thursday.", (_P.FINANCE,)
    ),
    _Note(
        ContactKind.PHONE,
        "Tried {name} twice, no answer. No message left (safe-contact rules). Try again tomorrow.",
        (),
    ),
    _Note(
        ContactKind.PHONE,
        "{name} rang upset after a row at home. Talked it through for twenty minutes, calmer "
        "by the end. Staying at {their} nan's tonight.",
        (_P.FAMILY, _P.ACCOMMODATION),
    ),
    _Note(
        ContactKind.PHONE,
        "Called the housing officer for {name} (consent on file). Still no offer, band "
        "unchanged. Chasing the medical form.",
        (_P.ACCOMMODATION,),
    ),
    _Note(
        ContactKind.PHONE,
        "Check-in call. Says {they} stayed off it all month. Going to the Tuesday group at the drug service.",
        (_P.DRUGS_ALCOHOL,),
    ),
    _Note(
        ContactKind.PHONE, "Rang the GP surgery with {name} on speaker to register. Appointment booked.", (_P.HEALTH,)
    ),
    _Note(
        ContactKind.PHONE,
        "Spoke to probation (with consent) about licence conditions and the exclusion zone. "
        "Confirmed {name} can attend the college site.",
        (_P.ATTITUDES, _P.ETE),
    ),
    _Note(ContactKind.TEXT, "Texted a reminder for tomorrow 2pm. Reply: 'ok see u then'.", ()),
    _Note(
        ContactKind.TEXT, "{name} texted asking for the food bank address. Sent it with opening times.", (_P.FINANCE,)
    ),
    _Note(ContactKind.TEXT, "Sent the course start date and what to bring. Thumbs up back.", (_P.ETE,)),
    _Note(ContactKind.TEXT, "No reply to two texts this week. Will try a call Monday.", ()),
    _Note(ContactKind.TEXT, "Text from {name}: 'got the job!!' Warehouse, nights, starts Monday.", (_P.ETE,)),
    _Note(
        ContactKind.HOME_VISIT,
        "Home visit, {area}. Flat cold, boiler broken again. Reported it to the "
        "housing association with {name} and logged the reference. Mum there, friendly.",
        (_P.ACCOMMODATION, _P.FAMILY),
    ),
    _Note(
        ContactKind.HOME_VISIT,
        "Home visit. {name} still in bed at 11, not sleeping. Talked about a routine. "
        "Agreed to walk to the gym together Thursday.",
        (_P.HEALTH, _P.ATTITUDES),
    ),
    _Note(
        ContactKind.HOME_VISIT,
        "Visit with the family. Mum worried about who {name} is out with. Talked about "
        "what we do and what we don't share. Good conversation.",
        (_P.FAMILY,),
    ),
    _Note(
        ContactKind.HOME_VISIT,
        "Home visit. Kitchen nearly empty. Gave a food bank voucher, helped apply for a UC advance.",
        (_P.FINANCE,),
    ),
    _Note(
        ContactKind.HOME_VISIT,
        "Nobody in at the agreed time. Checked out with the office at 3:10. Texted to rebook.",
        (),
    ),
    _Note(
        ContactKind.OTHER,
        "Went with {name} to the Jobcentre. Work coach agreed to ease the job search "
        "requirement while the course runs.",
        (_P.FINANCE, _P.ETE),
    ),
    _Note(
        ContactKind.OTHER,
        "Met {name} at a café in {area}. Easier than the office (doesn't want to be seen "
        "going in). Talked about college.",
        (_P.ETE,),
    ),
    _Note(ContactKind.OTHER, "Went with {name} to the dentist, first time in years.", (_P.HEALTH,)),
    _Note(
        ContactKind.OTHER,
        "Multi-agency meeting about {name} (with consent): housing, probation and the "
        "YOT there. Action on housing to speed up the transfer.",
        (_P.ACCOMMODATION,),
    ),
    _Note(
        ContactKind.COURT,
        "At {court} with {name}. Adjourned for a pre-sentence report. Sat with {them} in "
        "the waiting area, very anxious.",
        (_P.ATTITUDES,),
    ),
    _Note(
        ContactKind.COURT,
        "{court}: hearing went ahead. Community order with unpaid work and a rehabilitation "
        "requirement. {name} relieved. Explained what happens next.",
        (_P.ATTITUDES,),
    ),
    _Note(ContactKind.COURT, "Went to {court} for support. Bail renewed, curfew stays. Next date in six weeks.", ()),
    _Note(
        ContactKind.CRISIS_CALL,
        "Out-of-hours call. {name} being threatened over an old debt; people outside "
        "the block. Advised stay in, lock the door, 999 if they try to get in. Handed over to the keyworker "
        "in the morning.",
        (_P.ATTITUDES, _P.FINANCE),
        True,
    ),
    _Note(
        ContactKind.CRISIS_CALL,
        "Late call from {name}, drunk and low. Talked for half an hour; said it was safe "
        "at home and a cousin was there. Follow-up call booked for the morning.",
        (_P.HEALTH, _P.DRUGS_ALCOHOL),
        True,
    ),
    _Note(
        ContactKind.CRISIS_CALL,
        "Call at 11pm: a friend stabbed near the station (not {name}). Scared of "
        "being blamed. Went through options; next-day check-in arranged.",
        (_P.ATTITUDES,),
    ),
    _Note(
        ContactKind.MENTORING,
        "Mentoring session at the youth hub in {area}. {name} led a group of four "
        "younger ones, talking about what the 'easy' money really costs.",
        (_P.ATTITUDES,),
    ),
    _Note(
        ContactKind.MENTORING,
        "Mentoring: {name} took {their} mentee for a walk round the park. Reported "
        "back that the lad is going to school most days again.",
        (_P.ATTITUDES, _P.ETE),
    ),
    _Note(
        ContactKind.MENTORING,
        "Peer-mentor supervision. {name} doing well; talked about boundaries when mentees message late at night.",
        (_P.ATTITUDES,),
    ),
    _Note(
        ContactKind.MENTORING,
        "{name} co-ran the Saturday football session. Two new lads came because of {them}.",
        (_P.ATTITUDES,),
    ),
)
CUSTODY_NOTES: tuple[_Note, ...] = (
    _Note(
        ContactKind.PRISON_VISIT,
        "Legal visit at {prison}. {name} on the wing a couple of months now, keeping "
        "{their} head down. Working in the kitchens. Wants help with housing for release.",
        (_P.ACCOMMODATION, _P.ATTITUDES),
    ),
    _Note(
        ContactKind.PRISON_VISIT,
        "Visit at {prison}. Talked about release plans. No address yet; referral in "
        "to the council's resettlement team.",
        (_P.ACCOMMODATION,),
    ),
    _Note(
        ContactKind.PRISON_VISIT,
        "Visited {name} at {prison}. Started maths level 1 inside. Finding it hard but sticking with it.",
        (_P.ETE,),
    ),
    _Note(
        ContactKind.PRISON_VISIT,
        "Visit at {prison}. Family contact has dropped off; {name} asked me to help "
        "rebuild things with {their} mum. Will ring her with consent.",
        (_P.FAMILY,),
    ),
    _Note(
        ContactKind.PRISON_VISIT,
        "{prison}: {name} got a nicking for a phone. Talked about what that could cost {them} at the next review.",
        (_P.ATTITUDES,),
    ),
    _Note(
        ContactKind.PRISON_VISIT,
        "Visit at {prison}. Opened a bank account through the prison scheme. ID "
        "still missing: birth certificate ordered.",
        (_P.FINANCE,),
    ),
    _Note(
        ContactKind.PHONE,
        "Rang the offender management unit at {prison} to confirm {name}'s release date and licence conditions.",
        (_P.ATTITUDES,),
    ),
    _Note(
        ContactKind.PHONE, "Prison call from {name} on the PIN phone. In good spirits; asked about college.", (_P.ETE,)
    ),
    _Note(
        ContactKind.OTHER,
        "Letter from {name} at {prison} asking about courses on release. Wrote back with the dates.",
        (_P.ETE,),
    ),
    _Note(
        ContactKind.OTHER,
        "Sent {name} a letter with the housing referral outcome and the date of the next visit.",
        (_P.ACCOMMODATION,),
    ),
)
GATE_NOTES: tuple[_Note, ...] = (
    _Note(
        ContactKind.GATE,
        "Met {name} at the gate, {prison}, 8am. Straight to probation, then Housing "
        "Options: temporary room for tonight. Bought breakfast and a phone top-up.",
        (_P.ACCOMMODATION, _P.FINANCE),
    ),
    _Note(
        ContactKind.GATE,
        "Gate pick-up at {prison}. Release two hours late (paperwork). Took {them} to the "
        "Jobcentre to start the UC claim, then to {their} sister's.",
        (_P.FINANCE, _P.FAMILY),
    ),
)
SENSITIVE_NOTES: tuple[_Note, ...] = (
    _Note(
        ContactKind.OFFICE,
        "Disclosed abuse by a family member when younger. Did not push for detail. "
        "Offered a counselling referral; wants to think about it. Discussed with the safeguarding lead.",
        (_P.HEALTH, _P.FAMILY),
        True,
    ),
    _Note(
        ContactKind.PHONE,
        "Said {they} had thoughts of ending it last week. Safe now; seeing the GP "
        "tomorrow. Gave the crisis line number. Discussed with the safeguarding lead.",
        (_P.HEALTH,),
        True,
    ),
    _Note(
        ContactKind.OFFICE,
        "Talked about older men giving {them} lifts and money. Possible exploitation: "
        "raised with the safeguarding lead the same day.",
        (_P.ATTITUDES,),
        True,
    ),
    _Note(
        ContactKind.HOME_VISIT,
        "Noticed bruising on {their} arm; said it was football. Didn't sit right. "
        "Noted and raised with the safeguarding lead.",
        (_P.HEALTH,),
        True,
    ),
)
INTAKE_NOTE = (
    "First meeting. {name} referred by {source}. Went through what we do, consent and how it's safe "
    "to contact {them}. Wants: {want}."
)
WANTS = (
    "to stay out of trouble and get a job",
    "a place of {their} own",
    "to get back into college",
    "to get off the weed and sort {their} head out",
    "to keep {their} little brother out of it",
    "help with money and debts",
    "to be a better parent",
    "to stay safe, people are looking for {them}",
)
CLOSURE_NOTES = {
    ClosureReason.GOALS_MET: "Settled in work and housing. Agreed together that support can end; door left open.",
    ClosureReason.DISENGAGED: "No contact for eight weeks despite calls, texts and a home visit. Closing; can "
    "re-refer any time.",
    ClosureReason.MOVED_AWAY: "Moved to family outside London for a fresh start. Passed on the local service's "
    "details.",
    ClosureReason.RETURNED_TO_CUSTODY: "Recalled to prison. Closing this episode; we'll pick up again through "
    "the gate.",
    ClosureReason.TRANSFERRED: "Transferred to a service closer to home; handover meeting held with {them}.",
    ClosureReason.OTHER: "Closed at {name}'s request.",
}
CLOSURE_WEIGHTS = (
    (ClosureReason.GOALS_MET, 34),
    (ClosureReason.DISENGAGED, 30),
    (ClosureReason.MOVED_AWAY, 10),
    (ClosureReason.RETURNED_TO_CUSTODY, 14),
    (ClosureReason.TRANSFERRED, 8),
    (ClosureReason.OTHER, 4),
)
TASK_TITLES = (
    "Chase Housing Options about {name}'s application",
    "Book {name} onto the CSCS course",
    "Ring {name}'s probation officer about licence conditions",
    "Drop a food bank voucher to {name}",
    "Write a support letter for {name}'s housing bid",
    "Help {name} order a birth certificate (ID)",
    "Check {name} has registered with the GP",
    "Follow up the drug service referral for {name}",
    "Review {name}'s support plan",
    "Ring {name}'s mum (consent given) about the family meeting",
    "Update {name}'s risk check",
    "Confirm {name}'s Universal Credit claim went through",
    "Send {name} the college enrolment link",
)
CUSTODY_TASK_TITLES = (
    "Book the next legal visit for {name}",
    "Chase {name}'s release address with the council",
    "Send {name} the course leaflet in prison",
)

CONTACT_DURATIONS: dict[str, tuple[int, int] | None] = {
    ContactKind.OFFICE: (30, 90),
    ContactKind.PHONE: (5, 30),
    ContactKind.TEXT: None,
    ContactKind.HOME_VISIT: (40, 90),
    ContactKind.PRISON_VISIT: (60, 120),
    ContactKind.COURT: (120, 330),
    ContactKind.GATE: (150, 300),
    ContactKind.CRISIS_CALL: (10, 45),
    ContactKind.MENTORING: (45, 120),
    ContactKind.OTHER: (30, 120),
}
APPOINTMENT_TO_CONTACT: dict[str, str] = {
    AppointmentKind.OFFICE: ContactKind.OFFICE,
    AppointmentKind.HOME_VISIT: ContactKind.HOME_VISIT,
    AppointmentKind.PRISON_VISIT_LEGAL: ContactKind.PRISON_VISIT,
    AppointmentKind.PRISON_VISIT_SOCIAL: ContactKind.PRISON_VISIT,
    AppointmentKind.COURT: ContactKind.COURT,
    AppointmentKind.PHONE: ContactKind.PHONE,
}


# --- Custody, court and lone working ----------------------------------------------------------------------

# Filled in only where the directory has nothing yet (staff may have edited it). The numbers are from
# Ofcom's range reserved for drama (020 7946 0000 to 0999): nobody answers them.
PRISON_VISITS = (
    "Social visits: book online or on the visits booking line at least three working days ahead. Sessions "
    "{social}. Up to three adults and the children of the family; every adult brings photo ID.\n"
    "Legal and professional visits: e-mail the legal visits unit with the person's name and prison number, "
    "your organisation and ID; slots {legal}, last entry 30 minutes before the end.\n"
    "No phones, smart watches or USB sticks past reception: lockers take a £1 coin. Arrive 45 minutes early "
    "for the search."
)
PRISON_VISIT_TIMES = (
    ("Tuesday to Sunday, 14:00 to 16:00", "weekdays 09:15 to 11:30"),
    ("Monday, Wednesday, Friday and Saturday, 14:00 to 16:00", "weekdays 09:00 to 11:45 and 13:30 to 15:30"),
    ("daily except Thursday, 13:45 to 15:45", "Monday to Thursday, 09:30 to 11:30"),
)
COURT_VISITS = (
    "Building opens 09:00; security search at the entrance (no blades, no sharp tools). The list for the next "
    "day goes up after 16:00. Tell the usher you are there to support the defendant and ask for the defence "
    "advocate; the Witness Service room is on the first floor. No food or drink in the courtrooms."
)
PROBATION_PRACTITIONERS = (
    "Joanne Mistry",
    "Carl Petrovic",
    "Aisha Bankole",
    "Martin Feeney",
    "Ruth Okonedo",
    "Gareth Lyle",
    "Simone Achterberg",
    "Dev Chaudhry",
)
OFFENCES = (
    "Possession of a bladed article in a public place",
    "Possession with intent to supply a controlled drug of class B",
    "Affray",
    "Theft from a shop",
    "Assault by beating",
    "Handling stolen goods",
    "Driving while disqualified",
    "Breach of a community order",
    "Criminal damage",
)
# What a caseworker writes on a release-plan need as it moves (catalogue key: in progress, then met).
NEED_NOTES: dict[str, tuple[str, str]] = {
    "first_night": (
        "Referral in to Housing Options for the night of release.",
        "Room confirmed for the first night; address given to probation.",
    ),
    "housing": ("On the council's housing register; waiting for a banding decision.", "Housing application in."),
    "course_start": ("Talked about courses; college sending the dates.", "Start date confirmed with the college."),
    "prescription": (
        "Asked healthcare about medication on release.",
        "Healthcare confirmed the prescription will be ready on the day.",
    ),
    "gp": ("Surgery near the release address found.", "Registered through the prison healthcare team."),
    "drug_service": ("Referral sent to the drug and alcohol service.", "First appointment booked after release."),
    "id_documents": ("Birth certificate ordered.", "Birth certificate arrived; held in reception property."),
    "bank_account": (
        "Application in through the prison banking scheme.",
        "Account open; card held in reception property.",
    ),
    "benefits": (
        "Universal Credit claim started with the prison work coach.",
        "Claim ready to finish on the day; advance to ask for.",
    ),
    "debts": ("List of debts and fines made together.", "Payment arrangements agreed."),
    "family": ("Talked about family contact after release.", "Contact with family agreed."),
    "probation": ("Asked probation for the release-day appointment.", "Probation appointment booked for the day."),
    "gate_kit": ("Clothes for the gate asked for.", "Clothes handed in to reception; phone sorted."),
    "gate_travel": ("Talked about the journey from the gate.", "Meeting at the gate arranged."),
}


# --- Partner services, courses and safety profiles (issue 6) ---------------------------------------------------
# Local services are invented (phone numbers from Ofcom's drama ranges, e-mail and web addresses on reserved
# domains). The national helplines are seeded by the services app's data migration; the demo looks the one it
# signposts to up by name and makes it only if it is missing, so there is always one row.


@dataclass(frozen=True)
class _OrganisationSpec:
    name: str
    phone: str
    email: str
    website: str
    address: str


@dataclass(frozen=True)
class _ServiceSpec:
    organisation: str
    name: str
    category: str
    description: str
    phone: str
    email: str
    opening_hours: str
    criteria: str
    referral_method: str
    area_covered: str
    contact_notes: str = ""


SOUTH_THAMES_TRUST = "South Thames Community Health NHS Trust"
HARBOUR_HOUSING = "Harbour Housing Advice"
FERRIER_LAW = "Ferrier Street Law Centre"
RIVERSIDE = "Riverside Futures"
OPEN_DOOR = "Open Door Families"
SAFER_HOMES = "Safer Homes South London"
BROCKWELL_YOUTH = "Brockwell Youth Training"
ORGANISATIONS: tuple[_OrganisationSpec, ...] = (
    _OrganisationSpec(
        SOUTH_THAMES_TRUST,
        "020 7946 0310",
        "enquiries@south-thames-health.example",
        "https://south-thames-health.example",
        "Trust headquarters, 40 Denmark Hill Road, London SE5 8XX",
    ),
    _OrganisationSpec(
        HARBOUR_HOUSING,
        "020 7946 0320",
        "advice@harbour-housing.example",
        "https://harbour-housing.example",
        "Unit 3, Camberwell Arches, London SE5 7XX",
    ),
    _OrganisationSpec(
        FERRIER_LAW,
        "020 7946 0330",
        "clinic@ferrier-law.example",
        "https://ferrier-law.example",
        "12 Ferrier Street, London SE17 2XX",
    ),
    _OrganisationSpec(
        RIVERSIDE,
        "0113 496 0521",
        "hello@riverside-futures.example",
        "https://riverside-futures.example",
        "London hub: 88 Norwood Road, London SE27 9XX",
    ),
    _OrganisationSpec(
        OPEN_DOOR,
        "020 7946 0350",
        "families@open-door-families.example",
        "https://open-door-families.example",
        "The Old Library, Selhurst Road, London SE25 6XX",
    ),
    _OrganisationSpec(
        SAFER_HOMES,
        "020 7946 0360",
        "outreach@safer-homes.example",
        "https://safer-homes.example",
        "Address withheld (refuge provider).",
    ),
    _OrganisationSpec(
        BROCKWELL_YOUTH,
        "020 7946 0370",
        "courses@brockwell-youth.example",
        "https://brockwell-youth.example",
        "Brockwell Hall Annexe, Norwood Road, London SE24 9XX",
    ),
)
BRIEF_INTERVENTION = "Brief Intervention Service"
HOUSING_ADVICE = "Housing Advice Line and Drop-in"
WELLBEING = "Young Adults' Wellbeing Team"
LEGAL_CLINIC = "Free Legal Advice Clinic"
ROUTES_INTO_WORK = "Routes into Work"
FAMILY_TIES = "Family Ties"
DA_OUTREACH = "Domestic Abuse Outreach and IDVA Service"
SERVICES: tuple[_ServiceSpec, ...] = (
    _ServiceSpec(
        SOUTH_THAMES_TRUST,
        BRIEF_INTERVENTION,
        ServiceCategory.DRUGS_ALCOHOL,
        "Short, practical support for people using drugs or alcohol: an assessment, harm reduction, up to six "
        "one-to-one sessions, and a way into longer treatment if it is needed. Takes referrals from prison "
        "before release, so the first appointment can be booked for the week after.",
        "020 7946 0311",
        "bis.referrals@south-thames-health.example",
        "Monday to Friday 9:00 to 17:00; late clinic Thursday until 19:00",
        "18 and over, living in Lambeth or Southwark (or released to an address there). Any drug, any amount.",
        ReferralMethod.FORM,
        "Lambeth, Southwark",
        "Professional referral form by secure e-mail. Self-referral by phone or the Thursday drop-in.",
    ),
    _ServiceSpec(
        SOUTH_THAMES_TRUST,
        WELLBEING,
        ServiceCategory.MENTAL_HEALTH,
        "Talking therapies and a named worker for young adults with low mood, anxiety or trauma, including "
        "after violence. Works with the GP and the charity's caseworker.",
        "020 7946 0312",
        "wellbeing.referrals@south-thames-health.example",
        "Monday to Friday 9:00 to 17:00",
        "16 to 25, registered with a GP in Lambeth, Southwark or Croydon. Not a crisis service: in a crisis, "
        "call NHS 111 and choose the mental health option.",
        ReferralMethod.FORM,
        "Lambeth, Southwark, Croydon",
    ),
    _ServiceSpec(
        HARBOUR_HOUSING,
        HOUSING_ADVICE,
        ServiceCategory.HOUSING,
        "Housing advice for people leaving prison or at risk of sleeping rough: homelessness applications, "
        "hostel and supported housing referrals, tenancy problems, rent arrears.",
        "020 7946 0321",
        "referrals@harbour-housing.example",
        "Advice line Monday to Friday 10:00 to 16:00; drop-in Tuesday and Thursday 10:00 to 13:00",
        "18 and over with a local connection to Lambeth, Southwark or Croydon. Pre-release work from 8 weeks "
        "before a release date.",
        ReferralMethod.EMAIL,
        "Lambeth, Southwark, Croydon",
    ),
    _ServiceSpec(
        FERRIER_LAW,
        LEGAL_CLINIC,
        ServiceCategory.LEGAL,
        "Free advice from volunteer solicitors on housing, debt, benefits, employment and immigration. Does "
        "not take criminal cases.",
        "020 7946 0331",
        "clinic@ferrier-law.example",
        "Tuesday and Thursday 18:00 to 20:00, by appointment",
        "Anyone living or working in Southwark or Lambeth.",
        ReferralMethod.PHONE,
        "Lambeth, Southwark",
    ),
    _ServiceSpec(
        RIVERSIDE,
        ROUTES_INTO_WORK,
        ServiceCategory.EMPLOYMENT_TRAINING,
        "Employment support for young people with convictions: CVs, disclosure advice, interview practice, "
        "short courses and introductions to employers who hire people with records.",
        "020 7946 0341",
        "routes@riverside-futures.example",
        "Monday to Friday 9:30 to 17:00",
        "16 to 30, living in south London. A conviction is not a barrier.",
        ReferralMethod.ONLINE,
        "South London",
    ),
    _ServiceSpec(
        OPEN_DOOR,
        FAMILY_TIES,
        ServiceCategory.FAMILY,
        "Support for families affected by prison or violence: parenting groups, help keeping in touch with a "
        "parent inside, and a worker for brothers and sisters.",
        "020 7946 0351",
        "families@open-door-families.example",
        "Monday to Friday 9:00 to 17:00; parents' group Wednesday evenings",
        "Families living in Croydon, Lambeth or Southwark.",
        ReferralMethod.FORM,
        "Croydon, Lambeth, Southwark",
    ),
    _ServiceSpec(
        SAFER_HOMES,
        DA_OUTREACH,
        ServiceCategory.DOMESTIC_ABUSE,
        "Outreach and independent domestic violence advisers (IDVAs) for anyone experiencing domestic abuse: "
        "safety planning, help with the police and courts, refuge referrals.",
        "020 7946 0361",
        "outreach@safer-homes.example",
        "Monday to Friday 9:00 to 17:00",
        "Anyone 16 or over affected by domestic abuse in Lambeth, Southwark or Croydon. Self-referral welcome.",
        ReferralMethod.SELF,
        "Lambeth, Southwark, Croydon",
        "Out of hours: the National Domestic Abuse Helpline, 0808 2000 247, 24 hours.",
    ),
)
NATIONAL_DA_HELPLINE = "National Domestic Abuse Helpline"
# Venues: invented names, London postcodes and boroughs (what safety-aware booking checks).
WALWORTH_SKILLS = ("Walworth Road Skills Centre", "214 Walworth Road, London", "SE17 1JE", "Southwark")
NORWOOD_KITCHEN = ("Norwood Works Training Kitchen", "88 Norwood Road, London", "SE27 9AZ", "Lambeth")
SELHURST_HUB = ("Selhurst Youth and Community Hub", "5 Selhurst Road, London", "SE25 6LQ", "Croydon")
CANADA_WATER_ROOMS = ("Canada Water Community Rooms", "21 Surrey Quays Road, London", "SE16 7AX", "Southwark")
VENUES = (WALWORTH_SKILLS, NORWOOD_KITCHEN, SELHURST_HUB, CANADA_WATER_ROOMS)

NEXT_STEPS = "Next Steps: construction skills (CSCS card)"
KITCHEN_READY = "Kitchen Ready: food hygiene and barista skills"
YOUTH_WORK = "Level 2 Award in Youth Work"
# (title, provider or None for the charity's own, description, qualification)
COURSES: tuple[tuple[str, str | None, str, str], ...] = (
    (
        NEXT_STEPS,
        None,
        "The charity's own two-week course with a construction training partner: health and safety on site, "
        "manual handling, the CITB test, then introductions to contractors who take on people with records.",
        "CSCS Green Labourer card (Level 1 Award in Health and Safety in a Construction Environment)",
    ),
    (
        KITCHEN_READY,
        RIVERSIDE,
        "Six Thursday sessions in a working training kitchen: food safety, barista skills, a trial shift with "
        "a partner café.",
        "Level 2 Award in Food Safety in Catering",
    ),
    (
        YOUTH_WORK,
        BROCKWELL_YOUTH,
        "Ten weekly evening sessions for young adults who want to work with young people, with a placement.",
        "Level 2 Award in Youth Work Practice",
    ),
)
COURSE_TITLES = tuple(title for title, *_ in COURSES)


# --- Results ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SignIn:
    email: str
    name: str
    role: str
    team: str


@dataclass
class DemoResult:
    created: bool
    reset: bool
    seconds: float
    week_monday: dt.date
    week_is_current: bool
    counts: dict[str, int]
    sign_ins: list[SignIn]
    deleted: int = 0


def demo_give_totp(users: Iterable[User]) -> int:
    """Give each demo account without one an authenticator app keyed with DEMO_TOTP_SECRET; return how many.
    Also run for a demo loaded before MFA was required, so its accounts get the documented key."""
    from allauth.mfa.models import Authenticator
    from allauth.mfa.utils import encrypt

    users = list(users)
    have = set(
        Authenticator.objects.filter(user__in=users, type=Authenticator.Type.TOTP).values_list("user_id", flat=True)
    )
    new = [
        Authenticator(user=u, type=Authenticator.Type.TOTP, data={"secret": encrypt(DEMO_TOTP_SECRET)})
        for u in users
        if u.pk not in have
    ]
    Authenticator.objects.bulk_create(new)
    return len(new)


def demo_is_loaded() -> bool:
    return User.objects.filter(email=FEATURED_EMAIL).exists()


def demo_sign_ins() -> list[SignIn]:
    order = {spec.email: i for i, spec in enumerate(STAFF)}
    users = sorted(
        User.objects.filter(email__iendswith=f"@{DEMO_DOMAIN}").select_related("team"),
        key=lambda u: (order.get(u.email, len(order)), u.email),
    )
    return [
        SignIn(email=u.email, name=u.get_full_name(), role=Role(u.role).label, team=u.team.name if u.team else "")
        for u in users
    ]


def demo_counts() -> dict[str, int]:
    demo_clients = Client.objects.filter(cases__team__name__in=TEAM_BY_NAME).distinct()
    return {
        "teams": Team.objects.filter(name__in=TEAM_BY_NAME).count(),
        "staff": User.objects.filter(email__iendswith=f"@{DEMO_DOMAIN}").count(),
        "clients": demo_clients.count(),
        "cases": Case.objects.filter(team__name__in=TEAM_BY_NAME).count(),
        "contacts": Contact.objects.filter(client__in=demo_clients).count(),
        "tasks": Task.objects.filter(owner__email__iendswith=f"@{DEMO_DOMAIN}").count(),
        "appointments": Appointment.objects.filter(staff__email__iendswith=f"@{DEMO_DOMAIN}").count(),
        "custody episodes": CustodyEpisode.objects.filter(client__in=demo_clients).count(),
        "court hearings": Hearing.objects.filter(client__in=demo_clients).count(),
        "referrals out": OutboundReferral.objects.filter(client__in=demo_clients).count(),
        "signpostings": Signposting.objects.filter(given_by__email__iendswith=f"@{DEMO_DOMAIN}").count(),
        "course cohorts": Cohort.objects.filter(course__title__in=COURSE_TITLES).count(),
        "enrolments": Enrolment.objects.filter(client__in=demo_clients).count(),
        "keep-apart pairs": KeepApart.objects.filter(client_a__in=demo_clients).count(),
        "risk reviews": RiskReview.objects.filter(client__in=demo_clients).count(),
        "safeguarding concerns": Concern.objects.filter(client__in=demo_clients).count(),
        "crisis calls": CrisisCall.objects.filter(client__in=demo_clients).count(),
        "outcome readings": OutcomeReading.objects.filter(client__in=demo_clients).count(),
        "milestones": Milestone.objects.filter(client__in=demo_clients).count(),
        "mentoring sessions": MentoringSession.objects.filter(mentoring__mentee__in=demo_clients).count(),
    }


def national_helpline() -> Service:
    """The National Domestic Abuse Helpline: the row the services app seeds if it is there (found by name),
    otherwise made here the same way, so there is only ever one."""
    seeded = Service.objects.filter(name=NATIONAL_DA_HELPLINE).order_by("created_at").first()
    if seeded is not None:
        return seeded
    refuge, _ = Organisation.objects.get_or_create(
        name="Refuge", defaults={"website": "https://refuge.org.uk", "phone": "0808 2000 247"}
    )
    helpline, _ = Service.objects.get_or_create(
        organisation=refuge,
        name=NATIONAL_DA_HELPLINE,
        defaults={
            "category": ServiceCategory.DOMESTIC_ABUSE,
            "description": "Free, confidential support for anyone experiencing domestic abuse, and for "
            "friends, family and professionals calling on their behalf.",
            "phone": "0808 2000 247",
            "website": "https://www.nationaldahelpline.org.uk",
            "contact_notes": "Live chat on the website on weekdays; British Sign Language service online.",
            "opening_hours": "24 hours a day, every day",
            "criteria": "Anyone affected by domestic abuse, anywhere in England.",
            "referral_method": ReferralMethod.SELF,
            "area_covered": "National",
            "is_national": True,
            "is_helpline": True,
        },
    )
    return helpline


def current_week_monday(today: dt.date | None = None) -> dt.date:
    today = today or timezone.localdate()
    return today - dt.timedelta(days=today.weekday())


def staged_week_monday() -> dt.date | None:
    """The Monday of the week the acceptance story was staged in (its gate release is on the Tuesday)."""
    gate = (
        Appointment.objects.filter(staff__email=FEATURED_EMAIL, kind=AppointmentKind.GATE)
        .order_by("-starts_at")
        .values_list("starts_at", flat=True)
        .first()
    )
    return current_week_monday(timezone.localtime(gate).date()) if gate else None


@transaction.atomic
def demo_load(*, clients: int = DEFAULT_CLIENTS, reset: bool = False, seed: int = SEED) -> DemoResult:
    """Load the demo unless it is there already; with `reset`, delete it and build it again."""
    started = time.monotonic()
    deleted = 0
    loaded = demo_is_loaded()
    if loaded and not reset:
        staged = staged_week_monday()
        return DemoResult(
            created=False,
            reset=False,
            seconds=time.monotonic() - started,
            week_monday=staged or current_week_monday(),
            week_is_current=staged == current_week_monday(),
            counts=demo_counts(),
            sign_ins=demo_sign_ins(),
        )
    if loaded or reset:
        deleted = demo_purge()
    builder = _Builder(clients=clients, seed=seed)
    builder.build()
    return DemoResult(
        created=True,
        reset=reset,
        seconds=time.monotonic() - started,
        week_monday=builder.monday,
        week_is_current=True,
        counts=demo_counts(),
        sign_ins=demo_sign_ins(),
        deleted=deleted,
    )


# --- Deleting the demo ------------------------------------------------------------------------------------


def demo_purge() -> int:
    """Delete every demo row and every row, in any app, that refers to one; return how many rows went.

    Models protect their references (on_delete=PROTECT) and audit events refuse deletion one by one, so this
    does not go through Model.delete() or the deletion collector: it works out the closure of referring
    rows and deletes them with plain SQL DELETEs, dependants first. Foreign keys are checked when the
    transaction commits (Django creates them DEFERRABLE INITIALLY DEFERRED), so a reference cycle is fine.
    """
    teams = set(Team.objects.filter(name__in=TEAM_BY_NAME).values_list("pk", flat=True))
    users = set(User.objects.filter(email__iendswith=f"@{DEMO_DOMAIN}").values_list("pk", flat=True))
    clients = set(Client.objects.filter(cases__team__in=teams).values_list("pk", flat=True))
    clients.update(Client.objects.filter(appointments__staff__in=users).values_list("pk", flat=True))
    from keyworker.funding.models import Funder

    funders = set(Funder.objects.filter(name__in=FUNDER_NAMES).values_list("pk", flat=True))
    # The directory, venues and courses stay (made with get_or_create); the demo's cohorts are dated from the
    # day it was loaded, so they go, with their sessions, enrolments and attendance.
    cohorts = set(Cohort.objects.filter(course__title__in=COURSE_TITLES).values_list("pk", flat=True))
    # Third-party (victim) records refer to nobody; they go with the concerns raised in the demo's casework.
    third_parties = set(ThirdParty.objects.filter(concerns__client__in=clients).values_list("pk", flat=True))
    rows, _ = referring_closure(
        {Team: teams, User: users, Client: clients, Funder: funders, Cohort: cohorts, ThirdParty: third_parties}
    )
    # Audit events name their client by a plain UUID (so the trail outlives erasure): include them too.
    # The log is append-only (database triggers, hash chain): demo events go through the audit app's one
    # sanctioned removal, which re-links the chain after them, before the rows they point at go.
    from keyworker.audit.services import audit_events_erase_for_demo

    audit_events = rows.pop(AuditEvent, set())
    audit_events.update(AuditEvent.objects.filter(client_id__in=clients).values_list("pk", flat=True))
    total = 0
    with transaction.atomic():
        total += audit_events_erase_for_demo(event_ids=audit_events)
        total += delete_closure(rows)
        _rewind_case_sequence()
    return total


def _rewind_case_sequence() -> None:
    """After a purge, let case references carry on from the highest one still in use (KW-000001 on a
    database that held only the demo)."""
    sequence = Sequence.objects.select_for_update().filter(name=CASE_SEQUENCE).first()
    if sequence is None:
        return
    numbers = [
        int(ref[3:])
        for ref in Case.objects.filter(reference__startswith="KW-").values_list("reference", flat=True)
        if ref[3:].isdigit()
    ]
    sequence.value = max(numbers, default=0)
    sequence.save(update_fields=["value"])


# --- Building the demo ------------------------------------------------------------------------------------


@dataclass
class _Plan:
    """How one case's history runs: in custody until `release_on` (None: still inside), then community."""

    case: Case
    client: Client
    spec: _TeamSpec
    prison: str = ""
    custody_from: dt.date | None = None
    release_on: dt.date | None = None
    history_until: dt.date | None = None
    staged: bool = False
    contact_weights: dict[str, int] = field(default_factory=dict)
    recent_notes: list[str] = field(default_factory=list)
    episode: CustodyEpisode | None = None

    def in_custody(self, day: dt.date) -> bool:
        if not self.prison or (self.custody_from is not None and day < self.custody_from):
            return False
        return self.release_on is None or day < self.release_on


class _Builder:
    def __init__(self, *, clients: int, seed: int) -> None:
        self.rng = random.Random(seed)
        self.id_rng = random.Random(seed * 7919)
        self.n_clients = max(clients, 0)
        self.tz = timezone.get_current_timezone()
        self.now = timezone.now()
        self.today = timezone.localdate(self.now)
        self.monday = current_week_monday(self.today)
        self.history_start = self.today - dt.timedelta(days=HISTORY_DAYS)
        self.teams: dict[str, Team] = {}
        self.staff: dict[str, User] = {}
        self.caseworkers: dict[str, list[User]] = defaultdict(list)
        self.managers: dict[str, User] = {}
        self.clients: list[Client] = []
        self.plans: list[_Plan] = []
        self.contacts: list[Contact] = []
        self.tasks: list[Task] = []
        self.appointments: list[Appointment] = []
        self.restricted: list[tuple[Client, str]] = []  # (client, message): restrictions naming Dee and her manager
        # Custody and court records draw on their own random stream, so the rest of the demo stays as it was.
        self.crng = random.Random(seed * 104729)
        self.establishments: dict[str, Establishment] = {}
        self.episodes: list[CustodyEpisode] = []
        self.transfers: list[CustodyTransfer] = []
        self.needs: list[ReleaseNeed] = []
        self.need_updates: list[ReleaseNeedUpdate] = []
        self.charges: list[Charge] = []
        self.hearings: list[Hearing] = []
        self.hearing_charges: list[tuple[Hearing, Charge]] = []
        self.lone_visits: list[LoneWorkingVisit] = []
        self.escalations: list[LoneWorkingEscalation] = []
        self.made_at: dict[uuid.UUID, dt.datetime] = {}  # when custody, court and lone-working rows were made
        self.lone_covered: set[uuid.UUID] = set()  # home-visit contacts that have their lone-working visit
        self.used_names: set[tuple[str, str]] = set()
        self.phones = self.rng.sample(range(1000), 1000)
        # Services, referrals out, courses and safety profiles: their own random stream too.
        self.srng = random.Random(seed * 1299709)
        self.featured: dict[str, _Plan] = {}
        self.course_start: dt.date = self.monday
        self.wednesday_visited = False
        self.kayla_met = False
        self.services: dict[str, Service] = {}
        self.venues: dict[str, Venue] = {}
        self.consents: list[ConsentRecord] = []
        self.referrals: list[OutboundReferral] = []
        self.referral_updates: list[OutboundReferralUpdate] = []
        self.disclosures: list[Disclosure] = []
        self.sharing_agreements: list[SharingAgreement] = []
        self.agreements: dict[uuid.UUID, SharingAgreement] = {}  # organisation id -> its agreement
        self.signpostings: list[Signposting] = []
        self.cohorts: list[Cohort] = []
        self.sessions: list[CourseSession] = []
        self.enrolments: list[Enrolment] = []
        self.attendance: list[SessionAttendance] = []
        self.unsafe_areas: list[UnsafeArea] = []
        self.keep_apart: list[KeepApart] = []
        self.service_made: dict[uuid.UUID, dt.datetime] = {}  # when referral, course and safety rows were made
        self.courses: dict[str, Course] = {}
        self.set_aside: set[UUID] = set()  # clients with a part already (safety profile, a course): picks skip them
        self.kwame_client: _Plan | None = None
        # Ethnicity draws on its own random stream, so every other detail of the demo stays as it was.
        self.erng = random.Random(seed * 15485863)

    # helpers

    def uuid(self) -> uuid.UUID:
        return uuid.UUID(int=self.id_rng.getrandbits(128), version=4)

    def at(self, day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=self.tz)

    def pick(self, weighted: Iterable[tuple[Any, int]]) -> Any:
        options, weights = zip(*weighted, strict=True)
        return self.rng.choices(options, weights)[0]

    @property
    def dee(self) -> User:
        return self.staff[FEATURED_EMAIL]

    @property
    def cal(self) -> User:
        return next(u for u in self.staff.values() if u.role == Role.ON_CALL)

    # the build

    def build(self) -> None:
        self.build_staff()
        self.build_directory()
        self.build_featured_week()
        self.build_caseload(max(self.n_clients - len(self.clients), 0))
        for plan in self.plans:
            if not plan.staged:
                self.build_history(plan)
                self.build_tasks(plan)
                self.build_custody(plan)
                self.build_appointments(plan)
        self.build_lone_working()
        self.build_services()
        safeguarding = SafeguardingDemo(self)
        safeguarding.build()  # before save(): the crisis calls' tasks join the rest
        outcomes = OutcomesDemo(self)
        outcomes.build()
        self.save()
        safeguarding.save()
        outcomes.save()

    def build_staff(self) -> None:
        existing = {t.name: t for t in Team.objects.filter(name__in=TEAM_BY_NAME)}
        new_teams = [Team(id=self.uuid(), name=s.name, area=s.area) for s in TEAMS if s.name not in existing]
        Team.objects.bulk_create(new_teams)
        self.teams = {**existing, **{t.name: t for t in new_teams}}
        password = make_password(DEMO_PASSWORD)
        joined = self.now - dt.timedelta(days=HISTORY_DAYS + 60)
        users = []
        for spec in STAFF:
            user = User(
                id=self.uuid(),
                email=spec.email,
                username=spec.email,
                first_name=spec.first_name,
                last_name=spec.last_name,
                role=spec.role,
                team=self.teams[spec.team] if spec.team else None,
                password=password,
                is_staff=spec.role == Role.ADMINISTRATOR,
                is_superuser=spec.role == Role.ADMINISTRATOR,
                date_joined=joined,
            )
            users.append(user)
            self.staff[spec.email] = user
            if spec.team and spec.role == Role.CASEWORKER:
                self.caseworkers[spec.team].append(user)
            if spec.team and spec.role == Role.MANAGER:
                self.managers[spec.team] = user
        User.objects.bulk_create(users)
        EmailAddress.objects.bulk_create(
            EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in users
        )
        demo_give_totp(users)

    # clients and cases

    def new_client(
        self,
        *,
        spec: _TeamSpec,
        programme: str,
        first_name: str = "",
        last_name: str = "",
        gender: str | None = None,
        age: int | None = None,
        **fields: Any,
    ) -> Client:
        rng = self.rng
        if gender is None:
            weights = (
                ((Gender.FEMALE, 92), (Gender.NON_BINARY, 8))
                if programme == Programme.WOMEN_AND_GIRLS
                else ((Gender.MALE, 77), (Gender.FEMALE, 18), (Gender.NON_BINARY, 3), (Gender.NOT_SAID, 2))
            )
            gender = self.pick(weights)
        if not first_name:
            pools: dict[str, tuple[str, ...]] = {Gender.MALE: MALE_NAMES, Gender.FEMALE: FEMALE_NAMES}
            pool = pools.get(gender, NEUTRAL_NAMES + MALE_NAMES[:8])
            while True:
                first_name, last_name = rng.choice(pool), rng.choice(SURNAMES)
                if (first_name, last_name) not in self.used_names:
                    break
        self.used_names.add((first_name, last_name))
        if age is None:
            ages: dict[str, tuple[int, int]] = {
                Programme.YOUNG_PEOPLE: (15, 19),
                Programme.WOMEN_AND_GIRLS: (16, 30),
                Programme.GANG_EXIT: (17, 35),
                Programme.RESETTLEMENT: (19, 40),
                Programme.PEER_MENTORING: (20, 40),
            }
            lo, hi = ages[programme]
            age = rng.randint(lo, hi)
        home_area = spec.area if rng.random() < 0.85 else rng.choice(spec.nearby)
        phone = self.phones.pop()
        defaults: dict[str, Any] = {
            "preferred_name": NICKNAMES.get(first_name, "") if rng.random() < 0.4 else "",
            "pronouns": "they/them" if gender == Gender.NON_BINARY else "",
            "phone": f"07700 900{phone:03d}" if rng.random() < 0.92 else "",
            "email": f"{first_name}.{last_name}{rng.randint(1, 99)}@example.com".lower().replace("'", "")
            if rng.random() < 0.3
            else "",
            "home_area": home_area,
            "ethnicity": ethnicity_for(self.erng),
            "may_phone": rng.random() < 0.9,
            "may_text": rng.random() < 0.85,
            "may_leave_voicemail": rng.random() < 0.45,
            "may_write": rng.random() < 0.35,
            "code_word": rng.choice(CODE_WORDS) if rng.random() < 0.2 else "",
            "safe_contact_note": rng.choice(SAFE_CONTACT_NOTES) if rng.random() < 0.25 else "",
        }
        if rng.random() < 0.65:
            district = rng.choice(POSTCODE_DISTRICTS.get(home_area, ("SE5",)))
            defaults["address"] = (
                f"Flat {rng.randint(1, 80)}, {rng.choice(BLOCKS)} House\n{rng.choice(ESTATES)} Estate\nLondon"
            )
            defaults["postcode"] = (
                f"{district} {rng.randint(1, 9)}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}"
                f"{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}"
            )
        defaults.update(fields)
        client = Client(
            id=self.uuid(),
            first_name=first_name,
            last_name=last_name,
            gender=gender,
            date_of_birth=self.today - dt.timedelta(days=int(age * 365.25) + rng.randint(1, 360)),
            **defaults,
        )
        self.clients.append(client)
        return client

    def new_case(
        self,
        *,
        client: Client,
        spec: _TeamSpec,
        programme: str,
        opened_on: dt.date,
        keyworker: User | None,
        closed_on: dt.date | None = None,
        closure_reason: str = "",
        status: str = CaseStatus.OPEN,
    ) -> Case:
        case = Case(
            id=self.uuid(),
            client=client,
            programme=programme,
            opened_on=opened_on,
            keyworker=keyworker,
            team=self.teams[spec.name],
            status=CaseStatus.CLOSED if closed_on else status,
            closed_on=closed_on,
            closure_reason=closure_reason,
            closure_note=self.fill(CLOSURE_NOTES[ClosureReason(closure_reason)], client) if closure_reason else "",
        )
        return case

    def plan(self, case: Case, spec: _TeamSpec, **kwargs: Any) -> _Plan:
        plan = _Plan(case=case, client=case.client, spec=spec, **kwargs)
        self.plans.append(plan)
        return plan

    def prison_for(self, client: Client, age: int) -> str:
        if client.gender == Gender.FEMALE:
            return self.rng.choice(PRISONS_WOMEN)
        return self.rng.choice(PRISONS_YOUNG if age < 21 else PRISONS_MEN)

    def build_caseload(self, count: int) -> None:
        rng = self.rng
        weights = [(spec, spec.share) for spec in TEAMS]
        for _ in range(count):
            spec: _TeamSpec = self.pick(weights)
            programme: str = self.pick(spec.programmes)
            client = self.new_client(spec=spec, programme=programme)
            assert client.date_of_birth is not None
            age = (self.today - client.date_of_birth).days // 365
            earliest = max(self.history_start, client.date_of_birth + dt.timedelta(days=int(14 * 365.25)))
            shape = rng.random()
            if shape < 0.25 and (self.today - earliest).days > 420:
                # Two episodes: one closed, then support again.
                first_open = earliest + dt.timedelta(days=rng.randint(0, (self.today - earliest).days - 400))
                first_close = first_open + dt.timedelta(days=rng.randint(60, 260))
                reason = self.pick(CLOSURE_WEIGHTS)
                self.add_case(client, spec, programme, first_open, age, closed_on=first_close, reason=reason)
                second_spec, second_programme = spec, programme
                if reason == ClosureReason.RETURNED_TO_CUSTODY:
                    second_spec, second_programme = TEAM_BY_NAME[SOUTHWARK], Programme.RESETTLEMENT
                elif reason == ClosureReason.GOALS_MET and age >= 18:
                    second_programme = Programme.PEER_MENTORING
                second_open = first_close + dt.timedelta(days=rng.randint(20, 120))
                if second_open < self.today - dt.timedelta(days=7):
                    closed = rng.random() < 0.15
                    self.add_case(
                        client,
                        second_spec,
                        second_programme,
                        second_open,
                        age,
                        closed_on=self.close_date(second_open) if closed else None,
                        reason=self.pick(CLOSURE_WEIGHTS) if closed else "",
                        after_custody=reason == ClosureReason.RETURNED_TO_CUSTODY,
                    )
            else:
                span = max((self.today - earliest).days, 1)
                opened = self.today - dt.timedelta(days=min(int(rng.triangular(0, span, span * 0.15)), span))
                if rng.random() < 0.03:
                    opened = self.today - dt.timedelta(days=rng.randint(1, 10))  # new, not yet allocated
                closed = rng.random() < 0.28 and (self.today - opened).days > 75
                reason = self.pick(CLOSURE_WEIGHTS) if closed else ""
                self.add_case(
                    client,
                    spec,
                    programme,
                    opened,
                    age,
                    closed_on=self.close_date(opened) if closed else None,
                    reason=reason,
                )

    def close_date(self, opened: dt.date) -> dt.date:
        latest = (self.today - opened).days - 7
        return opened + dt.timedelta(days=self.rng.randint(min(45, latest), latest))

    def add_case(
        self,
        client: Client,
        spec: _TeamSpec,
        programme: str,
        opened: dt.date,
        age: int,
        *,
        closed_on: dt.date | None,
        reason: str,
        after_custody: bool = False,
    ) -> None:
        rng = self.rng
        open_days = (self.today - opened).days
        keyworker: User | None = rng.choice(self.caseworkers[spec.name])
        if closed_on is None and open_days <= 10 and programme != Programme.PEER_MENTORING:
            keyworker = None  # waiting for allocation
        status = CaseStatus.ON_HOLD if closed_on is None and keyworker and rng.random() < 0.05 else CaseStatus.OPEN
        case = self.new_case(
            client=client,
            spec=spec,
            programme=programme,
            opened_on=opened,
            keyworker=keyworker,
            closed_on=closed_on,
            closure_reason=reason,
            status=status,
        )
        prison, release_on = "", None
        if (
            programme == Programme.RESETTLEMENT
            or after_custody
            or (programme == Programme.GANG_EXIT and rng.random() < 0.12)
        ):
            prison = self.prison_for(client, age)
            release_on = opened + dt.timedelta(days=rng.randint(20, 200))
            if closed_on is None and release_on > self.today and rng.random() < 0.5:
                # Release soon: a gate date lands in the next few weeks.
                release_on = self.today + dt.timedelta(days=rng.randint(1, 24))
            if closed_on and release_on >= closed_on:
                release_on = None  # still inside when the episode closed
        kinds = {
            ContactKind.OFFICE: 24,
            ContactKind.PHONE: 25,
            ContactKind.TEXT: 20,
            ContactKind.HOME_VISIT: 10,
            ContactKind.OTHER: 7,
            ContactKind.COURT: 2,
            ContactKind.CRISIS_CALL: 1,
            ContactKind.MENTORING: 25 if programme == Programme.PEER_MENTORING else 0,
        }
        self.plan(case, spec, prison=prison, release_on=release_on, contact_weights=kinds)

    # writing notes

    def fill(self, text: str, client: Client, **extra: str) -> str:
        they, them, their = {
            Gender.MALE: ("he", "him", "his"),
            Gender.FEMALE: ("she", "her", "her"),
        }.get(Gender(client.gender), ("they", "them", "their"))
        values = {
            "name": client.preferred_name or client.first_name,
            "they": they,
            "They": they.capitalize(),
            "them": them,
            "their": their,
            "Their": their.capitalize(),
            "area": client.home_area,
            "prison": "the prison",
            "court": "court",
            "office": "the office",
            **extra,
        }
        return text.format(**values)

    def contact(
        self,
        plan: _Plan,
        *,
        kind: str,
        at: dt.datetime,
        note: str,
        pathways: Iterable[str] = (),
        location: str = "",
        sensitive: bool = False,
        by: User | None = None,
        minutes: int | None = None,
    ) -> Contact | None:
        if at >= self.now:
            return None  # a contact cannot be in the future
        span = CONTACT_DURATIONS[kind]
        if minutes is None and span:
            minutes = self.rng.randrange(span[0], span[1] + 1, 5)
        recorder = by or plan.case.keyworker or self.managers[plan.spec.name]
        contact = Contact(
            id=self.uuid(),
            client=plan.client,
            case=plan.case,
            kind=kind,
            occurred_at=at,
            duration_minutes=minutes,
            location=location,
            note=note,
            pathways=list(pathways),
            is_sensitive=sensitive,
            recorded_by=recorder,
        )
        self.contacts.append(contact)
        return contact

    def location_for(self, plan: _Plan, kind: str, *, court: str = "") -> str:
        if kind == ContactKind.OFFICE:
            return plan.spec.office
        if kind == ContactKind.HOME_VISIT:
            return f"Home, {plan.client.home_area}"
        if kind in (ContactKind.PRISON_VISIT, ContactKind.GATE):
            return plan.prison
        if kind == ContactKind.COURT:
            return court
        if kind == ContactKind.MENTORING:
            return f"Youth hub, {plan.client.home_area}"
        if kind == ContactKind.CRISIS_CALL:
            return "Out-of-hours line"
        return ""

    def note_contact(
        self,
        plan: _Plan,
        day: dt.date,
        kind: str | None = None,
        *,
        hour: int | None = None,
        minute: int | None = None,
        court: str = "",
    ) -> Contact | None:
        """One contact from the note bank on `day`, of `kind` or a kind suiting the case at that time."""
        rng = self.rng
        in_custody = plan.in_custody(day)
        if in_custody:
            pool = [n for n in CUSTODY_NOTES if kind is None or n.kind == kind] or list(CUSTODY_NOTES)
        elif kind == ContactKind.GATE:
            pool = list(GATE_NOTES)
        else:
            if kind is None:
                kind = self.pick(plan.contact_weights.items())
            pool = [n for n in NOTES if n.kind == kind]
            if kind in (ContactKind.OFFICE, ContactKind.PHONE, ContactKind.HOME_VISIT) and rng.random() < 0.012:
                pool = [n for n in SENSITIVE_NOTES if n.kind == kind]
        note = rng.choice(pool)
        for _ in range(4):  # caseworkers rarely write the same note twice running
            if note.text not in plan.recent_notes:
                break
            note = rng.choice(pool)
        plan.recent_notes = [*plan.recent_notes[-3:], note.text]
        if note.kind == ContactKind.COURT and not court:
            court = rng.choice(YOUTH_COURTS if plan.case.programme == Programme.YOUNG_PEOPLE else COURTS)
        if hour is None:
            if note.kind == ContactKind.CRISIS_CALL:
                hour = rng.choice((20, 21, 22, 23))
            elif note.kind in (ContactKind.TEXT, ContactKind.MENTORING):
                hour = rng.randint(9, 19)
            elif note.kind == ContactKind.GATE:
                hour = 8
            else:
                hour = rng.randint(9, 16)
        if minute is None:
            minute = rng.choice((0, 5, 10, 15, 20, 30, 40, 45, 50))
        by = self.cal if note.kind == ContactKind.CRISIS_CALL else None
        if by is None and plan.case.keyworker and rng.random() < 0.12:
            by = rng.choice(self.caseworkers[plan.spec.name])  # a teammate covering
        return self.contact(
            plan,
            kind=note.kind,
            at=self.at(day, hour, minute),
            note=self.fill(note.text, plan.client, prison=plan.prison or "the prison", court=court or "court"),
            pathways=note.pathways,
            location=self.location_for(plan, note.kind, court=court),
            sensitive=note.sensitive,
            by=by,
        )

    # history, tasks and appointments of the generated caseload

    def build_history(self, plan: _Plan) -> None:
        rng, case = self.rng, plan.case
        start = max(case.opened_on, self.history_start)
        end = min(case.closed_on or self.today, plan.history_until or self.today)
        intake = self.fill(
            INTAKE_NOTE,
            plan.client,
            source=self.fill(rng.choice(REFERRAL_SOURCES), plan.client),
            want=self.fill(rng.choice(WANTS), plan.client),
        )
        first_kind = ContactKind.PRISON_VISIT if plan.in_custody(start) else ContactKind.OFFICE
        self.contact(
            plan,
            kind=first_kind,
            at=self.at(start, 11, 0),
            note=intake,
            pathways=[_P.ATTITUDES],
            location=self.location_for(plan, first_kind),
        )
        if case.keyworker is None:
            return
        quiet = case.closure_reason == ClosureReason.DISENGAGED
        day = start
        while True:
            gap = rng.choice((2, 3, 4, 5, 7, 7, 8, 10, 12, 14, 14, 21))
            if plan.in_custody(day):
                gap = rng.choice((10, 14, 21, 28))
            if quiet and (end - day).days < 70:
                gap *= 3
            nxt = day + dt.timedelta(days=gap)
            if plan.release_on and day < plan.release_on <= nxt and plan.release_on <= end:
                day = plan.release_on
                self.note_contact(plan, day, ContactKind.GATE)
                continue
            day = nxt
            if day > end:
                break
            if day.weekday() >= 5:
                day -= dt.timedelta(days=day.weekday() - 4)  # to the Friday
            self.note_contact(plan, day)

    def build_tasks(self, plan: _Plan) -> None:
        rng, case = self.rng, plan.case
        owner = case.keyworker
        if owner is None:
            return
        if case.status == CaseStatus.CLOSED:
            assert case.closed_on is not None
            for _ in range(rng.randint(0, 2)):
                due = case.closed_on - dt.timedelta(days=rng.randint(5, 60))
                self.task(plan, owner, max(due, case.opened_on), done=True)
            return
        titles = CUSTODY_TASK_TITLES if plan.in_custody(self.today) else TASK_TITLES
        for _ in range(rng.choice((0, 1, 1, 2, 2, 3))):
            when = self.pick(((-1, 18), (0, 35), (1, 25), (2, 22)))  # overdue, this week, next weeks, done
            if when == 0 and owner.email == FEATURED_EMAIL:
                when = 1  # Dee's week carries the staged story's tasks
            if when == -1:
                due = self.today - dt.timedelta(days=rng.randint(1, 20))
            elif when == 0:
                due = self.monday + dt.timedelta(days=rng.randint(0, 4))
            elif when == 1:
                due = self.today + dt.timedelta(days=rng.randint(7, 30))
            else:
                due = self.today - dt.timedelta(days=rng.randint(1, 40))
            self.task(plan, owner, max(due, case.opened_on), done=when == 2, title=rng.choice(titles))

    def task(
        self,
        plan: _Plan,
        owner: User,
        due: dt.date,
        *,
        done: bool,
        title: str = "",
        detail: str = "",
    ) -> Task:
        title = self.fill(title or self.rng.choice(TASK_TITLES), plan.client)
        completed_at = None
        if done:
            completed_at = min(
                self.at(due, self.rng.randint(9, 17), self.rng.choice((0, 15, 30, 45))),
                self.now - dt.timedelta(minutes=5),
            )
        task = Task(
            id=self.uuid(),
            client=plan.client,
            case=plan.case,
            title=title,
            detail=detail,
            due_on=due,
            owner=owner,
            created_by=owner,
            completed_at=completed_at,
            completed_by=owner if done else None,
        )
        self.tasks.append(task)
        return task

    def build_appointments(self, plan: _Plan) -> None:
        rng, case = self.rng, plan.case
        staff = case.keyworker
        if staff is None or case.status != CaseStatus.OPEN:
            return
        if plan.release_on and abs((plan.release_on - self.today).days) <= 24 and plan.release_on >= case.opened_on:
            start = self.at(plan.release_on, 8, 0)
            self.appointment(
                plan,
                staff,
                AppointmentKind.GATE,
                start,
                180,
                plan.prison,
                contact=False,
                notes="Release day. Meet at the gate, then probation and Housing Options.",
                custody_episode=plan.episode,
            )
        for _ in range(rng.choice((0, 1, 1, 2, 2, 3, 4))):
            day = self.today + dt.timedelta(days=rng.randint(-21, 21))
            if day.weekday() >= 5 or day < case.opened_on:
                continue
            if staff.email == FEATURED_EMAIL and self.monday <= day <= self.monday + dt.timedelta(days=6):
                continue  # keep Dee's staged week readable
            if plan.in_custody(day):
                kind, location, minutes = AppointmentKind.PRISON_VISIT_LEGAL, plan.prison, 60
            else:
                kind = self.pick(
                    (
                        (AppointmentKind.OFFICE, 45),
                        (AppointmentKind.HOME_VISIT, 20),
                        (AppointmentKind.PHONE, 20),
                        (AppointmentKind.COURSE, 8),
                        (AppointmentKind.COURT, 4),
                    )
                )
                location = {
                    AppointmentKind.OFFICE: plan.spec.office,
                    AppointmentKind.HOME_VISIT: f"Home, {plan.client.home_area}",
                    AppointmentKind.COURSE: f"{plan.spec.area} College",
                    AppointmentKind.PHONE: "",
                    AppointmentKind.COURT: rng.choice(
                        YOUTH_COURTS if case.programme == Programme.YOUNG_PEOPLE else COURTS
                    ),
                }[kind]
                minutes = {AppointmentKind.COURT: 180, AppointmentKind.PHONE: 15, AppointmentKind.COURSE: 120}.get(
                    kind, rng.choice((45, 60, 60, 90))
                )
            hour = 10 if kind == AppointmentKind.COURT else rng.randint(9, 16)
            start = self.at(day, hour, rng.choice((0, 15, 30, 45)))
            appointment = self.appointment(plan, staff, kind, start, minutes, location)
            if kind == AppointmentKind.COURT:
                appointment.hearing = self.caseload_hearing(plan, appointment)

    def appointment(
        self,
        plan: _Plan,
        staff: User,
        kind: str,
        start: dt.datetime,
        minutes: int,
        location: str,
        *,
        notes: str = "",
        contact: bool = True,
        status: str | None = None,
        establishment: Establishment | None = None,
        group: UUID | None = None,
        custody_episode: CustodyEpisode | None = None,
        hearing: Hearing | None = None,
    ) -> Appointment:
        end = start + dt.timedelta(minutes=minutes)
        if status is None:
            status = AppointmentStatus.BOOKED
            if end < self.now and kind == AppointmentKind.GATE:
                status = AppointmentStatus.ATTENDED
            elif end < self.now:
                status = self.pick(
                    (
                        (AppointmentStatus.ATTENDED, 76),
                        (AppointmentStatus.LATE, 6),
                        (AppointmentStatus.DID_NOT_ATTEND, 10),
                        (AppointmentStatus.CANCELLED, 8),
                    )
                )
        appointment = Appointment(
            id=self.uuid(),
            client=plan.client,
            staff=staff,
            kind=kind,
            starts_at=start,
            ends_at=end,
            location=location,
            status=status,
            notes=notes,
            establishment=establishment or self.establishments.get(location),
            group=group,
            custody_episode=custody_episode,
            hearing=hearing,
        )
        self.appointments.append(appointment)
        if (
            contact
            and kind in APPOINTMENT_TO_CONTACT
            and status in (AppointmentStatus.ATTENDED, AppointmentStatus.LATE)
        ):
            appointment.outcome_contact = self.note_contact(
                plan,
                start.date(),
                APPOINTMENT_TO_CONTACT[kind],
                hour=start.hour,
                minute=start.minute,
                court=location if kind == AppointmentKind.COURT else "",
            )
        return appointment

    # the prisons and courts directory, custody episodes, release plans, hearings and lone working

    def build_directory(self) -> None:
        """The prisons and courts the demo names, from the directory (made again if a seed row was removed),
        with a phone number and visiting arrangements where staff have not filled them in."""
        known = {row[1]: row for row in ESTABLISHMENTS}
        names = dict.fromkeys(
            (
                *PRISONS_MEN,
                *PRISONS_YOUNG,
                *PRISONS_WOMEN,
                *REMAND_PRISONS,
                *COURTS,
                *YOUTH_COURTS,
            )
        )
        for i, name in enumerate(names):
            kind, _, address, postcode = known[name]
            establishment, _ = Establishment.objects.get_or_create(
                kind=kind, name=name, defaults={"address": address, "postcode": postcode}
            )
            self.establishments[name] = establishment
            if establishment.is_prison:
                social, legal = PRISON_VISIT_TIMES[i % len(PRISON_VISIT_TIMES)]
                visiting = PRISON_VISITS.format(social=social, legal=legal)
            else:
                visiting = COURT_VISITS
            mine = Establishment.objects.filter(pk=establishment.pk)
            mine.filter(phone="").update(phone=f"020 7946 0{100 + 7 * i:03d}", version=F("version") + 1)
            mine.filter(visiting_arrangements="").update(visiting_arrangements=visiting, version=F("version") + 1)

    def made(self, record: models.Model, when: dt.datetime) -> None:
        """When a custody, court or lone-working record was made (never in the future)."""
        self.made_at[record.pk] = min(when, self.now)

    def prison_number(self) -> str:
        letters = "ABCDEFGHJKLMNPRTUVWXYZ"
        return f"A{self.crng.randint(1000, 9999)}{self.crng.choice(letters)}{self.crng.choice(letters)}"

    def probation_practitioner(self) -> tuple[str, str]:
        return self.crng.choice(PROBATION_PRACTITIONERS), f"020 7946 0{self.crng.randint(400, 999):03d}"

    def released_by_now(self, release_on: dt.date | None) -> bool:
        """Out already: the release day has passed, or it is today and the gate opened at 8."""
        if release_on is None:
            return False
        return release_on < self.today or (release_on == self.today and timezone.localtime(self.now).hour >= 11)

    def episode(
        self,
        plan: _Plan,
        prison: str,
        *,
        received_on: dt.date,
        release_on: dt.date | None,
        sentenced_on: dt.date | None,
        sentence_length: str = "",
        release_type: str = "",
        licence_ends_on: dt.date | None = None,
        released_on: dt.date | None = None,
        prison_number: str = "",
        probation: tuple[str, str] = ("", ""),
        recorded_by: User | None = None,
    ) -> CustodyEpisode:
        recorder = recorded_by or plan.case.keyworker or self.managers[plan.spec.name]
        episode = CustodyEpisode(
            id=self.uuid(),
            client=plan.client,
            case=plan.case,
            establishment=self.establishments[prison],
            prison_number=prison_number or self.prison_number(),
            legal_status=LegalStatus.SENTENCED if sentenced_on else LegalStatus.REMANDED,
            received_on=received_on,
            sentenced_on=sentenced_on,
            sentence_length=sentence_length,
            release_on=release_on,
            release_type=release_type,
            licence_ends_on=licence_ends_on,
            released_on=released_on,
            probation_practitioner=probation[0],
            probation_phone=probation[1],
            recorded_by=recorder,
        )
        self.episodes.append(episode)
        plan.episode = episode
        # Recorded when the caseworker first heard of it: at the referral, or on the day if later.
        self.made(episode, self.at(max(received_on, plan.case.opened_on), 15, 0))
        return episode

    def transfer(self, episode: CustodyEpisode, from_prison: str, on: dt.date) -> None:
        transfer = CustodyTransfer(
            id=self.uuid(),
            episode=episode,
            from_establishment=self.establishments[from_prison],
            to_establishment=episode.establishment,
            transferred_on=on,
            recorded_by=episode.recorded_by,
        )
        self.transfers.append(transfer)
        self.made(transfer, self.at(max(on, self.made_at[episode.pk].date()), 12, 0))

    def need(
        self,
        episode: CustodyEpisode,
        *,
        key: str,
        pathway: str,
        title: str,
        due_on: dt.date | None,
        since: dt.date,
        updates: Iterable[tuple[dt.date, str, str]] = (),
    ) -> ReleaseNeed:
        """One line of a release plan, made on `since`, with its dated updates (day, status, note); its status
        is the last update's."""
        updates = sorted(updates)
        need = ReleaseNeed(
            id=self.uuid(),
            episode=episode,
            need=key,
            pathway=pathway,
            title=title,
            status=updates[-1][1] if updates else NeedStatus.NOT_STARTED,
            due_on=due_on,
        )
        self.needs.append(need)
        self.made(need, self.at(since, 10, 0))
        for day, status, note in updates:
            update = ReleaseNeedUpdate(
                id=self.uuid(), need=need, status=status, note=note, recorded_by=episode.recorded_by
            )
            self.need_updates.append(update)
            self.made(update, self.at(max(day, since), self.crng.randint(10, 16), self.crng.choice((0, 15, 30, 45))))
        return need

    def release_plan(self, episode: CustodyEpisode, since: dt.date, *, settled: bool) -> None:
        """A release plan from the catalogue: settled at the gate (`settled`), or partly done, the needs due
        soonest furthest on."""
        rng = self.crng
        release = episode.release_on
        assert release is not None
        for planned in plan_for(release):
            progress, met = NEED_NOTES.get(planned.key, ("Started.", "Done."))
            due = planned.due_on or release
            first = min(max(since, due - dt.timedelta(days=rng.randint(20, 50))), self.today)
            updates: list[tuple[dt.date, str, str]] = []
            if settled:
                outcome = self.pick_c(((NeedStatus.MET, 84), (NeedStatus.NOT_NEEDED, 10), (NeedStatus.DECLINED, 6)))
                note = {
                    NeedStatus.MET: met,
                    NeedStatus.NOT_NEEDED: "Not needed: already in place.",
                    NeedStatus.DECLINED: "Said no to this for now; can pick it up after release.",
                }[outcome]
                if outcome == NeedStatus.MET:
                    updates.append((first, NeedStatus.IN_PROGRESS, progress))
                updates.append((min(max(first, due), release), outcome, note))
            else:
                days_to_due = (due - self.today).days
                if days_to_due < 0:
                    status = self.pick_c(
                        ((NeedStatus.MET, 75), (NeedStatus.IN_PROGRESS, 20), (NeedStatus.NOT_NEEDED, 5))
                    )
                elif days_to_due <= 21:
                    status = self.pick_c(
                        ((NeedStatus.MET, 30), (NeedStatus.IN_PROGRESS, 45), (NeedStatus.NOT_STARTED, 25))
                    )
                else:
                    status = self.pick_c(((NeedStatus.IN_PROGRESS, 25), (NeedStatus.NOT_STARTED, 75)))
                last = self.today - dt.timedelta(days=1)
                if status != NeedStatus.NOT_STARTED:
                    updates.append((min(first, last), NeedStatus.IN_PROGRESS, progress))
                if status == NeedStatus.MET:
                    updates.append((min(first + dt.timedelta(days=rng.randint(3, 20)), last), status, met))
                elif status == NeedStatus.NOT_NEEDED:
                    updates.append((min(first, last), status, "Not needed: already in place."))
            self.need(
                episode,
                key=planned.key,
                pathway=planned.pathway,
                title=planned.title,
                due_on=planned.due_on,
                since=since,
                updates=updates,
            )

    def darnell_release_plan(self, episode: CustodyEpisode, *, since: dt.date, course_start: dt.date) -> None:
        """Tuesday's plan, need by need as it went: most met by the day, the course still to start."""
        release = episode.release_on
        assert release is not None
        starts = f"{course_start:%A} {course_start.day} {course_start:%B}"
        ip, met = NeedStatus.IN_PROGRESS, NeedStatus.MET
        story: dict[str, tuple[tuple[int, str, str], ...]] = {
            "first_night": (
                (60, ip, "Referral in to Housing Options for the night of release. Asked for a room outside "
                 "Lambeth: the people he owed are still about."),
                (9, met, "Hostel room in Croydon confirmed from the day of release. Address given to probation."),
            ),
            "housing": (
                (120, ip, "Housing register application sent with the prison resettlement team."),
                (40, ip, "On the register, band C. Move-on from the hostel to look at after release."),
            ),
            "course_start": (
                (12, ip, f"Place on the CSCS construction course starting {starts}; enrolment on the first "
                 "morning. Needs boots and photo ID."),
            ),
            "prescription": (
                (30, ip, "Asked healthcare about his inhaler and sertraline on release."),
                (5, met, "Healthcare confirmed: 7 days of both ready at reception on the day; the GP takes over."),
            ),
            "gp": (
                (30, ip, "Surgery near the hostel found."),
                (8, met, "Registered with the Croydon surgery through prison healthcare."),
            ),
            "drug_service": (
                (31, ip, "Referral in to the Brief Intervention Service: cocaine, about £300 a week before custody."),
                (20, met, "First Brief Intervention Service appointment booked for the week after release."),
            ),
            "id_documents": (
                (110, ip, "Birth certificate ordered from the charity's ID fund."),
                (70, met, "Birth certificate arrived; held in reception property with his bank card."),
            ),
            "bank_account": (
                (70, ip, "Application in through the prison banking scheme."),
                (45, met, "Account open; card held in reception property."),
            ),
            "benefits": (
                (21, ip, "Universal Credit claim started with the prison work coach."),
                (6, met, "Claim ready to finish at the Jobcentre after probation; advance to ask for."),
            ),
            "debts": (
                (96, ip, "Court fine arrears and a phone contract debt. Wrote asking for a payment arrangement; "
                 "no reply yet."),
            ),
            "family": (
                (121, ip, "Mum won't have him back at hers; he understands. Wants to keep phone contact."),
                (31, met, "Agreed: phone contact with his mum, no visits to the family home for now."),
            ),
            "probation": (
                (25, ip, "Asked probation for the release-day appointment."),
                (10, met, "First appointment with Joanne Mistry at 10:00 on the day of release."),
            ),
            "gate_kit": (
                (7, ip, "Clothes from the charity store to hand in."),
                (4, met, "Clothes handed in to reception. Buying him a phone at the gate."),
            ),
            "gate_travel": ((31, met, "Meeting him at the gate at 8, then probation and Housing Options together."),),
        }
        for planned in plan_for(release):
            progress, done = NEED_NOTES.get(planned.key, ("Started.", "Done."))
            updates = story.get(planned.key, ((40, ip, progress), (10, met, done)))
            self.need(
                episode,
                key=planned.key,
                pathway=planned.pathway,
                title=planned.title,
                due_on=planned.due_on,
                since=since,
                updates=[(release - dt.timedelta(days=days), status, text) for days, status, text in updates],
            )

    def pick_c(self, weighted: Iterable[tuple[Any, int]]) -> Any:
        options, weights = zip(*weighted, strict=True)
        return self.crng.choices(options, weights)[0]

    def build_custody(self, plan: _Plan) -> None:
        """The custody episode behind a case whose history has a prison in it, with its release plan."""
        if not plan.prison:
            return
        rng, case = self.crng, plan.case
        received = plan.custody_from or case.opened_on - dt.timedelta(days=rng.randint(14, 240))
        recalled = [
            p.case.closed_on
            for p in self.plans
            if p.client is plan.client
            and p.case.closure_reason == ClosureReason.RETURNED_TO_CUSTODY
            and p.case.closed_on
            and p.case.closed_on < case.opened_on
        ]
        if recalled:
            received = max(recalled)  # back inside the day the last episode of support closed
        release = plan.release_on
        if release is None:  # still inside when the case closed: out since, or due out
            assert case.closed_on is not None
            release = case.closed_on + dt.timedelta(days=rng.randint(30, 240))
        for earlier in self.episodes:
            if earlier.client_id == plan.client.pk:
                received = max(received, (earlier.released_on or self.today) + dt.timedelta(days=30))
        if received >= release:
            return  # no room for another spell inside in this history
        sentenced = received + dt.timedelta(days=rng.randint(0, min(90, (release - received).days // 2)))
        term = 2 * (release - received).days  # out at the halfway point, on licence to the end
        released = release if self.released_by_now(release) else None
        episode = self.episode(
            plan,
            plan.prison,
            received_on=received,
            release_on=release,
            sentenced_on=sentenced,
            sentence_length=_sentence_words(term),
            release_type=ReleaseType.CONDITIONAL if term >= 365 else ReleaseType.AUTOMATIC,
            licence_ends_on=received + dt.timedelta(days=term),
            released_on=released,
            probation=self.probation_practitioner(),
        )
        moved_on = min(received + dt.timedelta(days=rng.randint(21, 90)), case.opened_on - dt.timedelta(days=1))
        remand = [p for p in REMAND_PRISONS if p != plan.prison]
        if plan.prison in PRISONS_MEN and plan.prison not in REMAND_PRISONS and received < moved_on:
            self.transfer(episode, rng.choice(remand), moved_on)
        since = min(max(received, case.opened_on) + dt.timedelta(days=7), release, self.today)
        worked_through_the_gate = case.opened_on < release and (case.closed_on is None or case.closed_on >= release)
        if worked_through_the_gate:
            self.release_plan(episode, since, settled=released is not None)

    def charge(self, client: Client, offence: str, source: str, detail: str, by: User, on: dt.date) -> Charge:
        charge = Charge(
            id=self.uuid(), client=client, offence=offence, source=source, source_detail=detail, recorded_by=by
        )
        self.charges.append(charge)
        self.made(charge, self.at(on, 14, 0))
        return charge

    def hearing(
        self,
        plan: _Plan,
        court: str,
        starts_at: dt.datetime,
        kind: str,
        description: str,
        charges: Iterable[Charge],
        by: User,
        *,
        outcome: str = "",
        outcome_detail: str = "",
        sentence_length: str = "",
        next_hearing: Hearing | None = None,
    ) -> Hearing:
        made = max(starts_at - dt.timedelta(days=21), self.at(plan.case.opened_on, 16, 0))
        recorded_at = max(starts_at + dt.timedelta(hours=4), made) if outcome else None
        hearing = Hearing(
            id=self.uuid(),
            client=plan.client,
            case=plan.case,
            court=self.establishments[court],
            starts_at=starts_at,
            kind=kind,
            description=description,
            outcome=outcome,
            outcome_detail=outcome_detail,
            sentence_length=sentence_length,
            outcome_recorded_at=min(recorded_at, self.now) if recorded_at else None,
            outcome_recorded_by=by if outcome else None,
            next_hearing=next_hearing,
            recorded_by=by,
        )
        self.hearings.append(hearing)
        self.hearing_charges.extend((hearing, charge) for charge in charges)
        self.made(hearing, made)
        return hearing

    def caseload_hearing(self, plan: _Plan, appointment: Appointment) -> Hearing:
        """The hearing behind a court appointment of the generated caseload; one in the past has its outcome,
        in line with the caseworker's note of the day."""
        rng, by = self.crng, appointment.staff
        start = appointment.starts_at
        offence = rng.choice(OFFENCES)
        source, detail = self.pick_c(
            (
                ((ChargeSource.CHARGE_SHEET, "Copy of the charge sheet, brought in by the client"), 4),
                ((ChargeSource.SOLICITOR, "Phone call with the duty solicitor"), 3),
                ((ChargeSource.COURT_LIST, "The court list"), 2),
                ((ChargeSource.CLIENT, "Told me at our meeting"), 2),
            )
        )
        charged_on = max(start.date() - dt.timedelta(days=rng.randint(20, 120)), plan.case.opened_on)
        charge = self.charge(plan.client, offence, source, detail, by, min(charged_on, self.today))
        kind = self.pick_c(((HearingKind.MENTION, 3), (HearingKind.PLEA, 3), (HearingKind.SENTENCING, 2)))
        outcome, outcome_detail, length = "", "", ""
        if appointment.ends_at < self.now:
            note = appointment.outcome_contact.note if appointment.outcome_contact else ""
            if appointment.status == AppointmentStatus.DID_NOT_ATTEND:
                outcome, outcome_detail = HearingOutcome.ADJOURNED, "Did not attend. Adjourned; warrant issued."
            elif "Community order" in note:
                outcome, outcome_detail = (
                    HearingOutcome.COMMUNITY_ORDER,
                    "12-month community order: 100 hours unpaid work and a rehabilitation activity requirement.",
                )
                length = "12 months"
            elif "Adjourned" in note or "Bail renewed" in note or kind != HearingKind.SENTENCING:
                outcome, outcome_detail = HearingOutcome.ADJOURNED, "Adjourned; bail on the same conditions."
            else:
                outcome, outcome_detail = self.pick_c(
                    (
                        ((HearingOutcome.FINE, "Fined £120 with costs; paying £10 a week."), 3),
                        ((HearingOutcome.DISCHARGE, "Conditional discharge for 12 months."), 3),
                        ((HearingOutcome.SUSPENDED, "6 months suspended for 18 months, with a curfew."), 1),
                    )
                )
                length = "6 months" if outcome == HearingOutcome.SUSPENDED else ""
        return self.hearing(
            plan,
            appointment.location,
            start,
            kind,
            f"{HearingKind(kind).label}: {offence.lower()}.",
            [charge],
            by,
            outcome=outcome,
            outcome_detail=outcome_detail,
            sentence_length=length,
        )

    def lone_visit(
        self,
        contact: Contact,
        *,
        appointment: Appointment | None = None,
        checked_in: dt.datetime,
        expected_end: dt.datetime,
        checked_out: dt.datetime,
        with_whom: str,
        buddy_alerted: dt.datetime | None = None,
    ) -> None:
        """A lone-working visit of Dee's (Kwame, a teammate, her buddy) behind a home-visit contact, checked out;
        with `buddy_alerted`, the check-out came late and the ladder's first rung was raised."""
        client = contact.client
        assert client is not None
        address = client.address.replace("\n", ", ") + (f" {client.postcode}" if client.postcode else "")
        visit = LoneWorkingVisit(
            id=self.uuid(),
            staff=self.dee,
            buddy=self.buddy,
            appointment=appointment,
            client=client,
            place=address if client.address else contact.location or f"Home, {client.home_area}",
            with_whom=with_whom,
            checked_in_at=checked_in,
            expected_end=expected_end,
            checked_out_at=checked_out,
            status=LoneWorkingStatus.CHECKED_OUT,
        )
        self.lone_visits.append(visit)
        self.made(visit, checked_in)
        self.lone_covered.add(contact.pk)
        if buddy_alerted:
            escalation = LoneWorkingEscalation(
                id=self.uuid(), visit=visit, level=EscalationLevel.BUDDY, raised_at=buddy_alerted
            )
            self.escalations.append(escalation)
            self.made(escalation, buddy_alerted)

    @property
    def buddy(self) -> User:
        return next(u for u in self.caseworkers[LAMBETH] if u is not self.dee)

    def build_lone_working(self) -> None:
        """Dee checked in and out of her home visits of the last six weeks (the staged ones are done already)."""
        since = self.now - dt.timedelta(days=42)
        appointments = {
            (a.client_id, a.starts_at): a for a in self.appointments if a.kind == AppointmentKind.HOME_VISIT
        }
        for contact in self.contacts:
            if (
                contact.recorded_by is not self.dee
                or contact.kind != ContactKind.HOME_VISIT
                or not since <= contact.occurred_at < self.now
                or contact.pk in self.lone_covered
                or contact.client is None
            ):
                continue
            minutes = contact.duration_minutes or 60
            expected_end = contact.occurred_at + dt.timedelta(minutes=minutes + 10)
            self.lone_visit(
                contact,
                appointment=appointments.get((contact.client_id, contact.occurred_at)),
                checked_in=contact.occurred_at - dt.timedelta(minutes=self.crng.randint(2, 8)),
                expected_end=expected_end,
                checked_out=min(expected_end - dt.timedelta(minutes=self.crng.randint(2, 12)), self.now),
                with_whom=contact.client.first_name,
            )

    # partner services, referrals out, signposting, courses and safety profiles (issue 6)

    def build_services(self) -> None:
        """The services directory and venues (made once, kept across resets), then Dee's referrals out and
        signposting as the week has gone so far, a spread of referrals for the rest of the caseload, safety
        profiles, and courses: the cohort Tuesday's client starts next week, a full partner cohort with a
        waiting list, and finished cohorts with qualifications."""
        self.build_service_directory()
        self.build_safety_profiles()
        self.build_featured_referrals()
        self.build_caseload_referrals()
        self.build_courses()

    def build_service_directory(self) -> None:
        organisations = {}
        for spec in ORGANISATIONS:
            organisations[spec.name], _ = Organisation.objects.get_or_create(
                name=spec.name,
                defaults={"phone": spec.phone, "email": spec.email, "website": spec.website, "address": spec.address},
            )
        for service in SERVICES:
            self.services[service.name], _ = Service.objects.get_or_create(
                organisation=organisations[service.organisation],
                name=service.name,
                defaults={
                    "category": service.category,
                    "description": service.description,
                    "phone": service.phone,
                    "email": service.email,
                    "opening_hours": service.opening_hours,
                    "criteria": service.criteria,
                    "referral_method": service.referral_method,
                    "area_covered": service.area_covered,
                    "contact_notes": service.contact_notes,
                },
            )
        self.services[NATIONAL_DA_HELPLINE] = national_helpline()
        self.build_sharing_agreements(organisations)
        for name, address, postcode, borough in VENUES:
            self.venues[name], _ = Venue.objects.get_or_create(
                name=name, postcode=postcode, defaults={"address": address, "borough": borough}
            )
        for title, provider, description, qualification in COURSES:
            self.courses[title], _ = Course.objects.get_or_create(
                title=title,
                provider=organisations[provider] if provider else None,
                defaults={"description": description, "qualification": qualification},
            )

    def build_sharing_agreements(self, organisations: dict[str, Organisation]) -> None:
        """The register the data protection officer keeps: agreements with the health trust and the housing
        partner (one due for review next month), linked from the referrals sent to them."""
        officer = next(u for u in self.staff.values() if u.role == Role.DATA_PROTECTION_OFFICER)
        start = self.today - dt.timedelta(days=HISTORY_DAYS + 30)
        for name, title, data, review_in in (
            (
                SOUTH_THAMES_TRUST,
                "Referrals to drug, alcohol and mental health services",
                "Name, date of birth, contact details, the reason for referral and current risks.",
                200,
            ),
            (
                HARBOUR_HOUSING,
                "Housing referrals on release and for people at risk",
                "Name, date of birth, contact details, release date, housing need and safety concerns.",
                25,
            ),
        ):
            agreement = SharingAgreement(
                id=self.uuid(),
                partner=name,
                title=title,
                purpose="So the partner can assess and support people Keyworker refers, and tell us the outcome.",
                lawful_basis="UK GDPR 6(1)(a) consent or 6(1)(e) public task; 9(2)(h) and DPA 2018 Sch 1 para 18",
                data_shared=data,
                starts_on=start,
                review_on=self.today + dt.timedelta(days=review_in),
                document_reference="Shared drive: Governance / Agreements / " + name,
                recorded_by=officer,
            )
            self.made_service(agreement, self.at(start, 10, 0))
            self.sharing_agreements.append(agreement)
            self.agreements[organisations[name].pk] = agreement

    def made_service(self, record: models.Model, when: dt.datetime) -> None:
        self.service_made[record.pk] = min(when, self.now)

    def candidates(
        self, *, since: dt.date, until: dt.date, team: str | None = None, keyworker: User | None = None
    ) -> list[_Plan]:
        """Caseload (not staged) plans with a keyworker, open from `since` to `until` and out of custody then,
        for clients not yet given a part in this section; shuffled on the services stream."""
        found = [
            plan
            for plan in self.plans
            if not plan.staged
            and plan.case.keyworker is not None
            and plan.case.opened_on <= since
            and (plan.case.closed_on is None or plan.case.closed_on >= until)
            and (plan.case.closed_on is not None or plan.case.status == CaseStatus.OPEN)
            and not plan.in_custody(since)
            and not plan.in_custody(until)
            and plan.client.pk not in self.set_aside
            and (team is None or plan.spec.name == team)
            and (keyworker is None or plan.case.keyworker == keyworker)
        ]
        self.srng.shuffle(found)
        return found

    def consent(
        self, plan: _Plan, kinds: Iterable[str], given_on: dt.date, by: User, *, method: str, note: str = ""
    ) -> ConsentRecord:
        record = ConsentRecord(
            id=self.uuid(),
            client=plan.client,
            basis=LawfulBasis.CONSENT,
            covers_support=True,
            agency_kinds=list(kinds),
            given_on=given_on,
            method=method,
            note=note,
            recorded_by=by,
        )
        self.consents.append(record)
        self.made_service(record, self.at(given_on, 12, 0))
        return record

    def outbound(
        self,
        plan: _Plan,
        service_name: str,
        by: User,
        *,
        reason: str,
        shared: str,
        created_on: dt.date,
        steps: Iterable[tuple[str, dt.date, str]] = (),
        follow_up_on: dt.date | None = None,
        first_appointment_at: dt.datetime | None = None,
        status_reason: str = "",
        outcome: str = "",
        outcome_note: str = "",
    ) -> OutboundReferral:
        """A referral out, its dated steps (status, day, note), and, once sent, the disclosure it made on the
        consent that covered it on that day (there must be one)."""
        service = self.services[service_name]
        steps = list(steps)
        status = steps[-1][0] if steps else OutboundStatus.DRAFT
        sent_on = next((day for step, day, _ in steps if step == OutboundStatus.SENT), None)
        basis = ""
        # The same checks the referral services make: a lawful move at each step, and a consent (or other
        # basis) covering this kind of service on the day it was sent, whose reason is the basis kept.
        statuses = [step for step, _, _ in steps]
        assert not statuses or statuses[0] == OutboundStatus.SENT, statuses
        assert all(can_move(before, after) for before, after in itertools.pairwise(statuses)), statuses
        if status in ENDED_OUTBOUND_STATUSES:
            outcome = outcome or default_outcome(status)
        if sent_on is not None:
            facts = [consent_fact(c) for c in self.consents if c.client_id == plan.client.pk]
            permitted, basis = sharing_permitted(facts, agency_kind_for(service.category), sent_on)
            assert permitted, (plan.client.first_name, service_name)
        referral = OutboundReferral(
            id=self.uuid(),
            client=plan.client,
            case=plan.case,
            service=service,
            reason=reason,
            shared=shared,
            basis=basis,
            status=status,
            sent_on=sent_on,
            follow_up_on=follow_up_on,
            first_appointment_at=first_appointment_at,
            status_reason=status_reason,
            outcome=outcome,
            outcome_note=outcome_note,
            ended_on=steps[-1][1] if status in ENDED_OUTBOUND_STATUSES else None,
            made_by=by,
            sharing_agreement=self.agreements.get(service.organisation_id) if sent_on is not None else None,
        )
        self.referrals.append(referral)
        self.made_service(referral, self.at(created_on, 11, 0))
        for i, (step, day, note) in enumerate(steps):
            if step in (OutboundStatus.DECLINED, OutboundStatus.WITHDRAWN):
                note = "\n\n".join(text for text in (status_reason, note) if text)  # as the service keeps it
            update = OutboundReferralUpdate(
                id=self.uuid(), referral=referral, status=step, occurred_on=day, note=note, recorded_by=by
            )
            self.referral_updates.append(update)
            self.made_service(update, self.at(day, 11, 30) + dt.timedelta(minutes=i))
        if sent_on is not None:
            disclosure = Disclosure(
                id=self.uuid(),
                client=plan.client,
                what=shared,
                recipient=recipient_of(service),
                basis=basis,
                disclosed_at=min(self.at(sent_on, 11, 30), self.now),
                disclosed_by=by,
                source_type="services.outboundreferral",
                source_id=referral.pk,
                sharing_agreement=referral.sharing_agreement,
            )
            self.disclosures.append(disclosure)
            self.made_service(disclosure, disclosure.disclosed_at)
        return referral

    def signpost(self, service_name: str, by: User, on: dt.date, who: str, note: str, method: str) -> None:
        signposting = Signposting(
            id=self.uuid(),
            service=self.services[service_name],
            given_on=on,
            given_by=by,
            method=method,
            who=who,
            note=note,
        )
        self.signpostings.append(signposting)
        self.made_service(signposting, self.at(on, 16, 0))

    def build_safety_profiles(self) -> None:
        """Unsafe areas for a few clients, and two keep-apart pairs: Reece and a client of Kwame's in Dee's
        own team, and Mikey and a Southwark client (a pair Dee cannot see the other half of)."""
        dee, mon = self.dee, self.monday
        darnell, reece, mikey = (self.featured[name] for name in ("darnell", "reece", "mikey"))
        self.set_aside.update((darnell.client.pk, reece.client.pk, mikey.client.pk))

        def unsafe(plan: _Plan, kind: str, area: str, reason: str, source: str, by: User, on: dt.date) -> None:
            record = UnsafeArea(
                id=self.uuid(), client=plan.client, kind=kind, area=area, reason=reason, source=source,
                recorded_by=by,
            )
            self.unsafe_areas.append(record)
            self.made_service(record, self.at(on, 15, 30))
            self.set_aside.add(plan.client.pk)

        def apart(one: _Plan, other: _Plan, reason: str, source: str, by: User, on: dt.date) -> None:
            first, second = sorted((one.client, other.client), key=lambda c: c.pk)
            pair = KeepApart(
                id=self.uuid(), client_a=first, client_b=second, reason=reason, source=source, recorded_by=by
            )
            self.keep_apart.append(pair)
            self.made_service(pair, self.at(on, 16, 15))
            self.set_aside.update((one.client.pk, other.client.pk))

        unsafe(
            darnell,
            AreaKind.POSTCODE_DISTRICT,
            "SW9",
            "People he owed money to before custody live around Stockwell; he asked not to be sent there.",
            "Darnell, at a prison visit",
            dee,
            mon - dt.timedelta(days=70),
        )
        unsafe(
            reece,
            AreaKind.POSTCODE_DISTRICT,
            "SE15",
            "Threatened in Peckham in the spring after a fight; told not to come back.",
            "Reece, and Lambeth police by phone to the team manager",
            dee,
            mon - dt.timedelta(days=200),
        )
        # Kwame's client is on Kitchen Ready (enrolled up to five weeks ago, running four weeks on).
        lambeth = [
            p
            for p in self.candidates(since=mon - dt.timedelta(days=32), until=mon + dt.timedelta(days=28), team=LAMBETH)
            if p.case.keyworker != dee
        ]
        kwame = self.staff.get(f"kwame@{DEMO_DOMAIN}")
        lambeth.sort(key=lambda p: p.case.keyworker != kwame)  # Kwame's clients first; stable otherwise
        if lambeth:
            self.kwame_client = lambeth[0]
            apart(
                reece,
                lambeth[0],
                "Fell out over money last year and it ended in threats. Both say it is finished; keep them "
                "apart in groups until that has held for a while.",
                "Reece, at a key session; confirmed with the other client by his worker",
                dee,
                mon - dt.timedelta(days=45),
            )
        southwark = self.candidates(since=self.today, until=self.today, team=SOUTHWARK)
        if southwark:
            other = southwark[0]
            apart(
                mikey,
                other,
                "A relative of one of them was badly hurt in a fight the other was at. The family blames him.",
                "Southwark youth offending team, at a multi-agency meeting",
                self.managers[SOUTHWARK],
                mon - dt.timedelta(days=120),
            )
        if len(southwark) > 1:
            plan = southwark[1]
            unsafe(
                plan,
                AreaKind.BOROUGH,
                "Lambeth",
                "Licence condition: an exclusion zone covering the whole borough until the licence ends.",
                "Probation (licence conditions)",
                plan.case.keyworker or self.managers[SOUTHWARK],
                max(plan.case.opened_on, self.today - dt.timedelta(days=60)),
            )
        croydon = self.candidates(since=self.today, until=self.today, team=CROYDON)
        if croydon:
            plan = croydon[0]
            unsafe(
                plan,
                AreaKind.POSTCODE_DISTRICT,
                "CR7",
                "Attacked near Thornton Heath station in the summer; still frightened of going back.",
                "The client's mum",
                plan.case.keyworker or self.managers[CROYDON],
                max(plan.case.opened_on, self.today - dt.timedelta(days=90)),
            )

    def build_featured_referrals(self) -> None:
        """Dee's referrals out: Darnell's from prison to the Brief Intervention Service, a housing referral for
        Ashton before his release, one for Mikey she is overdue to chase, a declined one for Tremaine, a
        finished one for Jerome; and Wednesday's, recorded only once the visit has happened: Reece to the Brief
        Intervention Service on a consent he gives that morning, and his girlfriend signposted to the
        National Domestic Abuse Helpline (no name, nothing in his file)."""
        dee, mon = self.dee, self.monday
        day = [mon + dt.timedelta(days=i) for i in range(7)]

        def ago(days: int) -> dt.date:
            return mon - dt.timedelta(days=days)

        f = self.featured
        S, A, F = OutboundStatus.SENT, OutboundStatus.ACCEPTED, OutboundStatus.FIRST_APPOINTMENT
        verbal, written = ConsentMethod.VERBAL, ConsentMethod.WRITTEN
        drugs, housing, probation = AgencyKind.DRUG_AND_ALCOHOL, AgencyKind.HOUSING, AgencyKind.PROBATION

        darnell = f["darnell"]
        self.consent(darnell, [drugs, housing, probation, AgencyKind.HEALTH], ago(150), dee, method=written,
                     note="Signed at the first prison visit.")
        release = day[1]
        first = self.at(day[4] + dt.timedelta(days=7), 10, 30)
        self.outbound(
            darnell,
            BRIEF_INTERVENTION,
            dee,
            reason="Cocaine, about £300 a week before custody; clean since remand and wants support to stay that "
            "way after release.",
            shared="Name, date of birth, prison number and release date; drug use before custody and since; "
            "release address (hostel); probation practitioner.",
            created_on=release - dt.timedelta(days=31),
            steps=[
                (S, release - dt.timedelta(days=31), "Referral form sent by secure e-mail from the prison visit."),
                (A, release - dt.timedelta(days=26), "Accepted. Assessment by phone with the prison drug team."),
                (F, release - dt.timedelta(days=20), f"First appointment {first:%A %-d %B} at {first:%H:%M}."),
            ],
            follow_up_on=day[4],
            first_appointment_at=first,
        )

        ashton = f["ashton"]
        self.consent(ashton, [housing, probation], ago(85), dee, method=written)
        self.outbound(
            ashton,
            HOUSING_ADVICE,
            dee,
            reason="Release in about a month with nowhere to go: his tenancy ended while he was inside.",
            shared="Name, date of birth, prison and release date; that the tenancy ended; probation practitioner.",
            created_on=ago(20),
            steps=[
                (S, ago(20), "Sent by e-mail."),
                (A, ago(14), "Accepted for pre-release work. They will book an assessment with the prison."),
            ],
            follow_up_on=day[3],
        )

        mikey = f["mikey"]
        self.consent(mikey, [AgencyKind.EDUCATION], ago(180), dee, method=verbal)
        self.outbound(
            mikey,
            ROUTES_INTO_WORK,
            dee,
            reason="Wants an apprenticeship in motor mechanics alongside college; needs a CV and help with "
            "applications.",
            shared="Name, date of birth, phone; college course and days; that he is supported by Keyworker.",
            created_on=ago(30),
            steps=[(S, ago(30), "Online referral made with Mikey in the office.")],
            follow_up_on=ago(6),  # not chased yet: overdue on My week
        )

        tremaine = f["tremaine"]
        self.consent(tremaine, [AgencyKind.OTHER_CHARITY], ago(58), dee, method=verbal,
                     note="Given on a legal visit.")
        self.outbound(
            tremaine,
            LEGAL_CLINIC,
            dee,
            reason="Rent building up on his flat while he is on remand; needs advice on keeping the tenancy.",
            shared="Name, date of birth; that he is on remand; landlord and rent arrears.",
            created_on=ago(50),
            steps=[
                (S, ago(50), "Phoned the clinic."),
                (OutboundStatus.DECLINED, ago(44), ""),
            ],
            status_reason="The clinic can only advise people who can come in or phone on clinic evenings; it "
            "cannot take calls from prison. They suggested the prison's housing adviser.",
        )

        jerome = f["jerome"]
        self.consent(jerome, [AgencyKind.EDUCATION, AgencyKind.OTHER_CHARITY], ago(425), dee, method=written)
        self.outbound(
            jerome,
            ROUTES_INTO_WORK,
            dee,
            reason="Wants to work with young people; needs a first qualification and experience.",
            shared="Name, date of birth, phone; that he has a charge outstanding (no details).",
            created_on=ago(400),
            steps=[
                (S, ago(400), "Online referral."),
                (A, ago(394), "Accepted."),
                (F, ago(392), "First appointment booked."),
                (OutboundStatus.ATTENDED, ago(388), "Went, with his aunt."),
                (OutboundStatus.COMPLETED, ago(205), "Closed by the service: goals met."),
            ],
            first_appointment_at=self.at(ago(388), 14, 0),
            outcome=OutboundOutcome.ACHIEVED,
            outcome_note="Through them he did the first aid course and got his place on the Level 2 Award in Youth "
            "Work, which he passed.",
        )

        reece = f["reece"]
        self.consent(reece, [housing], ago(300), dee, method=written)
        if self.wednesday_visited:
            self.consent(
                reece,
                [drugs],
                day[2],
                dee,
                method=verbal,
                note="Agreed at the home visit, for the referral to the Brief Intervention Service.",
            )
            self.outbound(
                reece,
                BRIEF_INTERVENTION,
                dee,
                reason="Smoking a lot more cannabis since losing his job last month; wants to cut down and asked "
                "for help.",
                shared="Name, date of birth, phone and address; his cannabis use (how much, how often); that he "
                "is supported by Keyworker.",
                created_on=day[2],
                steps=[(S, day[2], "Referral form sent by secure e-mail after the home visit.")],
                follow_up_on=day[2] + dt.timedelta(days=7),
            )
            self.signpost(
                NATIONAL_DA_HELPLINE,
                dee,
                day[2],
                "his girlfriend",
                "Gave her the helpline number on a card, privately. Nothing else recorded, at her request.",
                SignpostingMethod.IN_PERSON,
            )
        # Other workers' signposting, for the safeguarding lead's view.
        others = [u for u in self.caseworkers[LAMBETH] if u != dee][:1] + self.caseworkers[SOUTHWARK][:1]
        for by, days_ago, service, who, note in zip(
            others,
            (16, 41),
            (FAMILY_TIES, HOUSING_ADVICE),
            ("a client's older sister", "a young man who came in with a client"),
            (
                "Worried about her younger brothers. Gave her the family service's number.",
                "Sofa-surfing; gave him the drop-in times.",
            ),
            strict=False,
        ):
            self.signpost(service, by, self.today - dt.timedelta(days=days_ago), who, note, SignpostingMethod.LEAFLET)

    def build_caseload_referrals(self) -> None:
        """Referrals out for the rest of the caseload, one in each state a referral can be in."""
        S, A, F = OutboundStatus.SENT, OutboundStatus.ACCEPTED, OutboundStatus.FIRST_APPOINTMENT
        AT, C = OutboundStatus.ATTENDED, OutboundStatus.COMPLETED
        shared_basic = "Name, date of birth, phone; what they need help with; that they are supported by Keyworker."
        # service, reason, sent days ago (None: a draft), steps (status, days after sending, note), follow-up
        # in days from today, first appointment (days after sending), status reason, outcome, outcome note
        specs: tuple[tuple[Any, ...], ...] = (
            (HOUSING_ADVICE, "Sofa-surfing since leaving the family home; needs a homelessness application.",
             5, ((S, 0, "Sent by e-mail."),), 9, None, "", "", ""),
            (ROUTES_INTO_WORK, "Wants work in warehousing or driving; needs a CV and disclosure advice.",
             18, ((S, 0, "Online referral."), (A, 6, "Accepted; adviser allocated.")), 2, None, "", "", ""),
            (WELLBEING, "Low mood and poor sleep since being stabbed in the summer.",
             30, ((S, 0, "Form sent."), (A, 8, "Accepted."), (F, 10, "First appointment booked.")), 7, 36,
             "", "", ""),
            (BRIEF_INTERVENTION, "Drinking most days; wants to cut down before starting work.",
             60, ((S, 0, "Form sent."), (A, 5, "Accepted."), (F, 10, "Booked."), (AT, 18, "Went to the first "
             "appointment.")), 14, 18, "", "", ""),
            (LEGAL_CLINIC, "Rent arrears and a notice seeking possession.",
             120, ((S, 0, "Phoned the clinic."), (A, 2, "Clinic appointment."), (F, 2, "Booked."),
             (AT, 9, "Went with the caseworker."), (C, 40, "Closed by the clinic.")), None, 9, "",
             OutboundOutcome.ACHIEVED, "Payment plan agreed with the council; the notice was withdrawn."),
            (HOUSING_ADVICE, "Leaving a hostel where the people who hurt them also live.",
             200, ((S, 0, "Sent."), (A, 4, "Accepted."), (F, 6, "Booked."), (AT, 12, "Assessed."),
             (C, 90, "Closed by the service.")), None, 12, "", OutboundOutcome.PARTLY,
             "Moved to supported housing in another borough; the bid for a flat is still waiting."),
            (BRIEF_INTERVENTION, "Cocaine at weekends, worse since a friend died.",
             150, ((S, 0, "Form sent."), (A, 7, "Accepted."), (F, 9, "Booked."), (AT, 16, "Went."),
             (C, 70, "Closed after missed sessions.")), None, 16, "", OutboundOutcome.NOT_ACHIEVED,
             "Went to three of six sessions, then stopped. Still using; open to trying again later."),
            (FAMILY_TIES, "Parent struggling with a younger brother being drawn in by the same people.",
             40, ((S, 0, "Form sent."), (OutboundStatus.DECLINED, 7, "")), None, None,
             "The family lives in Merton, outside the area the service covers. They suggested the Merton family "
             "hub.", "", ""),
            (ROUTES_INTO_WORK, "Wants a construction job; needs a CSCS card.",
             70, ((S, 0, "Online referral."), (A, 6, "Accepted."), (OutboundStatus.WITHDRAWN, 20, "")),
             None, None, "Found work on a building site through a friend and could not make daytime sessions; "
             "asked to stop.", "", ""),
            (LEGAL_CLINIC, "Debt letters about an old phone contract.", None, (), None, None, "", "", ""),
        )
        plans = self.candidates(since=self.today - dt.timedelta(days=210), until=self.today)
        plans += [p for p in self.candidates(since=self.today - dt.timedelta(days=6), until=self.today)
                  if p not in plans]
        used: set[UUID] = set()
        for service, reason, sent_ago, steps, follow_up, first_after, status_reason, outcome, note in specs:
            start = self.today - dt.timedelta(days=sent_ago if sent_ago is not None else 2)
            plan = next((p for p in plans if p.client.pk not in used and p.case.opened_on <= start), None)
            if plan is None:
                continue
            used.add(plan.client.pk)
            by = plan.case.keyworker
            assert by is not None
            kind = agency_kind_for(next(s.category for s in SERVICES if s.name == service))
            self.consent(plan, [kind], plan.case.opened_on, by, method=self.srng.choice(list(ConsentMethod)[:3]))
            follow_up_on = _weekday_from(self.today + dt.timedelta(days=follow_up)) if follow_up is not None else None
            first = _weekday_from(start + dt.timedelta(days=first_after)) if first_after is not None else None
            dated = [
                (status, first if status == AT and first else start + dt.timedelta(days=after), text)
                for status, after, text in steps
            ]
            self.outbound(
                plan,
                service,
                by,
                reason=reason,
                shared=shared_basic,
                created_on=start,
                steps=dated,
                follow_up_on=follow_up_on,
                first_appointment_at=self.at(first, 11, 0) if first is not None else None,
                status_reason=status_reason,
                outcome=outcome,
                outcome_note=note,
            )

    def cohort(
        self, title: str, venue: str, name: str, days: list[dt.date], hours: tuple[int, int, int, int], capacity: int
    ) -> tuple[Cohort, list[CourseSession]]:
        cohort = Cohort(
            id=self.uuid(),
            course=self.courses[title],
            name=name,
            venue=self.venues[venue],
            starts_on=days[0],
            ends_on=days[-1],
            capacity=capacity,
        )
        self.cohorts.append(cohort)
        self.made_service(cohort, self.at(days[0] - dt.timedelta(days=45), 10, 0))
        start_h, start_m, end_h, end_m = hours
        sessions = []
        for i, day in enumerate(days, start=1):
            session = CourseSession(
                id=self.uuid(),
                cohort=cohort,
                starts_at=self.at(day, start_h, start_m),
                ends_at=self.at(day, end_h, end_m),
                title=f"Session {i}",
            )
            sessions.append(session)
            self.made_service(session, self.at(days[0] - dt.timedelta(days=45), 10, 0))
        self.sessions.extend(sessions)
        return cohort, sessions

    def enrol(
        self,
        cohort: Cohort,
        sessions: list[CourseSession],
        plan: _Plan,
        *,
        on: dt.date,
        by: User | None = None,
        status: str = EnrolmentStatus.ENROLLED,
        qualification: str = "",
        left_after: int | None = None,
        safety_override_reason: str = "",
    ) -> Enrolment:
        """A client on a cohort (or waiting for a place), with attendance at the sessions already held: all
        of them, or the first `left_after` and one missed before they left."""
        by = by or plan.case.keyworker or self.managers[plan.spec.name]
        waiting = status == EnrolmentStatus.WAITING
        enrolment = Enrolment(
            id=self.uuid(),
            cohort=cohort,
            client=plan.client,
            status=status,
            waiting_since=min(self.at(on, 12, 0), self.now) if waiting else None,
            enrolled_on=None if waiting else on,
            completed_on=cohort.ends_on if status == EnrolmentStatus.COMPLETED else None,
            qualification_gained=qualification,
            safety_override_reason=safety_override_reason,
            enrolled_by=by,
        )
        self.enrolments.append(enrolment)
        self.made_service(enrolment, self.at(on, 12, 0))
        if waiting:
            return enrolment
        held = [s for s in sessions if s.ends_at < self.now]
        if left_after is not None:
            held = held[: left_after + 1]
        for i, session in enumerate(held):
            if left_after is not None and i == left_after:
                status_at = AttendanceStatus.ABSENT
            else:
                status_at = self.srng.choices(
                    (AttendanceStatus.ATTENDED, AttendanceStatus.LATE, AttendanceStatus.ABSENT,
                     AttendanceStatus.EXCUSED),
                    (82, 8, 5, 5),
                )[0]
                if status == EnrolmentStatus.COMPLETED and status_at == AttendanceStatus.ABSENT:
                    status_at = AttendanceStatus.EXCUSED
            mark = SessionAttendance(
                id=self.uuid(), session=session, enrolment=enrolment, status=status_at, recorded_by=by
            )
            self.attendance.append(mark)
            self.made_service(mark, session.ends_at + dt.timedelta(minutes=30))
        return enrolment

    def build_courses(self) -> None:
        """Next Steps starting next Monday with Darnell on it, the last Next Steps cohort finished with CSCS
        cards, a full Kitchen Ready cohort under way with a waiting list (Reece on it, with the reason Dee gave
        for going ahead despite a keep-apart warning), and the youth work course Jerome passed."""
        dee, mon, f = self.dee, self.monday, self.featured
        L = EnrolmentStatus

        def weekdays(first: dt.date, count: int, per_week: tuple[int, ...]) -> list[dt.date]:
            days: list[dt.date] = []
            day = first
            while len(days) < count:
                if day.weekday() in per_week:
                    days.append(day)
                day += dt.timedelta(days=1)
            return days

        # Kitchen Ready, a partner's course under way on Thursdays: full, with a waiting list.
        first_thursday = mon - dt.timedelta(days=11)
        kitchen_days = weekdays(first_thursday, 6, (3,))
        pool = self.candidates(since=first_thursday - dt.timedelta(days=21), until=kitchen_days[-1])
        kwame_client = self.kwame_client
        # The waiting list first, so even a small demo has one: the cohort is as big as who is on it.
        waiting, others = pool[:2], pool[2 : 9 - (kwame_client is not None)]  # eight places, Reece's included
        enrolled = ([kwame_client] if kwame_client is not None else []) + others
        kitchen, kitchen_sessions = self.cohort(
            KITCHEN_READY, NORWOOD_KITCHEN[0], f"Thursdays from {first_thursday:%-d %B %Y}", kitchen_days,
            (10, 0, 14, 0), len(enrolled) + 1,  # Reece takes the last place
        )
        for plan in enrolled:
            on = first_thursday - dt.timedelta(days=self.srng.randint(7, 21))
            self.enrol(kitchen, kitchen_sessions, plan, on=on)
        self.enrol(
            kitchen,
            kitchen_sessions,
            f["reece"],
            on=first_thursday - dt.timedelta(days=5),
            by=dee,
            safety_override_reason=(
                "The safety check warned about someone else on this cohort Reece must be kept apart from. Talked "
                "it through with Marcia and the other worker: both want the course and it is the last one before "
                "Christmas. The tutor knows; they work at separate benches and arrive and leave at different "
                "times. Review after two sessions."
            )
            if kwame_client is not None
            else "",
        )
        for days_ago, plan in zip((9, 3), waiting, strict=False):
            self.enrol(kitchen, kitchen_sessions, plan, on=self.today - dt.timedelta(days=days_ago), status=L.WAITING)
        self.set_aside.update(p.client.pk for p in waiting + others)

        # Next Steps, starting a few days after Tuesday's release: two weeks, Monday to Thursday.
        start = self.course_start
        upcoming, upcoming_sessions = self.cohort(
            NEXT_STEPS, WALWORTH_SKILLS[0], f"Starting {start:%-d %B %Y}", weekdays(start, 8, (0, 1, 2, 3)),
            (9, 30, 15, 0), 10,
        )
        self.enrol(upcoming, upcoming_sessions, f["darnell"], on=mon - dt.timedelta(days=11), by=dee)
        for plan in self.candidates(since=self.today - dt.timedelta(days=20), until=start)[:5]:
            self.enrol(upcoming, upcoming_sessions, plan, on=self.today - dt.timedelta(days=self.srng.randint(3, 20)))
            self.set_aside.add(plan.client.pk)  # one course each, for variety

        # The last Next Steps cohort, nine weeks ago.
        past_start = mon - dt.timedelta(days=63)
        past_days = weekdays(past_start, 8, (0, 1, 2, 3))
        past, past_sessions = self.cohort(
            NEXT_STEPS, WALWORTH_SKILLS[0], f"Starting {past_start:%-d %B %Y}", past_days, (9, 30, 15, 0), 10
        )
        qualification = self.courses[NEXT_STEPS].qualification
        for i, plan in enumerate(self.candidates(since=past_start - dt.timedelta(days=25), until=past_days[-1])[:6]):
            on = past_start - dt.timedelta(days=self.srng.randint(5, 25))
            if i == 1:
                self.enrol(past, past_sessions, plan, on=on, status=L.LEFT, left_after=3)
            else:
                # One finished the course but did not pass the CITB test first time.
                self.enrol(past, past_sessions, plan, on=on, status=L.COMPLETED,
                           qualification=qualification if i != 2 else "")
            self.set_aside.add(plan.client.pk)

        # The youth work course Jerome passed: ten Tuesday evenings, ending seven months ago.
        end = mon - dt.timedelta(days=212)
        last = end - dt.timedelta(days=(end.weekday() - 1) % 7)
        youth_days = weekdays(last - dt.timedelta(days=63), 10, (1,))
        youth, youth_sessions = self.cohort(
            YOUTH_WORK, CANADA_WATER_ROOMS[0], f"Tuesday evenings from {youth_days[0]:%-d %B %Y}", youth_days,
            (18, 0, 20, 30), 12,
        )
        youth_qualification = self.courses[YOUTH_WORK].qualification
        self.enrol(youth, youth_sessions, f["jerome"], on=youth_days[0] - dt.timedelta(days=20), by=dee,
                   status=L.COMPLETED, qualification=youth_qualification)
        youth_pool = self.candidates(since=youth_days[0] - dt.timedelta(days=30), until=youth_days[-1])[:3]
        for i, plan in enumerate(youth_pool):
            on = youth_days[0] - dt.timedelta(days=self.srng.randint(10, 30))
            if i == 0:
                self.enrol(youth, youth_sessions, plan, on=on, status=L.LEFT, left_after=4)
            else:
                self.enrol(youth, youth_sessions, plan, on=on, status=L.COMPLETED, qualification=youth_qualification)
            self.set_aside.add(plan.client.pk)

    # saving

    def save(self) -> None:
        plans = sorted(self.plans, key=lambda p: (p.case.opened_on, p.client.last_name, p.client.first_name))
        first = _reserve(CASE_SEQUENCE, len(plans))
        for number, plan in enumerate(plans, start=first):
            plan.case.reference = f"KW-{number:06d}"
        Client.objects.bulk_create(self.clients, batch_size=500)
        Case.objects.bulk_create([p.case for p in plans], batch_size=500)
        Contact.objects.bulk_create(self.contacts, batch_size=500)
        Task.objects.bulk_create(self.tasks, batch_size=500)
        self.save_custody()
        Appointment.objects.bulk_create(self.appointments, batch_size=500)
        LoneWorkingVisit.objects.bulk_create(self.lone_visits, batch_size=500)
        LoneWorkingEscalation.objects.bulk_create(self.escalations, batch_size=500)
        self.backdate(plans)
        self.backdate_custody()
        self.save_restrictions()
        self.save_funding(plans)
        self.save_services()

    def save_custody(self) -> None:
        Charge.objects.bulk_create(self.charges, batch_size=500)
        Hearing.objects.bulk_create(self.hearings, batch_size=500)
        Hearing.charges.through.objects.bulk_create(
            [Hearing.charges.through(hearing=h, charge=c) for h, c in self.hearing_charges], batch_size=500
        )
        CustodyEpisode.objects.bulk_create(self.episodes, batch_size=500)
        CustodyTransfer.objects.bulk_create(self.transfers, batch_size=500)
        ReleaseNeed.objects.bulk_create(self.needs, batch_size=500)
        ReleaseNeedUpdate.objects.bulk_create(self.need_updates, batch_size=500)

    def backdate_custody(self) -> None:
        """Custody, court and lone-working records carry the time they were made, not the time of loading."""
        groups: list[tuple[type[models.Model], list[Any]]] = [
            (Charge, self.charges),
            (Hearing, self.hearings),
            (CustodyEpisode, self.episodes),
            (CustodyTransfer, self.transfers),
            (ReleaseNeed, self.needs),
            (ReleaseNeedUpdate, self.need_updates),
            (LoneWorkingVisit, self.lone_visits),
            (LoneWorkingEscalation, self.escalations),
        ]
        for _, records in groups:
            for record in records:
                record.created_at = record.updated_at = self.made_at[record.pk]
        for update in self.need_updates:  # a need changes with each update
            update.need.updated_at = max(update.need.updated_at, update.created_at)
        for episode in self.episodes:
            if episode.released_on:
                episode.updated_at = max(episode.updated_at, self.at(episode.released_on, 12, 0))
        for model, records in groups:
            _restamp(model, records)

    def save_funding(self, plans: list[_Plan]) -> None:
        """The funders and their streams (rules as data), some open cases funded from the streams they are
        eligible for, and a few approved as unfunded work by their team's manager. The staged week is left
        alone: Monday's young woman is eligible for nothing and her worker asks for approval in the app."""
        from keyworker.funding.models import (
            EligibilityRule,
            Funder,
            FundingStream,
            StreamAllocation,
            UnfundedDecision,
            UnfundedWork,
        )
        from keyworker.funding.rules import Facts, evaluate, parameter_problems

        existing = {f.name: f for f in Funder.objects.filter(name__in=FUNDER_NAMES)}
        funders = {name: existing.get(name) or Funder(id=self.uuid(), name=name) for name in FUNDER_NAMES}
        Funder.objects.bulk_create([f for name, f in funders.items() if name not in existing])
        streams: list[tuple[FundingStream, list[EligibilityRule]]] = []
        for spec in FUNDING_STREAMS:
            stream = FundingStream(
                id=self.uuid(),
                funder=funders[spec.funder],
                name=spec.name,
                starts_on=self.today - dt.timedelta(days=spec.started_days_ago),
                ends_on=self.today - dt.timedelta(days=spec.started_days_ago) + dt.timedelta(days=spec.runs_days),
                places=spec.places,
                targets=spec.targets,
            )
            rules = []
            for kind, parameters in spec.rules:
                assert not parameter_problems(kind, parameters), (spec.name, kind)
                rules.append(EligibilityRule(id=self.uuid(), stream=stream, kind=kind, parameters=parameters))
            streams.append((stream, rules))
        FundingStream.objects.bulk_create([stream for stream, _ in streams])
        EligibilityRule.objects.bulk_create([rule for _, rules in streams for rule in rules])

        used = {stream.pk: 0 for stream, _ in streams}
        allocations: list[StreamAllocation] = []
        unfunded: list[UnfundedWork] = []
        open_plans = [p for p in plans if not p.staged and p.case.status == CaseStatus.OPEN]
        self.rng.shuffle(open_plans)
        for plan in open_plans:
            case, client = plan.case, plan.client
            inside = plan.in_custody(self.today)
            facts = Facts(
                as_at=self.today,
                date_of_birth=client.date_of_birth,
                gender=client.gender,
                home_area=client.home_area,
                postcode=client.postcode,
                programme=case.programme,
                referred_on=case.opened_on,
                in_custody=inside,
                released_on=plan.release_on if plan.prison and not inside else None,
            )
            eligible = [s for s, rules in streams if evaluate(rules, facts).eligible and s.starts_on <= self.today]
            manager = self.managers.get(case.team.name)
            by = case.keyworker or manager or self.dee
            open_places = [s for s in eligible if used[s.pk] < s.places]
            if open_places and self.rng.random() < 0.85:
                stream = self.rng.choice(open_places)
                used[stream.pk] += 1
                allocations.append(
                    StreamAllocation(
                        id=self.uuid(),
                        case=case,
                        stream=stream,
                        starts_on=max(case.opened_on, stream.starts_on),
                        allocated_by=by,
                    )
                )
            elif not eligible and manager is not None and len(unfunded) < 5:
                they = "she" if client.gender == Gender.FEMALE else "he" if client.gender == Gender.MALE else "they"
                them = {"she": "her", "he": "him"}.get(they, "them")
                reason = self.rng.choice(UNFUNDED_REASONS).format(
                    they=they, They=they.capitalize(), them=them
                )
                decided = min(self.at(case.opened_on + dt.timedelta(days=2), 15, 0), self.now)
                unfunded.append(
                    UnfundedWork(
                        id=self.uuid(),
                        case=case,
                        reason=reason,
                        requested_by=by,
                        decision=UnfundedDecision.APPROVED,
                        decision_reason="Agreed: the need is real and there is room on the caseload. "
                        "Count it in the unfunded demand for the next bid.",
                        decided_by=manager,
                        decided_at=decided,
                    )
                )
        history = FundingHistory(self)
        allocations += history.closed_allocations(plans, streams)
        StreamAllocation.objects.bulk_create(allocations, batch_size=500)
        UnfundedWork.objects.bulk_create(unfunded, batch_size=500)
        history.save(history.referrals(allocations, plans), history.targets([stream for stream, _ in streams]))

    def save_services(self) -> None:
        """Referrals out, signposting, courses and safety profiles, stamped with when they were made."""
        groups: list[tuple[type[models.Model], list[Any]]] = [
            (SharingAgreement, self.sharing_agreements),
            (ConsentRecord, self.consents),
            (OutboundReferral, self.referrals),
            (OutboundReferralUpdate, self.referral_updates),
            (Disclosure, self.disclosures),
            (Signposting, self.signpostings),
            (Cohort, self.cohorts),
            (CourseSession, self.sessions),
            (Enrolment, self.enrolments),
            (SessionAttendance, self.attendance),
            (UnsafeArea, self.unsafe_areas),
            (KeepApart, self.keep_apart),
        ]
        for model, records in groups:
            model._base_manager.bulk_create(records, batch_size=500)
        changed: dict[uuid.UUID, dt.datetime] = {}
        for update in self.referral_updates:  # a referral changes with each step
            made = self.service_made[update.pk]
            changed[update.referral_id] = max(changed.get(update.referral_id, made), made)
        for model, records in groups:
            for record in records:
                record.created_at = self.service_made[record.pk]
                record.updated_at = max(record.created_at, changed.get(record.pk, record.created_at))
            _restamp(model, records)

    def save_restrictions(self) -> None:
        from keyworker.safeguarding.models import AccessRule, AccessRuleKind

        manager = self.managers.get(self.dee.team.name if self.dee.team else "")
        for client, message in self.restricted:
            rule = AccessRule.objects.create(
                client=client,
                kind=AccessRuleKind.RESTRICTION,
                reason="High-profile client: press interest.",
                message=message,
                starts_at=self.now,
                set_by=manager or self.dee,
            )
            rule.staff.set([u for u in (self.dee, manager) if u is not None])

    def backdate(self, plans: list[_Plan]) -> None:
        """Records carry the time they were made (auto_now_add sets "now" on insert): put it back."""
        client_first: dict[uuid.UUID, dt.datetime] = {}
        for plan in plans:
            opened = self.at(plan.case.opened_on, 10, 30)
            plan.case.created_at = min(opened, self.now)
            plan.case.updated_at = self.at(plan.case.closed_on, 16, 0) if plan.case.closed_on else plan.case.created_at
            client_first.setdefault(plan.client.pk, plan.case.created_at)
        for client in self.clients:
            client.created_at = client.updated_at = client_first.get(client.pk, self.now)

        def made(planned: dt.datetime, client_id: uuid.UUID | None) -> dt.datetime:
            """Planned ahead, but never before the client came to us, and never in the future."""
            earliest = client_first.get(client_id, planned) if client_id else planned
            return min(max(planned, earliest), self.now)

        for task in self.tasks:
            task.created_at = made(self.at(task.due_on, 9, 0) - dt.timedelta(days=7), task.client_id)
            task.updated_at = task.completed_at or task.created_at
        for appt in self.appointments:
            appt.created_at = made(appt.starts_at - dt.timedelta(days=10), appt.client_id)
            settled = appt.status != AppointmentStatus.BOOKED and appt.ends_at < self.now
            appt.updated_at = appt.ends_at if settled else appt.created_at
        _restamp(Case, [p.case for p in plans])
        _restamp(Client, self.clients)
        _restamp(Task, self.tasks)
        _restamp(Appointment, self.appointments)
        demo_staff = User.objects.filter(email__iendswith=f"@{DEMO_DOMAIN}")
        Contact.objects.filter(recorded_by__in=demo_staff).update(
            created_at=F("occurred_at"), updated_at=F("occurred_at")
        )

    # the week from DESIGN.md, for Dee in Lambeth

    def build_featured_week(self) -> None:
        """Dee's week: intake on Monday, the gate on Tuesday, home visits on Wednesday, prison visits on
        Thursday, court on Friday. Past parts of the week read as done; the rest is booked."""
        spec = TEAM_BY_NAME[LAMBETH]
        dee, mon = self.dee, self.monday
        day = [mon + dt.timedelta(days=i) for i in range(7)]

        def ago(days: int) -> dt.date:
            return mon - dt.timedelta(days=days)

        def staged(
            first: str,
            last: str,
            *,
            age: int,
            programme: str,
            opened: dt.date,
            gender: str = Gender.MALE,
            prison: str = "",
            custody_from: dt.date | None = None,
            release_on: dt.date | None = None,
            history: bool = True,
            **fields: Any,
        ) -> _Plan:
            client = self.new_client(
                spec=spec,
                programme=programme,
                first_name=first,
                last_name=last,
                gender=gender,
                age=age,
                home_area="Lambeth",
                **fields,
            )
            case = self.new_case(client=client, spec=spec, programme=programme, opened_on=opened, keyworker=dee)
            weights = {
                ContactKind.OFFICE: 30,
                ContactKind.PHONE: 30,
                ContactKind.TEXT: 25,
                ContactKind.HOME_VISIT: 10,
                ContactKind.OTHER: 5,
            }
            plan = self.plan(
                case,
                spec,
                prison=prison,
                custody_from=custody_from,
                release_on=release_on,
                history_until=ago(3),
                staged=True,
                contact_weights=weights,
            )
            if history:
                self.build_history(plan)
            return plan

        def note(
            plan: _Plan,
            when: dt.date,
            hour: int,
            kind: str,
            text: str,
            *pathways: str,
            sensitive: bool = False,
            minutes: int | None = None,
            location: str | None = None,
            minute: int | None = None,
        ) -> Contact | None:
            if minute is None:
                minute = self.rng.choice((0, 10, 20, 30, 45))
            return self.contact(
                plan,
                kind=kind,
                at=self.at(when, hour, minute),
                note=text,
                pathways=pathways,
                sensitive=sensitive,
                by=dee,
                minutes=minutes,
                location=self.location_for(plan, kind) if location is None else location,
            )

        def task(plan: _Plan | None, due: dt.date, title: str, *, done: bool = False) -> None:
            # The week's tasks stay open, so My week shows them on their days whatever today is.
            completed = min(self.at(due, 16, 30), self.now - dt.timedelta(minutes=5)) if done else None
            self.tasks.append(
                Task(
                    id=self.uuid(),
                    client=plan.client if plan else None,
                    case=plan.case if plan else None,
                    title=title,
                    due_on=due,
                    owner=dee,
                    created_by=dee,
                    completed_at=completed,
                    completed_by=dee if done else None,
                )
            )

        def booked(
            plan: _Plan,
            kind: str,
            when: dt.date,
            hour: int,
            minute: int,
            minutes: int,
            location: str,
            notes: str = "",
            *,
            status: str | None = None,
            **links: Any,
        ) -> Appointment:
            start = self.at(when, hour, minute)
            if status is None:
                status = (
                    AppointmentStatus.ATTENDED
                    if start + dt.timedelta(minutes=minutes) < self.now
                    else AppointmentStatus.BOOKED
                )
            return self.appointment(
                plan, dee, kind, start, minutes, location, notes=notes, contact=False, status=status, **links
            )

        def happened(appointment: Appointment) -> bool:
            return appointment.status == AppointmentStatus.ATTENDED

        # Monday: a self-referral from a young woman who wants out of a newly forming group.
        kayla = staged(
            "Kayla",
            "Brightwater",
            age=19,
            programme=Programme.WOMEN_AND_GIRLS,
            opened=day[0],
            gender=Gender.FEMALE,
            pronouns="she/her",
            history=False,
            email="",
            may_phone=False,
            may_text=True,
            may_leave_voicemail=False,
            may_write=False,
            code_word="sunflower",
            safe_contact_note="Text only, from the office mobile. Others check her phone: if she replies "
            "'wrong number', stop and wait for her to get in touch.",
            address="",
            postcode="",
        )
        note(
            kayla,
            day[0],
            9,
            ContactKind.PHONE,
            "Self-referral. Kayla rang the office line from a friend's phone, very scared. A group of girls has "
            "started up round her way, holding things for older boys, and she's been told she can't leave. "
            "Wants out. Do NOT ring her or leave voicemails: text only, code word agreed. Coming in at 11.",
            _P.ATTITUDES,
            sensitive=True,
            minutes=20,
            location="",
        )
        monday_office = booked(
            kayla,
            AppointmentKind.OFFICE,
            day[0],
            11,
            0,
            60,
            spec.office,
            "Self-referral, first meeting. Text only; code word on file.",
        )
        if happened(monday_office):
            note(
                kayla,
                day[0],
                11,
                ContactKind.OFFICE,
                "First meeting at the office. Went through consent and safe contact (text only, no voicemail, "
                "code word). Main worry is retaliation if they find out she's talking to us. Started a safety "
                "plan: routes to college that avoid the parade, who she can stay with. Marcia agreed we take "
                "her on while funding is looked at.",
                _P.ATTITUDES,
                _P.ETE,
                sensitive=True,
                minutes=60,
            )
        task(kayla, day[0], "Safety plan with Kayla")
        task(kayla, day[0], "Get Marcia's sign-off to take Kayla on as unfunded work")
        task(kayla, day[1], "Text Kayla (code word) to check she got home OK")

        # Tuesday: through the gate. In custody at HMP Brixton for five months of casework.
        prison = "HMP Brixton"
        course_start = day[1] + dt.timedelta(days=6)
        darnell = staged(
            "Darnell",
            "Ashcombe",
            age=27,
            programme=Programme.RESETTLEMENT,
            opened=ago(150),
            prison=prison,
            release_on=day[1],
            history=False,
            may_leave_voicemail=True,
            email="",
            address="",
            postcode="",
            safe_contact_note="No fixed address on release; phone from the gate.",
        )
        starts = f"{course_start:%A} {course_start.day} {course_start:%B}"
        release = f"{day[1]:%A} {day[1].day} {day[1]:%B}"
        for days_ago, hour, kind, text, pathways in (
            (
                150,
                10,
                ContactKind.PRISON_VISIT,
                "First visit at HMP Brixton, referred by the prison resettlement team. Five months left to serve "
                "(robbery). Open about a cocaine habit, about £300 a week before he came in, paid for with robbery "
                "and burglary. Wants to come out different this time. Goals agreed: stay drug-free, start training.",
                (_P.DRUGS_ALCOHOL, _P.ATTITUDES, _P.ETE),
            ),
            (
                121,
                14,
                ContactKind.PRISON_VISIT,
                "Visit. On the drug recovery wing, clean since remand. Went through all seven pathways: biggest "
                "gaps are accommodation and ID. Mum won't have him back at hers, which he understands.",
                (_P.ACCOMMODATION, _P.DRUGS_ALCOHOL, _P.FAMILY),
            ),
            (
                96,
                11,
                ContactKind.PHONE,
                f"Spoke to the offender manager at HMP Brixton. Release date confirmed: {release}. Housing "
                "referral is in with the council.",
                (_P.ACCOMMODATION,),
            ),
            (
                70,
                10,
                ContactKind.PRISON_VISIT,
                "Visit. Worried about going back to the same area: the people he owed are still about. Talked "
                "about a room outside the borough. Started the bank account application through the prison.",
                (_P.ACCOMMODATION, _P.FINANCE, _P.ATTITUDES),
            ),
            (
                46,
                15,
                ContactKind.OTHER,
                "Letter from Darnell: he's passed the level 1 English. Proud of it. Wrote back.",
                (_P.ETE,),
            ),
            (
                31,
                10,
                ContactKind.PRISON_VISIT,
                "Visit. Went through the release-day plan: gate pick-up 8am, probation at 10, Housing Options "
                "after. Brief Intervention Service appointment booked for the week after release.",
                (_P.DRUGS_ALCOHOL, _P.ACCOMMODATION),
            ),
            (
                12,
                12,
                ContactKind.PHONE,
                f"The college has a place for Darnell on the CSCS construction course starting {starts}. Told him "
                "on the prison phone: first time I've heard him excited.",
                (_P.ETE,),
            ),
            (
                4,
                10,
                ContactKind.PRISON_VISIT,
                "Last visit before release. Still clean, still set on the course. Nervous about the first night. "
                "Gave him the office number and went over the plan again.",
                (_P.DRUGS_ALCOHOL, _P.ATTITUDES),
            ),
        ):
            note(darnell, ago(days_ago), hour, kind, text, *pathways)
        task(darnell, ago(3), "Send Darnell's release-day plan to the offender manager at HMP Brixton", done=True)
        # His sentence: 20 months for robbery, remanded at HMP Thameside ten months ago, moved to HMP Brixton
        # (a resettlement prison) for the last five; out at the halfway point on licence.
        received = day[1] - dt.timedelta(days=304)
        custody = self.episode(
            darnell,
            prison,
            received_on=received,
            sentenced_on=received + dt.timedelta(days=63),
            sentence_length="20 months",
            release_on=day[1],
            release_type=ReleaseType.CONDITIONAL,
            licence_ends_on=received + dt.timedelta(days=608),
            prison_number="A4821DK",
            probation=("Joanne Mistry", "020 7946 0461"),
            recorded_by=dee,
        )
        self.transfer(custody, "HMP Thameside", ago(165))
        self.darnell_release_plan(custody, since=ago(148), course_start=course_start)
        gate = booked(
            darnell,
            AppointmentKind.GATE,
            day[1],
            8,
            0,
            180,
            f"{prison} (gate)",
            "Release day. Gate at 8, probation at 10, then Housing Options.",
            establishment=self.establishments[prison],
            custody_episode=custody,
        )
        if happened(gate):
            custody.released_on = day[1]
            gate.outcome_contact = note(
                darnell,
                day[1],
                8,
                ContactKind.GATE,
                "Met Darnell at the gate, HMP Brixton. Straight to probation, then Housing Options: hostel room "
                "in Croydon for now, away from the old area. Bought breakfast and a phone. Reminded him about "
                f"the Brief Intervention Service next week and the course on {starts}.",
                _P.ACCOMMODATION,
                _P.DRUGS_ALCOHOL,
                _P.ETE,
                minutes=210,
            )
        task(darnell, day[1], "After the gate: probation at 10, then Housing Options with Darnell")
        task(darnell, day[4], "Check Darnell has boots and ID for the course on Monday")

        # Wednesday: two home visits.
        reece = staged("Reece", "Calloway", age=29, programme=Programme.GANG_EXIT, opened=ago(300))
        note(
            reece,
            ago(17),
            14,
            ContactKind.OFFICE,
            "Reece says he's smoking more weed since losing the warehouse job. Not ready for the drug service "
            "yet but will think about it. Home visit booked.",
            _P.DRUGS_ALCOHOL,
            _P.ETE,
        )
        mikey = staged("Mikey", "Dunmore", age=18, programme=Programme.GANG_EXIT, opened=ago(180), preferred_name="")
        visit_note = "Lone working: check in with the office before, check out after."
        wed_am = booked(reece, AppointmentKind.HOME_VISIT, day[2], 10, 0, 60, "Home, Stockwell", visit_note)
        wed_pm = booked(mikey, AppointmentKind.HOME_VISIT, day[2], 14, 0, 60, "Home, Tulse Hill", visit_note)

        def lone(
            contact: Contact | None,
            appointment: Appointment | None,
            when: dt.date,
            checked_in: tuple[int, int],
            expected_end: tuple[int, int],
            checked_out: tuple[int, int],
            with_whom: str,
            *,
            buddy_alerted: tuple[int, int] | None = None,
        ) -> None:
            if contact is not None:
                self.lone_visit(
                    contact,
                    appointment=appointment,
                    checked_in=self.at(when, *checked_in),
                    expected_end=self.at(when, *expected_end),
                    checked_out=self.at(when, *checked_out),
                    with_whom=with_whom,
                    buddy_alerted=self.at(when, *buddy_alerted) if buddy_alerted else None,
                )

        # Dee's lone-working record with Mikey before this week: one visit ran over until her buddy was alerted.
        earlier = note(
            mikey,
            ago(26),
            11,
            ContactKind.HOME_VISIT,
            "Home visit, Tulse Hill, Mikey and his mum. Went through the college application; he's going to "
            "the open day.",
            _P.ETE,
            _P.FAMILY,
            minutes=50,
            minute=0,
        )
        lone(earlier, None, ago(26), (10, 55), (12, 0), (11, 55), "Mikey and his mum")
        before = note(
            reece,
            ago(33),
            14,
            ContactKind.HOME_VISIT,
            "Home visit, Stockwell. Reece on his own. The warehouse let him go last week; went through job "
            "sites together and he's signed up with two agencies.",
            _P.ETE,
            minutes=45,
            minute=0,
        )
        lone(before, None, ago(33), (13, 56), (15, 0), (14, 50), "Reece")
        ran_over = note(
            mikey,
            ago(12),
            15,
            ContactKind.HOME_VISIT,
            "Home visit, Tulse Hill. Mikey upset about a college letter (attendance); talked it through and "
            "rang the college with him. Ran over: my phone was on silent and Kwame rang when the check-out "
            "alert went. All fine, checked out at 16:22.",
            _P.ETE,
            minutes=80,
            minute=0,
        )
        lone(ran_over, None, ago(12), (14, 55), (16, 0), (16, 22), "Mikey", buddy_alerted=(16, 15))
        if happened(wed_pm):
            visited = note(
                mikey,
                day[2],
                14,
                ContactKind.HOME_VISIT,
                "Home visit, Tulse Hill. Checked in at 13:55, out at 15:05. Mikey's mum there. He's back at "
                "college three days a week and wants to do his driving theory.",
                _P.ETE,
                _P.FAMILY,
                minutes=60,
                minute=0,
            )
            wed_pm.outcome_contact = visited
            lone(visited, wed_pm, day[2], (13, 55), (15, 10), (15, 5), "Mikey and his mum")
        if happened(wed_am):
            visited = note(
                reece,
                day[2],
                10,
                ContactKind.HOME_VISIT,
                "Home visit, Stockwell. Checked in at 9:55, out at 11:05. Talked about work and the weed. "
                "He agreed to a referral to the Brief Intervention Service and gave consent to share what it "
                "needs; referral sent.",
                _P.DRUGS_ALCOHOL,
                _P.ETE,
                minutes=60,
                minute=0,
            )
            wed_am.outcome_contact = visited
            lone(visited, wed_am, day[2], (9, 55), (11, 10), (11, 5), "Reece")
        task(reece, day[2], "Chase Reece's GP letter for the housing bid")
        task(mikey, ago(4), "Update Mikey's support plan")  # overdue

        # Thursday: three clients at one prison.
        wandsworth = "HMP Wandsworth"
        lewis = staged(
            "Lewis",
            "Farrant",
            age=24,
            programme=Programme.GANG_EXIT,
            opened=ago(400),
            prison=wandsworth,
            custody_from=ago(200),
        )
        ashton = staged("Ashton", "Pryce", age=31, programme=Programme.GANG_EXIT, opened=ago(90), prison=wandsworth)
        tremaine = staged(
            "Tremaine", "Hallam", age=21, programme=Programme.GANG_EXIT, opened=ago(60), prison=wandsworth
        )
        # Lewis is high-profile: only Dee and her manager may open his record (issue 3's restriction).
        self.restricted.append(
            (lewis.client, "High-profile: his case was in the papers. Do not discuss outside the named staff.")
        )
        note(
            lewis,
            ago(24),
            10,
            ContactKind.PRISON_VISIT,
            "Visit at HMP Wandsworth. Lewis knows his case was in the papers and people talk. Worked on "
            "who he is apart from that: his little girl, the gym, wanting to be a plumber.",
            _P.ATTITUDES,
            _P.FAMILY,
        )
        # In custody at HMP Wandsworth: Lewis sentenced (held at HMP Belmarsh at first), Ashton near the end of
        # a short sentence, Tremaine on remand awaiting his Crown Court hearing.
        lewis_custody = self.episode(
            lewis,
            wandsworth,
            received_on=ago(200),
            sentenced_on=ago(158),
            sentence_length="18 months",
            release_on=mon + dt.timedelta(days=74),
            release_type=ReleaseType.CONDITIONAL,
            licence_ends_on=mon + dt.timedelta(days=348),
            probation=("Ruth Okonedo", "020 7946 0538"),
            recorded_by=dee,
        )
        self.transfer(lewis_custody, "HMP Belmarsh", ago(150))
        self.release_plan(lewis_custody, ago(120), settled=False)
        ashton_custody = self.episode(
            ashton,
            wandsworth,
            received_on=ago(130),
            sentenced_on=ago(95),
            sentence_length="11 months",
            release_on=mon + dt.timedelta(days=33),
            release_type=ReleaseType.AUTOMATIC,
            licence_ends_on=mon + dt.timedelta(days=196),
            probation=("Carl Petrovic", "020 7946 0572"),
            recorded_by=dee,
        )
        self.release_plan(ashton_custody, ago(80), settled=False)
        blade = self.charge(
            tremaine.client,
            "Possession of a bladed article in a public place",
            ChargeSource.SOLICITOR,
            "His solicitor, by phone, with Tremaine's consent",
            dee,
            ago(58),
        )
        crown_date = self.at(day[4] + dt.timedelta(days=18), 10, 0)
        trial_prep = self.hearing(
            tremaine,
            "Inner London Crown Court",
            crown_date,
            HearingKind.PREPARATION,
            "Plea and trial preparation hearing.",
            [blade],
            dee,
        )
        first_appearance = self.hearing(
            tremaine,
            "Camberwell Green Magistrates' Court",
            self.at(ago(75), 10, 0),
            HearingKind.FIRST_APPEARANCE,
            "First appearance after charge.",
            [blade],
            dee,
            outcome=HearingOutcome.REMANDED,
            outcome_detail="Sent to Inner London Crown Court. Bail refused; remanded in custody.",
            next_hearing=trial_prep,
        )
        tremaine_custody = self.episode(
            tremaine,
            wandsworth,
            received_on=ago(75),
            sentenced_on=None,
            release_on=None,
            recorded_by=dee,
        )
        tremaine_custody.source_hearing = first_appearance
        # Booked together: one professional visit each, in staggered slots, at one prison on one day.
        visits = self.uuid()
        for plan, hour, minute in ((lewis, 9, 30), (ashton, 10, 45), (tremaine, 13, 30)):
            visit = booked(
                plan,
                AppointmentKind.PRISON_VISIT_LEGAL,
                day[3],
                hour,
                minute,
                60,
                wandsworth,
                "Legal visit booked through the OMU. Bring ID; no phones past reception.",
                establishment=self.establishments[wandsworth],
                group=visits,
            )
            if happened(visit):
                visit.outcome_contact = self.note_contact(
                    plan, day[3], ContactKind.PRISON_VISIT, hour=hour, minute=minute
                )
        task(None, day[3], "Book next month's legal visits at HMP Wandsworth")

        # Friday: court, for a client who now mentors younger people on his estate.
        jerome = staged("Jerome", "Whitfield", age=24, programme=Programme.GANG_EXIT, opened=ago(430))
        jerome.contact_weights = {**jerome.contact_weights, ContactKind.MENTORING: 20}
        for days_ago, kind, text, pathways in (
            (
                425,
                ContactKind.OFFICE,
                "Jerome came in with his aunt. Wants out after his cousin got hurt. Charged with possession with "
                "intent (from last year); no trial date yet. Agreed to meet every week.",
                (_P.ATTITUDES,),
            ),
            (300, ContactKind.OTHER, "Jerome finished the first aid course. Certificate on file.", (_P.ETE,)),
            (
                210,
                ContactKind.OTHER,
                "Jerome completed the Level 2 Award in Youth Work: his first qualification.",
                (_P.ETE,),
            ),
            (
                180,
                ContactKind.MENTORING,
                "Jerome's first session mentoring two younger boys from his estate. Calm and clear with them.",
                (_P.ATTITUDES,),
            ),
            (
                60,
                ContactKind.MENTORING,
                "Mentoring: Jerome now sees three lads weekly on the estate. One of them is back in school full time.",
                (_P.ATTITUDES, _P.ETE),
            ),
            (
                20,
                ContactKind.OFFICE,
                "Sentencing hearing listed at Inner London Crown Court. Jerome asked for a character reference. "
                "Agreed: engagement since he first came in, the courses, the mentoring.",
                (_P.ATTITUDES,),
            ),
        ):
            note(jerome, ago(days_ago), 15, kind, text, *pathways)
        # His case so far: charged the year before he came to us, then an adjournment chain to Friday.
        supply = self.charge(
            jerome.client,
            "Possession with intent to supply a controlled drug of class B (cannabis)",
            ChargeSource.CHARGE_SHEET,
            "Copy of the charge sheet Jerome brought to his first meeting",
            dee,
            ago(425),
        )
        crown = "Inner London Crown Court"
        sentencing = self.hearing(
            jerome,
            crown,
            self.at(day[4], 10, 0),
            HearingKind.SENTENCING,
            "Sentencing after a guilty plea to possession with intent to supply (class B). Pre-sentence report "
            "ready; character reference from Keyworker.",
            [supply],
            dee,
        )
        trial = self.hearing(
            jerome,
            crown,
            self.at(ago(34), 10, 0),
            HearingKind.TRIAL,
            "Trial.",
            [supply],
            dee,
            outcome=HearingOutcome.ADJOURNED,
            outcome_detail="Changed his plea to guilty on the morning of the trial. Adjourned for a pre-sentence "
            "report; bail continued.",
            next_hearing=sentencing,
        )
        ptph = self.hearing(
            jerome,
            crown,
            self.at(ago(440), 10, 0),
            HearingKind.PREPARATION,
            "Plea and trial preparation hearing.",
            [supply],
            dee,
            outcome=HearingOutcome.ADJOURNED,
            outcome_detail="Pleaded not guilty. Trial date to be fixed; bail continued with a curfew.",
            next_hearing=trial,
        )
        self.hearing(
            jerome,
            "Camberwell Green Magistrates' Court",
            self.at(ago(472), 10, 0),
            HearingKind.FIRST_APPEARANCE,
            "First appearance after charge.",
            [supply],
            dee,
            outcome=HearingOutcome.ADJOURNED,
            outcome_detail="Sent to Inner London Crown Court. Unconditional bail.",
            next_hearing=ptph,
        )
        # Always still to play: the outcome is recorded in the app on Friday (the story's last scene).
        booked(
            jerome,
            AppointmentKind.COURT,
            day[4],
            10,
            0,
            180,
            crown,
            "Sentencing. Character reference to hand to counsel before the hearing.",
            status=AppointmentStatus.BOOKED,
            establishment=self.establishments[crown],
            hearing=sentencing,
        )
        task(jerome, day[3], "Finish Jerome's character reference for Friday")
        task(jerome, day[4], "Record the outcome of Jerome's hearing")

        # Referrals out, courses and safety profiles for these clients come later (build_services), once
        # the caseload they share cohorts and keep-apart pairs with is there.
        self.featured = {
            "kayla": kayla,
            "darnell": darnell,
            "reece": reece,
            "mikey": mikey,
            "lewis": lewis,
            "ashton": ashton,
            "tremaine": tremaine,
            "jerome": jerome,
        }
        self.course_start = course_start
        self.wednesday_visited = happened(wed_am)
        self.kayla_met = happened(monday_office)


def _restamp(model: type[models.Model], records: list[Any]) -> None:
    """Write the records' created_at and updated_at (auto_now_add set them to the time of loading) in one
    executemany: much quicker than bulk_update's CASE expressions for thousands of rows."""
    connection = connections[router.db_for_write(model)]
    meta, quote = model._meta, connection.ops.quote_name
    created, updated, pk = meta.get_field("created_at"), meta.get_field("updated_at"), meta.pk
    assert isinstance(created, models.Field) and isinstance(updated, models.Field) and pk is not None
    set_created, set_updated, where_pk = (quote(str(f.column)) for f in (created, updated, pk))
    # Only quoted names from the model's own metadata go into the text; every value is a parameter.
    sql = (
        f"UPDATE {quote(meta.db_table)} SET {set_created} = %s, {set_updated} = %s "  # noqa: S608
        f"WHERE {where_pk} = %s"
    )
    params = [
        (
            created.get_db_prep_value(r.created_at, connection),
            updated.get_db_prep_value(r.updated_at, connection),
            pk.get_db_prep_value(r.pk, connection),
        )
        for r in records
    ]
    if params:
        with connection.cursor() as cursor:
            cursor.executemany(sql, params)


def _weekday_from(day: dt.date) -> dt.date:
    """The day, or the Monday after it if it falls at a weekend."""
    return day + dt.timedelta(days=(7 - day.weekday()) % 7 if day.weekday() >= 5 else 0)


def _sentence_words(days: int) -> str:
    """A sentence as a court gives it: "8 months", "2 years 6 months"."""
    months = max(round(days / 30.44), 1)
    years, rest = divmod(months, 12)
    words = [f"{years} year{'s' if years > 1 else ''}"] if years else []
    words += [f"{rest} month{'s' if rest > 1 else ''}"] if rest else []
    return " ".join(words)


def _reserve(name: str, count: int) -> int:
    """Take `count` consecutive numbers from a named sequence at once; return the first."""
    Sequence.objects.get_or_create(name=name)
    Sequence.objects.filter(name=name).update(value=F("value") + count)
    return Sequence.objects.select_for_update().get(name=name).value - count + 1
