import { Badge, Banner, BlockStack, Button, ButtonGroup, Card, DataTable, InlineStack, Layout, Page, Text,
  TextField } from '@shopify/polaris';
import { useEffect, useState } from 'react';
import { ApiError, api, post } from '../api';
import { CodeEditor, type MergeTag } from '../components/CodeEditor';
import { ErrorPage, LoadingPage } from '../components/States';
import { toApiError, useApi } from '../components/useApi';
import { useRouter } from '../router';
import { shopDateTime } from '../format';

interface Template {
  id: string | number; name: string; subject: string; bodyHtml: string; version: number; updatedAt: string;
  flowIds: (string | number)[];
}
interface Problem { line: number; column: number; message: string }
interface Preview { subject: string; html: string; text: string; problems: Problem[] }

const WIDTHS = { desktop: 640, mobile: 375 } as const;

export default function TemplateEditor({ id }: { id: string }) {
  const { navigate } = useRouter();
  const [template, reload] = useApi<Template>(`/api/templates/${encodeURIComponent(id)}`);
  const [versions, reloadVersions] = useApi<{ versions: { version: number; subject: string; createdAt: string }[] }>(
    `/api/templates/${encodeURIComponent(id)}/versions`);
  const [tags] = useApi<{ tags: MergeTag[] }>('/api/merge-tags');
  const [subject, setSubject] = useState('');
  const [body, setBody] = useState('');
  const [loadedVersion, setLoadedVersion] = useState<number | null>(null);
  const [problems, setProblems] = useState<Problem[]>([]);
  const [preview, setPreview] = useState<Preview | null>(null);
  const [previewError, setPreviewError] = useState<ApiError | null>(null);
  const [width, setWidth] = useState<keyof typeof WIDTHS>('desktop');
  const [saving, setSaving] = useState(false);
  const [failure, setFailure] = useState<ApiError | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const [testTo, setTestTo] = useState('');
  const [testResult, setTestResult] = useState<string | null>(null);
  const [testFailure, setTestFailure] = useState<ApiError | null>(null);
  const [sending, setSending] = useState(false);

  useEffect(() => {
    if (template.state === 'ready' && loadedVersion !== template.data.version) {
      setSubject(template.data.subject);
      setBody(template.data.bodyHtml);
      setLoadedVersion(template.data.version);
    }
  }, [template, loadedVersion]);

  // Live preview: rendered by the server (the same renderer the sender uses) a moment after typing stops.
  useEffect(() => {
    if (loadedVersion === null) return;
    let live = true;
    const timer = setTimeout(() => {
      post<Preview>('/api/templates/preview', { subject, bodyHtml: body })
        .then((p) => { if (live) { setPreview(p); setPreviewError(null); setProblems(p.problems ?? []); } })
        .catch((e) => { if (live) setPreviewError(toApiError(e)); });
    }, 400);
    return () => { live = false; clearTimeout(timer); };
  }, [subject, body, loadedVersion]);

  if (template.state === 'loading') return <LoadingPage title="Template" />;
  if (template.state === 'error') {
    return <ErrorPage title="Template" error={template.error} onRetry={reload}
                      what={template.error.status === 404 ? 'this template (it may have been deleted)' : 'this template'} />;
  }
  const t = template.data;

  const save = async () => {
    setSaving(true);
    setFailure(null);
    setSaved(null);
    try {
      const next = await post<Template>(`/api/templates/${t.id}`, { subject, bodyHtml: body }, 'PUT');
      setProblems([]);
      setSaved(`Saved as version ${next.version}.`);
      reload();
      reloadVersions();
    } catch (e) {
      const error = toApiError(e);
      const body = error.body as { problems?: Problem[] } | undefined;
      if (error.status === 422 && body?.problems) setProblems(body.problems);
      setFailure(error);
    } finally {
      setSaving(false);
    }
  };

  const restore = async (version: number) => {
    try {
      const v = await api<{ version: number; subject: string; bodyHtml: string }>(
        `/api/templates/${t.id}/versions/${version}`);
      setSubject(v.subject);
      setBody(v.bodyHtml);
      setSaved(`Version ${version} loaded into the editor: save to make it the current version.`);
    } catch (e) {
      setFailure(toApiError(e));
    }
  };

  const testSend = async () => {
    setSending(true);
    setTestResult(null);
    setTestFailure(null);
    try {
      const answer = await post<{ sendId: string; to: string }>(`/api/templates/${t.id}/test-send`,
        testTo.trim() ? { to: testTo.trim() } : {});
      setTestResult(`Test email queued for ${answer.to}. It uses the last saved version.`);
    } catch (e) {
      setTestFailure(toApiError(e));
    } finally {
      setSending(false);
    }
  };

  const dirty = subject !== t.subject || body !== t.bodyHtml;
  return (
    <Page title={t.name} backAction={{ content: 'Templates', onAction: () => navigate('/templates') }}
          titleMetadata={<Badge>{`Version ${t.version}`}</Badge>}
          primaryAction={{ content: 'Save', onAction: save, loading: saving, disabled: !dirty }}>
      <Layout>
        {failure ? (
          <Layout.Section>
            <Banner tone="critical" title="The template was not saved" onDismiss={() => setFailure(null)}>
              <p>{failure.message}</p>
              {problems.length > 0 ? <p>Fix the problems marked in the editor, then save again.</p> : null}
            </Banner>
          </Layout.Section>
        ) : null}
        {saved ? <Layout.Section><Banner tone="success" onDismiss={() => setSaved(null)}><p>{saved}</p></Banner></Layout.Section> : null}
        <Layout.Section variant="oneHalf">
          <Card>
            <BlockStack gap="300">
              <TextField label="Subject" value={subject} onChange={setSubject} autoComplete="off"
                         error={failure?.field === 'subject' ? failure.message : undefined} />
              <Text as="p" variant="bodySm" tone="subdued">Body (HTML). Type {'${'} for merge tags
                {tags.state === 'error' ? ' (the list of merge tags is not available yet)' : ''}.</Text>
              <CodeEditor label="Template body (HTML)" value={body} onChange={setBody} problems={problems}
                          tags={tags.state === 'ready' ? tags.data.tags : []} />
              {problems.length > 0 ? (
                <div role="alert" data-testid="template-problems">
                  <BlockStack gap="100">
                    {problems.map((p, i) => (
                      <Text as="p" tone="critical" key={i}>Line {p.line}, column {p.column}: {p.message}</Text>
                    ))}
                  </BlockStack>
                </div>
              ) : null}
            </BlockStack>
          </Card>
        </Layout.Section>
        <Layout.Section variant="oneHalf">
          <Card>
            <BlockStack gap="300">
              <InlineStack align="space-between" blockAlign="center">
                <Text as="h2" variant="headingMd">Preview</Text>
                <ButtonGroup variant="segmented">
                  <Button pressed={width === 'desktop'} onClick={() => setWidth('desktop')}>Desktop</Button>
                  <Button pressed={width === 'mobile'} onClick={() => setWidth('mobile')}>Mobile</Button>
                </ButtonGroup>
              </InlineStack>
              {previewError ? (
                <Text as="p" tone="critical">{previewError.notAvailable
                  ? 'The preview is not available on this server yet.' : previewError.message}</Text>
              ) : preview ? (
                <>
                  <Text as="p"><Text as="span" fontWeight="semibold">Subject:</Text> {preview.subject}</Text>
                  <div style={{ overflowX: 'auto' }}>
                    <iframe title="Email preview" sandbox="" srcDoc={preview.html}
                            style={{ width: WIDTHS[width], maxWidth: '100%', height: 480, border: '1px solid #e3e3e3',
                              background: '#fff' }} />
                  </div>
                </>
              ) : <Text as="p">Rendering the preview…</Text>}
            </BlockStack>
          </Card>
        </Layout.Section>
        <Layout.Section variant="oneHalf">
          <Card>
            <BlockStack gap="300">
              <Text as="h2" variant="headingMd">Send a test</Text>
              <TextField label="Send to" type="email" value={testTo} onChange={setTestTo} autoComplete="email"
                         helpText="Leave empty to send to the shop's own address."
                         error={testFailure?.field === 'to' ? testFailure.message : undefined} />
              <div><Button onClick={testSend} loading={sending}>Send test email</Button></div>
              {testResult ? <Text as="p" tone="success">{testResult}</Text> : null}
              {testFailure && testFailure.field !== 'to' ? <Text as="p" tone="critical">{testFailure.message}</Text> : null}
            </BlockStack>
          </Card>
        </Layout.Section>
        <Layout.Section variant="oneHalf">
          <Card>
            <BlockStack gap="300">
              <Text as="h2" variant="headingMd">Version history</Text>
              {versions.state === 'ready' ? (
                <DataTable columnContentTypes={['numeric', 'text', 'text', 'text']}
                           headings={['Version', 'Subject', 'Saved', '']}
                           rows={versions.data.versions.map((v) => [v.version, v.subject,
                             shopDateTime(v.createdAt),
                             <Button variant="plain" key={v.version} onClick={() => restore(v.version)}
                                     accessibilityLabel={`Load version ${v.version} into the editor`}>Load</Button>])} />
              ) : versions.state === 'error' ? <Text as="p">{versions.error.message}</Text>
                : <Text as="p">Loading versions…</Text>}
            </BlockStack>
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
