# sqlite in WAL mode (tests/e2e/dynamic.cmake): a shared writable mapping
# of the -shm file and fcntl record locks, two connections in one process.
import sqlite3, os
db = sqlite3.connect("t.db")
print(db.execute("pragma journal_mode=wal").fetchone())
db.execute("create table t(a integer, b text)")
with db:
    db.executemany("insert into t values(?,?)", [(i, "x%d" % i) for i in range(2000)])
db2 = sqlite3.connect("t.db")
print(db2.execute("select count(*), sum(a) from t").fetchone())
with db2:
    db2.execute("update t set b='y' where a % 3 = 0")
print(db.execute("select count(*) from t where b='y'").fetchone())
print(db.execute("pragma wal_checkpoint(full)").fetchone())
db.close(); db2.close()
print(sorted(f for f in os.listdir(".") if f.startswith("t.db")))
