from django.urls import path

from keyworker.outcomes import views

app_name = "outcomes"
urlpatterns = [
    path("mentees/", views.my_mentees, name="my_mentees"),
]
