"""The console as a person uses it: real Chromium against the demo pipeline, found by role and label."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from playwright.sync_api import Page, expect

from tests.e2e.actions import enc, run_command


def test_home_shows_recent_runs_and_loads_more_on_scroll(page: Page, demo: dict[str, Any]) -> None:
    page.goto("/")
    expect(page.get_by_role("heading", level=1, name="Recent runs")).to_be_visible()
    runs = page.get_by_role("list", name="Runs").get_by_role("article")
    expect(runs).to_have_count(20)
    page.mouse.wheel(0, 20_000)
    expect(runs).not_to_have_count(20)
    assert runs.count() > 20


def test_slash_and_ctrl_k_focus_the_command_bar_but_not_while_typing_elsewhere(
    page: Page, demo: dict[str, Any]
) -> None:
    page.goto(f"/inspect/{demo['culprit_run_id']}")
    bar = page.get_by_label("Command")
    notes = page.get_by_label("Notes")
    expect(notes).to_be_visible()
    page.keyboard.press("/")
    expect(bar).to_be_focused()
    notes.click()
    page.keyboard.type("a/b")
    expect(notes).to_be_focused()
    expect(notes).to_have_value("a/b")
    page.keyboard.press("Control+k")
    expect(bar).to_be_focused()


def test_trace_command_opens_the_graph_at_an_encoded_url(page: Page, demo: dict[str, Any]) -> None:
    output = demo["culprit_output"]
    page.goto("/")
    run_command(page, f"trace {output}")
    expect(page).to_have_url(re.compile(re.escape(f"/trace/{enc(output)}") + "$"))
    assert "%2F" in page.url
    expect(page.get_by_role("heading", level=1, name=f"Trace of {output}")).to_be_visible()
    expect(page.get_by_role("group", name=f"Run {demo['culprit_run_id']}: ingest, success")).to_be_visible()
    expect(page.get_by_role("group", name=f"data {output}")).to_be_visible()
    # The URL alone brings the same view back.
    page.reload()
    expect(page.get_by_role("heading", level=1, name=f"Trace of {output}")).to_be_visible()


def test_clicking_a_graph_node_shows_its_card_beside_the_graph(page: Page, demo: dict[str, Any]) -> None:
    bad = demo["bad_prediction_ids"][0]
    page.goto(f"/trace/{enc(bad)}")
    page.get_by_role("group", name=re.compile(r"^Run \d+: predict")).click()
    panel = page.get_by_role("complementary", name="Node details")
    expect(panel.get_by_role("heading", name=re.compile(r"^predict · Run \d+$"))).to_be_visible()
    expect(panel.get_by_role("link", name="Open the run page")).to_be_visible()
    expect(page).to_have_url(re.compile(r"node=run%3A\d+"))

    page.get_by_role("group", name=f"endpoint {bad}, flagged").click()
    expect(panel.get_by_role("heading", name=bad)).to_be_visible()

    # Unflagging from the panel updates the node in place: the graph and the view do not move.
    page.get_by_role("button", name="Zoom In").click()
    viewport = page.locator(".react-flow__viewport")
    page.wait_for_timeout(400)
    before = viewport.get_attribute("style")
    panel.get_by_role("button", name=f"Unflag {bad}").click()
    expect(page.get_by_role("group", name=f"endpoint {bad}")).to_be_visible()
    expect(viewport).to_have_attribute("style", before)
    panel.get_by_role("button", name=f"Flag {bad}").click()
    expect(page.get_by_role("group", name=f"endpoint {bad}, flagged")).to_be_visible()
    expect(viewport).to_have_attribute("style", before)


def test_flagged_outputs_and_stale_runs_are_marked_in_the_graph(page: Page, demo: dict[str, Any]) -> None:
    bad = demo["bad_prediction_ids"][0]
    page.goto(f"/trace/{enc(bad)}")
    flagged = page.get_by_role("group", name=f"endpoint {bad}, flagged")
    expect(flagged.locator(".trace-node-flag")).to_have_text("⚑")  # an icon, not only a colour

    stale_run = demo["stale_run_ids"][0]
    output = page.request.get(f"/api/v1/runs/{stale_run}").json()["outputs"][0]["name"]
    page.goto(f"/trace/{enc(output)}")
    stale = page.get_by_role("group", name=re.compile(rf"^Run {stale_run}: predict, .*stale$"))
    expect(stale).to_be_visible()
    expect(stale.get_by_text("stale", exact=False)).to_be_visible()

    failed = demo["failed_run_ids"][0]
    failed_input = page.request.get(f"/api/v1/runs/{failed}").json()["inputs"][0]["name"]
    page.goto(f"/trace/{enc(failed_input)}?direction=downstream")
    node = page.get_by_role("group", name=f"Run {failed}: ingest, failed")
    expect(node).to_be_visible()
    expect(node.get_by_text("✕ failed")).to_be_visible()


def test_direction_switch_and_depth_change_the_url_and_back_restores_them(page: Page, demo: dict[str, Any]) -> None:
    output = demo["culprit_output"]
    page.goto(f"/trace/{enc(output)}")
    summary = page.locator(".trace-summary")
    expect(summary).to_have_text(re.compile(r"^Upstream: 1 run, 2 inputs and outputs"))
    page.get_by_label("Downstream").check()
    expect(page).to_have_url(re.compile(r"direction=downstream"))
    expect(summary).to_have_text(re.compile(r"^Downstream: \d+ runs"))
    expect(page.get_by_role("group", name=re.compile(r"^Run \d+: predict")).first).to_be_attached()
    everything = int(re.search(r"(\d+) runs?", summary.inner_text()).group(1))
    depth = page.get_by_label("Depth")
    depth.press_sequentially("12")  # typing keeps the focus while the URL follows each key
    expect(page).to_have_url(re.compile(r"depth=12"))
    expect(depth).to_be_focused()
    depth.press("Backspace")
    expect(page).to_have_url(re.compile(r"depth=1$"))
    expect(summary).not_to_have_text(re.compile(rf"^Downstream: {everything} runs?\b"))
    readers = page.request.get(f"/api/v1/trace?output_id={enc(output)}&direction=downstream&depth=1").json()["nodes"]
    expect(summary).to_have_text(re.compile(rf"^Downstream: {sum(n['kind'] == 'run' for n in readers)} runs?\b"))
    expect(page.get_by_role("group", name=re.compile(r"^Run \d+: predict"))).to_have_count(0)
    page.go_back()  # depth edits replace the entry; the direction switch made one
    expect(page).not_to_have_url(re.compile(r"direction="))
    expect(page).not_to_have_url(re.compile(r"depth="))
    expect(summary).to_have_text(re.compile(r"^Upstream: 1 run,"))
    expect(page.get_by_label("Upstream")).to_be_checked()


def test_flag_and_unflag_commands_call_the_api_then_show_trace_and_review(page: Page, demo: dict[str, Any]) -> None:
    good = demo["good_prediction_ids"][0]
    page.goto("/")
    run_command(page, f"flag {good}")
    expect(page).to_have_url(re.compile(re.escape(f"/trace/{enc(good)}") + "$"))
    expect(page.get_by_role("group", name=re.compile(rf"{re.escape(good)}, flagged$"))).to_be_visible()
    assert page.request.get("/api/v1/review").json()["flagged"].count(good) == 1

    run_command(page, f"unflag {good}")
    expect(page).to_have_url(re.compile(r"/review$"))
    expect(page.get_by_role("heading", level=1, name="Review")).to_be_visible()
    expect(page.get_by_role("link", name=demo["bad_prediction_ids"][0])).to_be_visible()
    expect(page.get_by_role("link", name=good)).to_have_count(0)


def test_flag_of_an_unknown_output_shows_the_error_inline(page: Page, demo: dict[str, Any]) -> None:
    page.goto("/review")
    run_command(page, "flag no/such output")
    expect(page.get_by_role("alert")).to_contain_text('Could not flag "no/such output"')
    expect(page).to_have_url(re.compile(r"/review$"))


def test_flag_toggle_on_the_run_card_flags_and_unflags_an_output(page: Page, demo: dict[str, Any]) -> None:
    predict = demo["run_ids"]["predict"][0]
    output = page.request.get(f"/api/v1/runs/{predict}").json()["outputs"][0]["name"]
    assert output not in demo["bad_prediction_ids"]
    page.goto(f"/inspect/{predict}")
    with page.expect_response(lambda r: r.request.method == "PUT" and "/api/v1/flags/" in r.url) as put:
        page.get_by_role("button", name=f"Flag {output}").click()
    assert put.value.ok
    expect(page.get_by_role("button", name=f"Unflag {output}")).to_be_visible()
    assert output in page.request.get("/api/v1/review").json()["flagged"]
    with page.expect_response(lambda r: r.request.method == "DELETE" and "/api/v1/flags/" in r.url) as delete:
        page.get_by_role("button", name=f"Unflag {output}").click()
    assert delete.value.ok
    expect(page.get_by_role("button", name=f"Flag {output}")).to_be_visible()
    assert output not in page.request.get("/api/v1/review").json()["flagged"]


def test_review_ranks_the_culprit_first_and_links_flagged_outputs_to_their_trace(
    page: Page, demo: dict[str, Any]
) -> None:
    page.goto("/")
    run_command(page, "review")
    expect(page.get_by_role("heading", level=1, name="Review")).to_be_visible()
    first = page.get_by_role("row").nth(1)
    expect(first.get_by_role("link").first).to_have_text(f"ingest · Run {demo['culprit_run_id']}")
    flagged = len(demo["bad_prediction_ids"])  # all but the featurize hotfix's one are the culprit's
    coverage = str(round(100 * (flagged - 1) / flagged))
    expect(first.get_by_role("meter", name="Coverage")).to_have_attribute("aria-valuenow", coverage)
    bad = demo["bad_prediction_ids"][0]
    page.get_by_role("link", name=bad, exact=True).click()
    expect(page).to_have_url(re.compile(re.escape(f"/trace/{enc(bad)}?suspect=") + r"run%3A\d+$"))
    expect(page.get_by_role("heading", level=1, name=f"Trace of {bad}")).to_be_visible()


def test_history_time_range_sends_since_and_until_and_rows_open_the_run(page: Page, demo: dict[str, Any]) -> None:
    ingest_runs = demo["run_ids"]["ingest"]
    page.goto("/")
    run_command(page, "history ingest 20")
    expect(page).to_have_url(re.compile(r"/history/ingest/20$"))
    expect(page.get_by_role("heading", level=1, name="History of ingest")).to_be_visible()
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(len(ingest_runs))

    culprit = page.request.get(f"/api/v1/runs/{demo['culprit_run_id']}").json()
    # The browser runs in Tokyo (UTC+9): local midnight of the culprit's day is 15:00 UTC the day before.
    day = date.fromisoformat(culprit["start"][:10])
    page.get_by_label("Since").fill(f"{day.isoformat()}T00:00")
    with page.expect_request(lambda r: "/api/v1/components/ingest/runs" in r.url and "since=" in r.url) as sent:
        page.get_by_role("button", name="Apply").click()
    assert f"since={(day - timedelta(days=1)).isoformat()}T15%3A00%3A00.000Z" in sent.value.url
    expect(page).to_have_url(re.compile(r"since="))
    later = [r for r in ingest_runs if r >= demo["culprit_run_id"]]
    expect(rows).to_have_count(len(later))

    page.get_by_label("Until").fill(f"{day.isoformat()}T00:00")
    page.get_by_label("Since").fill("")
    with page.expect_request(lambda r: "until=" in r.url) as sent:
        page.get_by_role("button", name="Apply").click()
    assert "since=" not in sent.value.url
    expect(rows).to_have_count(len(ingest_runs) - len(later))

    rows.first.click()
    expect(page).to_have_url(re.compile(r"/inspect/\d+$"))
    expect(page.get_by_role("heading", level=1, name=re.compile(r"^Run \d+$"))).to_be_visible()


def test_inspect_shows_the_whole_run_and_saves_notes(page: Page, demo: dict[str, Any]) -> None:
    run_id = demo["culprit_run_id"]
    page.goto("/")
    run_command(page, f"inspect {run_id}")
    expect(page.get_by_role("heading", level=1, name=f"Run {run_id}")).to_be_visible()
    card = page.get_by_role("article", name=f"Run {run_id} details")
    expect(card.get_by_role("link", name="ingest", exact=True)).to_be_visible()
    expect(card.get_by_text("data-eng")).to_be_visible()
    expect(card.get_by_role("link", name="etl", exact=True)).to_be_visible()
    expect(card.get_by_text("success", exact=True).first).to_be_visible()
    expect(card.get_by_role("region", name="Test results").get_by_text("passed").first).to_be_visible()
    expect(card.locator("pre code")).to_contain_text("def ingest")
    expect(card.get_by_role("link", name=demo["culprit_output"])).to_have_attribute(
        "href", f"/trace/{enc(demo['culprit_output'])}"
    )

    notes = page.get_by_label("Notes")
    notes.fill("Fahrenheit batch <b>not bold</b>")
    page.get_by_role("button", name="Save notes").click()
    expect(page.get_by_role("status").filter(has_text="Saved.")).to_be_visible()
    page.reload()
    expect(page.get_by_label("Notes")).to_have_value("Fahrenheit batch <b>not bold</b>")
    page.get_by_label("Notes").fill("")
    page.get_by_role("button", name="Save notes").click()
    expect(page.get_by_role("status").filter(has_text="Saved.")).to_be_visible()


def test_unknown_commands_and_bad_arguments_are_explained_inline(page: Page, demo: dict[str, Any]) -> None:
    page.goto("/help")
    run_command(page, "tarce x")
    expect(page.get_by_role("alert")).to_contain_text('Unknown command "tarce". Did you mean `trace`?')
    run_command(page, "inspect abc")
    expect(page.get_by_role("alert")).to_contain_text("whole number")
    run_command(page, "history ingest 0")
    expect(page.get_by_role("alert")).to_contain_text("positive whole number")
    expect(page).to_have_url(re.compile(r"/help$"))
    page.goto("/inspect/999999")
    expect(page.get_by_role("alert")).to_be_visible()


def test_help_lists_every_command(page: Page, demo: dict[str, Any]) -> None:
    page.goto("/")
    run_command(page, "help")
    expect(page.get_by_role("heading", level=1, name="Help")).to_be_visible()
    for usage in [
        "recent",
        "history COMPONENT [N]",
        "inspect RUN_ID",
        "trace OUTPUT_ID",
        "tag TAG",
        "flag OUTPUT_ID",
        "unflag OUTPUT_ID",
        "review",
        "help",
    ]:
        expect(page.get_by_role("cell", name=usage, exact=True).first).to_be_visible()


def test_arrow_keys_recall_earlier_commands_after_a_reload(page: Page, demo: dict[str, Any]) -> None:
    page.goto("/")
    run_command(page, "help")
    expect(page).to_have_url(re.compile(r"/help$"))
    run_command(page, "tag etl")
    expect(page).to_have_url(re.compile(r"/tag/etl$"))
    page.reload()
    bar = page.get_by_label("Command")
    bar.focus()
    bar.press("ArrowUp")
    expect(bar).to_have_value("tag etl")
    bar.press("ArrowUp")
    expect(bar).to_have_value("help")
    bar.press("ArrowDown")
    expect(bar).to_have_value("tag etl")
    bar.press("ArrowDown")
    expect(bar).to_have_value("")


def test_completion_offers_names_from_search(page: Page, demo: dict[str, Any]) -> None:
    page.goto("/")
    bar = page.get_by_label("Command")
    bar.fill("histo")
    expect(page.get_by_role("option", name=re.compile(r"^history COMPONENT"))).to_be_visible()
    bar.press("Tab")
    expect(bar).to_have_value("history ")
    bar.press_sequentially("ing")
    option = page.get_by_role("option", name=re.compile(r"^ingest"))
    expect(option).to_be_visible()
    bar.press("ArrowDown")
    expect(bar).to_have_attribute("aria-activedescendant", "command-option-0")
    bar.press("Enter")
    expect(page).to_have_url(re.compile(r"/history/ingest/10$"))


def test_tag_view_lists_components_with_their_recent_runs(page: Page, demo: dict[str, Any]) -> None:
    page.goto("/")
    run_command(page, "tag etl")
    expect(page.get_by_role("heading", level=1, name="Tag etl")).to_be_visible()
    expect(page.get_by_role("heading", level=2, name="ingest")).to_be_visible()
    expect(page.get_by_role("heading", level=2, name="clean")).to_be_visible()
    expect(page.get_by_role("list", name="Recent runs of ingest").get_by_role("article")).not_to_have_count(0)


def test_lists_show_a_batch_runs_first_outputs_and_link_the_rest_to_its_page(page: Page, demo: dict[str, Any]) -> None:
    batch, total = demo["batch_component"], demo["batch_outputs"]
    page.goto("/tag/batch")
    card = page.get_by_role("list", name=f"Recent runs of {batch}").get_by_role("article")
    expect(card.get_by_role("link", name="scores/000", exact=True)).to_be_visible()
    expect(card.get_by_role("link", name="scores/003", exact=True)).to_be_visible()
    expect(card.get_by_role("link", name="scores/004", exact=True)).to_have_count(0)
    card.get_by_role("link", name=f"+{total - 4} more outputs").click()
    expect(page).to_have_url(re.compile(r"/inspect/\d+$"))
    outputs = page.get_by_role("region", name="Outputs").get_by_role("listitem")
    expect(outputs).to_have_count(total)

    page.goto(f"/history/{batch}/10")
    row = page.locator("tbody tr").first
    expect(row).to_contain_text(", ".join(f"scores/{k:03d}" for k in range(10)))
    expect(row.get_by_role("link", name=re.compile("more inputs$"))).to_have_count(0)
    row.get_by_role("link", name=f"+{total - 10} more outputs").click()
    expect(page).to_have_url(re.compile(r"/inspect/\d+$"))
    expect(outputs).to_have_count(total)


def test_database_text_is_shown_as_text(page: Page, demo: dict[str, Any]) -> None:
    odd = demo["odd_component"]
    page.goto(f"/history/{enc(odd)}/10")
    expect(page.get_by_role("heading", level=1, name=f"History of {odd}")).to_be_visible()
    page.locator("tbody tr").first.click()
    expect(page.get_by_text("ValueError: <script>alert(2)</script>")).to_be_visible()
    expect(page.get_by_text("<b>mallory</b>")).to_be_visible()
    page.goto(f"/trace/{enc(demo['odd_output'])}")
    odd_run = page.get_by_role("group", name=re.compile(r"^Run \d+: " + re.escape(odd) + ", failed$"))
    expect(odd_run.locator(".trace-node-component")).to_have_text(odd)
    assert page.locator("main img, main script, main b").count() == 0


def test_theme_toggle_follows_the_system_then_remembers_the_choice(page: Page, demo: dict[str, Any]) -> None:
    page.emulate_media(color_scheme="dark")
    page.goto("/")
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    page.get_by_role("button", name="Switch to light theme").click()
    expect(page.locator("html")).to_have_attribute("data-theme", "light")
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") != background
    page.reload()
    expect(page.get_by_role("button", name="Switch to dark theme")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("data-theme", "light")


def test_a_500_node_trace_renders_only_what_is_visible_and_stays_usable(page: Page, demo: dict[str, Any]) -> None:
    page.goto(f"/trace/{enc(demo['big_output'])}")
    expect(page.get_by_text(re.compile(rf"^Upstream: {demo['big_runs']} runs"))).to_be_visible(timeout=20_000)
    total = len(page.request.get(f"/api/v1/trace?output_id={enc(demo['big_output'])}").json()["nodes"])
    assert total > 500
    # Fitted, the graph is too small to read: every drawn node is a block of the sketch, and React
    # Flow draws none of its own.
    graph = page.locator(".react-flow")
    expect(graph).to_have_attribute("data-layout", "done")
    drawn = int(graph.get_attribute("data-nodes") or 0)
    assert 500 < drawn <= total  # the 25 inputs of the last run fold into one group
    blocks = graph.locator("[data-node-id]")
    nodes = graph.locator(".react-flow__node")
    expect(blocks).to_have_count(drawn)
    expect(nodes).to_have_count(0)
    zoom_in = page.get_by_role("button", name="Zoom In")
    for _ in range(6):
        zoom_in.click()
    expect(nodes.first).to_be_visible()
    page.wait_for_timeout(300)
    assert 0 < nodes.count() < drawn  # onlyRenderVisibleElements
    # Some of those are cut by the frame's edge: click the one nearest the middle.
    frame = graph.bounding_box()
    assert frame is not None
    middle = (frame["x"] + frame["width"] / 2, frame["y"] + frame["height"] / 2)

    def distance(box: Any) -> float:
        return abs(box["x"] + box["width"] / 2 - middle[0]) + abs(box["y"] + box["height"] / 2 - middle[1])

    boxes = [nodes.nth(i).bounding_box() for i in range(nodes.count())]
    nodes.nth(min(range(len(boxes)), key=lambda i: distance(boxes[i]))).click()
    panel = page.get_by_role("complementary", name="Node details")
    expect(panel.get_by_role("heading", level=2)).to_be_visible()
    page.get_by_role("button", name="Close details").click()
    expect(panel).to_have_count(0)
    page.get_by_role("button", name="Fit to view").click()
    expect(nodes).to_have_count(0)
    blocks.nth(drawn // 2).click()
    expect(panel.get_by_role("heading", level=2)).to_be_visible()


def test_narrow_screen_keeps_every_view_usable(phone: Page, demo: dict[str, Any]) -> None:
    for path, heading in [
        ("/", "Recent runs"),
        (f"/trace/{enc(demo['bad_prediction_ids'][0])}", f"Trace of {demo['bad_prediction_ids'][0]}"),
        ("/review", "Review"),
        (f"/inspect/{demo['culprit_run_id']}", f"Run {demo['culprit_run_id']}"),
    ]:
        phone.goto(path)
        expect(phone.get_by_role("heading", level=1, name=heading)).to_be_visible()
        expect(phone.get_by_label("Command")).to_be_in_viewport()
        overflow = phone.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px"
