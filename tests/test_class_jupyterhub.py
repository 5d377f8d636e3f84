"""What docs/jupyterhub.md tells an IT team, checked as far as it can be without a hub."""

from __future__ import annotations

import ast
import re
import textwrap
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import yaml

from workbook.faces.session import current_session

ROOT = Path(__file__).resolve().parents[1]
DOC = (ROOT / "docs" / "jupyterhub.md").read_text(encoding="utf-8")
VARIABLES = {"WORKBOOK_MODE", "WORKBOOK_RATER", "WORKBOOK_CASE", "WORKBOOK_SCORES_DIR", "WORKBOOK_ACH_DIR",
             "WORKBOOK_ANSWERS_DIR"}


def blocks(language: str) -> list[str]:
    return [textwrap.dedent(b) for b in re.findall(rf"```{language}\n(.*?)```", DOC, flags=re.S)]


def test_the_nbgitpuller_link_is_well_formed_and_opens_a_file_of_the_repository():
    links = re.findall(r"https://hub\.example\.org/hub/user-redirect/git-pull\?\S+", DOC)
    assert len(links) == 1
    url = urlparse(links[0])
    assert (url.scheme, url.netloc, url.path) == ("https", "hub.example.org", "/hub/user-redirect/git-pull")
    query = parse_qs(url.query, strict_parsing=True)
    assert sorted(query) == ["branch", "repo", "urlpath"] and all(len(v) == 1 for v in query.values())
    repo = urlparse(query["repo"][0])
    assert (repo.scheme, repo.netloc, repo.path) == ("https", "github.com", "/YOUR-ORG/source-criticism-workbook")
    assert query["branch"] == ["main"]
    urlpath = query["urlpath"][0]
    assert urlpath == "lab/tree/source-criticism-workbook/notebooks/00-start-here.ipynb"
    folder = repo.path.rsplit("/", 1)[1]
    assert urlpath.startswith(f"lab/tree/{folder}/")  # nbgitpuller clones into the repository's name
    assert (ROOT / urlpath.split(f"lab/tree/{folder}/", 1)[1]).is_file()
    # the app's link (Voilà) names a file of the repository too
    app = re.search(r"urlpath=(voila%2Frender%2F\S+?)`", DOC).group(1).replace("%2F", "/")
    assert (ROOT / app.split(f"voila/render/{folder}/", 1)[1]).is_file()


def test_the_tljh_configuration_sets_the_sessions_variables():
    python = [b for b in blocks("python") if "c.Spawner.environment" in b]
    assert len(python) == 1
    tree = ast.parse(python[0])  # it is valid Python
    class Config:
        class Spawner:
            environment: dict = {}

    exec(compile(tree, "workbook.py", "exec"), {"c": Config})  # noqa: S102 - our own documentation
    env = Config.Spawner.environment
    assert set(env) == VARIABLES
    user = type("User", (), {"name": "ana"})()
    spawner = type("Spawner", (), {"user": user})()
    resolved = {k: (v(spawner) if callable(v) else v) for k, v in env.items()}
    session = current_session(resolved)
    assert (session.mode, session.rater) == ("class", "ana")
    assert session.scores_dir == Path("/srv/classes/10b/scores")
    assert session.case == Path("/home/jupyter-ana/source-criticism-workbook/data/moscow-trials")


def test_the_z2jh_configuration_parses_and_sets_the_same_variables():
    configs = [yaml.safe_load(b) for b in blocks("yaml")]
    assert len(configs) == 1
    single = configs[0]["singleuser"]
    assert set(single["extraEnv"]) == VARIABLES
    mount = single["storage"]["extraVolumeMounts"][0]["mountPath"]
    assert single["extraEnv"]["WORKBOOK_SCORES_DIR"].startswith(mount + "/")


def test_the_class_folder_commands_make_the_layout_the_class_server_uses():
    shell = "\n".join(blocks("bash"))
    for sub in ("scores", "ach", "answers"):
        assert f"/srv/classes/10b/{sub}" in shell
    assert "chmod 1777" in shell
