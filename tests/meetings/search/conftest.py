"""Fixtures of the search tests."""

import pytest

from .helpers import JAN_2025, OCT_2024


@pytest.fixture
def archive(make_meeting):
    """Items whose words test stemming, phrases, alternatives and exclusion."""
    make_meeting(
        date=JAN_2025,
        items=[
            {"title": "Night patrols", "minutes_text": "Officers patrolled the town centre."},
            {
                "title": "Community safety",
                "minutes_text": "Anti-social behaviour fell by a third after the fireworks.",
            },
            {"title": "Bonfire night", "minutes_text": "The bonfire went ahead safely."},
        ],
    )
    make_meeting(
        date=OCT_2024,
        items=[
            {"title": "Housing", "minutes_text": "Behaviour that is anti-social was reported."},
            {"title": "Licensing", "minutes_text": "A patrol car was bought for licensing."},
        ],
    )
