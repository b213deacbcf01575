"""Runs H1's core query (h1.sql) with native DuckDB on the portal sign-in CSVs and prints timing.

Usage: duckdb_h1.py INTERACTIVE.csv NONINTERACTIVE.csv [THREADS]
"""
import os
import sys
import time

import duckdb

interactive, noninteractive = sys.argv[1], sys.argv[2]
sql = open(os.path.join(os.path.dirname(__file__), "h1.sql")).read()
sql = sql.replace("{interactive}", interactive).replace("{noninteractive}", noninteractive)
con = duckdb.connect()
if len(sys.argv) > 3:
    con.execute(f"SET threads = {int(sys.argv[3])}")
size = os.path.getsize(interactive) + os.path.getsize(noninteractive)
start = time.perf_counter()
rows = con.execute(sql).fetchall()
elapsed = time.perf_counter() - start
threads = con.execute("SELECT current_setting('threads')").fetchone()[0]
print(f"duckdb {duckdb.__version__} native H1: {len(rows)} candidate rows, {size / 1e6:.1f} MB in {elapsed:.2f} s "
      f"= {size / 1e6 / elapsed:.0f} MB/s ({threads} threads)")
