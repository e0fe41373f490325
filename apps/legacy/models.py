"""An existing order system's tables, mapped as they are. Django never migrates them.

The schema ships in apps/legacy/sql/ (SQLite and MySQL dialects). Field names
are this project's; ``db_column`` keeps the old system's names.
"""

from django.db import models


class Customer(models.Model):
    id = models.AutoField(primary_key=True, db_column="cust_no")
    name = models.CharField(max_length=100, db_column="cust_nm")
    email = models.CharField(max_length=254, db_column="email_addr", null=True, blank=True)
    city = models.CharField(max_length=60, db_column="city_nm", null=True, blank=True)
    country_code = models.CharField(max_length=2, db_column="cntry_cd")
    created_at = models.DateTimeField(db_column="crt_dt")

    class Meta:
        managed = False
        db_table = "customers"
        ordering = ["name", "id"]

    def __str__(self):
        return self.name


class Order(models.Model):
    class Status(models.TextChoices):
        OPEN = "O", "Open"
        SHIPPED = "S", "Shipped"
        CANCELLED = "C", "Cancelled"

    number = models.AutoField(primary_key=True, db_column="ord_no")
    customer = models.ForeignKey(Customer, on_delete=models.DO_NOTHING, db_column="cust_no", related_name="orders")
    ordered_on = models.DateField(db_column="ord_dt")
    total = models.DecimalField(max_digits=10, decimal_places=2, db_column="tot_amt")
    status = models.CharField(max_length=1, choices=Status.choices, db_column="stat_cd")

    class Meta:
        managed = False
        db_table = "orders"
        ordering = ["-ordered_on", "-number"]

    def __str__(self):
        return f"Order {self.number}"
