"""The Republic of Civitas: a fictional country for demonstrations and tests."""

from __future__ import annotations

COUNTRY_NAME = "Republic of Civitas"
CURRENCY = "CVT"

# (code, name, share of the population)
REGIONS: list[tuple[str, str, float]] = [
    ("capital", "Capital District", 0.30),
    ("north", "Northern Highlands", 0.15),
    ("south", "Southern Coast", 0.20),
    ("east", "Eastern Plains", 0.20),
    ("west", "Western Valleys", 0.15),
]

OFFICES: list[tuple[str, str, str]] = [
    (f"{code}-office", f"{name} Social Protection Office", code) for code, name, _ in REGIONS
]

GIVEN_NAMES = {
    "female": [
        "Amina",
        "Sofia",
        "Leila",
        "Maria",
        "Fatima",
        "Chloe",
        "Nadia",
        "Ines",
        "Yasmin",
        "Elena",
        "Grace",
        "Hana",
        "Zara",
        "Lucia",
        "Mariam",
        "Alice",
        "Salma",
        "Rosa",
        "Noor",
        "Claire",
    ],
    "male": [
        "Omar",
        "Lucas",
        "Karim",
        "Jean",
        "Yusuf",
        "Mateo",
        "Samir",
        "Louis",
        "Hassan",
        "David",
        "Tomas",
        "Ali",
        "Pierre",
        "Adam",
        "Rami",
        "Hugo",
        "Bilal",
        "Marco",
        "Idris",
        "Paul",
    ],
}
FAMILY_NAMES = [
    "Haddad",
    "Martin",
    "Benali",
    "Dubois",
    "Mansour",
    "Silva",
    "Okafor",
    "Laurent",
    "Nasser",
    "Rossi",
    "Mendes",
    "Farah",
    "Moreau",
    "Khalil",
    "Costa",
    "Petit",
    "Saleh",
    "Garcia",
    "Bernard",
    "Aziz",
    "Fontaine",
    "Rahman",
    "Lopez",
    "Girard",
    "Hamdan",
]
STREETS = [
    "Liberty Street",
    "Harbour Road",
    "Cedar Avenue",
    "Market Square",
    "Station Lane",
    "River Walk",
    "Olive Grove",
    "School Street",
    "Mill Road",
    "Garden Row",
]
