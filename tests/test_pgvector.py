"""PgVectorStore on a throwaway PostgreSQL cluster: the FAISS contract of tests/test_vectorstore.py, plus
what only a database can get wrong (missing extension, a table of another dimension, rows changed behind
the saved store). Skipped, with the reason, where the server binaries, pgvector or psycopg are absent.
"""
from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path

import pytest

from netlm_rag.errors import BadInput, IndexCorrupt
from netlm_rag.vectorstore import IndexSpec, PgVectorStore
from test_vectorstore import (DIM, check_bad_input, check_empty, check_ids_continue_and_pad, check_roundtrip,
                              check_search, clustered, near)

pytestmark = pytest.mark.slow

SPECS = {
    "exact": IndexSpec("flat"),
    "hnsw": IndexSpec("hnsw", m=16, ef_construction=64, ef_search=64),
    "ivfflat": IndexSpec("ivf", nlist=16, nprobe=8),
}
INSTALL = "apt-get install postgresql-15 and pgvector for it (README: Scale and the path past one machine)"


def find_postgres() -> tuple[Path, Path] | None:
    """(bindir, sharedir) of the newest server: Debian's /usr/lib/postgresql/<v>, else pg_config on PATH."""
    debian = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: float(p.parents[1].name))
    if debian:
        version = debian[-1].parents[1].name
        return debian[-1].parent, Path("/usr/share/postgresql") / version
    pg_config = shutil.which("pg_config")
    if pg_config and shutil.which("initdb"):
        out = subprocess.run([pg_config, "--bindir", "--sharedir"], capture_output=True, text=True, check=True)
        bindir, sharedir = out.stdout.split()
        return Path(bindir), Path(sharedir)
    return None


def owner_prefix(root: Path) -> list[str]:
    """initdb refuses to run as root: there, the cluster belongs to the 'postgres' user."""
    if os.geteuid() != 0:
        return []
    try:
        user = pwd.getpwnam("postgres")
    except KeyError:
        pytest.skip("running as root and there is no 'postgres' user to own a throwaway cluster")
    if not shutil.which("runuser"):
        pytest.skip("running as root without runuser (util-linux) to start PostgreSQL as 'postgres'")
    os.chown(root, user.pw_uid, user.pw_gid)
    return ["runuser", "-u", "postgres", "--"]


@pytest.fixture(scope="session")
def pg_dsn():
    """A cluster in a temp dir, reachable only through a Unix socket there (no TCP port to collide on)."""
    psycopg = pytest.importorskip("psycopg", reason="psycopg 3 is not installed: pip install 'psycopg[binary]'")
    found = find_postgres()
    if found is None:
        pytest.skip(f"no PostgreSQL server binaries (initdb) — {INSTALL}")
    bindir, sharedir = found
    if not (sharedir / "extension" / "vector.control").is_file():
        pytest.skip(f"pgvector is not installed for {bindir.parent.name} ({sharedir}/extension/vector.control) — {INSTALL}")
    root = Path(tempfile.mkdtemp(prefix="netlm-pg-"))
    as_owner = owner_prefix(root)
    data, log = root / "data", root / "server.log"
    started = False
    try:
        subprocess.run([*as_owner, str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust",
                        "-E", "UTF8", "--no-sync"], check=True, capture_output=True)
        run = subprocess.run([*as_owner, str(bindir / "pg_ctl"), "-D", str(data), "-l", str(log), "-w", "-t", "60",
                              "-o", f"-c listen_addresses='' -k {root} -c fsync=off", "start"], capture_output=True)
        if run.returncode != 0:
            pytest.fail(f"pg_ctl start failed: {run.stderr.decode()} {log.read_text() if log.exists() else ''}")
        started = True
        dsn = f"host={root} port=5432 user=postgres dbname=postgres"
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute("CREATE EXTENSION IF NOT EXISTS vector")
        yield dsn
    finally:
        if started:
            subprocess.run([*as_owner, str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"],
                           capture_output=True)
        shutil.rmtree(root, ignore_errors=True)


def drop(dsn: str, table: str) -> None:
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'DROP TABLE IF EXISTS "{table}"')


@pytest.fixture(params=sorted(SPECS))
def pg_store(request, pg_dsn):
    table = f"t_{uuid.uuid4().hex[:12]}"
    store = PgVectorStore(pg_dsn, table, DIM, SPECS[request.param])
    yield store
    store.close()
    drop(pg_dsn, table)


def test_pg_contract_search(pg_store):
    check_search(pg_store, clustered())


def test_pg_contract_ids_and_padding(pg_store):
    check_ids_continue_and_pad(pg_store, clustered())


def test_pg_contract_roundtrip(pg_store, pg_dsn, tmp_path):
    check_roundtrip(pg_store, clustered(), lambda folder: PgVectorStore.load(folder, pg_dsn), tmp_path / "dense")
    assert "host=" not in (tmp_path / "dense" / "store.json").read_text(), "the DSN may hold a password"


def test_pg_contract_empty_and_bad_input(pg_store):
    check_empty(pg_store)
    check_bad_input(pg_store)


@pytest.mark.parametrize("kind", ["hnsw", "ivfflat"])
def test_pg_search_uses_the_ann_index(pg_dsn, kind):
    table = f"t_{uuid.uuid4().hex[:12]}"
    store = PgVectorStore(pg_dsn, table, DIM, SPECS[kind])
    try:
        store.add(clustered())
        from netlm_rag.vectorstore import vector_text

        plan = store.conn.execute(f'EXPLAIN SELECT id FROM "{table}" ORDER BY embedding <#> %s::vector LIMIT 10',
                                  (vector_text(near(clustered(), 1)[0]),)).fetchall()
        assert f"Index Scan using {table}_ann" in " ".join(r[0] for r in plan)
    finally:
        store.close()
        drop(pg_dsn, table)


def test_pg_requires_the_extension(pg_dsn):
    import psycopg

    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS noext")
        conn.execute("CREATE DATABASE noext")
    with pytest.raises(BadInput, match="CREATE EXTENSION vector"):
        PgVectorStore(pg_dsn.replace("dbname=postgres", "dbname=noext"), "t")


def test_pg_rejects_a_table_of_another_dimension(pg_dsn):
    table = f"t_{uuid.uuid4().hex[:12]}"
    PgVectorStore(pg_dsn, table, DIM, SPECS["exact"]).close()
    try:
        with pytest.raises(BadInput, match=f"vector\\({DIM}\\), not vector\\(128\\)"):
            PgVectorStore(pg_dsn, table, 128, SPECS["exact"])
    finally:
        drop(pg_dsn, table)


def test_pg_load_detects_rows_changed_behind_the_saved_store(pg_dsn, tmp_path):
    table = f"t_{uuid.uuid4().hex[:12]}"
    store = PgVectorStore(pg_dsn, table, DIM, SPECS["hnsw"])
    try:
        store.add(clustered(200))
        store.save(tmp_path)
        store.add(clustered(50, seed=5))
        with pytest.raises(IndexCorrupt, match="250 vectors, store.json says 200"):
            PgVectorStore.load(tmp_path, pg_dsn)
    finally:
        store.close()
        drop(pg_dsn, table)


# ---- the whole pipeline on pgvector ------------------------------------------------------------------

QUESTIONS = ("What Ki-67 threshold do the Milan criteria use for liver transplantation?",
             "How much of the tumour must be removed for debulking to help?",
             "Which patients should not have radioembolization?")


def tables(dsn: str) -> set[str]:
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as conn:
        return {r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE tablename LIKE 'netlm_dense_%'")}


def test_an_index_built_on_pgvector_answers_as_the_faiss_one_does(pg_dsn, built_index, assistant, embedder, tmp_path):
    """Same corpus, same model: exact search on both backends, so the same hits and the same cited answer."""
    from dataclasses import replace

    from netlm_rag.index import build_index, staleness
    from netlm_rag.corpus import load_corpus
    from netlm_rag.pipeline import Assistant
    from netlm_rag.store import load_build

    s = built_index.with_overrides(vectors={"backend": "pgvector", "pg_dsn": pg_dsn})
    s = replace(s, paths=replace(s.paths, index=tmp_path / "index"))
    report = build_index(s, lambda: embedder)
    build = load_build(s.paths.index, pg_dsn)
    assert build.manifest.dense == {"backend": "pgvector", "spec": IndexSpec("flat").to_dict()}
    assert f"netlm_dense_{report.build_id}" in tables(pg_dsn)
    assert not (build.path / "dense.faiss").exists(), "the vectors live in PostgreSQL"
    assert pg_dsn not in (build.path / "store.json").read_text()

    on_pg = Assistant.load(s, embedder=embedder)
    for q in QUESTIONS:
        a, b = assistant.ask(q).answer, on_pg.ask(q).answer
        assert [h.chunk.id for h in a.hits] == [h.chunk.id for h in b.hits], q
        assert a.text == b.text and a.citations == b.citations, q

    docs = load_corpus(s.paths.corpus)
    assert any("vector backend changed" in r for r in staleness(build.manifest, docs, built_index))
    with pytest.raises(BadInput, match="NETLM_PG_DSN"):
        load_build(s.paths.index, "")


def test_pruned_pgvector_builds_drop_their_tables(pg_dsn, corpus_copy, embedder, tmp_path):
    from dataclasses import replace

    from netlm_rag import corpus
    from netlm_rag.config import Settings
    from netlm_rag.index import build_index
    from netlm_rag.store import KEEP_BUILDS

    corpus.write_manifest(corpus_copy, [e for e in corpus.read_manifest(corpus_copy) if e["id"] == "cloyd-2020"])
    s = Settings().with_overrides(vectors={"backend": "pgvector", "pg_dsn": pg_dsn}, adapt={"enabled": False})
    s = replace(s, paths=replace(s.paths, corpus=corpus_copy, index=tmp_path / "index"))
    before = tables(pg_dsn)
    ids = []
    for i in range(KEEP_BUILDS + 2):                      # each edit makes a new build id
        entry = corpus.read_manifest(corpus_copy)[0]
        raw = (corpus_copy / "raw" / entry["source_file"]).read_bytes()
        corpus.add_document(corpus_copy, entry["source_file"], raw + f"\n\nAddendum {i}: resection.\n".encode(),
                            {"title": entry["title"], "year": entry["year"]}, replace_id=entry["id"])
        ids.append(build_index(s, lambda: embedder).build_id)
    live = tables(pg_dsn) - before
    assert live == {f"netlm_dense_{i}" for i in ids[-KEEP_BUILDS:]}, "older builds' tables are dropped with them"
