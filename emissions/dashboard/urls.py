from django.urls import path

from . import views

app_name = "dashboard"

urlpatterns = [
    path("", views.home, name="home"),
    path("facilities/", views.facility_list, name="facility_list"),
]
