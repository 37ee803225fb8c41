"""A workspace sees only its own codes: another workspace's code is indistinguishable from none."""


def test_other_workspace_gets_404_everywhere_and_changes_nothing(testapp, auth, other_auth):
    code = testapp.post_json("/api/qr/codes", {"data": "https://example.com/a"}, headers=auth).json
    path = f"/api/qr/codes/{code['id']}"
    missing = testapp.get("/api/qr/codes/ZZZZZZZZ", headers=other_auth, status=404).json
    assert testapp.get(path, headers=other_auth, status=404).json["error"].replace(code["id"], "ZZZZZZZZ") \
        == missing["error"]
    testapp.get(f"{path}/image", headers=other_auth, status=404)
    testapp.put_json(path, {"destination": "https://evil.example/"}, headers=other_auth, status=404)
    assert testapp.get("/api/qr/codes", headers=other_auth).json["pagination"]["total"] == 0
    assert testapp.get(path, headers=auth).json == code
