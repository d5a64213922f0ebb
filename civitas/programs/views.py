from django.shortcuts import render

from civitas.programs import selectors


def catalogue(request):
    return render(request, "programs/catalogue.html", {"programs": selectors.published_programs()})


def start(request, slug: str):
    program = selectors.published_program(slug)
    return render(request, "programs/start.html", {"program": program})
