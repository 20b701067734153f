from django.urls import path
from django.views.generic import RedirectView

from . import views

app_name = "meetings"

urlpatterns = [
    path("", views.meeting_list, name="meeting_list"),
    path("meetings/", RedirectView.as_view(pattern_name="meetings:meeting_list")),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting_detail"),
]
