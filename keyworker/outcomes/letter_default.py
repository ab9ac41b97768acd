"""The default wording of a character reference for court, seeded as a letter template (migration 0004) and
used as it is when no template has been set up.

It is in the form courts expect of a character reference: addressed to the court, it says the writer knows
what the person is charged with (naming the charges), who the writer is and how they know the person, and
what they have seen of them (engagement, courses, milestones, mentoring), all drawn from recorded facts. It
gives no opinion on what the court should do: that is for the court, and a reference that argues it carries
less weight. Each paragraph built from facts stands alone, so a caseworker can delete one that does not fit.

Placeholders in {braces} are filled from the client's records (outcomes.rules.letters.PLACEHOLDERS); anything
without a recorded fact is left visible as [missing: name] for the caseworker to fill or delete.
"""

from __future__ import annotations

DEFAULT_CHARACTER_REFERENCE_NAME = "Character reference for court"

DEFAULT_CHARACTER_REFERENCE = """\
{salutation},

Re: {client_name}, hearing on {hearing_date}

I am writing as a character reference for {client_name}. I know that this letter will be read by the court, \
and I understand that {first_name} is before the court charged with {charges}.

My name is {writer_name}. I am a {writer_role} at {organisation}, a charity that supports people to leave \
gangs, resettle after prison and stay safe. {first_name} has worked with us since {engaged_since}, and \
{relationship}.

{engagement}

{courses}

{milestones}

{mentoring}

Everything in this letter is drawn from our records of our work with {first_name}, and is true to the best \
of my knowledge. I am happy to be contacted if the court would like to know more.

Yours faithfully,
"""

# The charity's name on the letterhead and in the letter. A deployment sets KEYWORKER_ORGANISATION_NAME in the
# environment (settings.py reads it); this fictional name stands in until it does.
DEFAULT_ORGANISATION_NAME = "Keyworker Community Project"


def organisation_name() -> str:
    from django.conf import settings

    return str(getattr(settings, "KEYWORKER_ORGANISATION_NAME", "") or DEFAULT_ORGANISATION_NAME)
