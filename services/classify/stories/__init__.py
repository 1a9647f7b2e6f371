"""Stories: syndicated copies and independent reports of one event, grouped.

Classify workers compute each article's `ArticleFeatures` (`features_of`); one story stage feeds them, in
order, to a `StoryBook`, which assigns copies and stories deterministically.
"""

from services.classify.stories.agencies import agency_of
from services.classify.stories.book import Assignment, Story, StoryBook, story_id_for
from services.classify.stories.features import ArticleFeatures, article_features, features_of
from services.classify.stories.growth import Growing

__all__ = [
    "ArticleFeatures",
    "Assignment",
    "Growing",
    "Story",
    "StoryBook",
    "agency_of",
    "article_features",
    "features_of",
    "story_id_for",
]
