"""The five programmes of the demo country: what citizens read, and what the forms ask.

The eligibility and amount rules live in ``civitas/demo/programmes/<slug>/`` in the rules engine's
format; the loader stores those files in each programme version.
"""

from __future__ import annotations

from typing import Any

LEGAL_BASIS = "Social Protection Act 2024"

_BANK = {
    "name": "bank_account",
    "type": "text",
    "label": "Bank or mobile-money account number",
    "hint": "We pay the benefit into this account. For example CV12 3456 7890 or 0700 123 456.",
    "max_length": 34,
}
_DECLARATION = {
    "name": "declaration",
    "type": "yes_no",
    "label": "Is the information you have given true and complete?",
    "hint": "Giving false information on purpose can lead to repayment and penalties.",
}

PROGRAMMES: list[dict[str, Any]] = [
    {
        "slug": "maternity-care",
        "name": "Maternity care",
        "summary": "Free maternity care and a monthly grant during pregnancy and the baby's first year.",
        "who_can_apply": "Women who are pregnant, or whose baby is under 1 year old, and who live "
        "in the Republic of Civitas.",
        "what_you_need": "Your national ID number.\nThe expected or actual date of birth.\n"
        "A bank or mobile-money account.",
        "how_long": "Most applications are decided within 10 working days.",
        "what_happens_next": "A caseworker checks your application. We will email you when there "
        "is a decision, and you can follow it in your account.",
        "decision_days": 10,
        "questions": [
            {"name": "baby_born", "type": "yes_no", "label": "Has your baby been born?"},
            {
                "name": "baby_birth_date",
                "type": "date",
                "label": "What is your baby's date of birth?",
                "hint": "For example, 27/03/2026",
                "show_if": {"question": "baby_born", "equals": True},
            },
            {
                "name": "due_date",
                "type": "date",
                "label": "When is your baby due?",
                "hint": "The date your health worker gave you. For example, 27/03/2026",
                "show_if": {"question": "baby_born", "equals": False},
            },
            _BANK,
            _DECLARATION,
        ],
        "documents": [
            {
                "name": "pregnancy_or_birth_proof",
                "label": "Pregnancy certificate or birth certificate",
                "hint": "The certificate from your health worker, or your baby's birth "
                "certificate. A clear photo is fine.",
                "formats": ["pdf", "png", "jpeg"],
                "max_size_mb": 5,
            }
        ],
        "checker": {
            "questions": [
                {"name": "pregnant", "type": "yes_no", "label": "Are you pregnant?"},
                {
                    "name": "had_baby",
                    "type": "yes_no",
                    "label": "Have you had a baby in the last 12 months?",
                    "show_if": {"question": "pregnant", "equals": False},
                },
                {
                    "name": "baby_birth_date",
                    "type": "date",
                    "label": "What is your baby's date of birth?",
                    "hint": "For example, 27/03/2026",
                    "show_if": {"question": "had_baby", "equals": True},
                },
            ]
        },
    },
    {
        "slug": "child-benefit",
        "name": "Child benefit",
        "summary": "A monthly payment for each child under 18 in families with a modest income.",
        "who_can_apply": "Parents or carers of children under 18 who live with them, when the "
        "household's income is below the limit.",
        "what_you_need": "Your national ID number.\nThe number of children you care for.\n"
        "Your household's monthly income.\nA bank or mobile-money account.",
        "how_long": "Most applications are decided within 10 working days.",
        "what_happens_next": "A caseworker checks your application against the registry. We will "
        "email you when there is a decision. Payments are made at the end of each month.",
        "questions": [
            {
                "name": "children_count",
                "type": "integer",
                "label": "How many children under 18 live with you?",
                "hint": "Count children you look after most of the time.",
                "min": 1,
                "max": 15,
                "prefill": "children_count",
            },
            {
                "name": "household_income",
                "type": "decimal",
                "label": "What is your household's total income each month?",
                "hint": "Add up wages, pensions and other income of everyone in your household, "
                "before tax, in CVT.",
                "min": 0,
                "prefill": "household_income",
            },
            _BANK,
            _DECLARATION,
        ],
        "documents": [
            {
                "name": "birth_certificates",
                "label": "Children's birth certificates",
                "hint": "Only if a child is not yet in the registry. One file with all of them.",
                "required": False,
                "formats": ["pdf", "png", "jpeg"],
                "max_size_mb": 10,
            }
        ],
        "checker": {
            "questions": [
                {
                    "name": "children_count",
                    "type": "integer",
                    "label": "How many children under 18 live with you?",
                    "min": 0,
                    "max": 15,
                },
                {
                    "name": "household_income",
                    "type": "decimal",
                    "label": "What is your household's total income each month?",
                    "hint": "Before tax, in CVT.",
                    "min": 0,
                },
            ]
        },
        "decision_days": 10,
    },
    {
        "slug": "old-age-pension",
        "name": "Old-age pension",
        "summary": "A monthly pension from age 65 for people with little other income.",
        "who_can_apply": "People aged 65 or over who live in the Republic of Civitas.",
        "what_you_need": "Your national ID number.\nYour monthly income from other pensions or "
        "work.\nA bank or mobile-money account.",
        "how_long": "Most applications are decided within 15 working days.",
        "what_happens_next": "A caseworker checks your age and income in the registry. We will "
        "email you when there is a decision.",
        "questions": [
            {
                "name": "other_income",
                "type": "decimal",
                "label": "How much income do you have each month from other pensions or work?",
                "hint": "Enter 0 if you have none. In CVT.",
                "min": 0,
                "fact": "own_income",
                "prefill": "own_income",
            },
            _BANK,
            _DECLARATION,
        ],
        "checker": {
            "questions": [
                {
                    "name": "birth_date",
                    "type": "date",
                    "label": "What is your date of birth?",
                    "hint": "For example, 27/03/1958",
                },
                {
                    "name": "own_income",
                    "type": "decimal",
                    "label": "How much income do you have each month from other pensions or work?",
                    "hint": "Enter 0 if you have none. In CVT.",
                    "min": 0,
                },
            ]
        },
        "decision_days": 15,
    },
    {
        "slug": "housing-allowance",
        "name": "Housing allowance",
        "summary": "Help with paying rent for households whose rent is high compared to income.",
        "who_can_apply": "Tenants who pay rent for their home, when the rent is a large share of "
        "the household's income.",
        "what_you_need": "Your national ID number.\nYour monthly rent.\nYour household's monthly "
        "income.\nYour rental contract (you can upload it later).",
        "how_long": "Most applications are decided within 15 working days.",
        "what_happens_next": "A caseworker checks your rent and income. We will email you when "
        "there is a decision.",
        "questions": [
            {
                "name": "monthly_rent",
                "type": "decimal",
                "label": "How much rent do you pay each month?",
                "hint": "In CVT, without water, electricity or other charges.",
                "min": 0,
                "prefill": "monthly_rent",
                "section": "Your home",
            },
            {
                "name": "household_income",
                "type": "decimal",
                "label": "What is your household's total income each month?",
                "hint": "Before tax, in CVT.",
                "min": 0,
                "prefill": "household_income",
                "section": "Your income",
            },
            {**_BANK, "section": "How we pay you"},
            {**_DECLARATION, "section": "Declaration"},
        ],
        "documents": [
            {
                "name": "rental_contract",
                "label": "Your rental contract",
                "hint": "You can send the application without it and upload it later.",
                "required": False,
                "formats": ["pdf", "png", "jpeg"],
                "max_size_mb": 10,
            }
        ],
        "checker": {
            "questions": [
                {
                    "name": "monthly_rent",
                    "type": "decimal",
                    "label": "How much rent do you pay each month?",
                    "hint": "In CVT, without water, electricity or other charges.",
                    "min": 0,
                },
                {
                    "name": "household_income",
                    "type": "decimal",
                    "label": "What is your household's total income each month?",
                    "hint": "Before tax, in CVT.",
                    "min": 0,
                },
                {
                    "name": "region",
                    "type": "choice",
                    "label": "Where do you live?",
                    "choices": [
                        {"value": "central", "label": "Capital District"},
                        {"value": "north", "label": "Northern Highlands"},
                        {"value": "south", "label": "Southern Coast"},
                        {"value": "east", "label": "Eastern Plains"},
                        {"value": "west", "label": "Western Valleys"},
                    ],
                },
            ]
        },
        "decision_days": 15,
    },
    {
        "slug": "food-allowance",
        "name": "Food allowance",
        "summary": "A monthly amount for each member of a household living below the income line.",
        "who_can_apply": "Households whose income per person is below the national income line.",
        "what_you_need": "Your national ID number.\nThe number of people in your household.\n"
        "Your household's monthly income.\nA bank or mobile-money account.",
        "how_long": "Most applications are decided within 5 working days.",
        "what_happens_next": "A caseworker checks your household in the registry. We will email "
        "you when there is a decision.",
        "questions": [
            {
                "name": "household_size",
                "type": "integer",
                "label": "How many people live in your household, including you?",
                "min": 1,
                "max": 20,
                "prefill": "household_size",
            },
            {
                "name": "household_income",
                "type": "decimal",
                "label": "What is your household's total income each month?",
                "hint": "Before tax, in CVT.",
                "min": 0,
                "prefill": "household_income",
            },
            _BANK,
            _DECLARATION,
        ],
        "checker": {
            "questions": [
                {
                    "name": "household_size",
                    "type": "integer",
                    "label": "How many people live in your household, including you?",
                    "min": 1,
                    "max": 20,
                },
                {
                    "name": "household_income",
                    "type": "decimal",
                    "label": "What is your household's total income each month?",
                    "hint": "Before tax, in CVT.",
                    "min": 0,
                },
            ]
        },
        "decision_days": 5,
    },
]

# Demo accounts: fixed passwords, documented in the README. Created only by `civitas demo load`
# (which `make demo` runs) and by tests — never in a real deployment.
DEMO_PASSWORD = "civitas-demo-2026"  # noqa: S105 - documented demo-only password
DEMO_CITIZEN = "amina@demo.civitas.example"
DEMO_STAFF: list[tuple[str, str, list[str]]] = [
    ("caseworker@demo.civitas.example", "Carla Caseworker", ["caseworker"]),
    ("supervisor@demo.civitas.example", "Samuel Supervisor", ["supervisor", "caseworker"]),
    ("finance@demo.civitas.example", "Fatou Finance", ["finance_officer"]),
    ("auditor@demo.civitas.example", "Aurelio Auditor", ["auditor"]),
    ("policy@demo.civitas.example", "Paula Policy", ["policy_author"]),
    ("approver@demo.civitas.example", "Abdel Approver", ["approver"]),
    ("admin@demo.civitas.example", "Ada Administrator", ["administrator"]),
]
