"""``djatlas show / find / impact / path`` on a small tree: Collector semantics case by case
(RESTRICT lifted by a cascade, multi-table inheritance both ways, auto-created M2M rows,
GenericRelation, SET(...), DO_NOTHING, models outside the tree), lookup names and cardinality,
model arguments (label, class name, ambiguity) and usage errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from treeutil import write_tree

from djatlas.cli import main

TREE = {
    "settings.py": 'INSTALLED_APPS = ["music", "other"]\n',
    "music/__init__.py": "",
    "music/models.py": """
        from django.conf import settings
        from django.contrib.contenttypes.fields import GenericForeignKey, GenericRelation
        from django.contrib.contenttypes.models import ContentType
        from django.db import models


        def fallback():
            return 1


        class Note(models.Model):
            content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
            object_id = models.PositiveIntegerField()
            target = GenericForeignKey("content_type", "object_id")


        class Artist(models.Model):
            name = models.CharField(max_length=10)
            fans = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="idols")
            notes = GenericRelation(Note, related_query_name="artist")


        class Album(models.Model):
            artist = models.ForeignKey(Artist, on_delete=models.CASCADE, related_name="albums")


        class Song(models.Model):
            artist = models.ForeignKey(Artist, on_delete=models.CASCADE)
            album = models.ForeignKey(Album, on_delete=models.RESTRICT)


        class Playlist(models.Model):
            owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET(fallback))
            songs = models.ManyToManyField(Song, related_name="playlists")


        class Review(models.Model):
            album = models.ForeignKey(Album, on_delete=models.RESTRICT)
            artist = models.ForeignKey(Artist, on_delete=models.PROTECT, related_query_name="rev")
            log = models.ForeignKey("Log", on_delete=models.DO_NOTHING, null=True)
            editor = models.ForeignKey(
                settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
            )


        class Log(models.Model):
            pass


        class Media(models.Model):
            title = models.CharField(max_length=10)


        class Video(Media):
            artist = models.ForeignKey(Artist, on_delete=models.SET_DEFAULT, default=1)


        class Clip(models.Model):
            video = models.ForeignKey(Video, on_delete=models.CASCADE)
            media = models.ForeignKey(Media, on_delete=models.CASCADE, related_name="clips")
    """,
    "other/__init__.py": "",
    "other/models.py": """
        from django.db import models


        class Album(models.Model):
            title = models.CharField(max_length=10, null=True)
    """,
}


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("query")
    write_tree(root, TREE)
    return root


def ask(tree: Path, capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main([*argv, "--path", str(tree), "--no-cache"])
    out, err = capsys.readouterr()
    return code, out, err


def impact_of(tree: Path, capsys: pytest.CaptureFixture[str], *models: str) -> dict:
    code, out, err = ask(tree, capsys, "impact", *models, "--format", "json")
    assert code == 0, err
    return json.loads(out)


def test_impact_json_schema_and_collector_semantics(tree, capsys) -> None:
    result = impact_of(tree, capsys, "music.Artist")
    item = result["music.Artist"]
    assert list(item) == [
        "cascade",
        "set_null",
        "set_default",
        "set",
        "protect",
        "restrict",
        "do_nothing",
        "paths",
    ]
    # Album, Song (CASCADE), the M2M rows, the generic notes
    assert item["cascade"] == [
        "music.Album",
        "music.Artist_fans",
        "music.Note",
        "music.Playlist_songs",
        "music.Song",
    ]
    # Song.album RESTRICT is lifted (songs are cascaded anyway); Review.album is not
    assert item["restrict"] == ["music.Review.album"]
    assert item["protect"] == ["music.Review.artist"]
    assert item["set_default"] == ["music.Video.artist"]
    assert item["paths"]["music.Song"] == ["music.Song.artist"]
    assert item["paths"]["music.Review.album"] == ["music.Album.artist", "music.Review.album"]
    assert item["paths"]["music.Note"] == ["music.Artist.notes"]
    # the playlist rows of the songs' M2M go too, two steps away
    assert "music.Playlist_songs" in item["cascade"]


def test_impact_multi_table_inheritance_both_ways(tree, capsys) -> None:
    video = impact_of(tree, capsys, "Video")["music.Video"]
    # deleting a child deletes its parent row, and what points at the parent
    assert video["cascade"] == ["music.Clip", "music.Media"]
    assert video["paths"]["music.Media"] == ["music.Video.media_ptr"]
    media = impact_of(tree, capsys, "music.Media")["music.Media"]
    assert media["cascade"] == ["music.Clip", "music.Video"]  # the parent cascades to children
    assert media["paths"]["music.Video"] == ["music.Video.media_ptr"]


def test_impact_of_a_model_outside_the_tree(tree, capsys) -> None:
    user = impact_of(tree, capsys, "auth.User")["auth.User"]
    # auth.User is in the report (external): its own many-to-many rows go with it too.
    assert user["cascade"] == [
        "auth.User_groups",
        "auth.User_user_permissions",
        "music.Artist_fans",
    ]
    assert user["set"] == ["music.Playlist.owner"]
    assert user["set_null"] == ["music.Review.editor"]
    log = impact_of(tree, capsys, "Log")["music.Log"]
    assert log["do_nothing"] == ["music.Review.log"]


def test_impact_depth_all_text_and_mermaid(tree, capsys) -> None:
    shallow = impact_of(tree, capsys, "music.Artist", "--depth", "1")["music.Artist"]
    assert "music.Playlist_songs" not in shallow["cascade"]
    code, out, _ = ask(tree, capsys, "impact", "--all", "--format", "json")
    assert code == 0
    assert "other.Album" in json.loads(out) and "music.Video" in json.loads(out)
    code, out, _ = ask(tree, capsys, "impact", "music.Artist")
    assert "BLOCKED" in out and "music.Review.artist" in out
    code, out, _ = ask(tree, capsys, "impact", "music.Artist", "--format", "mermaid")
    assert out.startswith("flowchart LR") and 'music__Album -->|"album RESTRICT"|' not in out
    assert 'music__Artist -->|"artist CASCADE"| music__Album' in out


def test_model_arguments(tree, capsys) -> None:
    code, _, err = ask(tree, capsys, "show", "Album")
    assert code == 2 and "ambiguous" in err and "music.Album, other.Album" in err
    code, _, err = ask(tree, capsys, "impact", "Nope")
    assert code == 2 and err.startswith("djatlas: error: no model 'Nope'")
    code, _, err = ask(tree, capsys, "impact")
    assert code == 2
    code, out, _ = ask(tree, capsys, "show", "song")  # case-insensitive class name
    assert code == 0 and out.startswith("music.Song")
    code, out, _ = ask(tree, capsys, "impact", "music.models.Log", "--format", "json")
    assert code == 0 and list(json.loads(out)) == ["music.Log"]  # a model id


def test_show(tree, capsys) -> None:
    code, out, _ = ask(tree, capsys, "show", "music.Album", "--format", "json")
    model = json.loads(out)
    assert model["label"] == "music.Album" and model["location"] == "music/models.py:23"
    assert {(r["model"], r["field"], r["query_name"]) for r in model["incoming"]} == {
        ("music.Song", "album", "song"),
        ("music.Review", "album", "review"),
    }
    code, out, _ = ask(tree, capsys, "show", "music.Album")
    assert "pointed at by:" in out and "music.Song.album" in out


def test_find(tree, capsys) -> None:
    code, out, _ = ask(tree, capsys, "find", "album", "--format", "json")
    hits = json.loads(out)["results"]
    assert {(h["kind"], h["model"]) for h in hits} >= {
        ("model", "music.Album"),
        ("model", "other.Album"),
        ("field", "music.Song"),
    }
    code, out, _ = ask(
        tree, capsys, "find", "*", "--type", "ForeignKey", "--null", "--format", "json"
    )
    fields = {f"{h['model']}.{h['field']}" for h in json.loads(out)["results"]}
    assert fields == {"music.Review.log", "music.Review.editor"}
    code, out, _ = ask(tree, capsys, "find", "music_*", "--kind", "table")
    assert "music_album" in out and "other_album" not in out
    code, out, _ = ask(tree, capsys, "find", "*_id", "--kind", "column", "--app", "other")
    assert out == "no match\n"
    code, out, _ = ask(tree, capsys, "find", "*", "--target", "auth.User", "--format", "json")
    assert {h["field"] for h in json.loads(out)["results"]} == {"fans", "owner", "editor"}


def test_path(tree, capsys) -> None:
    code, out, _ = ask(tree, capsys, "path", "auth.User", "music.Album", "--format", "json")
    answer = json.loads(out)
    lookups = [p["lookup"] for p in answer["paths"]]
    assert lookups[0] == "idols__albums"
    assert "playlist__songs__album" in lookups  # default query name of a reverse FK
    assert [s["cardinality"] for s in answer["paths"][0]["steps"]] == [
        "many-to-many",
        "one-to-many",
    ]
    code, out, _ = ask(tree, capsys, "path", "music.Note", "music.Artist")
    assert out.splitlines()[0].startswith("artist ")  # GenericRelation's related_query_name
    code, out, _ = ask(tree, capsys, "path", "music.Clip", "music.Artist", "--format", "json")
    lookups = [p["lookup"] for p in json.loads(out)["paths"]]
    assert "video__artist" in lookups and "media__video__artist" in lookups
    code, out, _ = ask(tree, capsys, "path", "music.Log", "other.Album")
    assert out.startswith("no lookup path")


def test_saved_report_as_path(tree, capsys, tmp_path) -> None:
    report = tmp_path / "r.json"
    assert main(["scan", str(tree), "--format", "json", "-o", str(report), "--no-cache"]) == 0
    assert main(["impact", "music.Log", "--path", str(report), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["music.Log"]["do_nothing"] == ["music.Review.log"]
    assert main(["show", "x", "--path", str(tmp_path / "missing")]) == 2
