pragma journal_mode=wal;
create table t(a);
insert into t values(1),(2),(3);
