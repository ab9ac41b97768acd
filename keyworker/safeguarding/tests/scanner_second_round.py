"""A second round of notes, by a second engineer, written after the lists were first settled and labelled by the
conventions in scanner_notes.py before the scanner was run on them. Their first figures (overall precision 0.935,
recall 0.690; threat recall 0.167) are in docs/decisions/0026; the lists were then widened with general wording
and these notes joined the asserted set. scanner_fresh.py holds notes the lists have never been tuned on."""

from __future__ import annotations

from keyworker.safeguarding.tests.scanner_notes import CHI, DA, EXP, SH, SUB, THR, VIO, WEP

SECOND_ROUND: list[tuple[str, frozenset[str]]] = [
    ("Went with him to the Jobcentre; work coach set up a plan for the next four weeks.", frozenset()),
    ("He wants to take his driving theory test in the new year and asked about costs.", frozenset()),
    ("Rang the housing association about the damp in his flat. Repair booked for Tuesday.", frozenset()),
    ("Good session. Talked about his daughter's birthday party and how proud he was.", frozenset()),
    ("Mum rang to say thank you for the food bank voucher.", frozenset()),
    (
        "Asked directly about drugs and alcohol: says he has a couple of beers at the weekend, nothing else.",
        frozenset(),
    ),
    ("No safeguarding concerns raised at today's visit. Flat tidy, fridge stocked.", frozenset()),
    ("He denies any contact with the old crowd and says he has changed his number.", frozenset()),
    ("School report is positive; no concerns about his little brother.", frozenset()),
    ("Probation officer confirms no further offences and licence conditions met.", frozenset()),
    ("Talked about the film he saw, a gangster one; he said it was nothing like real life.", frozenset()),
    ("He was nervous about the interview but went, and they will let him know Friday.", frozenset()),
    ("Sister says she has noticed him smoking weed most evenings since he lost the job.", frozenset({SUB})),
    ("Admitted he relapsed on crack over the weekend and spent his whole UC payment.", frozenset({SUB})),
    ("Tested positive for opiates at the drug service this morning.", frozenset({SUB})),
    ("He has been drinking a bottle of vodka a day and shaking in the mornings.", frozenset({SUB})),
    ("Says he takes ket at parties most weekends and doesn't see a problem with it.", frozenset({SUB})),
    ("His partner told me he grabbed her by the throat during an argument on Sunday.", frozenset({DA})),
    (
        "She says her ex keeps turning up at her work and smashed her phone when she would not talk to him.",
        frozenset({DA}),
    ),
    ("Mum disclosed that his stepdad has been hitting him and his mum for years.", frozenset({DA})),
    ("Girlfriend said he controls all her money and won't let her see her friends.", frozenset({DA})),
    ("He got into a fight outside the chicken shop and was punched in the face.", frozenset({VIO})),
    ("Says a group of lads kicked him on the floor at the bus stop last night.", frozenset({VIO})),
    ("He admitted he assaulted a man at the bookies last month; police have not been in touch.", frozenset({VIO})),
    ("Older boys are making him hold packages at his flat and he can't say no.", frozenset({EXP})),
    ("He has been going out to Norfolk to shot for a line and comes back with cash.", frozenset({EXP})),
    ("A man took over her flat to deal from it and she is too scared to ask him to leave.", frozenset({EXP})),
    ("Says he owes the people he sold for two grand and they say he has to work it off.", frozenset({EXP})),
    ("He told me he has thought about killing himself most days this week.", frozenset({SH})),
    ("Fresh cuts on her forearm; she said she does it when it all gets too much.", frozenset({SH})),
    ("Mum found him after he took a load of paracetamol; he was kept in overnight.", frozenset({SH})),
    ("Says he doesn't see the point in living anymore and has given his things away.", frozenset({SH})),
    (
        "Someone sent him a voice note saying they know where his nan lives and they are coming for him.",
        frozenset({THR}),
    ),
    ("He's been told he is a dead man if he shows his face on the estate again.", frozenset({THR})),
    ("Rival group posted his picture with a price on it on Snapchat.", frozenset({THR})),
    ("He said he will get the boy back for what happened to his cousin.", frozenset({THR})),
    ("Police found a knife in his bag when they stopped him on Friday.", frozenset({WEP})),
    ("He admitted carrying a blade for protection since the attack.", frozenset({WEP, VIO})),
    ("His friend was shot outside the youth club on Saturday night.", frozenset({WEP, VIO})),
    ("Says someone pulled a machete on him in the park.", frozenset({WEP, THR})),
    ("Her toddler was left alone in the flat while she went to score.", frozenset({CHI, SUB})),
    ("The kids were in the room when he hit their mum.", frozenset({CHI, DA})),
    ("Social services have opened a case on his nephew after bruises were found at nursery.", frozenset({CHI})),
    ("His 12-year-old brother is being used by the older boys to run drugs.", frozenset({CHI, EXP})),
    ("The baby is not being fed properly and the flat smells of cannabis.", frozenset({CHI, SUB})),
    ("He said he wants to stab the man who attacked his brother.", frozenset({THR, WEP, VIO})),
    ("Girlfriend has a black eye and says he did it; he says she fell.", frozenset({DA})),
    ("No weapons or drugs found when the police searched the flat.", frozenset()),
]
