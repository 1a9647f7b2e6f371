"""One classifier per language with rules, chosen by the language each article is written in."""

from __future__ import annotations

import hashlib
from datetime import datetime

from schemas.article import RawArticle
from schemas.classified import ClassifiedArticle
from services.classify.engine import Analysis, Classifier
from services.classify.language import identify
from services.classify.orthography import orthography
from services.classify.taxonomy import Taxonomy


class MultilingualClassifier:
    """English rules for English and for text whose language cannot be told or has no pack; each pack's
    rules for its own language. Every classified article says which language it was read in."""

    def __init__(self, english: Taxonomy, packs: dict[str, Taxonomy], *, eager: bool = True) -> None:
        """Compiles every pack now (`eager`, as the stream does at start) or each on its first article (as
        the offline commands do: Arabic and Hebrew expand into a hundred thousand literals)."""
        digest = hashlib.sha256(english.model_dump_json().encode("utf-8"))
        for language in sorted(packs):
            digest.update(language.encode() + packs[language].model_dump_json().encode("utf-8"))
        self.version = f"rules-{digest.hexdigest()[:10]}"
        self.english = Classifier(english, self.version)
        self._packs = dict(packs)
        self._by_language: dict[str, Classifier] = {"en": self.english}
        if eager:
            for language in packs:
                self.for_language(language)

    @property
    def build(self) -> str:
        return self.english.build

    @property
    def languages(self) -> frozenset[str]:
        return frozenset(self._packs) | {"en"}

    @property
    def taxonomy(self) -> Taxonomy:
        return self.english.taxonomy

    def for_language(self, language: str) -> Classifier:
        """The rules of `language`: its pack's, or English's when it has none."""
        found = self._by_language.get(language)
        if found is None:
            taxonomy = self._packs.get(language)
            if taxonomy is None:
                return self.english
            found = self._by_language[language] = Classifier(taxonomy, self.version, orthography(language))
        return found

    def analyse(self, text: str, language: str | None = None) -> Analysis:
        """What the rules of `language` (told from the text when not given) find in `text`."""
        return self.for_language(language or identify(text)).analyse(text)

    def classify(self, article: RawArticle, now: datetime) -> ClassifiedArticle:
        language = identify(article.text)
        return self.for_language(language).classify(article, now, language)
