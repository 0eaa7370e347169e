"""POST /auth/token: exchange username and password for a bearer token."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint

from api.auth import issue_token
from api.schemas import TokenRequestSchema, TokenSchema

blp = Blueprint("auth", __name__, url_prefix="/api/v1/auth", description="Authentication")


@blp.route("/token", methods=["POST"])
@blp.arguments(TokenRequestSchema)
@blp.response(200, TokenSchema)
@blp.alt_response(401, description="wrong username or password")
def token(body: dict[str, Any]) -> dict[str, Any]:
    """Log in: returns a bearer token for the other endpoints."""
    token, user = issue_token(body["username"], body["password"])
    return {"token": token, "user": user}
