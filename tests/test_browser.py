"""End-to-end tests in a real browser: Debian's headless Chromium driven by Selenium.

The app runs under waitress (as ``loupe serve`` does) on a free port of 127.0.0.1, in a
thread of the test process. Chromium and chromedriver come from the system (``make
browser`` installs the Debian packages); Selenium is given the driver's path, so its
Selenium Manager never tries to download anything. Without Chromium these tests are
skipped on a developer's machine and fail in CI (``CI=true``), where it must be there.

Screenshots of each page, on a laptop and on a phone-sized window, are saved under
``artifacts/screenshots/`` (or ``$LOUPE_ARTIFACTS``) for a person to look at.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import Select, WebDriverWait

from search.index.indexer import reindex
from tests.conftest import write_jsonl
from webui import create_app

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path(os.environ.get("LOUPE_CHROMIUM", "/usr/bin/chromium"))
CHROMEDRIVER = Path(os.environ.get("LOUPE_CHROMEDRIVER", "/usr/bin/chromedriver"))
AXE = Path(os.environ.get("LOUPE_AXE", ROOT / ".cache/axe/node_modules/axe-core/axe.min.js"))
ARTIFACTS = Path(os.environ.get("LOUPE_ARTIFACTS", ROOT / "artifacts")) / "screenshots"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",  # CI runs as root
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
    "--lang=fr-FR",
)
LAPTOP = (1366, 900)
PHONE = (390, 844)
WAIT = 10  # seconds; pages answer in milliseconds, this only bounds a hang

MISSING = None
if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
    MISSING = (
        f"{CHROMIUM} or {CHROMEDRIVER} is missing: `make browser` (as root) installs "
        "Debian's chromium and chromium-driver packages"
    )
    if not IN_CI:
        pytest.skip(MISSING, allow_module_level=True)


@pytest.fixture(scope="module", autouse=True)
def _chromium_required_in_ci() -> None:
    """In CI a missing browser is a failure of every test here, never a silent skip."""
    if MISSING:
        pytest.fail(f"CI needs the browser tests: {MISSING}", pytrace=False)


HOSTILE = "<script>window.pwned = 1</script>"

# Records every CSP violation of a page from its first instant, before our own script runs.
CSP_WATCH = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline"));
});
"""


# -- server and browsers ------------------------------------------------------------------------


def serve(index_dir: Path) -> Iterator[str]:
    """The app under waitress with several threads, as `loupe serve` runs it."""
    from waitress import create_server

    app = create_app({"INDEX_DIR": str(index_dir)})
    server = create_server(app, host="127.0.0.1", port=0, threads=4, ident="Loupe")
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}"
    finally:
        # Workers first, so none answers through a trigger the close has shut.
        server.task_dispatcher.shutdown()
        server.close()
        thread.join(timeout=5)


@pytest.fixture(scope="module")
def base_url(samples_index: Path) -> Iterator[str]:
    yield from serve(samples_index)


def make_driver(javascript: bool = True) -> WebDriver:
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tempfile.mkdtemp(prefix='loupe-chromium-')}")
    options.add_argument(f"--window-size={LAPTOP[0]},{LAPTOP[1]}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    if not javascript:
        options.add_experimental_option(
            "prefs", {"profile.managed_default_content_settings.javascript": 2}
        )
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(WAIT)
    if javascript:
        driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": CSP_WATCH})
    return driver


def close_driver(driver: WebDriver) -> None:
    user_data = driver.capabilities.get("chrome", {}).get("userDataDir")
    driver.quit()
    if user_data:
        shutil.rmtree(user_data, ignore_errors=True)


@pytest.fixture(scope="module")
def browser() -> Iterator[WebDriver]:
    driver = make_driver()
    yield driver
    close_driver(driver)


@pytest.fixture()
def page(browser: WebDriver) -> Iterator[WebDriver]:
    """The shared browser at laptop size; each test must leave the console clean."""
    browser.set_window_size(*LAPTOP)
    browser.get_log("browser")  # forget what an earlier test left
    yield browser
    problems = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert problems == [], "errors in the browser console"


# -- helpers ------------------------------------------------------------------------------------


def screenshot(driver: WebDriver, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    driver.save_screenshot(str(path))
    return path


def total(driver: WebDriver) -> int:
    return int(driver.find_element(By.ID, "results-count").get_attribute("data-total"))


def params(driver: WebDriver) -> dict[str, list[str]]:
    return parse_qs(urlsplit(driver.current_url).query)


def follow(driver: WebDriver, element: WebElement) -> None:
    """Clicks a link or button and waits for the next page to replace this one."""
    old = driver.find_element(By.TAG_NAME, "html")
    element.click()
    WebDriverWait(driver, WAIT).until(ec.staleness_of(old))
    WebDriverWait(driver, WAIT).until(
        lambda d: d.execute_script("return document.readyState") == "complete"
    )


def go_back(driver: WebDriver) -> None:
    old = driver.find_element(By.TAG_NAME, "html")
    driver.back()
    WebDriverWait(driver, WAIT).until(ec.staleness_of(old))


def facet(driver: WebDriver, group: str, value: str) -> WebElement:
    return driver.find_element(
        By.CSS_SELECTOR, f'[data-facet="{group}"] a.facet[data-value="{value}"]'
    )


def csp_violations(driver: WebDriver) -> list[str]:
    return driver.execute_script("return window.__csp || []")


# -- tests --------------------------------------------------------------------------------------


def test_search_narrow_open_and_go_back(page: WebDriver, base_url: str) -> None:
    page.get(base_url + "/")
    assert page.title == "Loupe"
    box = page.find_element(By.CSS_SELECTOR, "[data-search-box]")
    assert page.switch_to.active_element == box  # the home page's box has the focus
    screenshot(page, "home-laptop")
    box.send_keys("retraites")
    old = page.find_element(By.TAG_NAME, "html")
    box.send_keys(Keys.ENTER)
    WebDriverWait(page, WAIT).until(ec.staleness_of(old))
    assert params(page) == {"q": ["retraites"]}
    everything = total(page)
    assert everything > 10
    assert len(page.find_elements(By.CSS_SELECTOR, ".result")) == 10
    assert page.find_elements(By.CSS_SELECTOR, ".snippet mark")
    screenshot(page, "results-laptop")

    # A section facet narrows the results to its count; the URL says so.
    politique = facet(page, "section", "Politique")
    expected = int(politique.find_element(By.CSS_SELECTOR, ".count").text)
    follow(page, politique)
    assert params(page) == {"q": ["retraites"], "rubrique": ["Politique"]}
    assert total(page) == expected < everything
    assert "is-selected" in facet(page, "section", "Politique").get_attribute("class")
    chips = page.find_elements(By.CSS_SELECTOR, ".chip-remove")
    assert [c.text.split("×")[0].strip() for c in chips] == ["Rubrique : Politique"]
    narrowed_url = page.current_url

    # A bar of the year histogram (an SVG link) sets the date range.
    bar = page.find_element(By.CSS_SELECTOR, '[data-histogram="year"] a[data-value="2019"]')
    year_count = int(bar.get_attribute("data-count"))
    follow(page, bar)
    assert params(page)["depuis"] == ["2019"] and params(page)["rubrique"] == ["Politique"]
    assert total(page) == year_count
    year_url = page.current_url

    # The article page, then back twice through the exact states.
    title = page.find_element(By.CSS_SELECTOR, ".result-title a")
    expected_title = title.text
    follow(page, title)
    assert page.find_element(By.CSS_SELECTOR, ".article-title").text == expected_title
    assert page.find_elements(By.CSS_SELECTOR, ".article-body mark")
    screenshot(page, "article-laptop")
    go_back(page)
    assert page.current_url == year_url and total(page) == year_count
    go_back(page)
    assert page.current_url == narrowed_url and total(page) == expected
    assert csp_violations(page) == []


def test_slash_focuses_the_box_and_sort_applies_itself(page: WebDriver, base_url: str) -> None:
    page.get(base_url + "/?q=retraites")
    box = page.find_element(By.CSS_SELECTOR, "[data-search-box]")
    # Focus nothing (a click on the body could land on the person filter box now that the
    # samples have persons).
    page.execute_script("document.activeElement && document.activeElement.blur()")
    assert page.switch_to.active_element != box
    ActionChains(page).send_keys("/").perform()
    assert page.switch_to.active_element == box
    assert box.get_attribute("value") == "retraites"  # the "/" was not typed into it
    # With JavaScript the sort button is hidden: choosing an order is enough.
    assert not page.find_element(By.CSS_SELECTOR, "[data-sort-button]").is_displayed()
    old = page.find_element(By.TAG_NAME, "html")
    Select(page.find_element(By.ID, "tri")).select_by_value("date")
    WebDriverWait(page, WAIT).until(ec.staleness_of(old))
    assert params(page) == {"q": ["retraites"], "tri": ["date"]}
    dates = [t.get_attribute("datetime") for t in page.find_elements(By.CSS_SELECTOR, ".meta time")]
    assert dates == sorted(dates, reverse=True)


def test_no_csp_violation_on_any_page(page: WebDriver, base_url: str) -> None:
    for path in (
        "/",
        "/?q=retraites&depuis=2019&jusqu_au=2019",
        "/?q=retrraites",
        "/article/seed-000_c1a1735c7d8c97a1?q=Blinken",
        "/?page=0",
    ):
        page.get(base_url + path)
        assert csp_violations(page) == [], path
    # The watch does see a violation when there is one: an inline script is refused.
    page.execute_script(
        "var s = document.createElement('script'); s.textContent = 'window.x = 1';"
        "document.body.appendChild(s);"
    )
    WebDriverWait(page, WAIT).until(lambda d: csp_violations(d))
    assert page.execute_script("return window.x") is None
    assert any("script-src" in v for v in csp_violations(page))
    page.get_log("browser")  # that refusal was ours


def test_phone_layout(page: WebDriver, base_url: str) -> None:
    page.set_window_size(*PHONE)
    for name, path in (("home", "/"), ("results", "/?q=retraites"), ("article", None)):
        if path is None:
            path = page.find_element(By.CSS_SELECTOR, ".result-title a").get_attribute("href")
            page.get(path)
        else:
            page.get(base_url + path)
        width = page.execute_script("return document.documentElement.scrollWidth")
        assert width <= PHONE[0], f"{name} scrolls sideways on a phone"
        screenshot(page, f"{name}-phone")


def test_pages_work_without_javascript(base_url: str) -> None:
    driver = make_driver(javascript=False)
    try:
        driver.get(base_url + "/?q=retraites")
        assert total(driver) > 10
        # The sort form needs its button without JavaScript, and it works.
        button = driver.find_element(By.CSS_SELECTOR, "[data-sort-button]")
        assert button.is_displayed()
        Select(driver.find_element(By.ID, "tri")).select_by_value("ancien")
        follow(driver, button)
        assert params(driver) == {"q": ["retraites"], "tri": ["ancien"]}
        # Facets are plain links, histogram bars too, and the date form is a GET form.
        follow(driver, facet(driver, "section", "Politique"))
        assert params(driver)["rubrique"] == ["Politique"]
        driver.find_element(By.ID, "depuis").send_keys("2019-06")
        follow(driver, driver.find_element(By.CSS_SELECTOR, ".dates button"))
        assert params(driver)["depuis"] == ["2019-06"]
        assert re.search(r"Depuis le 1er juin 2019", driver.page_source)
        follow(driver, driver.find_element(By.CSS_SELECTOR, ".chip-remove"))
        assert "rubrique" not in params(driver)
        screenshot(driver, "results-no-javascript")
    finally:
        close_driver(driver)


# -- the person filter box, on a small index with many persons -----------------------------------


@pytest.fixture(scope="module")
def people_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("people-browser")
    names = [
        "Emmanuel Macron", "Édouard Philippe", "Angela Merkel", "Vladimir Poutine",
        "Donald Trump", "Xi Jinping", "Boris Johnson", "Kassym-Jomart Tokaïev",
        "Ursula von der Leyen", "Pedro Sánchez", "Giuseppe Conte", "Justin Trudeau",
    ]  # fmt: skip
    records = [
        {
            "id": f"a{i}-{k}",
            "title": f"Sommet {k}",
            "body": "Un sommet diplomatique.",
            "date": "2020-01-01",
            "persons": [name],
            "countries": ["FR"] if k % 2 else ["FR", "DE"],
        }
        for i, name in enumerate(names)
        for k in range(len(names) - i)
    ]
    records.append(
        {
            "id": "piege",
            "title": f"Le piège {HOSTILE}",
            "body": f'Un texte piégé {HOSTILE} et <img src=x onerror="window.pwned = 2">.',
            "date": "2021-05-06",
            "persons": [f"Jean {HOSTILE}"],
        }
    )
    write_jsonl(folder / "corpus" / "people.jsonl", records)
    reindex([folder / "corpus"], folder / "index")
    yield from serve(folder / "index")


def test_person_filter_box_narrows_the_list(page: WebDriver, people_url: str) -> None:
    page.get(people_url + "/?q=sommet")
    group = page.find_element(By.CSS_SELECTOR, '[data-facet="person"]')
    box = group.find_element(By.NAME, "personne_filtre")

    def visible() -> list[str]:
        items = group.find_elements(By.CSS_SELECTOR, ".facet-list li")
        return [li.get_attribute("textContent").split()[0] for li in items if li.is_displayed()]

    assert len(visible()) == 8  # the others are behind "Afficher plus"
    box.send_keys("tokaiev")  # typed without the accent
    assert visible() == ["Kassym-Jomart"]
    box.clear()
    box.send_keys("zzz")
    assert visible() == []
    assert group.find_element(By.CSS_SELECTOR, "[data-filter-empty]").is_displayed()
    # Enter asks the server, which searches every name.
    box.clear()
    box.send_keys("merkel")
    old = page.find_element(By.TAG_NAME, "html")
    box.send_keys(Keys.ENTER)
    WebDriverWait(page, WAIT).until(ec.staleness_of(old))
    assert params(page) == {"q": ["sommet"], "personne_filtre": ["merkel"]}
    follow(page, facet(page, "person", "Angela Merkel"))
    assert params(page) == {"q": ["sommet"], "personne": ["Angela Merkel"]}
    assert total(page) == 10
    # A country facet: its count is what the click finds, and it joins the URL.
    germany = facet(page, "country", "DE")
    expected = int(germany.find_element(By.CSS_SELECTOR, ".count").text)
    follow(page, germany)
    assert params(page) == {"q": ["sommet"], "personne": ["Angela Merkel"], "pays": ["DE"]}
    assert total(page) == expected == 5
    screenshot(page, "persons-laptop")
    go_back(page)
    assert total(page) == 10 and "pays" not in params(page)


def test_stored_and_typed_scripts_never_run(page: WebDriver, people_url: str) -> None:
    page.get(people_url + "/?q=piège")
    follow(page, page.find_element(By.CSS_SELECTOR, ".result-title a"))
    assert HOSTILE in page.find_element(By.CSS_SELECTOR, ".article-title").text
    assert page.execute_script("return window.pwned") is None
    page.get(people_url + "/?q=" + HOSTILE.replace(" ", "+"))
    assert HOSTILE in page.find_element(By.CSS_SELECTOR, "[data-search-box]").get_attribute("value")
    assert page.execute_script("return window.pwned") is None
    # Escaped text is no script at all: not even a refused one.
    assert csp_violations(page) == []


# -- phones, keyboards, histograms --------------------------------------------------------------


def test_phone_filters_open_in_place_and_the_page_lands_back_there(
    page: WebDriver, base_url: str
) -> None:
    page.set_window_size(*PHONE)
    page.get(base_url + "/?q=retraites&pays=FR")
    toggle = page.find_element(By.CSS_SELECTOR, ".filters-toggle")
    assert toggle.text == "Filtres (1)"
    # Near the top, above the first result; the facets are hidden until it is opened.
    first = page.find_element(By.CSS_SELECTOR, ".result")
    assert toggle.location["y"] < first.location["y"] < PHONE[1]
    politique = facet(page, "section", "Politique")
    assert not politique.is_displayed()
    toggle.click()
    assert politique.is_displayed()
    screenshot(page, "filters-open-phone")
    follow(page, politique)
    assert params(page)["rubrique"] == ["Politique"]
    # The new page opens on the same group, filters open, not at the top of the page.
    chosen = facet(page, "section", "Politique")
    assert chosen.is_displayed() and "is-selected" in chosen.get_attribute("class")
    group = page.find_element(By.ID, "f-section")
    top = page.execute_script("return arguments[0].getBoundingClientRect().top", group)
    assert page.execute_script("return window.scrollY") > 0 and -2 <= top < PHONE[1] / 2
    # A plain visit on a phone shows the filters closed again.
    page.get(base_url + "/?q=retraites")
    assert not facet(page, "section", "Politique").is_displayed()


def test_sort_by_keyboard_waits_for_enter(page: WebDriver, base_url: str) -> None:
    page.get(base_url + "/?q=retraites")
    select = page.find_element(By.ID, "tri")
    select.send_keys(Keys.ARROW_DOWN)  # moves the choice; must not reload the page
    assert page.switch_to.active_element == select
    assert params(page) == {"q": ["retraites"]}
    assert page.find_element(By.CSS_SELECTOR, "[data-sort-button]").is_displayed()
    old = page.find_element(By.TAG_NAME, "html")
    select.send_keys(Keys.ENTER)
    WebDriverWait(page, WAIT).until(ec.staleness_of(old))
    assert params(page) == {"q": ["retraites"], "tri": ["date"]}


def test_skip_links_one_h1_and_tab_order(page: WebDriver, base_url: str) -> None:
    for path in ("/", "/?q=retraites", "/?q=zzzzqqq", "/article/seed-000_c1a1735c7d8c97a1"):
        page.get(base_url + path)
        assert len(page.find_elements(By.TAG_NAME, "h1")) == 1, path
    page.get(base_url + "/?q=retraites")
    body = page.find_element(By.TAG_NAME, "body")
    body.send_keys(Keys.TAB)
    assert page.switch_to.active_element.text == "Aller aux résultats"
    body = page.switch_to.active_element
    body.send_keys(Keys.TAB)
    skip = page.switch_to.active_element
    assert skip.text == "Aller aux filtres"
    skip.send_keys(Keys.ENTER)
    # The next stops are the filters (left), before the results.
    ActionChains(page).send_keys(Keys.TAB).perform()
    assert page.switch_to.active_element.get_attribute("class").startswith("facet")


def test_drag_across_bars_picks_a_range(page: WebDriver, base_url: str) -> None:
    page.get(base_url + "/?q=retraites")
    bars = page.find_elements(By.CSS_SELECTOR, '[data-histogram="year"] [data-start]')
    assert len(bars) >= 3
    # Every count is readable without a mouse: in the table and when a bar has the focus.
    readout = page.find_element(By.CSS_SELECTOR, '[data-histogram="year"] [data-readout]')
    page.execute_script("arguments[0].focus()", bars[1])
    assert re.fullmatch(r"\d{4} : \d+ articles?", readout.text)
    old = page.find_element(By.TAG_NAME, "html")
    chain = ActionChains(page).click_and_hold(bars[0]).move_to_element(bars[1])
    chain.move_to_element(bars[2]).release().perform()
    WebDriverWait(page, WAIT).until(ec.staleness_of(old))
    got = params(page)
    first_year = page.find_elements(By.CSS_SELECTOR, '[data-histogram="year"] [data-start]')[0]
    start = int(first_year.get_attribute("data-start")[:4])
    assert got["q"] == ["retraites"]
    assert got["depuis"] == [f"{start}-01-01"] and got["jusqu_au"] == [f"{start + 2}-12-31"]
    api = page.execute_script(
        "return fetch('/api/search?' + location.search.slice(1)).then(r => r.json())"
    )
    assert total(page) == api["total"] and all(
        f"{start}" <= r["date"][:4] <= f"{start + 2}" for r in api["results"]
    )
    screenshot(page, "range-laptop")


def test_no_serious_accessibility_violation(page: WebDriver, base_url: str) -> None:
    """axe-core (installed from npm by `make axe`) finds no serious or critical violation of
    WCAG 2.1 A/AA on any page, on a laptop and on a phone, filters open or not."""
    if not AXE.exists():
        message = f"{AXE} is missing: `make axe` installs axe-core from npm"
        if IN_CI:
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    source = AXE.read_text(encoding="utf-8")
    paths = (
        "/",
        "/?q=retraites",
        "/?q=retraites&depuis=2020-01&jusqu_au=2020-05",
        "/?q=zzzzqqq&pays=FR",
        "/?q=retrraites",
        "/article/seed-000_c1a1735c7d8c97a1?q=Blinken",
        "/nulle-part",
    )
    found = []
    for size in (LAPTOP, PHONE):
        page.set_window_size(*size)
        for path in paths:
            page.get(base_url + path)
            page.execute_script(source)  # DevTools evaluation: the page's CSP does not apply
            page.set_script_timeout(30)
            result = page.execute_async_script(
                """
                var done = arguments[arguments.length - 1];
                var tags = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];
                axe.run(document, {runOnly: {type: "tag", values: tags}})
                  .then(function (r) { done(r.violations.map(function (v) {
                    return {id: v.id, impact: v.impact, nodes: v.nodes.length,
                            target: v.nodes[0] && v.nodes[0].target.join(" ")}; })); })
                  .catch(function (e) {
                    done([{id: "axe-error", impact: "critical", target: String(e)}]);
                  });
                """
            )
            found += [
                {"page": path, "size": size, **v}
                for v in result
                if v["impact"] in ("serious", "critical")
            ]
    page.get_log("browser")  # the 404 of /nulle-part is logged, as it should be
    assert found == []


def test_a_feed_reads_as_a_page(page: WebDriver, base_url: str) -> None:
    page.get(base_url + "/feed?q=retraites&rubrique=Politique")
    root = page.execute_script("return document.documentElement")
    hint = page.execute_script(
        "return getComputedStyle(arguments[0], '::before').content", root
    )
    assert "lecteur de flux" in hint  # the stylesheet applies: a subscribe hint, not raw XML
    assert page.execute_script("return getComputedStyle(arguments[0]).display", root) == "block"
    screenshot(page, "feed-laptop")
