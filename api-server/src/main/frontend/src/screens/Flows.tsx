import { Badge, Banner, BlockStack, Button, Card, DataTable, InlineStack, Layout, Modal, Page, Select, Text,
  TextField } from '@shopify/polaris';
import { useState } from 'react';
import { ApiError, post } from '../api';
import { Empty, ErrorBanner, ErrorPage, LoadingPage } from '../components/States';
import { toApiError, useApi } from '../components/useApi';
import { count } from '../format';
import { useRouter } from '../router';

export interface Flow {
  id: string | number; kind: string; name: string; description: string; enabled: boolean; delayMinutes: number;
  conditions: Record<string, unknown>; templateId: string | number | null; templateName: string | null;
  counts: { scheduled: number; sent: number; suppressed: number; failed: number; held: number };
}

interface TemplateList { templates: { id: string | number; name: string }[] }

export default function Flows() {
  const [flows, reload] = useApi<{ flows: Flow[] }>('/api/flows');
  const [templates] = useApi<TemplateList>('/api/templates');
  const [editing, setEditing] = useState<Flow | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [failure, setFailure] = useState<ApiError | null>(null);
  if (flows.state === 'loading') return <LoadingPage title="Flows" />;
  if (flows.state === 'error') return <ErrorPage title="Flows" error={flows.error} what="flows" onRetry={reload} />;

  const toggle = async (flow: Flow) => {
    setBusy(String(flow.id));
    setFailure(null);
    try {
      await post(`/api/flows/${flow.id}`, { enabled: !flow.enabled }, 'PATCH');
      reload();
    } catch (e) {
      setFailure(toApiError(e));
    } finally {
      setBusy(null);
    }
  };
  const list = flows.data.flows;
  return (
    <Page title="Flows" subtitle="Automated emails, each sent once to the right customers at the right time">
      <Layout>
        {failure ? <Layout.Section><ErrorBanner error={failure} what="the flow change" /></Layout.Section> : null}
        <Layout.Section>
          {list.length === 0 ? (
            <Card><Empty heading="No flows yet">Flows appear here once the email engine is set up for your shop.</Empty></Card>
          ) : (
            <BlockStack gap="400">
              {list.map((flow) => (
                <Card key={flow.id}>
                  <BlockStack gap="200">
                    <InlineStack align="space-between" blockAlign="center">
                      <InlineStack gap="200" blockAlign="center">
                        <Text as="h2" variant="headingMd">{flow.name}</Text>
                        <Badge tone={flow.enabled ? 'success' : undefined}>{flow.enabled ? 'On' : 'Off'}</Badge>
                      </InlineStack>
                      <InlineStack gap="200">
                        <Button onClick={() => setEditing(flow)} accessibilityLabel={`Configure ${flow.name}`}>
                          Configure</Button>
                        <Button variant={flow.enabled ? 'secondary' : 'primary'} loading={busy === String(flow.id)}
                                onClick={() => toggle(flow)} data-flow-toggle={flow.kind}
                                accessibilityLabel={`${flow.enabled ? 'Turn off' : 'Turn on'} ${flow.name}`}>
                          {flow.enabled ? 'Turn off' : 'Turn on'}
                        </Button>
                      </InlineStack>
                    </InlineStack>
                    <Text as="p" tone="subdued">{flow.description}</Text>
                    <Text as="p">
                      Sends {flow.delayMinutes === 0 ? 'right away' : `after ${describeDelay(flow.delayMinutes)}`} ·
                      Template: {flow.templateName ?? 'none chosen yet (choose one before turning the flow on)'}
                    </Text>
                    <DataTable columnContentTypes={['numeric', 'numeric', 'numeric', 'numeric', 'numeric']}
                               headings={['Scheduled', 'Sent', 'Suppressed', 'Failed', 'Held for review']}
                               rows={[[count(flow.counts.scheduled), count(flow.counts.sent),
                                 count(flow.counts.suppressed), count(flow.counts.failed), count(flow.counts.held)]]} />
                  </BlockStack>
                </Card>
              ))}
            </BlockStack>
          )}
        </Layout.Section>
      </Layout>
      {editing ? (
        <FlowSettings flow={editing} templates={templates.state === 'ready' ? templates.data.templates : []}
                      onClose={() => setEditing(null)} onSaved={() => { setEditing(null); reload(); }} />
      ) : null}
    </Page>
  );
}

export function describeDelay(minutes: number): string {
  if (minutes % 1440 === 0) return `${minutes / 1440} day${minutes === 1440 ? '' : 's'}`;
  if (minutes % 60 === 0) return `${minutes / 60} hour${minutes === 60 ? '' : 's'}`;
  return `${minutes} minutes`;
}

function FlowSettings({ flow, templates, onClose, onSaved }: {
  flow: Flow; templates: TemplateList['templates']; onClose: () => void; onSaved: () => void;
}) {
  const { navigate } = useRouter();
  const [delayHours, setDelayHours] = useState(String(flow.delayMinutes / 60));
  const [templateId, setTemplateId] = useState(flow.templateId === null ? '' : String(flow.templateId));
  const [conditions, setConditions] = useState(JSON.stringify(flow.conditions ?? {}, null, 2));
  const [failure, setFailure] = useState<ApiError | null>(null);
  const [saving, setSaving] = useState(false);
  const [localError, setLocalError] = useState<{ field: string; message: string } | null>(null);

  const save = async () => {
    setLocalError(null);
    setFailure(null);
    const hours = Number(delayHours);
    if (!Number.isFinite(hours) || hours < 0) {
      setLocalError({ field: 'delay', message: 'Enter the delay in hours, such as 2 or 0.5 (0 sends right away).' });
      return;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(conditions || '{}');
    } catch {
      setLocalError({ field: 'conditions', message: 'Conditions must be a JSON object, such as {} or {"minOrders": 2}.' });
      return;
    }
    setSaving(true);
    try {
      await post(`/api/flows/${flow.id}`, { delayMinutes: Math.round(hours * 60),
        templateId: templateId === '' ? null : (Number.isNaN(Number(templateId)) ? templateId : Number(templateId)),
        conditions: parsed }, 'PATCH');
      onSaved();
    } catch (e) {
      setFailure(toApiError(e));
    } finally {
      setSaving(false);
    }
  };
  return (
    <Modal open onClose={onClose} title={`Configure ${flow.name}`}
           primaryAction={{ content: 'Save', onAction: save, loading: saving }}
           secondaryActions={[{ content: 'Cancel', onAction: onClose }]}>
      <Modal.Section>
        <BlockStack gap="300">
          {failure ? <Banner tone="critical" title="Could not save the flow"><p>{failure.message}</p></Banner> : null}
          <TextField label="Delay (hours)" type="number" value={delayHours} onChange={setDelayHours} autoComplete="off"
                     min={0} step={0.5} error={localError?.field === 'delay' ? localError.message
                       : failure?.field === 'delayMinutes' ? failure.message : undefined} />
          <Select label="Template" value={templateId} onChange={setTemplateId}
                  options={[{ label: 'No template', value: '' },
                    ...templates.map((t) => ({ label: t.name, value: String(t.id) }))]}
                  helpText={templates.length === 0 ? 'No templates yet: create one under Templates.' : undefined} />
          <TextField label="Conditions (JSON)" value={conditions} onChange={setConditions} multiline={4}
                     autoComplete="off" monospaced
                     error={localError?.field === 'conditions' ? localError.message
                       : failure?.field === 'conditions' ? failure.message : undefined} />
          <div><Button variant="plain" onClick={() => navigate('/templates')}>Manage templates</Button></div>
        </BlockStack>
      </Modal.Section>
    </Modal>
  );
}
