"""The national helplines the services directory starts with. Names, numbers and websites are public; a
number is given only where it is well known and stable, and opening hours only where the line is open day
and night (hours change, and a wrong number or time is worse than none). Local services are added in the
app (the demo adds some). Loaded by migration 0002 (get_or_create, so running it twice adds nothing).
"""

from __future__ import annotations

# organisation name -> its website
ORGANISATIONS: dict[str, str] = {
    "Refuge": "https://refuge.org.uk",
    "Respect": "https://www.respect.uk.net",
    "FRANK": "https://www.talktofrank.com",
    "Samaritans": "https://www.samaritans.org",
    "Shelter": "https://england.shelter.org.uk",
    "NSPCC": "https://www.nspcc.org.uk",
    "Unseen": "https://www.unseenuk.org",
    "GamCare": "https://www.gamcare.org.uk",
    "Crimestoppers": "https://crimestoppers-uk.org",
}

ALL_DAY = "24 hours, every day"

# Every service here is national, a helpline, and taken by self-referral (the person calls).
HELPLINES: tuple[dict[str, str], ...] = (
    {
        "organisation": "Refuge",
        "name": "National Domestic Abuse Helpline",
        "category": "domestic_abuse",
        "phone": "0808 2000 247",
        "website": "https://www.nationaldahelpline.org.uk",
        "opening_hours": ALL_DAY,
        "description": "Free, confidential support for women experiencing domestic abuse, and for friends, "
        "family and professionals calling on their behalf. Can find refuge space.",
        "criteria": "Women experiencing domestic abuse, and people worried about them.",
        "contact_notes": "Web chat and a form to ask for a safe time to call are on the website.",
    },
    {
        "organisation": "Respect",
        "name": "Men's Advice Line",
        "category": "domestic_abuse",
        "phone": "0808 8010 327",
        "website": "https://mensadviceline.org.uk",
        "description": "Confidential support for men experiencing domestic abuse from a partner, ex-partner or "
        "family member.",
        "criteria": "Men experiencing domestic abuse, and people supporting them.",
        "contact_notes": "Web chat and e-mail through the website.",
    },
    {
        "organisation": "FRANK",
        "name": "FRANK drugs information line",
        "category": "drugs_alcohol",
        "phone": "0300 123 6600",
        "website": "https://www.talktofrank.com",
        "opening_hours": ALL_DAY,
        "description": "Honest information about drugs and where to get help locally.",
        "criteria": "Anyone.",
        "contact_notes": "Text 82111. Live chat on the website.",
    },
    {
        "organisation": "Samaritans",
        "name": "Samaritans helpline",
        "category": "mental_health",
        "phone": "116 123",
        "website": "https://www.samaritans.org",
        "opening_hours": ALL_DAY,
        "description": "Someone to talk to, whatever is going on. Free from any phone.",
        "criteria": "Anyone who is struggling to cope.",
        "contact_notes": "E-mail jo@samaritans.org.",
    },
    {
        "organisation": "Shelter",
        "name": "Shelter emergency helpline",
        "category": "housing",
        "phone": "0808 800 4444",
        "website": "https://england.shelter.org.uk/get_help",
        "description": "Advice for people homeless, at risk of losing their home, or in housing trouble.",
        "criteria": "Anyone in England with an urgent housing problem.",
        "contact_notes": "Web chat and local hubs through the website.",
    },
    {
        "organisation": "NSPCC",
        "name": "Childline",
        "category": "family",
        "phone": "0800 1111",
        "website": "https://www.childline.org.uk",
        "description": "Free, confidential support for children and young people about anything.",
        "criteria": "Children and young people under 19.",
        "contact_notes": "One-to-one chat and e-mail through the website.",
    },
    {
        "organisation": "Unseen",
        "name": "Modern Slavery & Exploitation Helpline",
        "category": "other",
        "phone": "08000 121 700",
        "website": "https://www.modernslaveryhelpline.org",
        "opening_hours": ALL_DAY,
        "description": "Confidential advice and reporting for anyone with concerns about modern slavery or "
        "exploitation, including county lines and criminal exploitation.",
        "criteria": "Victims, the public and professionals.",
        "contact_notes": "Reports can also be made online.",
    },
    {
        "organisation": "GamCare",
        "name": "National Gambling Helpline",
        "category": "other",
        "phone": "0808 8020 133",
        "website": "https://www.gamcare.org.uk",
        "opening_hours": ALL_DAY,
        "description": "Free information, support and counselling for anyone affected by gambling.",
        "criteria": "People who gamble, and those affected by someone's gambling.",
        "contact_notes": "Live chat on the website.",
    },
    {
        "organisation": "Crimestoppers",
        "name": "Crimestoppers",
        "category": "other",
        "phone": "0800 555 111",
        "website": "https://crimestoppers-uk.org",
        "opening_hours": ALL_DAY,
        "description": "Tell them what you know about crime, 100% anonymously: never asked your name, calls "
        "never traced.",
        "criteria": "Anyone.",
        "contact_notes": "Anonymous online form on the website. Fearless.org is its service for young people.",
    },
)
