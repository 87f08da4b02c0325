"""The vendored vega, vega-lite and vega-embed builds: exactly the files of the manifest (a modified
file fails), the versions Altair's specs need, shipped with the package, and the one bundle the
build writes from them (once, until the manifest changes)."""

from __future__ import annotations

import fnmatch
import hashlib
import json
import os
import re
import shutil
import tomllib
from pathlib import Path

import altair
from conftest import ROOT

from observatory.site.charts import events
from observatory.site.charts.events import VENDOR, vendored_files, write_vega_bundle

ORDER = ["vega", "vega-lite", "vega-embed"]  # vega-lite needs vega, vega-embed needs both


def mismatches(folder: Path) -> list[str]:
    """Files of the folder that differ from its manifest, are missing, or are not listed in it."""
    packages = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))["packages"]
    listed = {name: digest for package in packages for name, digest in package["files"].items()}
    wrong = [name for name, digest in listed.items()
             if not (folder / name).is_file()
             or hashlib.sha256((folder / name).read_bytes()).hexdigest() != digest]
    extra = {p.name for p in folder.iterdir()} - set(listed) - {"manifest.json", "README.md"}
    return sorted(wrong) + sorted(extra)


def test_the_committed_files_are_exactly_those_of_the_manifest() -> None:
    assert mismatches(VENDOR) == []
    assert [p["name"] for p in vendored_files()] == ORDER


def test_a_modified_missing_or_unlisted_file_is_caught(tmp_path: Path) -> None:
    copy = tmp_path / "vega"
    shutil.copytree(VENDOR, copy)
    build = copy / "vega-lite.min.js"
    build.write_bytes(build.read_bytes().replace(b'"6.', b'"7.', 1))
    (copy / "LICENSE-vega").unlink()
    (copy / "extra.js").write_text("window.vegaEmbed = null;")
    assert mismatches(copy) == ["LICENSE-vega", "vega-lite.min.js", "extra.js"]


def test_vega_lite_is_the_version_of_altairs_schema_and_each_build_says_its_version() -> None:
    versions = {p["name"]: p["version"] for p in vendored_files()}
    assert versions["vega-lite"] == altair.SCHEMA_VERSION.lstrip("v")
    assert f'version="{versions["vega"]}"' in (VENDOR / "vega.min.js").read_text(encoding="utf-8")
    assert f'var n="{versions["vega-lite"]}"' in (VENDOR / "vega-lite.min.js").read_text(encoding="utf-8")
    # vega-embed's UMD build takes vega and vega-lite from the page's globals and sets vegaEmbed.
    embed = (VENDOR / "vega-embed.min.js").read_text(encoding="utf-8")
    assert ".vegaEmbed=t(e.vega,e.vegaLite)" in embed


def test_the_readme_gives_each_version_tarball_and_integrity() -> None:
    readme = (VENDOR / "README.md").read_text(encoding="utf-8")
    for package in vendored_files():
        assert re.fullmatch(r"sha512-[A-Za-z0-9+/]{86}==", package["integrity"])
        assert package["tarball"] == (f"https://registry.npmjs.org/{package['name']}/-/"
                                      f"{package['name']}-{package['version']}.tgz")
        name, version = package["name"], package["version"]
        assert f"| {name} | {version} | {package['tarball']} | `{package['integrity']}` |" in readme
        assert f"LICENSE-{package['name']}" in readme


def test_the_vendored_files_ship_with_the_package() -> None:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = data["tool"]["setuptools"]["package-data"]["observatory.site"]
    site = ROOT / "observatory" / "site"
    for path in VENDOR.iterdir():
        relative = path.relative_to(site).as_posix()
        assert any(fnmatch.fnmatch(relative, pattern) for pattern in patterns), relative


def test_the_bundle_holds_the_licences_then_the_builds_in_order(tmp_path: Path) -> None:
    out = tmp_path / "vega-bundle.js"
    write_vega_bundle(out)
    text = out.read_text(encoding="utf-8")
    names = ", ".join(f"{p['name']} {p['version']}" for p in vendored_files())  # vega 6.2.0, ...
    assert re.fullmatch(re.escape(f"/* {names} (") + r"[0-9a-f]{16}\) \*/", text.splitlines()[0])
    assert text.count("University of Washington Interactive Data Lab") == 3
    starts = [text.index((VENDOR / f"{name}.min.js").read_text(encoding="utf-8")[:2000]) for name in ORDER]
    assert starts == sorted(starts)
    assert "sourceMappingURL" not in text  # the maps are not shipped: no request for them
    comment_end = text.index("*/\n", text.index("/*\n"))
    assert text.index("!function") > comment_end


def test_the_bundle_is_written_once_until_the_manifest_changes(tmp_path: Path, monkeypatch) -> None:
    out = tmp_path / "vega-bundle.js"
    write_vega_bundle(out)
    os.utime(out, (0, 0))
    write_vega_bundle(out)
    assert out.stat().st_mtime == 0  # same manifest: left alone, not even read past its first line

    packages = vendored_files()
    packages[2] = {**packages[2], "version": "99.0.0"}
    monkeypatch.setattr(events, "vendored_files", lambda: packages)
    write_vega_bundle(out)
    assert out.stat().st_mtime > 0
    assert "vega-embed 99.0.0 (" in out.read_text(encoding="utf-8").splitlines()[0]


def test_charts_js_loads_the_bundle_as_a_classic_script_of_the_site() -> None:
    script = (ROOT / "docs" / "assets" / "charts.js").read_text(encoding="utf-8")
    assert 'new URL("generated/vega-bundle.js"' in script
    assert "import(" not in script  # a classic script: it sets window.vegaEmbed
    assert not re.search(r"https?://", script)
