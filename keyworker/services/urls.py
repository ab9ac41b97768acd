from django.urls import path  # noqa: F401 - each part adds its routes below

app_name = "services"
urlpatterns: list = [
    # directory, referrals out, signposting
    # courses
]
