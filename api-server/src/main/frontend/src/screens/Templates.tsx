import { BlockStack, Card, IndexTable, Layout, Modal, Page, Select, Text, TextField, Banner } from '@shopify/polaris';
import { useState } from 'react';
import { ApiError, post } from '../api';
import { Empty, ErrorPage, LoadingPage } from '../components/States';
import { toApiError, useApi } from '../components/useApi';
import { useRouter } from '../router';
import { shopDateTime } from '../format';

interface TemplateSummary {
  id: string | number; name: string; subject: string; version: number; updatedAt: string;
  flowIds: (string | number)[];
}

const STARTER_BODY = '<p>Hi ${customer.first_name},</p>\n<p>Thank you for shopping with us.</p>\n';
/** The flows' responsive starters (POST /api/templates {"starter": kind}); '' is a blank template. */
const STARTERS = [
  { label: 'Blank', value: '' },
  { label: 'Welcome', value: 'welcome' },
  { label: 'Abandoned checkout', value: 'abandoned_checkout' },
  { label: 'Thank you', value: 'post_purchase_thank_you' },
  { label: 'Review request', value: 'review_request' },
  { label: 'Win-back', value: 'win_back' },
  { label: 'VIP', value: 'vip' },
];

export default function Templates() {
  const { navigate } = useRouter();
  const [templates, reload] = useApi<{ templates: TemplateSummary[] }>('/api/templates');
  const [creating, setCreating] = useState(false);
  if (templates.state === 'loading') return <LoadingPage title="Templates" />;
  if (templates.state === 'error') {
    return <ErrorPage title="Templates" error={templates.error} what="email templates" onRetry={reload} />;
  }
  const list = templates.data.templates;
  return (
    <Page title="Templates" primaryAction={{ content: 'New template', onAction: () => setCreating(true) }}>
      <Layout>
        <Layout.Section>
          <Card padding={list.length === 0 ? undefined : '0'}>
            {list.length === 0 ? (
              <Empty heading="Write your first email template"
                     action={{ content: 'New template', onAction: () => setCreating(true) }}>
                Flows send the template you choose for them. Start with a template, then link it to a flow.
              </Empty>
            ) : (
              <IndexTable resourceName={{ singular: 'template', plural: 'templates' }} itemCount={list.length}
                          selectable={false}
                          headings={[{ title: 'Name' }, { title: 'Subject' }, { title: 'Version', alignment: 'end' },
                            { title: 'Updated' }, { title: 'Used by flows', alignment: 'end' }]}>
                {list.map((t, index) => (
                  <IndexTable.Row id={String(t.id)} key={t.id} position={index}
                                  onClick={() => navigate(`/templates/${t.id}`)}>
                    <IndexTable.Cell><Text as="span" fontWeight="semibold">{t.name}</Text></IndexTable.Cell>
                    <IndexTable.Cell>{t.subject}</IndexTable.Cell>
                    <IndexTable.Cell><Text as="span" alignment="end" numeric>{t.version}</Text></IndexTable.Cell>
                    <IndexTable.Cell>{shopDateTime(t.updatedAt)}</IndexTable.Cell>
                    <IndexTable.Cell><Text as="span" alignment="end" numeric>{t.flowIds?.length ?? 0}</Text></IndexTable.Cell>
                  </IndexTable.Row>
                ))}
              </IndexTable>
            )}
          </Card>
        </Layout.Section>
      </Layout>
      {creating ? <NewTemplate onClose={() => setCreating(false)}
                               onCreated={(id) => navigate(`/templates/${id}`)} /> : null}
    </Page>
  );
}

function NewTemplate({ onClose, onCreated }: { onClose: () => void; onCreated: (id: string | number) => void }) {
  const [name, setName] = useState('');
  const [subject, setSubject] = useState('');
  const [starter, setStarter] = useState('');
  const [failure, setFailure] = useState<ApiError | null>(null);
  const [saving, setSaving] = useState(false);
  const create = async () => {
    setSaving(true);
    setFailure(null);
    try {
      const created = await post<TemplateSummary>('/api/templates', starter === ''
        ? { name, subject, bodyHtml: STARTER_BODY } : { name, subject, starter });
      onCreated(created.id);
    } catch (e) {
      setFailure(toApiError(e));
    } finally {
      setSaving(false);
    }
  };
  return (
    <Modal open onClose={onClose} title="New template"
           primaryAction={{ content: 'Create', onAction: create, loading: saving,
             disabled: name.trim() === '' || (starter === '' && subject.trim() === '') }}
           secondaryActions={[{ content: 'Cancel', onAction: onClose }]}>
      <Modal.Section>
        <BlockStack gap="300">
          {failure && !failure.field ? <Banner tone="critical" title="Could not create the template">
            <p>{failure.message}</p></Banner> : null}
          <TextField label="Name" value={name} onChange={setName} autoComplete="off"
                     helpText="Only you see it, for example “Win-back, first reminder”."
                     error={failure?.field === 'name' ? failure.message : undefined} />
          <Select label="Start from" options={STARTERS} value={starter} onChange={setStarter}
                  helpText="A starter is a finished email for the flow, laid out for phones and every mail client."
                  error={failure?.field === 'starter' ? failure.message : undefined} />
          <TextField label="Subject" value={subject} onChange={setSubject} autoComplete="off"
                     placeholder={starter === '' ? undefined : "The starter's subject"}
                     error={failure?.field === 'subject' ? failure.message : undefined} />
        </BlockStack>
      </Modal.Section>
    </Modal>
  );
}
