"""Folder names: one rule for every store, and a reversible spelling on disk."""
import pytest
from hypothesis import given
from hypothesis import strategies as st

from simulator.mail import folder_names
from simulator.mail.maildir_store import MaildirStore
from simulator.mail.store import BadFolderName, MailStore, StoreError

#: Any text of printable characters (no controls, no lone surrogates), "/" between levels.
LEVEL = st.text(st.characters(blacklist_categories=("Cc", "Cs"), blacklist_characters="/*%"),
                min_size=1, max_size=12)
NAMES = st.lists(LEVEL, min_size=1, max_size=4).map("/".join)


@given(NAMES)
def test_every_valid_name_comes_back_from_its_disk_spelling(name):
    if folder_names.problem(name) is None:
        assert folder_names.folder_name(folder_names.storage_name(name)) == name


@pytest.mark.parametrize(("name", "storage"), [
    ("dot.name", "dot\\2ename"), ("dot/name", "dot.name"), ("back\\slash", "back\\5cslash"),
    ("Входящие", "&BBIERQQ+BDQETwRJBDgENQ-"), ("R&D", "R&-D"), ("a/b/c", "a.b.c"),
])
def test_disk_spellings_follow_maildir_plus_plus_with_escapes(name, storage):
    assert folder_names.storage_name(name) == storage
    assert folder_names.folder_name(storage) == name


@pytest.mark.parametrize("storage", ["Caf\u00e9", "a..b", "&Jjo", "x\\2E"])
def test_directories_mailsim_did_not_write_are_not_folders(storage):
    assert folder_names.folder_name(storage) is None


@pytest.mark.parametrize(("name", "key"), [
    ("", "name_empty_level"), ("a//b", "name_empty_level"), ("/a", "name_empty_level"),
    ("a\0b", "name_bad_char"), ("a\r\nb", "name_bad_char"), ("50%", "name_bad_char"),
    ("a\x85b", "name_bad_char"), ("/".join("a" * 17), "name_too_deep"),
    ("x" * 255, "name_too_long"), ("я" * 100, "name_too_long"),
])
def test_memory_and_maildir_stores_refuse_the_same_names(tmp_path, name, key):
    for store in (MailStore(), MaildirStore(tmp_path)):
        account = store.add_user("bob@b.test", "pw")
        with pytest.raises(BadFolderName) as caught:
            account.create_folder(name)
        assert caught.value.key == key and caught.value.message("en")
        assert sorted(account.folders) == ["Drafts", "INBOX", "Junk", "Sent", "Trash"]
    assert sorted(p.name for p in (tmp_path / "bob@b.test").iterdir() if p.name.startswith(".")) \
        == [".Drafts", ".Junk", ".Sent", ".Trash"]


def test_the_limits_are_exact():
    assert folder_names.problem("x" * 254) is None
    assert folder_names.problem("/".join("a" * 16)) is None
    with pytest.raises(StoreError):
        MailStore().add_user("b@b.test").create_folder("x" * 255)


def test_rename_refuses_when_a_child_would_become_too_long_and_changes_nothing():
    account = MailStore().add_user("bob@b.test")
    account.create_folder("p")
    account.create_folder("p/" + "c" * 200)
    with pytest.raises(BadFolderName):
        account.rename_folder("p", "q" * 60)
    assert account.has_folder("p/" + "c" * 200) and not account.has_folder("q" * 60)
