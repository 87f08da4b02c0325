from pathlib import Path

from conftest import write
from observatory.validate import validate_paths


def test_minimal_file_is_valid(data_dir: Path) -> None:
    write(data_dir, "chu-exemple.yml", "name: CHU Exemple\nshort_name: CHU Exemple\n"
          "category: chu-chr\nregion: Bretagne\ncity: Rennes\nsources:\n- title: Une source\n"
          "  url: https://exemple.org/a\n")
    _, problems = validate_paths([data_dir / "establishments"], data_dir.parent)
    assert problems == []
