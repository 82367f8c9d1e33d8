from django.core.management import call_command


def test_benchmark_builds_a_small_site(capsys):
    call_command("techdocs_benchmark", pages=3)
    assert "built 3 pages (3 index.html files) in" in capsys.readouterr().out
