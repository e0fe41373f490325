"""Production settings: deploy checks clean, secrets only from the environment, no debug tools."""

from tests.processes import environment_without_databases, run_python

EXAMPLE_ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "DJANGO_SECRET_KEY": "an-example-production-secret-that-is-long-and-random-0123456789abcdef",
    "DJANGO_ALLOWED_HOSTS": "blog.example.com",
    "DJANGO_CSRF_TRUSTED_ORIGINS": "https://blog.example.com",
}


def run(code_or_args: list[str], **env):
    return run_python(code_or_args, {**environment_without_databases(drop_prefixes=("DJANGO_",)), **env})


def test_check_deploy_is_clean_with_an_example_environment():
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **EXAMPLE_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in EXAMPLE_ENV.items() if k != "DJANGO_SECRET_KEY"}
    result = run(["manage.py", "check"], **env)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_debug_is_off_and_the_toolbar_exists_only_in_development():
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.DEBUG, 'debug_toolbar' in settings.INSTALLED_APPS, "
        "any('debug_toolbar' in m for m in settings.MIDDLEWARE))"
    )
    production = run(["-c", code], **EXAMPLE_ENV)
    assert production.stdout.split() == ["False", "False", "False"], production.stderr
    development = run(["-c", code], DJANGO_SETTINGS_MODULE="config.settings.dev")
    assert development.stdout.split() == ["True", "True", "True"], development.stderr
