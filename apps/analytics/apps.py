from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "apps.analytics"
    label = "analytics"

    def ready(self):
        from datetime import timedelta

        from django.conf import settings
        from django.contrib.auth import get_user_model

        import manydb
        from apps.analytics.models import Event
        from apps.analytics.services import EVENT_TOPIC, events_deliver

        # Events are spread over the analytics shards by user (see Event.shard_key).
        manydb.shard_by(Event, key=lambda event: event.shard_key)
        # Events reach analytics through the outbox (see services.py).
        manydb.outbox_register(EVENT_TOPIC, events_deliver)
        # Events outlive accounts, but not as someone's: an event of an
        # account that no longer exists is anonymised by the audit
        # (audit_references --fix). Deleting an account never waits for
        # analytics, which may be down.
        manydb.declare_soft(Event, "user_id", to=get_user_model(), on_dangling=manydb.SET_NULL)
        # Monthly partitions on PostgreSQL, kept three months ahead; months
        # past the retention are dropped whole (manage.py dbmaint cleanup).
        manydb.partitions_register(Event, column="occurred_at", months_ahead=3)
        manydb.retention_register(
            "analytics events",
            model=Event,
            field="occurred_at",
            keep=lambda: timedelta(days=settings.ANALYTICS_RETENTION_DAYS),
        )
