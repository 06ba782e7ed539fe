def test_login_page_is_japanese_by_default(client):
    response = client.get("/auth/login")
    assert response.status_code == 200
    assert "ログイン" in response.get_data(as_text=True)


def test_signed_in_user_sees_dashboard(client, login_as):
    login_as("viewer")
    response = client.get("/dashboard")
    assert response.status_code == 200
    assert "ようこそ" in response.get_data(as_text=True)
