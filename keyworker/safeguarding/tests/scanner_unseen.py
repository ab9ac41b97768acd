"""A third, unseen set of labelled case notes for measuring the disclosure scanner.

Written 2026-11-27 by a third author without seeing the scanner's phrase lists or the other note sets
(scanner_notes.py beyond its docstring and category constants, scanner_fresh.py, scanner_second_round.py).
Fictional throughout. Each note was labelled by scanner_notes.py's conventions before any run of the scanner.
Reported by test_scanner_measure.py, never asserted and never tuned on: if the lists are changed because of
these notes, the notes stop being unseen and a new set is needed.
"""

from __future__ import annotations

from keyworker.safeguarding.tests.scanner_notes import CHI, DA, EXP, SH, SUB, THR, VIO, WEP

UNSEEN: list[tuple[str, frozenset[str]]] = [
    (
        "Met at probation, went thru the council housing bidding site together. He's bid on 3 flats in "
        "Kirkby, wants ground floor cos of his knee.",
        frozenset(),
    ),
    (
        "Disclosed that her partner Dean grabbed her by the throat on Sat when she tried to leave the flat. Marks "
        "on her neck still visible, she's not ready to go to police yet.",
        frozenset({DA}),
    ),
    (
        "Back on the brown - says he's spending about £40 a day. Still scripted methadone but topping up.",
        frozenset({SUB}),
    ),
    (
        "Says the new gym routine is killing him but he loves it, hit a PB on deadlifts. Went for a knife and "
        "fork job at the caff after to celebrate.",
        frozenset(),
    ),
    (
        "Home visit to client's sister: 3 yr old in a soaking nappy, nothing in the fridge, and sister asleep "
        "on the sofa at 2pm. Raised with MASH same day.",
        frozenset({CHI}),
    ),
    (
        "Admitted he's still going OT to Blackpool, 2 wks at a time, cos the lads he owes set him up in the "
        "trap house there.",
        frozenset({EXP}),
    ),
    (
        "Fresh cuts on her forearms today. Says she did it Sun night after the row with her mum. Safety plan "
        "gone through again.",
        frozenset({SH}),
    ),
    (
        "Ex-cellmate has messaged him on FB saying 'ur a dead man when I'm out' over money from inside.",
        frozenset({THR}),
    ),
    (
        "Police found a lock knife in his jacket pocket on a stop and search outside the station, charged w/ "
        "possession.",
        frozenset({WEP}),
    ),
    (
        "Got into a scrap outside Spoons Sat night - says 3 lads jumped him. Black eye and a cracked rib.",
        frozenset({VIO}),
    ),
    (
        "Tel call w/ client re UC sanction appeal - letter drafted, she'll drop it into the jobcentre Thurs.",
        frozenset(),
    ),
    (
        "Police called to the address Fri for a DV incident between client and his missus. Both kids (4 & 7) "
        "were home and the youngest hid under the bed; social worker now allocated.",
        frozenset({DA, CHI}),
    ),
    (
        "AP staff did a room search this eve - came back clean, nothing found. He was calm about it and even "
        "had a laugh with the night worker.",
        frozenset(),
    ),
    (
        "Client's girlfriend rang the office in tears, says he smashed her phone and locked her in the "
        "bedroom overnight. He denies it when I spoke to him.",
        frozenset({DA}),
    ),
    (
        "His little brother (14) keeps going missing overnight and coming home with new creps and 2 phones. "
        "Worried he's being used to run for someone, flagged to YOT and CSC.",
        frozenset({CHI, EXP}),
    ),
    (
        "Turned up at 11am stinking of ale and slurring. Admitted he'd had 6 cans before leaving the house.",
        frozenset({SUB}),
    ),
    (
        "Said on the phone he's 'done with it all' and had been stood on the bridge over the M62. Crisis "
        "team called and I stayed on the line till they got to him.",
        frozenset({SH}),
    ),
    (
        "Passed his CSCS test first go, buzzing about it. Starts on site with his cousin's firm in Jan.",
        frozenset(),
    ),
    (
        "Client kicked off at the jobcentre and told the work coach he'd 'wait for her after work'. Security "
        "walked him out.",
        frozenset({THR}),
    ),
    (
        "Admits he's kept a machete under the bed 'for protection' ever since the Croxteth lot came round.",
        frozenset({WEP}),
    ),
    (
        "His brother has been kicking off at their mum's again and pushed her down the stairs, she's got a "
        "fractured wrist. Client's staying there for now to keep an eye.",
        frozenset({DA}),
    ),
    (
        "Asked him straight about drink, drugs and any thoughts of hurting himself - denied all three and "
        "honestly presents well, eating and sleeping ok.",
        frozenset(),
    ),
    (
        "Client's son (9) went into school with a bruise on his cheek and told his teacher his dad slapped "
        "him. Dad lives seperately; CSC doing a s47.",
        frozenset({CHI}),
    ),
    (
        "Neighbour reported lads coming and going from client's flat at all hours. When I asked, she admitted "
        "some Manc lads have basically took it over and she can't get them out.",
        frozenset({EXP}),
    ),
    (
        "A&E on Tues after an OD on pregabalin and vodka. Says it wasn't meant but 'isn't sure'; MH team to follow up.",
        frozenset({SUB, SH}),
    ),
    (
        "DNA today. Texted at 3 saying the bus never turned up, rebooked for Mon 10am.",
        frozenset(),
    ),
    (
        "His cousin was stabbed outside the chippy Sat night and is in ICU. Client wants to go round there "
        "and I've advised strongly against it.",
        frozenset({VIO, WEP}),
    ),
    (
        "She says her ex keeps turning up at her work and has been tracking her phone, constant msgs calling "
        "her a sl*g. IDVA referral done, MARAC being considered.",
        frozenset({DA}),
    ),
    (
        "Positive for cocaine on his MDT at the AP. Recall risk discussed with the OM.",
        frozenset({SUB}),
    ),
    (
        "Rival group have put out a drill video with his name and postcode in it saying they're coming for "
        "him. Police aware, emergency move requested.",
        frozenset({THR}),
    ),
    (
        "Says he no longer carries anything and hasn't since moving off the estate over a year ago. Nothing "
        "from police or the OM to suggest otherwise.",
        frozenset(),
    ),
    (
        "He battered a lad on the landing the week before release over a phone, adjudication pending. Says "
        "he'd do it again.",
        frozenset({VIO}),
    ),
    (
        "Client (19) disclosed an older man she met on Snap has been giving her coke and taking her to "
        "parties where she's expected to sleep with his mates.",
        frozenset({EXP, SUB}),
    ),
    (
        "Coffee catch up in town - mostly talked about his mum's 60th and what to get her. Helped him open a "
        "basic bank acct so he can start saving.",
        frozenset(),
    ),
    (
        "While on remand he tied a ligature in his cell, officers got to him in time. On an ACCT now.",
        frozenset({SH}),
    ),
    (
        "Partner's been using heroin in front of the baby and leaving needles out on the side. HV aware, "
        "referral to CSC made.",
        frozenset({SUB, CHI}),
    ),
    (
        "Threatened to glass the barman when he got refused, no one touched. He left before police arrived.",
        frozenset({THR, WEP}),
    ),
    (
        "Client admits he 'lost it' with his partner last wk and slapped her, says it was a one off. "
        "Talked through the DAPP programme.",
        frozenset({DA}),
    ),
    (
        "Met at the gate at HMP Altcourse this morning and took him straight to the AP for induction. Tired "
        "but settled, asked for a phone top up which I sorted.",
        frozenset(),
    ),
    (
        "He's been told he owes £2k for a parcel that got taken by police and has to 'work it off' by "
        "holding stuff at his nan's.",
        frozenset({EXP}),
    ),
    (
        "Kids saw their uncle get jumped right outside the house, the 6 yr old has been wetting the bed since.",
        frozenset({VIO, CHI}),
    ),
    (
        "Smoking a lot of weed to get to sleep - 'a few zoots a night'. Wants to cut down, referred to CGL.",
        frozenset({SUB}),
    ),
    (
        "Shot some pool w/ him at the youth centre then he went off to his cookery course. They did a roast "
        "chicken this wk and he reckons he's a dab hand with a chef's knife now lol.",
        frozenset(),
    ),
    (
        "Ex has sent voice notes saying he'll burn the house down with her in it if she doesn't drop the "
        "non-mol. Police informed.",
        frozenset({DA, THR}),
    ),
    (
        "Dentist booked for the 4th. Chased GP surgery re repeat prescription for his inhaler, should be ready Weds.",
        frozenset(),
    ),
    (
        "Client's daughter (13) has been cutting her arms, school nurse spotted it in PE. Client doesn't "
        "know how to bring it up with her.",
        frozenset({SH, CHI}),
    ),
    (
        "His mate got shot in the leg Tues outside the shop, client was stood right next to him. Reckons he "
        "knows who did it.",
        frozenset({VIO, WEP}),
    ),
    (
        "Lad in the same hostel told client he was brought over from Vietnam in a lorry and made to work in "
        "a cannabis farm. Says they still have his passport.",
        frozenset({EXP}),
    ),
    (
        "Mum's having chemo and his head's battered with the worry, but he says there's no risk to himself "
        "and he's leaning on his sister. Gave him carers' group info.",
        frozenset(),
    ),
    (
        "Spice is everywhere on the wing he's just come off and he's admitted using most days. Presents "
        "twitchy and grey.",
        frozenset({SUB}),
    ),
    (
        "Attacked by the mate he'd been staying with - punched repeatedly in the face. Now sofa surfing at his aunt's.",
        frozenset({VIO}),
    ),
    (
        "Says a lad pulled a blade on him on the 86 bus last wk over nothing, he legged it off at the next stop.",
        frozenset({WEP, THR}),
    ),
    (
        "She's volunteering at the food bank 2 mornings a wk now and the manager says she's definately one "
        "of the reliable ones. Talked about using him as a referee for retail jobs.",
        frozenset(),
    ),
    (
        "Mum smacked the 5 yr old across the face in our waiting room in front of me and called him a little "
        "shit. Logged and rang CSC duty.",
        frozenset({CHI}),
    ),
    (
        "He's been 'asked' to run a phone for the youngers' line on the estate, and says if he says no "
        "they'll do him in.",
        frozenset({EXP, THR}),
    ),
    (
        "Been punching walls till his knuckles bleed when he's stressed. Says it's the only thing that makes "
        "him feel anything.",
        frozenset({SH}),
    ),
    (
        "Reviewed support plan together. New goals: driving theory test, replacement birth cert, and getting "
        "back in touch with his nan in Wales.",
        frozenset(),
    ),
    (
        "Client's girlfriend stabbed him in the thigh with a kitchen knife during an arguement on Sun. He "
        "won't give a statement.",
        frozenset({DA, WEP}),
    ),
    (
        "Got headbutted by another girl in the hostel kitchen, broken nose. Other resident has been evicted.",
        frozenset({VIO}),
    ),
    (
        "Went through licence conditions again: no contact with the victim from the index offence (2019 "
        "burglary) and the exclusion zone round Anfield. He could explain both back to me.",
        frozenset(),
    ),
    (
        "Girlfriend's 15 yo is being picked up from school by a 25 yo bloke in a Merc, turning up with new "
        "clothes and won't say where they're from. Real concern re CSE, CSC informed.",
        frozenset({EXP, CHI}),
    ),
    (
        "Took an overdose of his tablets last month after his release date got knocked back, didn't tell "
        "anyone till today.",
        frozenset({SH}),
    ),
    (
        "Joint visit with housing officer, tenancy check fine. Bit of damp in the bathroom, reported to landlord.",
        frozenset(),
    ),
    (
        "Him and his ex have agreed contact for the kids through mediation, all amicable, no need for court. "
        "He's picking them up Sat for the first time in months.",
        frozenset(),
    ),
]
