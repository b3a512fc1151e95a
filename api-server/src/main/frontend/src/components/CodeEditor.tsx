import { autocompletion, type CompletionContext, type CompletionResult } from '@codemirror/autocomplete';
import { html } from '@codemirror/lang-html';
import { setDiagnostics, type Diagnostic } from '@codemirror/lint';
import { EditorState } from '@codemirror/state';
import { EditorView } from '@codemirror/view';
import { basicSetup } from 'codemirror';
import { useEffect, useRef } from 'react';

export interface MergeTag { name: string; description: string; example: string }

/**
 * Completes merge tags after "${" (FreeMarker interpolation, what the server renders): every tag the server knows,
 * with its description and an example value.
 */
function mergeTagSource(tags: MergeTag[]) {
  return (context: CompletionContext): CompletionResult | null => {
    const match = context.matchBefore(/\$\{\s*[\w.]*$/);
    if (!match) return null;
    const start = match.from + match.text.search(/[\w.]*$/);
    return {
      from: start,
      options: tags.map((tag) => ({
        label: tag.name,
        type: 'variable',
        detail: tag.example ? `e.g. ${tag.example}` : undefined,
        info: tag.description,
        apply: (view: EditorView, _c: unknown, from: number, to: number) => {
          const after = view.state.sliceDoc(to, to + 1);
          const insert = tag.name + (after === '}' ? '' : '}');
          view.dispatch({ changes: { from, to, insert }, selection: { anchor: from + insert.length } });
        },
      })),
      validFor: /^[\w.]*$/,
    };
  };
}

/** CodeMirror 6 for the template body. The document is owned by CodeMirror; changes are reported up. */
export function CodeEditor({ value, onChange, tags, label, problems }: {
  value: string; onChange: (value: string) => void; tags: MergeTag[]; label: string;
  problems: { line: number; column: number; message: string }[];
}) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const changed = useRef(onChange);
  changed.current = onChange;
  const tagsRef = useRef(tags);
  tagsRef.current = tags;

  useEffect(() => {
    const editor = new EditorView({
      parent: host.current!,
      state: EditorState.create({
        doc: value,
        extensions: [
          basicSetup,
          html(),
          autocompletion({ override: [(c) => mergeTagSource(tagsRef.current)(c)] }),
          EditorView.lineWrapping,
          EditorView.contentAttributes.of({ 'aria-label': label }),
          EditorView.updateListener.of((update) => {
            if (update.docChanged) changed.current(update.state.doc.toString());
          }),
        ],
      }),
    });
    view.current = editor;
    return () => editor.destroy();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  // A version restored from history replaces the document.
  useEffect(() => {
    const editor = view.current;
    if (editor && editor.state.doc.toString() !== value) {
      editor.dispatch({ changes: { from: 0, to: editor.state.doc.length, insert: value } });
    }
  }, [value]);

  // The server's validation problems are underlined where they are, with the message on hover.
  useEffect(() => {
    const editor = view.current;
    if (!editor) return;
    const doc = editor.state.doc;
    const diagnostics: Diagnostic[] = problems.map((p) => {
      const line = doc.line(Math.min(Math.max(1, p.line || 1), doc.lines));
      const from = Math.min(line.from + Math.max(0, (p.column || 1) - 1), line.to);
      return { from, to: Math.max(from, Math.min(line.to, from + 1)), severity: 'error', message: p.message };
    });
    editor.dispatch(setDiagnostics(editor.state, diagnostics));
  }, [problems]);

  return (
    <div ref={host} className="ecomcrm-code" data-testid="template-code"
         style={{ border: '1px solid #8a8a8a', borderRadius: 8, minHeight: 320, overflow: 'hidden' }} />
  );
}
