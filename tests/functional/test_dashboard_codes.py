"""The codes table and the create form: filters, search, paging, escaping, fields from the schemas."""
import base64
import datetime

from sqlalchemy import select

from exaroutes.schemas.design import CreateCodeBody
from exaroutes.clock import utcnow
from exaroutes.models import QrCode, Scan
from exaroutes.testing import REDIRECT_BASE
from tests.helpers.dashboard import api_create, sign_in
from tests.helpers.qr_decode import decode_any, decode_data_uri


def row_ids(page):
    return [row["data-id"] for row in page.html.select("tr.code-row")]


def test_the_table_lists_the_workspaces_codes_with_recent_scans(testapp, api_key, auth, other_auth, committed):
    url_code = api_create(testapp, auth)
    text_code = api_create(testapp, auth, dataType="text", data="<b>bold</b> & 'quoted'")
    api_create(testapp, other_auth, data="https://globex.example/secret")

    def seed(db):
        code = db.scalar(select(QrCode).where(QrCode.short_id == url_code["id"]))
        now = utcnow()
        for days_ago in (0, 1, 29, 30, 45):
            db.add(Scan(code_id=code.id, scanned_at=now - datetime.timedelta(days=days_ago), country="DE"))

    committed(seed)
    page = sign_in(testapp, api_key)
    assert row_ids(page) == [text_code["id"], url_code["id"]]
    assert "globex.example" not in page.text
    url_row = page.html.select_one(f'tr[data-id="{url_code["id"]}"]')
    cells = [td.text.strip() for td in url_row.select("td")]
    assert cells[1:7] == [url_code["id"], "url", "https://example.com/spring", "active", "–", "3"]
    assert url_row.select_one("img.thumb")["src"].endswith(f"/dashboard/codes/{url_code['id']}/image")
    # user-supplied text is escaped, never markup
    assert "<b>bold</b>" not in page.text and "&lt;b&gt;bold&lt;/b&gt; &amp; " in page.text
    thumb = testapp.get(f"/dashboard/codes/{url_code['id']}/image")
    assert decode_any(thumb.body, thumb.content_type) == [url_code["redirectUrl"]]


def test_filters_and_search(testapp, api_key, auth):
    spring = api_create(testapp, auth, data="https://example.com/spring")
    autumn = api_create(testapp, auth, data="https://example.com/autumn")
    note = api_create(testapp, auth, dataType="text", data="autumn notes")
    testapp.put_json(f"/api/qr/codes/{autumn['id']}", {"status": "inactive"}, headers=auth)
    sign_in(testapp, api_key)
    assert row_ids(testapp.get("/dashboard/codes?type=text")) == [note["id"]]
    assert row_ids(testapp.get("/dashboard/codes?status=inactive")) == [autumn["id"]]
    assert row_ids(testapp.get("/dashboard/codes?type=url&status=active")) == [spring["id"]]
    assert row_ids(testapp.get("/dashboard/codes?q=autumn")) == [note["id"], autumn["id"]]
    assert row_ids(testapp.get(f"/dashboard/codes?q={spring['id']}")) == [spring["id"]]
    assert row_ids(testapp.get("/dashboard/codes?q=100%25")) == []          # LIKE wildcards are literal
    page = testapp.get("/dashboard/codes?type=pdf417", status=422)
    assert "type: unknown data type" in page.text


def test_paging_follows_the_api_keyset_order(testapp, api_key, auth, committed):
    ids = [api_create(testapp, auth, data=f"https://example.com/{n}")["id"] for n in range(27)]
    # Equal timestamps: the order must fall back to the id, exactly as the API's cursor does.
    committed(lambda db: [setattr(code, "created_at", datetime.datetime(2026, 5, 1))
                          for code in db.scalars(select(QrCode))])
    api_order = []
    cursor = "0"
    while cursor:
        body = testapp.get(f"/api/qr/codes?limit=25&cursor={cursor}", headers=auth).json
        api_order += [code["id"] for code in body["data"]]
        cursor = body["pagination"]["nextCursor"]
    first = sign_in(testapp, api_key)
    second = testapp.get(first.html.select_one("nav.pager a.next")["href"])
    assert row_ids(first) + row_ids(second) == api_order
    assert sorted(api_order) == sorted(ids) and len(row_ids(first)) == 25
    assert second.html.select_one("nav.pager a.next") is None


def test_create_form_fields_come_from_the_schemas(testapp, api_key, app):
    sign_in(testapp, api_key)
    form = testapp.get("/dashboard/codes/new").forms["create"]
    for node in CreateCodeBody().children:
        if node.name in ("rules", "variants"):          # rows of fields (tests/functional/test_dashboard_routing.py)
            assert f"{node.name}-0-destination" in form.fields, node.name
        elif node.name not in ("data", "dataType", "returnType"):
            assert node.name in form.fields, node.name
    assert sorted(option for option, _, _ in form["returnType"].options) == sorted(app.registry["renderers"])
    text_page = testapp.get("/dashboard/codes/new?dataType=text")
    assert text_page.html.select_one('textarea[name="data"]') is not None
    tabs = [a.text for a in text_page.html.select("nav.tabs a")]
    assert tabs == sorted(app.registry["datatypes"])


def test_preview_then_create_then_download_every_format(testapp, api_key, auth, app, count_rows):
    sign_in(testapp, api_key)
    form = testapp.get("/dashboard/codes/new").forms["create"]
    form["data"] = "https://example.com/from-the-dashboard"
    form["foregroundColor"] = "#112233"
    before = count_rows()
    preview = form.submit("action", value="preview")
    assert count_rows() == before                       # a preview stores nothing
    assert decode_data_uri(preview.html.select_one("#preview")["src"]) == [f"{REDIRECT_BASE}/r/PREVIEW0"]
    created = preview.forms["create"].submit("action", value="create", status=303).follow()
    short_id = created.request.path.rsplit("/", 1)[1]
    code = testapp.get(f"/api/qr/codes/{short_id}", headers=auth).json
    assert code["destination"] == "https://example.com/from-the-dashboard"
    assert code["style"] == {"foregroundColor": "#112233"}
    for format_name, renderer in app.registry["renderers"].items():
        download = testapp.get(f"/dashboard/codes/{short_id}/download/{format_name}")
        assert download.content_type == renderer.media_type
        assert f'filename="{short_id}.{format_name}"' in download.headers["Content-Disposition"]
        assert decode_any(download.body, renderer.media_type) == [code["redirectUrl"]]
    testapp.get(f"/dashboard/codes/{short_id}/download/bmp", status=404)


def test_form_errors_sit_next_to_the_field_with_the_api_messages(testapp, api_key, auth, count_rows):
    body = {"data": "ftp://example.com/", "size": 10, "foregroundColor": "blue"}
    api = testapp.post_json("/api/qr/codes", body, headers=auth, status=422).json
    expected = {error["name"]: error["description"] for error in api["errors"]}
    sign_in(testapp, api_key)
    form = testapp.get("/dashboard/codes/new").forms["create"]
    form["data"] = body["data"]
    form["size"] = "10"
    form["foregroundColor"] = "blue"
    before = count_rows()
    page = form.submit("action", value="create", status=422)
    assert count_rows() == before
    for name, description in expected.items():
        assert page.html.select_one(f"#error-{name}").text == description
    assert page.forms["create"]["data"].value == "ftp://example.com/"    # what was typed stays
    form = page.forms["create"]
    form["data"] = ""
    form["size"] = "big"
    page = form.submit("action", value="create", status=422)
    assert page.html.select_one("#error-data").text == "Required"
    assert page.html.select_one("#error-size").text == "must be a number"


def test_preview_uses_the_chosen_format(testapp, api_key):
    sign_in(testapp, api_key)
    form = testapp.get("/dashboard/codes/new?dataType=text").forms["create"]
    form["data"] = "hello"
    form["returnType"] = "svg"
    src = form.submit("action", value="preview").html.select_one("#preview")["src"]
    assert src.startswith("data:image/svg+xml;base64,")
    svg = base64.b64decode(src.split(",", 1)[1])
    assert decode_any(svg, "image/svg+xml") == [f"{REDIRECT_BASE}/r/PREVIEW0"]


def test_a_tampered_data_type_is_refused_by_name(testapp, api_key, count_rows):
    sign_in(testapp, api_key)
    assert "unknown data type" in testapp.get("/dashboard/codes/new?dataType=nope", status=422) \
        .html.select_one("#error-dataType").text
    form = testapp.get("/dashboard/codes/new").forms["create"]
    form["data"] = "https://example.com/"
    form["dataType"].force_value("nope")
    before = count_rows()
    page = form.submit("action", value="create", status=422)
    assert page.html.select_one("#error-dataType").text.startswith("unknown data type; installed: ")
    form = page.forms["create"]
    form["returnType"].force_value("bmp")
    page = form.submit("action", value="create", status=422)
    assert page.html.select_one("#error-returnType").text.startswith("unknown image format; installed: ")
    assert count_rows() == before
