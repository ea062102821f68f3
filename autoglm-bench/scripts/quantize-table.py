#!/usr/bin/env python3
"""Turns the JSON of QuantizeBenchmark (-rf json) into the Markdown ratio table of docs/benchmarks.md."""
import json
import sys

MB_PER_OP = 256 * 4096 * 4 / 1e6  # float input per operation, in MB (10^6 bytes)

rows = {}
for r in json.load(open(sys.argv[1])):
    bench = r["benchmark"].rsplit(".", 1)[1]
    t = r["params"]["type"]
    ms = r["primaryMetric"]["score"]
    err = r["primaryMetric"].get("scoreError", float("nan"))
    rows.setdefault(t, {})[bench] = (MB_PER_OP / (ms / 1000.0), ms, err)

order = ["F16", "BF16", "Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K"]
print("| type | Java quantize MB/s | native quantize MB/s | ratio (≥ 0.8) | Java 2 threads MB/s | 2T / native 1T (≥ 1.5) "
      "| Java dequantize MB/s | native dequantize MB/s | ratio (≥ 0.5) |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
for t in order:
    if t not in rows:
        continue
    b = rows[t]
    jq, nq, j2 = b["javaQuantize"][0], b["nativeQuantize"][0], b["javaQuantize2Threads"][0]
    jd, nd = b["javaDequantize"][0], b["nativeDequantize"][0]
    print(f"| {t} | {jq:,.0f} | {nq:,.0f} | {jq / nq:.2f} | {j2:,.0f} | {j2 / nq:.2f} | {jd:,.0f} | {nd:,.0f} | {jd / nd:.2f} |")
