"""Dashboard users, their roles and API tokens. Passwords are stored as bcrypt hashes."""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from tradewind.errors import AuthError, TradewindError
from tradewind.metastore.models import ApiToken, User, utcnow

#: Airflow's roles, weakest first: each may do everything the ones before it may.
ROLES: tuple[str, ...] = ("Viewer", "User", "Op", "Admin")


def role_allows(role: str, needed: str) -> bool:
    """True when ``role`` is at least ``needed`` (Viewer < User < Op < Admin)."""
    if role not in ROLES or needed not in ROLES:
        return False
    return ROLES.index(role) >= ROLES.index(needed)


def hash_password(password: str) -> str:
    import bcrypt

    return bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=12)).decode()


def verify_password(password: str, password_hash: str) -> bool:
    import bcrypt

    try:
        return bcrypt.checkpw(password.encode(), password_hash.encode())
    except ValueError:
        return False


def _check_role(role: str) -> str:
    for known in ROLES:
        if known.lower() == role.lower():
            return known
    raise TradewindError(f"unknown role {role!r}", hint=f"use one of {', '.join(ROLES)}")


def get_user(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise TradewindError(f"no user named {username!r}", hint="see `tradewind users list`")
    return user


def create_user(
    session: Session,
    username: str,
    *,
    email: str,
    role: str,
    password: str | None = None,
    first_name: str = "",
    last_name: str = "",
) -> tuple[User, str | None]:
    """Create a user; returns it and the generated password when none was given."""
    role = _check_role(role)
    if not username.strip():
        raise TradewindError("a username cannot be empty")
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise TradewindError(f"user {username!r} already exists")
    generated = None
    if password is None:
        generated = password = secrets.token_urlsafe(12)
    user = User(
        username=username,
        email=email,
        role=role,
        first_name=first_name,
        last_name=last_name,
        password_hash=hash_password(password),
    )
    session.add(user)
    session.flush()
    return user, generated


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.username)))


def delete_user(session: Session, username: str) -> None:
    user = get_user(session, username)
    session.execute(delete(ApiToken).where(ApiToken.user_id == user.id))
    session.delete(user)


def reset_password(session: Session, username: str, password: str | None = None) -> str:
    user = get_user(session, username)
    password = password or secrets.token_urlsafe(12)
    user.password_hash = hash_password(password)
    return password


def authenticate(session: Session, username: str, password: str) -> User:
    """The user with these credentials, or AuthError (the same message for both mistakes)."""
    user = session.scalar(select(User).where(User.username == username))
    if user is None or not user.active or not verify_password(password, user.password_hash):
        raise AuthError("invalid username or password")
    user.last_login = utcnow()
    return user


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_api_token(session: Session, username: str, name: str = "") -> str:
    """A new API token for the user; only its hash is stored, so it is shown once."""
    user = get_user(session, username)
    token = "tw_" + secrets.token_urlsafe(32)
    session.add(ApiToken(user_id=user.id, name=name, token_hash=_token_hash(token)))
    return token


def user_for_token(session: Session, token: str) -> User | None:
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == _token_hash(token)))
    if row is None:
        return None
    user = session.get(User, row.user_id)
    return user if user is not None and user.active else None


def ensure_admin(session: Session, username: str = "admin") -> str | None:
    """Create an Admin user when there is no user at all; returns its password then."""
    if session.scalar(select(func.count(User.id))):
        return None
    _, password = create_user(
        session, username, email="admin@localhost", role="Admin", first_name="Admin"
    )
    return password
