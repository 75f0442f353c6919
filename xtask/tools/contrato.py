"""Contract fuzzing of a running Afíliate server (issue 16, item 6), run by `cargo xtask faults contract`.

Runs schemathesis against the server's OpenAPI document with every phase (examples, coverage, fuzzing, stateful),
`-n` cases per operation and phase, checking that no answer is a 5xx and that every answer matches the document
(status code, content type, headers, body schema). Then reads schemathesis's event log and prints, per operation,
how many requests it sent and the status codes it got. Exits non-zero when schemathesis found a failure or any
answer was a 5xx.

    python contrato.py --url http://127.0.0.1:PORT --casos 500 --dir WORKDIR [--config schemathesis.toml]
"""

import argparse
import collections
import json
import pathlib
import subprocess
import sys

CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_headers_conformance",
        "response_schema_conformance",
    ]
)


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--url", required=True)
    p.add_argument("--casos", type=int, required=True)
    p.add_argument("--dir", required=True, type=pathlib.Path)
    p.add_argument("--config", type=pathlib.Path, help="a schemathesis.toml (per-operation headers, parameters)")
    a = p.parse_args()
    a.dir.mkdir(parents=True, exist_ok=True)
    eventos = a.dir / "schemathesis.ndjson"
    st = pathlib.Path(sys.executable).with_name("schemathesis")
    orden = [str(st)]
    if a.config:
        orden += ["--config-file", str(a.config)]
    orden += [
        "run",
        f"{a.url}/api/openapi.json",
        "-n",
        str(a.casos),
        "-c",
        CHECKS,
        "-w",
        "2",
        "--no-color",
        "--generation-database",
        "none",
        "--report",
        "ndjson",
        "--report-ndjson-path",
        str(eventos),
    ]
    r = subprocess.run(orden, cwd=a.dir, capture_output=True, text=True)
    salida = r.stdout + r.stderr
    (a.dir / "schemathesis.log").write_text(salida)

    por_op = collections.Counter()
    estados = collections.defaultdict(collections.Counter)
    cincos = 0
    for linea in eventos.read_text().splitlines():
        e = json.loads(linea)
        fin = e.get("ScenarioFinished")
        if not fin:
            continue
        rec = fin["recorder"]
        casos = rec.get("cases") or {}
        for clave, i in (rec.get("interactions") or {}).items():
            op = rec.get("label") or "?"
            # Stateful scenarios span operations: label each request by its own method and path template.
            valor = (casos.get(clave) or {}).get("value") or {}
            if fin.get("phase") == "stateful" and valor.get("path"):
                op = f"{valor.get('method', '?')} {valor['path']}"
            por_op[op] += 1
            res = i.get("response")
            s = res["status_code"] if res else 0
            estados[op][s] += 1
            cincos += s >= 500
    for op in sorted(por_op):
        cuenta = ", ".join(f"{k}: {v}" for k, v in sorted(estados[op].items()))
        print(f"contract: {op}: {por_op[op]} requests ({cuenta})")
    resumen = [l for l in salida.splitlines() if "generated," in l or "Seed:" in l]
    for l in resumen:
        print(f"contract: schemathesis: {l.strip()}")
    total = sum(por_op.values())
    print(f"contract: {total} requests over {len(por_op)} operations, {cincos} answered 5xx, schemathesis exit {r.returncode}")
    if r.returncode != 0 or cincos:
        print(salida[-6000:])
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
