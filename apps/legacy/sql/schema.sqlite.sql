-- The legacy order system's schema, SQLite dialect (the embedded topology).
-- Django never migrates these tables: apps/legacy/models.py maps them with managed = False.
CREATE TABLE IF NOT EXISTS customers (
    cust_no      INTEGER PRIMARY KEY AUTOINCREMENT,
    cust_nm      VARCHAR(100) NOT NULL,
    email_addr   VARCHAR(254),
    city_nm      VARCHAR(60),
    cntry_cd     CHAR(2) NOT NULL DEFAULT 'US',
    crt_dt       DATETIME NOT NULL
);
CREATE INDEX IF NOT EXISTS ix_customers_cust_nm ON customers (cust_nm);

CREATE TABLE IF NOT EXISTS orders (
    ord_no       INTEGER PRIMARY KEY AUTOINCREMENT,
    cust_no      INTEGER NOT NULL REFERENCES customers (cust_no),
    ord_dt       DATE NOT NULL,
    tot_amt      DECIMAL(10, 2) NOT NULL,
    stat_cd      CHAR(1) NOT NULL DEFAULT 'O'  -- O open, S shipped, C cancelled
);
CREATE INDEX IF NOT EXISTS ix_orders_cust_no ON orders (cust_no);
