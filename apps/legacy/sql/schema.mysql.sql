-- The legacy order system's schema, MySQL/MariaDB dialect (the real-engines topology).
-- Django never migrates these tables: apps/legacy/models.py maps them with managed = False.
CREATE TABLE IF NOT EXISTS customers (
    cust_no      INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    cust_nm      VARCHAR(100) NOT NULL,
    email_addr   VARCHAR(254) NULL,
    city_nm      VARCHAR(60) NULL,
    cntry_cd     CHAR(2) NOT NULL DEFAULT 'US',
    crt_dt       DATETIME NOT NULL,
    KEY ix_customers_cust_nm (cust_nm)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE IF NOT EXISTS orders (
    ord_no       INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    cust_no      INT NOT NULL,
    ord_dt       DATE NOT NULL,
    tot_amt      DECIMAL(10, 2) NOT NULL,
    stat_cd      CHAR(1) NOT NULL DEFAULT 'O' COMMENT 'O open, S shipped, C cancelled',
    KEY ix_orders_cust_no (cust_no),
    CONSTRAINT fk_orders_customers FOREIGN KEY (cust_no) REFERENCES customers (cust_no)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
