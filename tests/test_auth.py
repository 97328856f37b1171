"""Sign-in, lock-out after repeated failures, sign-out, the landing page and the site layout."""

import json

import pytest
from django.urls import reverse

from tests.html import page

pytestmark = pytest.mark.django_db

LOGIN_URL = reverse("login")
LOCKED_MESSAGE = "this account is locked from this address for 15 minutes"


def sign_in(client, username: str, password: str):
    return client.post(
        LOGIN_URL, {"username": username, "password": password}, HTTP_ACCEPT_LANGUAGE="en"
    )


def is_signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_login_page_renders_a_form(client):
    response = client.get(LOGIN_URL, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    form = page(response).within("main form")
    assert form.field("username")["type"] == "text"
    assert form.field("password")["type"] == "password"


def test_correct_password_signs_in_and_lands_home(client, alice, password):
    response = sign_in(client, "alice", password)
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert is_signed_in(client)


def test_a_signed_in_user_is_sent_on_from_the_login_page(client_for, alice):
    response = client_for(alice).get(LOGIN_URL)
    assert response.status_code == 302


def test_a_wrong_password_is_an_ordinary_form_error(client, alice):
    response = sign_in(client, "alice", "wrong")
    assert response.status_code == 200
    error = page(response).text("form .alert-danger")
    assert "Please enter a correct username and password" in error
    assert not is_signed_in(client)


def test_five_failures_lock_the_account_even_for_the_right_password(client, alice, password):
    """GIVEN four failures shown as form errors WHEN the fifth fails THEN the account is locked,
    and the sixth attempt, with the right password, gets the locked-out page too."""
    for _attempt in range(4):
        assert sign_in(client, "alice", "wrong").status_code == 200
    assert sign_in(client, "alice", "wrong").status_code == 429

    response = sign_in(client, "alice", password)

    assert response.status_code == 429
    assert LOCKED_MESSAGE in page(response).text(".portal-lockout-message")
    assert not is_signed_in(client)


def test_the_lock_out_message_follows_the_cool_off_setting(client, alice, settings):
    settings.AXES_COOLOFF_TIME = 0.5  # hours
    for _attempt in range(5):
        response = sign_in(client, "alice", "wrong")
    assert "locked from this address for 30 minutes" in page(response).text(
        ".portal-lockout-message"
    )


def test_a_success_before_the_limit_resets_the_count(client, alice, password):
    for _attempt in range(4):
        sign_in(client, "alice", "wrong")
    assert sign_in(client, "alice", password).status_code == 302
    client.post(reverse("logout"))

    for _attempt in range(4):
        assert sign_in(client, "alice", "wrong").status_code == 200
    assert sign_in(client, "alice", password).status_code == 302


def test_the_lock_is_per_username(client, alice, bob, password):
    for _attempt in range(5):
        sign_in(client, "alice", "wrong")
    assert sign_in(client, "bob", password).status_code == 302


def test_logout_is_a_post_and_ends_the_session(client_for, alice):
    client = client_for(alice)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert not is_signed_in(client)


def test_home_needs_a_sign_in(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN_URL)


def test_a_secretary_lands_on_their_to_do_list(client_for, tree, alice):
    response = client_for(alice).get(reverse("home"))
    assert response["Location"] == reverse("assessment:my_submissions")


def test_a_reviewer_lands_on_the_review_queue(client_for, carol):
    response = client_for(carol).get(reverse("home"))
    assert response["Location"] == reverse("assessment:queue")


def test_an_auditor_lands_on_the_dashboard(client_for, dave):
    response = client_for(dave).get(reverse("home"))
    assert response["Location"] == reverse("dashboards:home")


def test_an_administrator_lands_on_the_tree(client_for, erin):
    response = client_for(erin).get(reverse("home"))
    assert response["Location"] == reverse("organizations:tree")


def test_a_user_without_a_role_gets_a_friendly_page(client_for, frank):
    response = client_for(frank).get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    shown = page(response)
    assert shown.text("main h1") == "Your account has no role yet"
    assert shown.text("main p strong") == "frank"
    assert not shown.refers_to(reverse("organizations:tree"))


def test_the_page_language_defaults_to_simplified_chinese(client_for, alice):
    response = client_for(alice).get(reverse("organizations:tree"))
    assert page(response).attr("html", "lang") == "zh-hans"


def test_switching_to_english_makes_the_next_page_english(client_for, alice):
    client = client_for(alice)
    tree_url = reverse("organizations:tree")
    response = client.post(reverse("set_language"), {"language": "en", "next": tree_url})
    assert response.status_code == 302
    assert response["Location"] == tree_url

    shown = page(client.get(tree_url))

    assert shown.attr("html", "lang") == "en"
    assert shown.text(f'form[action="{reverse("logout")}"] button') == "Sign out"


def test_the_layout_loads_assets_from_the_portal_and_sends_csrf_with_htmx(client_for, alice):
    shown = page(client_for(alice).get(reverse("organizations:tree")))
    assert shown.has(
        'link[rel="stylesheet"][href="/static/vendor/bootstrap/css/bootstrap.min.css"]'
    )
    assert shown.has('script[src="/static/vendor/htmx/htmx.min.js"]')
    assert json.loads(shown.attr("body", "hx-headers"))["X-CSRFToken"]
    assert not shown.mentions("https://")


def test_the_navigation_offers_admin_only_to_staff_administrators(client_for, erin, alice):
    assert not page(client_for(alice).get(reverse("organizations:tree"))).mentions("/admin/")
    erin.is_staff = True
    erin.save()
    assert page(client_for(erin).get(reverse("organizations:tree"))).has('nav a[href="/admin/"]')


def test_the_navigation_shows_the_user_and_their_roles(client_for, carol):
    response = client_for(carol).get(reverse("organizations:tree"), HTTP_ACCEPT_LANGUAGE="en")
    user = page(response).within(".portal-user")
    assert user.text().startswith("carol")
    assert user.texts(".portal-roles .badge") == ["Reviewer"]
    assert "Administrator" not in page(response).text()
