select sum(a) from t;
pragma integrity_check;
