"""Each plain DRF token (rest_framework.authtoken) becomes a named ApiToken with the same key, expiring 90 days
after the upgrade, so that nobody's scripts break on the day of it; the old rows are then removed so that one
key is not valid in two places."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

from django.db import migrations
from django.utils import timezone
from django.utils.crypto import salted_hmac

LEGACY_NAME = "Token from before named tokens"
LEGACY_DAYS = 90


def convert_legacy_tokens(apps: Any, schema_editor: Any) -> None:
    """Copy every authtoken.Token into security.ApiToken (the key's hash, the owner's password fingerprint,
    created when the old token was), then delete the old rows. Written against the historical models, so
    it repeats the key hash and fingerprint of security.models rather than importing them."""
    Token = apps.get_model("authtoken", "Token")
    ApiToken = apps.get_model("security", "ApiToken")
    expires = timezone.now() + timedelta(days=LEGACY_DAYS)
    for old in Token.objects.select_related("user"):
        ApiToken.objects.create(
            owner_id=old.user_id,
            name=LEGACY_NAME,
            prefix=old.key[:10],
            key_hash=hashlib.sha256(old.key.encode()).hexdigest(),
            password_fingerprint=salted_hmac(
                "security.ApiToken.password", old.user.password, algorithm="sha256"
            ).hexdigest(),
            created=old.created,
            expires_at=expires,
        )
    Token.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("security", "0001_initial"),
        ("authtoken", "0004_alter_tokenproxy_options"),
    ]

    operations = [migrations.RunPython(convert_legacy_tokens, migrations.RunPython.noop)]
