"""A visitor's mix of searches, filters and meeting pages, for ``loadtest/run.sh``.

Each simulated user waits 0.5 to 2 seconds between requests. The run stops by itself after
``LOADTEST_MAX_REQUESTS`` requests if the time limit given to Locust has not come first.
"""

import os
import random

from locust import HttpUser, between, events, task

MAX_REQUESTS = int(os.environ.get("LOADTEST_MAX_REQUESTS", "20000"))
MEETINGS = int(os.environ.get("LOADTEST_MAX_MEETING", "1000"))
ITEMS = int(os.environ.get("LOADTEST_MAX_ITEM", "20000"))

WORDS = [
    "council", "police", "community safety", "patrols", "funding", "burglary", "shoplifting",
    "youth offending", "cctv", "licensing", "housing", "graffiti", "neighbourhood",
    '"anti-social behaviour"', '"operation nightfall"', "iquanta", '"domestic abuse"',
    "knife crime", "alcohol", "probation", "enforcement", "victims", "fly-tipping",
]  # fmt: skip
TOPICS = ["anti-social-behaviour", "knife-crime", "domestic-abuse", "cctv", "town-centre"]
YEARS = [str(year) for year in range(2005, 2026)]

sent = 0
running = {}


@events.init.add_listener
def remember(environment, **kwargs):
    running["environment"] = environment


@events.request.add_listener
def stop_after_enough(**kwargs):
    global sent
    sent += 1
    environment = running.get("environment")
    if sent == MAX_REQUESTS and environment is not None and environment.runner is not None:
        environment.runner.quit()


class Visitor(HttpUser):
    wait_time = between(0.5, 2)

    @task(4)
    def search(self):
        self.client.get("/search/", params={"q": random.choice(WORDS)}, name="/search/ q")

    @task(3)
    def search_with_filters(self):
        params = {"q": random.choice(WORDS)}
        choice = random.random()
        if choice < 0.5:
            params["year"] = random.choice(YEARS)
        elif choice < 0.8:
            params["topic"] = random.choice(TOPICS)
        else:
            params["restricted"] = random.choice(["yes", "no"])
        self.client.get("/search/", params=params, name="/search/ q+filter")

    @task(1)
    def browse_a_year(self):
        self.client.get("/search/", params={"year": random.choice(YEARS)}, name="/search/ year")

    @task(3)
    def meeting(self):
        self.client.get(f"/meetings/{random.randint(1, MEETINGS)}/", name="/meetings/[id]/")

    @task(2)
    def item(self):
        self.client.get(f"/items/{random.randint(1, ITEMS)}/", name="/items/[id]/")

    @task(1)
    def home(self):
        self.client.get("/", name="/")

    @task(1)
    def topic(self):
        self.client.get(f"/topics/{random.choice(TOPICS)}/", name="/topics/[slug]/")
