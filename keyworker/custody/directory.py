"""The prisons and courts the directory starts with: the London establishments the demo uses, and a few
beyond London that people are moved to. Names, addresses and postcodes are public; phone numbers and visit
booking details are left for staff to fill in (they change, and a wrong number is worse than none).
Loaded by migration 0002 and `keyworker demo`; after that the directory is edited in the app."""

from __future__ import annotations

# (kind, name, address, postcode)
ESTABLISHMENTS: tuple[tuple[str, str, str, str], ...] = (
    ("prison", "HMP Pentonville", "Caledonian Road, London", "N7 8TT"),
    ("prison", "HMP Brixton", "Jebb Avenue, London", "SW2 5XF"),
    ("prison", "HMP Wandsworth", "Heathfield Road, London", "SW18 3HU"),
    ("prison", "HMP Thameside", "Griffin Manor Way, London", "SE28 0FJ"),
    ("prison", "HMP Belmarsh", "Western Way, London", "SE28 0EB"),
    ("prison", "HMP Wormwood Scrubs", "Du Cane Road, London", "W12 0AN"),
    ("prison", "HMP Bronzefield", "Woodthorpe Road, Ashford, Surrey", "TW15 3JZ"),
    ("prison", "HMP Downview", "Sutton Lane, Sutton", "SM2 5PD"),
    ("prison", "HMP Highpoint", "Stradishall, Newmarket, Suffolk", "CB8 9YG"),
    ("prison", "HMP Swaleside", "Brabazon Road, Eastchurch, Sheerness, Kent", "ME12 4AX"),
    ("yoi", "HMYOI Feltham", "Bedfont Road, Feltham", "TW13 4ND"),
    ("yoi", "HMYOI Isis", "1 Western Way, London", "SE28 0NZ"),
    ("magistrates", "Highbury Corner Magistrates' Court", "51 Holloway Road, London", "N7 8JA"),
    ("magistrates", "Westminster Magistrates' Court", "181 Marylebone Road, London", "NW1 5BR"),
    ("magistrates", "Camberwell Green Magistrates' Court", "15 D'Eynsford Road, London", "SE5 7UP"),
    ("magistrates", "Thames Magistrates' Court", "58 Bow Road, London", "E3 4DJ"),
    ("magistrates", "Croydon Magistrates' Court", "Barclay Road, Croydon", "CR9 3NG"),
    ("magistrates", "Lavender Hill Magistrates' Court", "176A Lavender Hill, London", "SW11 1JU"),
    ("magistrates", "Stratford Magistrates' Court", "389-397 High Street, Stratford, London", "E15 4SB"),
    ("youth", "Camberwell Green Youth Court", "15 D'Eynsford Road, London", "SE5 7UP"),
    ("youth", "Croydon Youth Court", "Barclay Road, Croydon", "CR9 3NG"),
    ("crown", "Croydon Crown Court", "The Law Courts, Altyre Road, Croydon", "CR9 5AB"),
    ("crown", "Inner London Crown Court", "Sessions House, Newington Causeway, London", "SE1 6AZ"),
    ("crown", "Snaresbrook Crown Court", "75 Hollybush Hill, London", "E11 1QW"),
    ("crown", "Southwark Crown Court", "1 English Grounds, Battlebridge Lane, London", "SE1 2HU"),
    ("crown", "Wood Green Crown Court", "Lordship Lane, London", "N22 5LF"),
    ("crown", "Woolwich Crown Court", "2 Belmarsh Road, London", "SE28 0EY"),
)
