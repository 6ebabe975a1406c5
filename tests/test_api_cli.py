"""The command line's API keys: ``python -m data api-key create`` prints the key alone on standard
output, once; ``api-key revoke`` refuses it at once; refusals exit 2 with the message."""

from __future__ import annotations

from data import db
from data.__main__ import main
from data.writes import api_keys
from tests.support.world import World, build_world


def test_a_key_is_made_printed_once_and_revoked(capsys) -> None:
    world: World = build_world("cli-keys")
    slug = "alpha-cli-keys"
    assert main(["api-key", "create", "--tenant", slug, "--name", "Portal feed", "--role", "intake"]) == 0
    out, err = capsys.readouterr()
    key = out.strip()
    holder = api_keys.key_holder(key)
    assert holder is not None and (holder.tenant_id, holder.role) == (world.alpha, "intake")
    assert key not in err and holder.key_prefix in err and "only time" in err
    # The same name again is refused while the first key lives.
    assert main(["api-key", "create", "--tenant", slug, "--name", "portal FEED", "--role", "reader"]) == 2
    assert "name: A live key already has that name." in capsys.readouterr().err
    assert main(["api-key", "revoke", "--tenant", slug, "--prefix", holder.key_prefix]) == 0
    assert api_keys.key_holder(key) is None
    assert main(["api-key", "revoke", "--tenant", "beta-cli-keys", "--prefix", holder.key_prefix]) == 2
    assert "This tenant has no key with that prefix." in capsys.readouterr().err
    assert main(["api-key", "create", "--tenant", "no-such-tenant", "--name", "x", "--role", "intake"]) == 2
    assert "no tenant 'no-such-tenant'" in capsys.readouterr().err
    assert db.tenant_id_for(slug) == world.alpha
