"""OpenID Connect sign-in (`st.login`) against a local provider, in a real browser.

`oidc-provider-mock` runs an OpenID Connect provider on a thread; the workbench's server gets its
`[auth]` settings in `.streamlit/secrets.toml` of its working folder and a users file. Signing in
at the provider as an identity whose email is an account gives that account's role and a
session that a reload keeps; an identity without an account is refused.
"""

from __future__ import annotations

import shutil

import pytest
from ui_support import REPO, chromium, copy_store, free_port, require_browser, seeded_store_file, streamlit_server

from workbench.accounts import add_account
from workbench.review.store import ReviewStore

playwright_api = require_browser()
oidc_provider_mock = pytest.importorskip("oidc_provider_mock")


@pytest.fixture(scope="module")
def served(tiny_checkpoints, tmp_path_factory):
    folder = tmp_path_factory.mktemp("oidc")
    db = copy_store(seeded_store_file(tiny_checkpoints, tmp_path_factory), folder / "data" / "workbench.db")
    glossary = folder / "glossaries"
    shutil.copytree(REPO / "glossaries", glossary)
    users = folder / "users.json"
    add_account(users, "lan@example.org", "approver", "an unused password")
    port = free_port()
    with oidc_provider_mock.run_server_in_thread() as provider:
        (folder / ".streamlit").mkdir()
        (folder / ".streamlit" / "secrets.toml").write_text(
            "[auth]\n"
            f'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
            'cookie_secret = "a test secret of enough length for the cookie"\n'
            'client_id = "workbench"\nclient_secret = "workbench secret"\n'
            f'server_metadata_url = "http://127.0.0.1:{provider.server_port}/.well-known/openid-configuration"\n',
            encoding="utf-8")
        with streamlit_server(db, glossary, tiny_checkpoints, folder, {"WORKBENCH_USERS": str(users)},
                              port=port) as url:
            yield url, db


def sign_in_at_provider(tab, url: str, sub: str, email: str) -> None:
    tab.goto(f"{url}/review")
    tab.get_by_role("button", name="Sign in with your organisation's identity provider").click()
    tab.locator('input[name="sub"]').first.fill(sub)
    email_box = tab.locator('input[name="email"]')
    if email_box.count():
        email_box.fill(email)
    tab.get_by_role("button", name="Authorize").click()


def test_an_identity_with_an_account_signs_in_with_its_role_and_stays(served):
    url, db = served
    with chromium(playwright_api) as browser:
        tab = browser.new_context(viewport={"width": 1440, "height": 900}).new_page()
        tab.set_default_timeout(60_000)
        sign_in_at_provider(tab, url, "lan@example.org", "lan@example.org")
        tab.get_by_text("Signed in as").wait_for()
        assert "lan@example.org" in tab.locator('[data-testid="stSidebar"]').inner_text()
        assert "approver" in tab.locator('[data-testid="stSidebar"]').inner_text()
        tab.reload()
        tab.get_by_text("Signed in as").wait_for()
        with ReviewStore(db) as store:
            assert store.conn.execute("SELECT COUNT(*) FROM sign_in_sessions WHERE account = 'lan@example.org' "
                                      "AND ended_at IS NULL").fetchone()[0] >= 1

        stranger = browser.new_context().new_page()
        stranger.set_default_timeout(60_000)
        sign_in_at_provider(stranger, url, "mallory@example.org", "mallory@example.org")
        stranger.get_by_text("has no such account").wait_for()
        assert stranger.get_by_text("Signed in as").count() == 0
