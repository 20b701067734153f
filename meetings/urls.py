from django.urls import path

from . import feeds, views, views_alerts, views_follow_ups, views_search

app_name = "meetings"

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", views_search.search, name="search"),
    path("search/results.csv", views_search.search_csv, name="search_csv"),
    path("meetings/", views.meeting_list, name="meeting_list"),
    path("meetings/year/<int:year>/", views.meeting_year, name="meeting_year"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("meetings/<int:pk>/original/", views.meeting_original, name="meeting_original"),
    path("meetings/<int:pk>.json", views.meeting_json, name="meeting_json"),
    path("items/<int:pk>/", views.item_detail, name="item_detail"),
    path("topics/", views.topic_list, name="topic_list"),
    path("topics/<slug:slug>/", views.topic_detail, name="topic_detail"),
    path("follow-ups/", views_follow_ups.follow_up_list, name="follow_up_list"),
    path("people/", views.person_list, name="person_list"),
    path("people/<slug:slug>/", views.person_detail, name="person_detail"),
    path("feeds/meetings/", feeds.LatestMeetingsFeed(), name="feed_meetings"),
    path("feeds/topics/<slug:slug>/", feeds.TopicItemsFeed(), name="feed_topic"),
    path("alerts/", views_alerts.alert_list, name="alert_list"),
    path("alerts/new/", views_alerts.alert_create, name="alert_create"),
    path("alerts/<int:pk>/delete/", views_alerts.alert_delete, name="alert_delete"),
    path("alerts/<int:pk>/email/", views_alerts.alert_email, name="alert_email"),
    path("alerts/<int:pk>/feed/", views_alerts.alert_feed_reset, name="alert_feed_reset"),
    path("alerts/feed/<str:token>/", views_alerts.AlertFeed(), name="alert_feed"),
    path(
        "alerts/unsubscribe/<str:token>/",
        views_alerts.alert_unsubscribe,
        name="alert_unsubscribe",
    ),
]
