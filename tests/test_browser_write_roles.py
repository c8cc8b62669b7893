"""Writes need a role, in the browser: a public session cannot upload or save; signed-in staff can.

The upload endpoint (``/_stcore/upload_file/<session>/<file>``) answers any session that names
itself in the URL; ui/serve.py refuses it unless that session is signed-in staff. Each test below
posts a file exactly as Streamlit's own uploader does (a PUT with the XSRF token from the cookie),
from a browser session of the kind being tested.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from tests.conftest import STAFF_PASSWORD
from tests.helpers import open_page, screenshot, wait_idle

pytestmark = pytest.mark.browser

CSV = "Arrest,ArrestDate,ChargeDescription\n1,01/02/2018,CDS POSSESSION\n"
# What the app's uploader sends: one file in a multipart form, the XSRF cookie echoed in a header.
PUT_FILE = """async ([sessionId, fileId, text, bytes]) => {
  const token = document.cookie.split('; ').find(c => c.startsWith('_streamlit_xsrf='));
  const body = new FormData();
  const content = bytes ? new Uint8Array(bytes) : text;
  body.append('file', new Blob([content], {type: 'text/csv'}), 'arrests.csv');
  const response = await fetch(`./_stcore/upload_file/${sessionId}/${fileId}`, {
    method: 'PUT', body, credentials: 'same-origin',
    headers: {'X-Xsrftoken': token ? token.slice('_streamlit_xsrf='.length) : ''},
  });
  return [response.status, await response.text()];
}"""


@pytest.fixture
def page(browser, staff_app_server):
    """A page on the staff-enabled server that records its Streamlit session id and upload answers."""
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    page.session_ids = []
    page.uploads = []

    def read_frames(socket):
        def on_frame(payload):
            if isinstance(payload, bytes):
                message = ForwardMsg.FromString(payload)
                if message.HasField("new_session"):
                    page.session_ids.append(message.new_session.initialize.session_id)

        socket.on("framereceived", on_frame)

    page.on("websocket", read_frames)
    page.on(
        "response",
        lambda r: page.uploads.append((r.request.method, r.status)) if "/upload_file/" in r.url else None,
    )
    yield page
    context.close()


def sign_in(page, url: str) -> None:
    open_page(page, url)
    page.get_by_text("Staff sign-in").click()
    page.get_by_label("Password", exact=True).fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text("Staff view — participant-level detail is visible.").wait_for(timeout=60_000)
    wait_idle(page)


def put_file(page, session_id: str, text: str = CSV, size: int = 0) -> tuple[int, str]:
    status, answer = page.evaluate(PUT_FILE, [session_id, "crafted-file", text, size])
    return status, answer


def test_a_public_session_cannot_upload(page, staff_app_server):
    open_page(page, staff_app_server)
    assert page.session_ids, "the app did not start a session"
    status, text = put_file(page, page.session_ids[-1])
    assert status == 403 and "staff sign-in" in text
    # nor under a session id that does not exist (Streamlit would say 400 for that; nothing is read)
    assert put_file(page, "00000000-0000-0000-0000-000000000000")[0] == 403


def test_signed_in_staff_upload_through_the_import_page(page, staff_app_server, tmp_path):
    sign_in(page, staff_app_server)
    session_id = page.session_ids[-1]
    assert put_file(page, session_id) == (204, "")  # the same request as the public one above
    page.get_by_test_id("stSidebarNav").get_by_text("Import data").click()
    page.get_by_role("heading", name="Import data").wait_for(timeout=60_000)
    uploader = page.get_by_test_id("stFileUploader")
    assert "64MB" in uploader.inner_text()  # server.maxUploadSize, shown by the uploader itself
    csv = tmp_path / "arrests.csv"
    csv.write_text(CSV)
    with page.expect_response(lambda r: "/upload_file/" in r.url and r.request.method == "PUT") as put:
        uploader.locator("input[type=file]").set_input_files(str(csv))
    assert put.value.status == 204
    expect(page.get_by_role("button", name="Import")).to_be_enabled(timeout=30_000)  # the app has it
    wait_idle(page)
    screenshot(page, "staff-upload")

    # after signing out the same session may not upload any more
    page.get_by_role("button", name="Sign out").click()
    page.get_by_text("Staff sign-in").wait_for(timeout=30_000)
    wait_idle(page)
    assert put_file(page, session_id)[0] == 403


def test_an_upload_over_the_size_limit_is_refused_for_staff_too(page, staff_app_server):
    sign_in(page, staff_app_server)
    status, _ = put_file(page, page.session_ids[-1], size=65 * 1024 * 1024)
    assert status == 413


def test_a_public_planner_offers_no_save_form(page, staff_app_server):
    open_page(page, f"{staff_app_server}/expansion")
    page.get_by_role("heading", name="Save this proposal").wait_for(timeout=60_000)
    wait_idle(page)
    assert page.get_by_text("Only signed-in staff can save proposals").is_visible()
    assert not page.get_by_role("button", name="Save proposal").count()
    assert not page.get_by_role("textbox", name="Name").count()
    page.get_by_role("heading", name="Save this proposal").scroll_into_view_if_needed()
    screenshot(page, "expansion-save-public")


def test_a_staff_planner_offers_the_save_form(page, staff_app_server):
    sign_in(page, f"{staff_app_server}/expansion")
    page.get_by_role("heading", name="Save this proposal").wait_for(timeout=60_000)
    wait_idle(page)
    assert page.get_by_role("button", name="Save proposal").is_visible()
    assert not page.get_by_text("Only signed-in staff can save proposals").count()
    page.get_by_role("heading", name="Save this proposal").scroll_into_view_if_needed()
    screenshot(page, "expansion-save-staff")
