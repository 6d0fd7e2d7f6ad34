"""Dense vector stores behind one small interface: in-process FAISS, or PostgreSQL + pgvector.

Vectors are L2-normalised float32 rows, scored by inner product (= cosine). Ids are row numbers in
add order, so the chunk store's unit rows stay the join key whatever the backend. Search returns
(scores, ids) shaped (nq, k) and padded like FAISS: id -1 with score -FLT_MAX. Nothing is pickled:
FAISS writes dense.faiss with faiss.write_index; pgvector keeps its rows in the database and the
folder holds only store.json (never the DSN, which may carry a password).
"""
from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal, Protocol

import numpy as np

from .errors import BadInput, IndexCorrupt

STORE_SCHEMA = 1
PAD_SCORE = float(np.finfo(np.float32).min)      # what FAISS reports for an empty slot with METRIC_INNER_PRODUCT


@dataclass(frozen=True, slots=True)
class IndexSpec:
    """One dense index configuration: its kind plus the build and search parameters that apply to it."""

    kind: Literal["flat", "hnsw", "ivf"]
    m: int = 0                       # HNSW: links per node
    ef_construction: int = 0         # HNSW: candidate list while building
    ef_search: int = 0               # HNSW: candidate list while searching (recall/latency knob)
    nlist: int = 0                   # IVF: number of k-means lists
    nprobe: int = 0                  # IVF: lists scanned per query (recall/latency knob)
    codec: Literal["flat", "sq8"] = "flat"   # IVF storage: float32, or 8-bit scalar (4x smaller)

    def __post_init__(self) -> None:
        ok = {"flat": True, "hnsw": self.m > 0 and self.ef_search > 0 and self.ef_construction > 0,
              "ivf": 0 < self.nprobe <= self.nlist}
        if self.kind not in ok or not ok[self.kind]:
            raise BadInput(f"index spec {self} is incomplete — kind must be one of {sorted(ok)} with its parameters")

    def describe(self) -> str:
        if self.kind == "hnsw":
            return f"HNSW M={self.m} efC={self.ef_construction} efSearch={self.ef_search}"
        if self.kind == "ivf":
            return f"IVF{self.nlist},{'SQ8' if self.codec == 'sq8' else 'Flat'} nprobe={self.nprobe}"
        return "Flat (exact)"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "IndexSpec":
        return cls(**{f: d[f] for f in cls.__dataclass_fields__ if f in d})


# Thresholds measured by bench/scale.py (bench/reference/scale.json + .md; 2 cores, synthetic MiniLM-like
# data calibrated on the real corpus, 500 queries; README "Scale and the path past one machine").
# Target: recall@10 >= 0.95 at the lowest single-query latency.
FLAT_MAX = 50_000            # exact Flat p50 7.1 ms at 30k, 21.5 ms at 100k (one query, 2 cores): below ~50k it
                             # costs about what encoding the query does, stays exact, builds in 0 s, needs no tuning
HNSW_M, HNSW_EF_CONSTRUCTION = 32, 64
HNSW_EF_SMALL_MAX = 100_000  # 1e5: efSearch 64 -> recall 0.958 at p50 0.67 ms (measured; 128 -> 0.986)
HNSW_EF_SMALL, HNSW_EF_LARGE = 64, 2048
                             # 1e6: recall falls with size at a fixed budget: efSearch 128 -> 0.765,
                             # 1024 -> 0.942, 2048 -> 0.972 at p50 22 ms (Flat: 228 ms). Between 1e5 and 1e6 the
                             # large budget is the safe side (unmeasured sizes get the budget of the larger one)
HNSW_MAX = 4_000_000         # 1e6 HNSW32 = 1.7 GB index, build 575 s on 2 cores; 4e6 ≈ 7 GB plus the vectors.npy
                             # copy the build keeps: past this the 24 GB machine is the limit. Past 1e6 unmeasured.
IVF_NPROBE_FRACTION = 0.5    # IVF,SQ8 at 1e6: nlist 4000, nprobe 2048 -> recall 0.981 at p50 50 ms (nprobe 1024:
                             # 0.938); 1 byte a dimension: 1e7 vectors = 3.9 GB. Past 4e6 unmeasured: re-run
                             # bench/scale.py at the target size before trusting it. Past ~3e7, leave one machine.


def choose_index(n: int) -> IndexSpec:
    """The measured default index for n stored vectors (see the thresholds above)."""
    if n < 0:
        raise BadInput(f"vector count must be >= 0, got {n}")
    if n <= FLAT_MAX:
        return IndexSpec("flat")
    if n <= HNSW_MAX:
        ef = HNSW_EF_SMALL if n <= HNSW_EF_SMALL_MAX else HNSW_EF_LARGE
        return IndexSpec("hnsw", m=HNSW_M, ef_construction=HNSW_EF_CONSTRUCTION, ef_search=ef)
    nlist = ivf_nlist(n)
    return IndexSpec("ivf", nlist=nlist, nprobe=max(1, round(nlist * IVF_NPROBE_FRACTION)), codec="sq8")


def ivf_nlist(n: int) -> int:
    """FAISS guideline K = 4*sqrt(N) lists (anchors.md §4.4), rounded to a multiple of 8."""
    return max(8, int(round(4 * math.sqrt(n) / 8)) * 8)


def make_faiss_index(spec: IndexSpec, dim: int):
    """An empty FAISS index for the spec (IVF still needs train()), with its search parameters set."""
    import faiss

    ip = faiss.METRIC_INNER_PRODUCT
    if spec.kind == "flat":
        return faiss.IndexFlatIP(dim)
    if spec.kind == "hnsw":
        index = faiss.IndexHNSWFlat(dim, spec.m, ip)
        index.hnsw.efConstruction = spec.ef_construction
    elif spec.codec == "sq8":
        index = faiss.IndexIVFScalarQuantizer(faiss.IndexFlatIP(dim), dim, spec.nlist,
                                              faiss.ScalarQuantizer.QT_8bit, ip)
    else:
        index = faiss.IndexIVFFlat(faiss.IndexFlatIP(dim), dim, spec.nlist, ip)
    set_search_params(index, spec)
    return index


def set_search_params(index, spec: IndexSpec) -> None:
    if spec.kind == "hnsw":
        index.hnsw.efSearch = spec.ef_search
    elif spec.kind == "ivf":
        index.nprobe = spec.nprobe


class VectorStore(Protocol):
    """What retrieval needs from a dense index; FAISS's own (scores, ids) conventions."""

    @property
    def ntotal(self) -> int: ...

    @property
    def dim(self) -> int: ...

    def add(self, vectors: np.ndarray) -> None: ...

    def search(self, qvecs: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]: ...

    def save(self, folder: Path) -> None: ...


def as_rows(vectors: np.ndarray, dim: int) -> np.ndarray:
    x = np.ascontiguousarray(np.atleast_2d(vectors), dtype=np.float32)
    if x.ndim != 2 or x.shape[1] != dim:
        raise BadInput(f"vectors must be (n, {dim}), got {np.shape(vectors)}")
    return x


def write_meta(folder: Path, backend: str, spec: IndexSpec, ntotal: int, dim: int, **extra: Any) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    meta = {"schema": STORE_SCHEMA, "backend": backend, "spec": spec.to_dict(), "ntotal": ntotal, "dim": dim, **extra}
    (folder / "store.json").write_text(json.dumps(meta, indent=1), encoding="utf-8")


def read_meta(folder: Path, backend: str) -> dict[str, Any]:
    path = Path(folder) / "store.json"
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise IndexCorrupt(f"{path} is missing or unreadable ({exc}) — run: netlm-rag build") from exc
    if meta.get("schema") != STORE_SCHEMA or meta.get("backend") != backend:
        raise IndexCorrupt(f"{path} holds a {meta.get('backend')!r} store (schema {meta.get('schema')}), "
                           f"not {backend!r} (schema {STORE_SCHEMA}) — run: netlm-rag build")
    return meta


class FaissStore:
    """In-process FAISS index built from an IndexSpec; `.index` is the raw FAISS object."""

    def __init__(self, index, spec: IndexSpec):
        self.index, self.spec = index, spec

    @classmethod
    def create(cls, dim: int, spec: IndexSpec) -> "FaissStore":
        return cls(make_faiss_index(spec, dim), spec)

    @classmethod
    def for_size(cls, n: int, dim: int) -> "FaissStore":
        return cls.create(dim, choose_index(n))

    @property
    def ntotal(self) -> int:
        return int(self.index.ntotal)

    @property
    def dim(self) -> int:
        return int(self.index.d)

    def add(self, vectors: np.ndarray) -> None:
        x = as_rows(vectors, self.dim)
        if not self.index.is_trained:          # IVF: k-means on the first batch (FAISS wants >= 39 per list)
            if len(x) < self.spec.nlist:
                raise BadInput(f"IVF with {self.spec.nlist} lists needs at least that many vectors to train, "
                               f"got {len(x)} — use choose_index(n)")
            self.index.train(x)
        self.index.add(x)

    def search(self, qvecs: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        if k < 1:
            raise BadInput(f"k must be >= 1, got {k}")
        return self.index.search(as_rows(qvecs, self.dim), k)

    def save(self, folder: Path) -> None:
        import faiss

        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        faiss.write_index(self.index, str(folder / "dense.faiss"))
        write_meta(folder, "faiss", self.spec, self.ntotal, self.dim, faiss=faiss.__version__)

    @classmethod
    def load(cls, folder: Path) -> "FaissStore":
        import faiss

        meta = read_meta(Path(folder), "faiss")
        try:
            index = faiss.read_index(str(Path(folder) / "dense.faiss"))
        except RuntimeError as exc:
            raise IndexCorrupt(f"{folder}/dense.faiss cannot be read ({exc}) — run: netlm-rag build") from exc
        if index.ntotal != meta["ntotal"] or index.d != meta["dim"]:
            raise IndexCorrupt(f"{folder}/dense.faiss has {index.ntotal}×{index.d}, store.json says "
                               f"{meta['ntotal']}×{meta['dim']} — run: netlm-rag build")
        spec = IndexSpec.from_dict(meta["spec"])
        set_search_params(index, spec)
        return cls(index, spec)


class PgVectorStore:
    """PostgreSQL + pgvector: table (id bigint primary key, embedding vector(dim)), searched with <#>.

    spec "flat" keeps no index (exact sequential scan); "hnsw" and "ivf" build pgvector's HNSW or IVFFlat
    index (vector_ip_ops) after the first bulk add: HNSW builds faster in bulk and IVFFlat trains its lists
    on the rows present. One writer at a time: ids continue from max(id) + 1.
    """

    def __init__(self, dsn: str, table: str, dim: int = 384,
                 spec: IndexSpec = IndexSpec("hnsw", m=16, ef_construction=64, ef_search=64), replace: bool = False):
        from psycopg import sql

        if spec.kind == "ivf" and spec.codec != "flat":
            raise BadInput(f"pgvector has no {spec.codec} IVF codec — use codec='flat' (or halfvec columns)")
        self.conn = connect(dsn)
        self.table_name, self.spec, self._dim = table, spec, dim
        self.table = sql.Identifier(*table.split("."))
        self.index_name = sql.Identifier(table.split(".")[-1] + "_ann")
        if replace:                                  # a rebuild under the same build id starts from empty
            self.conn.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(self.table))
        if self.conn.execute("SELECT 1 FROM pg_extension WHERE extname = 'vector'").fetchone() is None:
            raise BadInput("the database has no pgvector — run as its owner: CREATE EXTENSION vector")
        self.conn.execute(sql.SQL("CREATE TABLE IF NOT EXISTS {} (id bigint PRIMARY KEY, embedding vector({}) NOT NULL)")
                          .format(self.table, sql.Literal(dim)))
        found = self.conn.execute("SELECT format_type(atttypid, atttypmod) FROM pg_attribute "
                                  "WHERE attrelid = to_regclass(%s) AND attname = 'embedding'",
                                  (self.table.as_string(self.conn),)).fetchone()
        if found is None or found[0] != f"vector({dim})":
            raise BadInput(f"table {table} has embedding {found and found[0]}, not vector({dim}) — use another table")
        self._ntotal = int(self.conn.execute(sql.SQL("SELECT coalesce(max(id) + 1, 0) FROM {}")
                                             .format(self.table)).fetchone()[0])
        self._ef = 0

    @property
    def ntotal(self) -> int:
        return self._ntotal

    @property
    def dim(self) -> int:
        return self._dim

    def add(self, vectors: np.ndarray) -> None:
        from psycopg import sql

        x = as_rows(vectors, self.dim)
        if not len(x):
            return
        with self.conn.transaction(), self.conn.cursor() as cur:
            with cur.copy(sql.SQL("COPY {} (id, embedding) FROM STDIN WITH (FORMAT BINARY)").format(self.table)) as cp:
                cp.write(binary_copy(np.arange(self._ntotal, self._ntotal + len(x)), x))
        self._ntotal += len(x)
        self.create_index()

    def create_index(self) -> None:
        from psycopg import sql

        if self.spec.kind == "hnsw":
            method, opts = "hnsw", sql.SQL("m = {}, ef_construction = {}").format(
                sql.Literal(self.spec.m), sql.Literal(self.spec.ef_construction))
        elif self.spec.kind == "ivf":
            method, opts = "ivfflat", sql.SQL("lists = {}").format(sql.Literal(self.spec.nlist))
        else:
            return
        self.conn.execute(sql.SQL("CREATE INDEX IF NOT EXISTS {} ON {} USING {} (embedding vector_ip_ops) WITH ({})")
                          .format(self.index_name, self.table, sql.SQL(method), opts))

    def search(self, qvecs: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        from psycopg import sql

        if k < 1:
            raise BadInput(f"k must be >= 1, got {k}")
        q = as_rows(qvecs, self.dim)
        self.set_search_params(k)
        scores = np.full((len(q), k), PAD_SCORE, dtype=np.float32)
        ids = np.full((len(q), k), -1, dtype=np.int64)
        query = sql.SQL("SELECT id, embedding <#> %s::vector AS d FROM {} ORDER BY d LIMIT %s").format(self.table)
        with self.conn.cursor() as cur:
            for j, v in enumerate(q):
                rows = cur.execute(query, (vector_text(v), k)).fetchall()
                if rows:                                   # <#> is the NEGATIVE inner product (ascending = best)
                    ids[j, :len(rows)] = [r[0] for r in rows]
                    scores[j, :len(rows)] = [-r[1] for r in rows]
        return scores, ids

    def set_search_params(self, k: int) -> None:
        """HNSW returns at most ef_search rows, so widen it for large k (pgvector's cap is 1000)."""
        if self.spec.kind == "hnsw" and (ef := min(1000, max(self.spec.ef_search, k))) != self._ef:
            self.conn.execute(f"SET hnsw.ef_search = {ef:d}")
            self._ef = ef
        elif self.spec.kind == "ivf" and not self._ef:
            self.conn.execute(f"SET ivfflat.probes = {self.spec.nprobe:d}")
            self._ef = self.spec.nprobe

    def save(self, folder: Path) -> None:
        write_meta(Path(folder), "pgvector", self.spec, self.ntotal, self.dim, table=self.table_name)

    @classmethod
    def load(cls, folder: Path, dsn: str) -> "PgVectorStore":
        meta = read_meta(Path(folder), "pgvector")
        store = cls(dsn, meta["table"], meta["dim"], IndexSpec.from_dict(meta["spec"]))
        if store.ntotal != meta["ntotal"]:
            store.close()
            raise IndexCorrupt(f"table {meta['table']} holds {store.ntotal} vectors, store.json says "
                               f"{meta['ntotal']} — run: netlm-rag build")
        return store

    def close(self) -> None:
        self.conn.close()

    @staticmethod
    def drop(dsn: str, table: str) -> None:
        from psycopg import sql

        with connect(dsn) as conn:
            conn.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(sql.Identifier(*table.split("."))))


def connect(dsn: str):
    """An autocommit connection, or BadInput saying what is missing (the driver, the DSN, the server)."""
    try:
        import psycopg
    except ImportError as exc:
        raise BadInput("the pgvector backend needs psycopg 3 — pip install 'netlm-rag[pgvector]'") from exc
    if not dsn:
        raise BadInput("the pgvector backend needs a connection string — set NETLM_PG_DSN")
    try:
        return psycopg.connect(dsn, autocommit=True, connect_timeout=10)
    except psycopg.OperationalError as exc:
        raise BadInput(f"cannot connect to PostgreSQL ({str(exc).strip()}) — check NETLM_PG_DSN") from exc


def pg_spec(n: int) -> IndexSpec:
    """choose_index for pgvector: same thresholds; pgvector's IVF stores float32 lists (no SQ8)."""
    spec = choose_index(n)
    return IndexSpec.from_dict({**spec.to_dict(), "codec": "flat"}) if spec.kind == "ivf" else spec


def create_store(backend: str, n: int, dim: int, dsn: str = "", table: str = "") -> VectorStore:
    """An empty store for n vectors on the configured backend."""
    if backend == "faiss":
        return FaissStore.for_size(n, dim)
    if backend == "pgvector":
        return PgVectorStore(dsn, table, dim, pg_spec(n), replace=True)
    raise BadInput(f"unknown vector backend {backend!r} — use 'faiss' or 'pgvector' (NETLM_VECTOR_BACKEND)")


def open_store(folder: Path, dsn: str = "") -> VectorStore:
    """The store saved in folder, whichever backend wrote it (store.json says)."""
    path = Path(folder) / "store.json"
    try:
        backend = json.loads(path.read_text(encoding="utf-8")).get("backend")
    except (OSError, json.JSONDecodeError, AttributeError) as exc:
        raise IndexCorrupt(f"{path} is missing or unreadable ({exc}) — run: netlm-rag build") from exc
    if backend == "pgvector":
        return PgVectorStore.load(folder, dsn)
    return FaissStore.load(folder)


def drop_saved(folder: Path, dsn: str) -> None:
    """Free what a pruned build holds outside its folder (a pgvector table); FAISS lives in the folder."""
    try:
        meta = json.loads((Path(folder) / "store.json").read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return
    if meta.get("backend") == "pgvector" and dsn:
        PgVectorStore.drop(dsn, meta["table"])


def vector_text(v: np.ndarray) -> str:
    """pgvector's text form; 9 significant digits round-trip float32 exactly."""
    return "[" + ",".join(f"{x:.9g}" for x in v.tolist()) + "]"


def binary_copy(ids: np.ndarray, x: np.ndarray) -> bytes:
    """A whole COPY ... (FORMAT BINARY) stream: per row 2 fields, int8 id and pgvector's vector_send
    layout (int16 dim, int16 unused, float4[dim], all big-endian). Built in numpy: no per-float Python."""
    dim = x.shape[1]
    row = np.dtype([("nfields", ">i2"), ("id_len", ">i4"), ("id", ">i8"), ("vec_len", ">i4"),
                    ("dim", ">i2"), ("unused", ">i2"), ("v", ">f4", (dim,))])
    rows = np.zeros(len(x), dtype=row)
    rows["nfields"], rows["id_len"], rows["id"] = 2, 8, ids
    rows["vec_len"], rows["dim"], rows["v"] = 4 + 4 * dim, dim, x
    return b"PGCOPY\n\xff\r\n\x00" + b"\x00" * 8 + rows.tobytes() + b"\xff\xff"
