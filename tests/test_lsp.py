"""`gofixleaks lsp` driven over stdio by pygls' language client, as an editor drives it:
initialize, didOpen/didChange, diagnostics pushed back, code actions whose edits, applied the
way an editor applies them (positions in the negotiated encoding), give what `fix` gives."""

from __future__ import annotations

import asyncio
import re
import shutil
import subprocess
import sys
from pathlib import Path

from lsprotocol import types as lsp
from pygls.lsp.client import LanguageClient

from .conftest import LEAKY, ROOT, write_module

TIMEOUT = 30
# 😀 is 4 bytes of UTF-8, 2 UTF-16 units, 1 code point; 计时器 is 9 bytes, 3 units
UNICODE = LEAKY.replace("\tt := time.NewTicker(d)\n\t<-t.C", "\t/*😀*/ 计时器 := time.NewTicker(d)\n\t<-计时器.C")
# two safe fixes and a review one (a semaphore): fix-all applies the first two, the other action all three
SEVERAL = """\
package p

import (
	"context"
	"time"
)

func Poll(d time.Duration) {
	t := time.NewTicker(d)
	<-t.C
}

func Wait(ctx context.Context) {
	ctx, _ = context.WithTimeout(ctx, time.Second)
	<-ctx.Done()
}

func Serve(jobs chan int) {
	for j := range jobs {
		go func() {
			_ = j
		}()
	}
}
"""


class Editor:
    """A language client standing for an editor, with the notifications the server pushed."""

    def __init__(self, root: Path, encodings: tuple[str, ...] = ("utf-16",)):
        self.root = root
        self.encodings = encodings
        self.client = LanguageClient("test-editor", "1")
        self.published: list[lsp.PublishDiagnosticsParams] = []
        self.messages: list[str] = []

        @self.client.feature(lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def diagnostics(params: lsp.PublishDiagnosticsParams) -> None:
            self.published.append(params)

        @self.client.feature(lsp.WINDOW_SHOW_MESSAGE)
        def show(params: lsp.ShowMessageParams) -> None:
            self.messages.append(params.message)

        @self.client.feature(lsp.WINDOW_LOG_MESSAGE)
        def log(params: lsp.LogMessageParams) -> None:
            self.messages.append(params.message)

    async def __aenter__(self) -> "Editor":
        await self.client.start_io(sys.executable, "-m", "gofixleaks", "lsp", cwd=str(self.root))
        caps = lsp.ClientCapabilities(
            general=lsp.GeneralClientCapabilities(position_encodings=list(self.encodings)),
            workspace=lsp.WorkspaceClientCapabilities(workspace_edit=lsp.WorkspaceEditClientCapabilities(document_changes=True)),
        )
        self.init = await self.client.initialize_async(
            lsp.InitializeParams(capabilities=caps, process_id=None, root_uri=self.root.as_uri()))
        self.client.initialized(lsp.InitializedParams())
        return self

    async def __aexit__(self, *exc) -> None:
        await self.client.shutdown_async(None)
        self.client.exit(None)
        await self.client.stop()

    def open(self, path: Path, text: str, version: int = 1) -> str:
        uri = path.as_uri()
        self.client.text_document_did_open(lsp.DidOpenTextDocumentParams(lsp.TextDocumentItem(uri, "go", version, text)))
        return uri

    def change(self, uri: str, version: int, text: str) -> None:
        self.client.text_document_did_change(lsp.DidChangeTextDocumentParams(
            lsp.VersionedTextDocumentIdentifier(version, uri), [lsp.TextDocumentContentChangeWholeDocument(text)]))

    async def diagnostics(self, uri: str, version: int) -> list[lsp.Diagnostic]:
        while True:
            found = [p for p in self.published if p.uri == uri and p.version == version]
            if found:
                return list(found[-1].diagnostics)
            await asyncio.sleep(0.02)

    async def actions(self, uri: str, rng: lsp.Range, only=None, diagnostics=()) -> list[lsp.CodeAction]:
        return await self.client.text_document_code_action_async(lsp.CodeActionParams(
            lsp.TextDocumentIdentifier(uri), rng, lsp.CodeActionContext(list(diagnostics), only=only)))


def run(coro):
    return asyncio.run(asyncio.wait_for(coro, TIMEOUT))


def apply_edit(text: str, edit: lsp.WorkspaceEdit, encoding: str = "utf-16") -> str:
    """What an editor does with a WorkspaceEdit on one buffer (positions in ``encoding``)."""
    (doc_edit,) = edit.document_changes
    lines = re.split(r"(?<=\r\n)|(?<=\n)(?<!\r\n)|(?<=\r)(?!\n)", text)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))

    def index(pos: lsp.Position) -> int:
        line, units, i = lines[pos.line], 0, 0
        while units < pos.character:
            ch = line[i]
            units += {"utf-16": 2 if ord(ch) > 0xFFFF else 1, "utf-8": len(ch.encode()), "utf-32": 1}[encoding]
            i += 1
        assert units == pos.character, "a position inside a character"
        return starts[pos.line] + i

    for e in sorted(doc_edit.edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
        text = text[: index(e.range.start)] + e.new_text + text[index(e.range.end):]
    return text


def fix_diff_result(module: Path, name: str, tmp: Path) -> str:
    """The file as `gofixleaks fix --diff` would have it: its diff applied to a copy."""
    diff = subprocess.run([sys.executable, "-m", "gofixleaks", "fix", "--diff", name], cwd=module,
                          capture_output=True).stdout  # bytes: CRLF stays CRLF
    copy = shutil.copytree(module, tmp / "applied")
    subprocess.run(["git", "apply", "-"], cwd=copy, input=diff, check=True)
    return (copy / name).read_bytes().decode()


def test_diagnostics_on_open_and_the_quick_fix_is_the_edit_fix_diff_makes(tmp_path):
    m = write_module(tmp_path / "m", {"poll.go": UNICODE})

    async def session():
        async with Editor(m) as ed:
            assert ed.init.capabilities.position_encoding == "utf-16"
            uri = ed.open(m / "poll.go", UNICODE)
            (diag,) = await ed.diagnostics(uri, 1)
            actions = await ed.actions(uri, diag.range, diagnostics=[diag])
            return diag, actions

    diag, actions = run(session())
    assert (diag.code, diag.source, diag.severity) == ("ticker-not-stopped", "gofixleaks", lsp.DiagnosticSeverity.Warning)
    utf16 = lambda s: len(s.encode("utf-16-le")) // 2  # noqa: E731
    assert diag.range.start == lsp.Position(5, utf16("\t/*😀*/ 计时器 := "))
    assert diag.range.end == lsp.Position(5, utf16("\t/*😀*/ 计时器 := time.NewTicker(d)"))
    (quick,) = [a for a in actions if a.kind == lsp.CodeActionKind.QuickFix]
    assert quick.is_preferred and quick.title.startswith("gofixleaks: add `defer")
    assert list(quick.diagnostics) == [diag]
    fixed = apply_edit(UNICODE, quick.edit)
    assert fixed == fix_diff_result(m, "poll.go", tmp_path) != UNICODE


def test_positions_follow_the_encoding_the_client_prefers(tmp_path):
    m = write_module(tmp_path / "m", {"poll.go": UNICODE})

    async def session():
        async with Editor(m, encodings=("utf-8", "utf-16")) as ed:
            uri = ed.open(m / "poll.go", UNICODE)
            (diag,) = await ed.diagnostics(uri, 1)
            return ed.init.capabilities.position_encoding, diag, await ed.actions(uri, diag.range)

    encoding, diag, actions = run(session())
    (quick,) = [a for a in actions if a.kind == lsp.CodeActionKind.QuickFix]
    assert encoding == "utf-8"
    assert diag.range.start == lsp.Position(5, len("\t/*😀*/ 计时器 := ".encode()))
    assert apply_edit(UNICODE, quick.edit, "utf-8") == fix_diff_result(m, "poll.go", tmp_path)


def test_the_buffer_is_analysed_not_the_file_and_changes_are_debounced(tmp_path):
    m = write_module(tmp_path / "m", {"poll.go": LEAKY})
    safe = LEAKY.replace("\t<-t.C\n", "\tdefer t.Stop()\n\t<-t.C\n")

    async def session():
        async with Editor(m) as ed:
            uri = ed.open(m / "poll.go", safe)  # the disk still has the leak
            opened = await ed.diagnostics(uri, 1)
            for version in range(2, 7):  # a burst of typing: the leak comes back, then goes, then comes back
                ed.change(uri, version, LEAKY if version % 2 == 0 else safe)
            final = await ed.diagnostics(uri, 6)
            await asyncio.sleep(0.5)
            return opened, final, [p.version for p in ed.published if p.uri == uri]

    opened, final, versions = run(session())
    assert opened == []
    assert [d.code for d in final] == ["ticker-not-stopped"]
    assert versions[0] == 1 and versions[-1] == 6 and len(versions) < 6  # not one run per keystroke


def test_fix_all_applies_the_safe_fixes_and_the_other_action_every_fix_as_fix_diff(tmp_path):
    text = SEVERAL.replace("\n", "\r\n")  # CRLF stays CRLF
    m = write_module(tmp_path / "m", {"svc.go": text})
    whole = lsp.Range(lsp.Position(0, 0), lsp.Position(0, 0))

    async def session():
        async with Editor(m) as ed:
            uri = ed.open(m / "svc.go", text)
            diags = await ed.diagnostics(uri, 1)
            fix_all = await ed.actions(uri, whole, only=[lsp.CodeActionKind.SourceFixAll])
            source = await ed.actions(uri, whole, only=[lsp.CodeActionKind.Source])
            return diags, fix_all, source

    diags, fix_all, source = run(session())
    assert sorted(d.code for d in diags) == ["cancel-not-called", "ticker-not-stopped", "unbounded-goroutines"]
    (safe,) = fix_all
    assert safe.kind == "source.fixAll.gofixleaks"
    written = shutil.copytree(m, tmp_path / "written")
    subprocess.run([sys.executable, "-m", "gofixleaks", "fix", "--write", "svc.go"], cwd=written, check=True, capture_output=True)
    assert apply_edit(text, safe.edit) == (written / "svc.go").read_bytes().decode()
    assert [a.kind for a in source] == ["source.fixAll.gofixleaks", "source.gofixleaks.fixAllWithReview"]
    everything = apply_edit(text, source[1].edit)
    assert everything == fix_diff_result(m, "svc.go", tmp_path) != apply_edit(text, safe.edit)
    assert "sem" in everything and "\r\n" in everything and "\n" not in everything.replace("\r\n", "")
    # the edits are the changed lines, not the whole buffer
    assert all(e.range.end.line - e.range.start.line <= 3 for e in safe.edit.document_changes[0].edits)


def test_a_bad_config_is_said_once_and_the_server_keeps_serving(tmp_path):
    m = write_module(tmp_path / "m", {"poll.go": LEAKY})
    (m / ".gofixleaks.toml").write_text("enable = [\n")

    async def session():
        async with Editor(m) as ed:
            uri = ed.open(m / "poll.go", LEAKY)
            while not ed.messages:
                await asyncio.sleep(0.02)
            (m / ".gofixleaks.toml").write_text('enable = ["ticker-not-stopped"]\n')
            ed.change(uri, 2, LEAKY + "\n")
            return await ed.diagnostics(uri, 2), ed.messages

    diags, messages = run(session())
    assert len(messages) == 1 and "invalid TOML" in messages[0]
    assert [d.code for d in diags] == ["ticker-not-stopped"]


def test_a_fix_that_needs_context_plumbing_is_reported_without_one(tmp_path):
    service = shutil.copytree(ROOT / "examples" / "leaky-service", tmp_path / "svc")
    text = (service / "warmer.go").read_text()

    async def session():
        async with Editor(service) as ed:
            uri = ed.open(service / "warmer.go", text)
            (diag,) = await ed.diagnostics(uri, 1)
            return diag, await ed.actions(uri, diag.range, diagnostics=[diag])

    diag, actions = run(session())
    assert diag.code == "unbounded-goroutines" and "ctx parameter threaded through the function's callers" in diag.message
    assert not actions  # not the semaphore alone, which is not what `fix` makes of it
