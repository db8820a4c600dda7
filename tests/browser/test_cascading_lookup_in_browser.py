"""A cascading lookup in a generated form: region → district → city (the fx_geo fixture)."""
import re

from playwright.sync_api import expect

from tests.browser.conftest import log_in


def _options(select):
    return [text.strip() for text in select.locator("option").all_inner_texts()]


def test_cascading_lookup_narrows_choices_and_fills_parents(live_server, page, shot):
    base_url, _app = live_server
    log_in(page, base_url, "alice")
    page.goto(f"{base_url}/fx_place/new")
    region, district, city = (page.locator(f"select[name={n}]") for n in ("region_id", "district_id", "city_id"))
    page.fill("input[name=name]", "Lighthouse")
    # Choosing a city fills its district and, through it, the region.
    city.select_option(label="Harbour")
    expect(district.locator("option:checked")).to_have_text("Coast")
    expect(region.locator("option:checked")).to_have_text("South")
    expect(district.locator("option")).to_have_count(2)  # "—" and South's only district
    shot(page, "city-filled-parents")
    # Another region: the district that no longer fits is cleared, and so is its city.
    region.select_option(label="North")
    expect(district).to_have_value("")
    expect(city).to_have_value("")
    # North's districts, without the one a record rule hides from alice.
    expect(district.locator("option")).to_have_count(3)
    assert _options(district) == ["—", "Hills", "Lakes"]
    district.select_option(label="Hills")
    expect(city.locator("option")).to_have_count(2)
    assert _options(city) == ["—", "Hilltop"]
    city.select_option(label="Hilltop")
    shot(page, "narrowed")
    page.get_by_role("button", name="Save").click()
    expect(page).to_have_url(re.compile(r"/fx_place/\d+$"))
    card = page.locator(".tab-content")
    for text in ("North", "Hills", "Hilltop"):
        expect(card).to_contain_text(text)
    shot(page, "saved-card")
