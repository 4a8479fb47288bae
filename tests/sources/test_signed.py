"""A source that requires signatures: git's ssh signature check against an allowed-signers file."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

from tests.helpers.common import Result
from tests.helpers.gitrepos import sh
from tests.helpers.sources import make_team, shop_profile, write_profile

Cli = Callable[..., Result]


def ssh_key(folder: Path, name: str) -> Path:
    folder.mkdir(exist_ok=True)
    key = folder / name
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", str(key)], check=True)
    key.chmod(0o600)
    return key


def test_a_signed_source_refuses_unsigned_and_wrongly_signed_tags_and_accepts_signed_ones(
    cli: Cli, tmp_path: Path
) -> None:
    team = make_team(tmp_path)
    lead_key, stranger_key = ssh_key(tmp_path / "keys", "lead"), ssh_key(tmp_path / "keys", "stranger")
    signers = tmp_path / "allowed_signers"
    signers.write_text(f'dev@example.com namespaces="git" {(tmp_path / "keys" / "lead.pub").read_text()}')
    signing = tmp_path / "signing.gitconfig"  # the lead's git signs with ssh keys
    signing.write_text(f"[include]\n\tpath = {team.git['GIT_CONFIG_GLOBAL']}\n[gpg]\n\tformat = ssh\n")
    lead = {**team.lead, "GIT_CONFIG_GLOBAL": str(signing)}
    assert cli("source", "add", "team", team.url, env=lead).code == 0
    folder = tmp_path / "work" / "shop"

    def publish(version: str, key: Path | None) -> None:
        write_profile(folder, shop_profile(version, greeting=f"v{version}"))
        args = ["--sign"] if key else []
        env = {**lead, "GIT_CONFIG_COUNT": "1", "GIT_CONFIG_KEY_0": "user.signingkey", "GIT_CONFIG_VALUE_0": str(key)}
        done = cli("profile", "publish", str(folder), "--to", "team", *args, env=env if key else lead)
        assert done.code == 0, done.err

    publish("1.0.0", lead_key)
    publish("1.1.0", None)  # unsigned
    publish("1.2.0", stranger_key)  # signed, by a key that is not allowed
    tag = sh(team.git, "git", "--git-dir", str(team.bare), "cat-file", "-p", "shop/v1.0.0")
    assert "BEGIN SSH SIGNATURE" in tag

    hire = team.hire
    added = cli("source", "add", "team", team.url, "--allowed-signers", str(signers), env=hire)
    assert added.code == 0 and "(signed releases only)" in added.out
    assert "(signed)" in cli("source", "list", env=hire).out
    signed = cli("profile", "show", "team/shop@1.0.0", env=hire)
    assert signed.code == 0, signed.err
    assert "GREETING: v1.0.0" in signed.out
    for version in ("1.1.0", "1.2.0"):
        refused = cli("profile", "show", f"team/shop@{version}", env=hire)
        assert refused.code == 2, refused.out
        assert f"tag shop/v{version} of source 'team' is not signed by an allowed signer: refused" in refused.err
        assert "hint: the source requires signatures" in refused.err
    newest = cli("profile", "show", "team/shop", env=hire)  # the newest (1.2.0) is not trusted either
    assert newest.code == 2 and "shop/v1.2.0" in newest.err
    # the same source without the requirement reads every version
    assert cli("source", "add", "open", team.url, env=hire).code == 0
    assert cli("profile", "show", "open/shop@1.1.0", env=hire).code == 0
