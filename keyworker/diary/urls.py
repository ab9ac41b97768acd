from django.urls import path

from keyworker.diary import views

app_name = "diary"
urlpatterns = [
    path("week/", views.my_week, name="my_week"),
]
