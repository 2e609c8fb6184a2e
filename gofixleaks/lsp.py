"""`gofixleaks lsp`: a language server on stdio (pygls). It analyses the editor's buffer, not
the file on disk: diagnostics on open, on save and after each burst of changes; each fix as a
quick-fix code action; and source actions that fix every leak in the file.

Positions are in the encoding negotiated at initialize (UTF-16 unless the client offers
another); the engine's offsets are bytes and are converted here. Context plumbing, which
edits other files, is not offered: a fix that needs it is reported with its note."""

from __future__ import annotations

import asyncio
import bisect
import dataclasses
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from lsprotocol import types as lsp
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from . import __version__, config as config_mod, diff as diff_mod, engine, registry
from .discover import Target, display_path
from .edits import SAFE, TextEdit
from .report import fix_edits

DEBOUNCE = 0.3  # seconds without a change before the buffer is analysed again
SOURCE = "gofixleaks"
FIX_ALL = f"{lsp.CodeActionKind.SourceFixAll.value}.{SOURCE}"  # run by editors on save: safe fixes only
FIX_ALL_REVIEW = f"{lsp.CodeActionKind.Source.value}.{SOURCE}.fixAllWithReview"
_SEVERITY = {"error": lsp.DiagnosticSeverity.Error, "warning": lsp.DiagnosticSeverity.Warning,
             "info": lsp.DiagnosticSeverity.Information}
_LINE_END = re.compile(rb"\r\n|\r|\n")  # LSP's line breaks


class Positions:
    """Byte offsets of one buffer as LSP positions in the negotiated encoding."""

    def __init__(self, data: bytes, encoding: str) -> None:
        self.data = data
        self.encoding = encoding
        self.starts = [0] + [m.end() for m in _LINE_END.finditer(data)]

    def at(self, offset: int) -> lsp.Position:
        row = bisect.bisect_right(self.starts, offset) - 1
        prefix = self.data[self.starts[row] : offset]
        if self.encoding == lsp.PositionEncodingKind.Utf8:
            return lsp.Position(row, len(prefix))
        text = prefix.decode("utf-8", "replace")
        if self.encoding == lsp.PositionEncodingKind.Utf32:
            return lsp.Position(row, len(text))
        return lsp.Position(row, len(text.encode("utf-16-le")) // 2)

    def range(self, start: int, end: int) -> lsp.Range:
        return lsp.Range(self.at(start), self.at(end))

    def edit(self, e: TextEdit) -> lsp.TextEdit:
        return lsp.TextEdit(self.range(e.start, e.end), e.new.decode("utf-8"))


PLUMBING_NOTE = "its fix needs a ctx parameter threaded through the function's callers: `gofixleaks fix` on the module does that"


@dataclass(frozen=True)
class Analysis:
    """One version of a buffer and what the engine made of it (every fix, `review` ones too)."""

    uri: str
    version: int | None
    target: Target
    config: config_mod.Config
    result: engine.FileResult
    data: bytes
    skip: frozenset[tuple[str, int]]  # (rule, line) of fixes that need context plumbing


def analyse(uri: str, path: str, version: int | None, data: bytes) -> Analysis:
    """The engine on an in-memory buffer; raises config.ConfigError for a bad config.
    A finding whose fix needs context plumbing (edits in its callers' files, which only a
    run over the module makes) is reported with a note and without a fix."""
    cfg = config_mod.load((path,), jobs=1, use_cache=False, unsafe_fixes=True)
    target = Target(path, display_path(path), False)  # generated files stay quiet, as in a scan
    result = engine.process(target, cfg, True, data=data, plan=None)
    plumbed = [f for c in result.candidates for f in c.findings]
    skip = frozenset((f.rule, f.line) for f in plumbed)
    if plumbed:  # without the fixes the file alone would get instead
        result = engine.process(target, cfg, True, skip, data=data, plan=None)
        starts = {(f.rule, f.start) for f in plumbed}
        result.findings = sorted(
            [f for f in result.findings if (f.rule, f.start) not in starts]
            + [dataclasses.replace(f, path=target.display, fixes=(), notes=f.notes + (PLUMBING_NOTE,)) for f in plumbed],
            key=lambda f: (f.start, f.rule))
    return Analysis(uri, version, target, cfg, result, data, skip)


def line_edits(old: bytes, new: bytes) -> list[TextEdit]:
    """``old`` -> ``new`` as edits of whole lines (what a diff shows), not one edit of the
    whole buffer, so the editor keeps the cursor, folds and marks elsewhere."""
    a, b = old.splitlines(keepends=True), new.splitlines(keepends=True)
    offsets = [0]
    for line in a:
        offsets.append(offsets[-1] + len(line))
    ops = diff_mod.opcodes(a, b)
    return [TextEdit(offsets[i1], offsets[i2], b"".join(b[j1:j2])) for tag, i1, i2, j1, j2 in ops if tag != "equal"]


class GoFixLeaksServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__(SOURCE, __version__)
        self.analyses: dict[str, Analysis] = {}
        self.pending: dict[str, asyncio.Task] = {}
        # one engine thread: the parser is shared within a process, and the event loop stays free
        self.engine_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="gofixleaks-engine")
        self.config_problem: str | None = None

    # -- analysis ---------------------------------------------------------------------------

    def schedule(self, uri: str, delay: float) -> None:
        """Analyse ``uri`` after ``delay`` seconds, replacing any analysis still waiting."""
        path = to_fs_path(uri) if uri.startswith("file:") else None
        if path is None or not path.endswith(".go"):
            return
        waiting = self.pending.pop(uri, None)
        if waiting is not None:
            waiting.cancel()
        self.pending[uri] = asyncio.get_running_loop().create_task(self._analyse_after(uri, path, delay))

    async def _analyse_after(self, uri: str, path: str, delay: float) -> None:
        await asyncio.sleep(delay)
        try:
            await self.current(uri, path)
        except Exception as e:  # an engine bug costs this analysis, never the server
            self.window_log_message(lsp.LogMessageParams(lsp.MessageType.Error, f"gofixleaks: {uri}: {type(e).__name__}: {e}"))

    async def current(self, uri: str, path: str | None = None) -> Analysis | None:
        """The analysis of the buffer as it is now (computed and published if it is not)."""
        doc = self.workspace.get_text_document(uri)
        known = self.analyses.get(uri)
        if known is not None and known.version == doc.version:
            return known
        path = path or (to_fs_path(uri) if uri.startswith("file:") else None)
        if path is None or not path.endswith(".go"):
            return None
        data = doc.source.encode("utf-8")
        loop = asyncio.get_running_loop()
        try:
            analysis = await loop.run_in_executor(self.engine_thread, analyse, uri, path, doc.version, data)
        except (config_mod.ConfigError, registry.RegistryError) as e:
            self._say_once(str(e))
            return None
        self.config_problem = None
        if self.workspace.get_text_document(uri).version != doc.version:
            return None  # edited meanwhile: the newer version's run publishes
        self.analyses[uri] = analysis
        self.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(
            uri, [d for _, d in self.diagnostics(analysis)], version=doc.version))
        return analysis

    def _say_once(self, problem: str) -> None:
        if problem != self.config_problem:
            self.config_problem = problem
            self.window_show_message(lsp.ShowMessageParams(lsp.MessageType.Error, f"gofixleaks: {problem}"))

    def positions(self, analysis: Analysis) -> Positions:
        return Positions(analysis.data, self.workspace.position_encoding or lsp.PositionEncodingKind.Utf16)

    def diagnostics(self, analysis: Analysis) -> list[tuple[object, lsp.Diagnostic]]:
        """(finding, diagnostic) for every finding of the analysis."""
        pos = self.positions(analysis)
        out = []
        for f in analysis.result.findings:
            message = f.message + "".join(f"\nnote: {n}" for n in f.notes)
            out.append((f, lsp.Diagnostic(pos.range(f.start, f.end), message, severity=_SEVERITY.get(f.severity),
                                          code=f.rule, source=SOURCE)))
        return out

    def forget(self, uri: str) -> None:
        waiting = self.pending.pop(uri, None)
        if waiting is not None:
            waiting.cancel()
        if self.analyses.pop(uri, None) is not None:
            self.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(uri, []))

    # -- code actions -----------------------------------------------------------------------

    def workspace_edit(self, analysis: Analysis, edits: list[TextEdit]) -> lsp.WorkspaceEdit:
        pos = self.positions(analysis)
        changes = [pos.edit(e) for e in edits]
        caps = self.client_capabilities.workspace
        if caps and caps.workspace_edit and caps.workspace_edit.document_changes:
            # versioned: the editor refuses the edit if the buffer changed since
            doc = lsp.OptionalVersionedTextDocumentIdentifier(analysis.uri, analysis.version)
            return lsp.WorkspaceEdit(document_changes=[lsp.TextDocumentEdit(doc, changes)])
        return lsp.WorkspaceEdit(changes={analysis.uri: changes})

    async def code_actions(self, params: lsp.CodeActionParams) -> list[lsp.CodeAction]:
        analysis = await self.current(params.text_document.uri)
        if analysis is None:
            return []
        only = params.context.only

        def wanted(kind: str) -> bool:
            return not only or any(kind == k or kind.startswith(f"{k}.") for k in only)

        actions = []
        if wanted(lsp.CodeActionKind.QuickFix):
            actions += self._quick_fixes(analysis, params.range)
        if wanted(FIX_ALL) or wanted(FIX_ALL_REVIEW):
            actions += await self._fix_all(analysis, wanted)
        return actions

    def _quick_fixes(self, analysis: Analysis, where: lsp.Range) -> list[lsp.CodeAction]:
        actions = []
        for f, diag in self.diagnostics(analysis):
            if not f.fixes or not _touches(diag.range, where):
                continue
            fix = f.fixes[0]
            own, imp = fix_edits(analysis.data, f.path, fix)
            safe = fix.applicability == SAFE
            title = f"gofixleaks: {fix.message}" + ("" if safe else " (review: changes concurrency behaviour)")
            actions.append(lsp.CodeAction(title, kind=lsp.CodeActionKind.QuickFix, diagnostics=[diag], is_preferred=safe,
                                          edit=self.workspace_edit(analysis, own + ([imp] if imp else []))))
        return actions

    async def _fix_all(self, analysis: Analysis, wanted) -> list[lsp.CodeAction]:
        """What `fix --write` makes of the buffer (safe fixes) and what `fix --diff` shows (all)."""
        everything = analysis.result.fixed if analysis.result.changed else analysis.data
        safe_cfg = dataclasses.replace(analysis.config, unsafe_fixes=False)
        safe = await asyncio.get_running_loop().run_in_executor(
            self.engine_thread, lambda: engine.process(analysis.target, safe_cfg, True, analysis.skip, data=analysis.data, plan=None))
        only_safe = safe.fixed if safe.changed else analysis.data
        actions = []
        if only_safe != analysis.data and wanted(FIX_ALL):
            actions.append(lsp.CodeAction("gofixleaks: fix all leaks in file (safe fixes)", kind=FIX_ALL,
                                          edit=self.workspace_edit(analysis, line_edits(analysis.data, only_safe))))
        if everything != only_safe and wanted(FIX_ALL_REVIEW):
            actions.append(lsp.CodeAction("gofixleaks: fix all leaks in file, review fixes included", kind=FIX_ALL_REVIEW,
                                          edit=self.workspace_edit(analysis, line_edits(analysis.data, everything))))
        return actions


def _touches(a: lsp.Range, b: lsp.Range) -> bool:
    key = lambda p: (p.line, p.character)  # noqa: E731
    return key(a.start) <= key(b.end) and key(b.start) <= key(a.end)


def make_server() -> GoFixLeaksServer:
    server = GoFixLeaksServer()

    @server.feature(lsp.TEXT_DOCUMENT_DID_OPEN)
    async def did_open(ls: GoFixLeaksServer, params: lsp.DidOpenTextDocumentParams) -> None:
        ls.schedule(params.text_document.uri, 0)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CHANGE)
    async def did_change(ls: GoFixLeaksServer, params: lsp.DidChangeTextDocumentParams) -> None:
        ls.schedule(params.text_document.uri, DEBOUNCE)

    @server.feature(lsp.TEXT_DOCUMENT_DID_SAVE)
    async def did_save(ls: GoFixLeaksServer, params: lsp.DidSaveTextDocumentParams) -> None:
        ls.schedule(params.text_document.uri, 0)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CLOSE)
    async def did_close(ls: GoFixLeaksServer, params: lsp.DidCloseTextDocumentParams) -> None:
        ls.forget(params.text_document.uri)

    @server.feature(lsp.TEXT_DOCUMENT_CODE_ACTION, lsp.CodeActionOptions(
        code_action_kinds=[lsp.CodeActionKind.QuickFix, FIX_ALL, FIX_ALL_REVIEW]))
    async def code_action(ls: GoFixLeaksServer, params: lsp.CodeActionParams) -> list[lsp.CodeAction]:
        return await ls.code_actions(params)

    return server


def serve() -> None:
    make_server().start_io()
