"""Keyworker's own default outcome scale: the wording migration 0003 seeds.

Every word here is Keyworker's own, written for this project. It deliberately does not use or imitate any
licensed outcomes tool: the Outcomes Star's licence forbids software that incorporates its scales, so neither
its domain wording nor its "journey of change" stage names appear here (or anywhere else in Keyworker). Each
ladder below is specific to its domain and says, in plain words a client would use, where they are now.

The domains are the seven resettlement pathways plus safety and identity and self-esteem. Each is a ladder of
five steps, 1 the lowest. Managers can reword steps later (outcomes:scale_edit); this is only the start.
"""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_SCALE_NAME = "Keyworker resettlement scale"
DEFAULT_SCALE_DESCRIPTION = (
    "Keyworker's own scale over the seven resettlement pathways, safety, and identity and self-esteem. "
    "The client and the worker each say which step fits now; the two views are kept apart."
)
DEFAULT_INTERVAL_DAYS = 91


@dataclass(frozen=True)
class Step:
    value: int
    label: str
    description: str


@dataclass(frozen=True)
class Domain:
    key: str
    name: str
    steps: tuple[Step, ...]


def _ladder(*steps: tuple[str, str]) -> tuple[Step, ...]:
    return tuple(Step(value=i, label=label, description=text) for i, (label, text) in enumerate(steps, start=1))


DEFAULT_DOMAINS: tuple[Domain, ...] = (
    Domain(
        "accommodation",
        "Accommodation",
        _ladder(
            ("No safe place to stay", "Sleeping rough, sofa-surfing night to night, or somewhere that is not safe."),
            ("Somewhere for now", "A bed for the next few weeks, such as a hostel or a friend's, but nothing lasting."),
            ("Working on a place", "Applications or viewings are under way and there is a realistic plan to move."),
            ("A place of my own", "A tenancy or a settled room, still getting used to the rent and the bills."),
            ("Settled home I can keep", "A home I have kept for a while and can manage without help."),
        ),
    ),
    Domain(
        "ete",
        "Education, training and employment",
        _ladder(
            ("Nothing on", "No work, course or training, and no idea yet where to start."),
            ("Thinking about options", "Talking about what I could do and what stands in the way."),
            ("Taking first steps", "Signed up for a course, a placement or interviews."),
            ("Studying or working", "Going to a course, training or a job most weeks."),
            ("Holding down work or study", "Keeping a job or finishing courses and planning what comes next."),
        ),
    ),
    Domain(
        "health",
        "Health",
        _ladder(
            ("Health getting in the way", "Physical or mental health problems stop most days going to plan."),
            ("Knows something is wrong", "Aware of the problems but not yet registered with a GP or seeing anyone."),
            ("Getting checked", "Registered with a GP or dentist and going to the first appointments."),
            ("Looking after myself", "Keeping appointments and taking treatment as agreed."),
            ("Health under control", "Health rarely stops me doing what I want to do."),
        ),
    ),
    Domain(
        "drugs_alcohol",
        "Drugs and alcohol",
        _ladder(
            ("Using runs my life", "Drink or drugs decide most of what happens each day."),
            ("Wants to cut down", "Thinking about changing, but not yet getting any support with it."),
            ("In touch with a service", "Seeing a drug or alcohol service and trying to use less."),
            ("Mostly in control", "Using much less or not at all, with the odd slip I can talk about."),
            ("Free of harmful use", "Not using in a harmful way and know what to do if cravings come back."),
        ),
    ),
    Domain(
        "finance",
        "Finance, benefit and debt",
        _ladder(
            ("No money coming in", "No income, or debts that bring threats or fear every week."),
            ("Sorting out basics", "Applying for ID, a bank account or benefits."),
            ("Some money arriving", "Benefits or wages are paid, but they do not last to the end of the month."),
            ("Keeping on top of it", "Paying the bills and any debt plan, with help when it gets tight."),
            ("Money managed", "Budgeting on my own and debts paid or under control."),
        ),
    ),
    Domain(
        "family",
        "Children and families",
        _ladder(
            ("Cut off or in conflict", "No contact with family or children, or contact that brings harm."),
            ("Wants to reconnect", "Would like things to be different and has talked about how."),
            ("Some contact", "Occasional contact, sometimes through others such as a social worker."),
            ("Regular contact", "Seeing or speaking to family or children often, and it mostly goes well."),
            ("Steady relationships", "Family relationships I can rely on and look after."),
        ),
    ),
    Domain(
        "attitudes",
        "Attitudes, thinking and behaviour",
        _ladder(
            ("Trouble keeps happening", "Acting on impulse or anger, and the same trouble keeps coming back."),
            ("Sees the pattern", "Can name what sets things off and the harm it does."),
            ("Trying new ways", "Using ways to step back from trouble, some of the time."),
            ("Choosing differently", "Usually making choices that keep me and others out of trouble."),
            ("Thinking it through", "Weighing up choices and staying on track, even under pressure."),
        ),
    ),
    Domain(
        "safety",
        "Safety",
        _ladder(
            ("In danger now", "Threatened, or pulled back into harm, with nowhere safe to turn."),
            ("Knows the risks", "Can say who and where is unsafe, but cannot avoid them yet."),
            ("Has a safety plan", "A plan is agreed and I use some of it: routes, contacts, who to call."),
            ("Mostly safe", "Staying away from unsafe people and places most of the time."),
            ("Safe and know how to stay so", "Feel safe day to day and know what to do if that changes."),
        ),
    ),
    Domain(
        "identity",
        "Identity and self-esteem",
        _ladder(
            ("Defined by the past", "See myself only through what I have done or the group I was in."),
            ("Wondering who else I could be", "Starting to think there is more to me than my past."),
            ("Finding what I am good at", "Trying things and noticing what I can do well."),
            ("Proud of some things", "Can name things I have done that I am proud of, and others see it too."),
            ("Confident in who I am", "Have a sense of who I am and where I am going, and can help others."),
        ),
    ),
)
