from django.urls import path

from keyworker.outcomes.views import mentees as views

app_name = "outcomes"
urlpatterns = [
    path("mentees/", views.my_mentees, name="my_mentees"),
]
