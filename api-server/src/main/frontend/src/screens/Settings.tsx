import { Badge, Banner, BlockStack, Button, Card, Checkbox, DataTable, FormLayout, InlineStack, Layout, Link, Page,
  Text, TextField } from '@shopify/polaris';
import { useEffect, useState } from 'react';
import { ApiError, post } from '../api';
import { ErrorBanner, LoadingPage, NotAvailable } from '../components/States';
import { toApiError, useApi } from '../components/useApi';
import { UpgradePrompt, usePlanFeatures } from '../components/PlanFeatures';
import { shopDateTime } from '../format';

interface SettingsAnswer {
  timezone: string;
  quietHours: { enabled: boolean; start: string; end: string };
  attribution: { clickDays: number; openDays: number };
  fromName: string;
  replyTo: string;
  fromAddress: string;
  postalAddress: string;
}
interface SenderDomain {
  domain: string | null;
  status: string;
  records: { type: string; host: string; value: string; status: string }[];
  checkedAt: string | null;
}

export default function Settings() {
  const [settings, reload] = useApi<SettingsAnswer>('/api/settings');
  const [domain, reloadDomain] = useApi<SenderDomain>('/api/sender-domain');
  const features = usePlanFeatures();
  if (settings.state === 'loading' && domain.state === 'loading') return <LoadingPage title="Settings" />;
  return (
    <Page title="Settings">
      <Layout>
        <Layout.AnnotatedSection title="Sender domain"
                                 description="Emails go out from your own domain once its DNS records are in place.">
          {features.known && !features.has('own_sender_domain') ? (
            <UpgradePrompt feature="own_sender_domain" plan="growth">
              <p>Send from your own domain, signed with DKIM, on the Growth plan and above. Until then emails go from
                our address in your shop's name, with replies to you.
                {domain.state === 'ready' && domain.data.domain
                  ? ` Your domain ${domain.data.domain} and its records are kept for when you upgrade.` : ''}</p>
            </UpgradePrompt>
          ) : domain.state === 'loading' ? <Card><Text as="p">Loading…</Text></Card>
            : domain.state === 'error' ? (domain.error.notAvailable ? <NotAvailable what="the sender domain" />
              : <ErrorBanner error={domain.error} what="the sender domain" onRetry={reloadDomain} />)
            : <SenderDomainCard domain={domain.data} onChanged={reloadDomain} />}
        </Layout.AnnotatedSection>
        <Layout.AnnotatedSection title="Sending"
                                 description="Time zone, quiet hours and how orders are attributed to emails.">
          {settings.state === 'loading' ? <Card><Text as="p">Loading…</Text></Card>
            : settings.state === 'error' ? (settings.error.notAvailable ? <NotAvailable what="sending settings" />
              : <ErrorBanner error={settings.error} what="your settings" onRetry={reload} />)
            : <SettingsForm initial={settings.data} onSaved={reload}
                            verifiedDomain={domain.state === 'ready' && domain.data.status === 'VERIFIED'
                              ? domain.data.domain : null} />}
        </Layout.AnnotatedSection>
        <Layout.AnnotatedSection title="Privacy"
                                 description="What EcomCRM keeps about your store and your customers.">
          <Card>
            <Text as="p">
              {/* An absolute URL: the app's link component keeps relative ones inside the dashboard's router. */}
              Read the <Link url={new URL('/privacy', window.location.origin).href} target="_blank">privacy
              policy</Link>: the data the app holds, why,
              where, for how long, and how customer data requests and erasures are handled.
            </Text>
          </Card>
        </Layout.AnnotatedSection>
      </Layout>
    </Page>
  );
}

function SenderDomainCard({ domain, onChanged }: { domain: SenderDomain; onChanged: () => void }) {
  const [value, setValue] = useState(domain.domain ?? '');
  const [failure, setFailure] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState<'save' | 'verify' | null>(null);
  const act = async (kind: 'save' | 'verify') => {
    setBusy(kind);
    setFailure(null);
    try {
      if (kind === 'save') await post('/api/sender-domain', { domain: value.trim() }, 'PUT');
      else await post('/api/sender-domain/verify', {});
      onChanged();
    } catch (e) {
      setFailure(toApiError(e));
    } finally {
      setBusy(null);
    }
  };
  return (
    <Card>
      <BlockStack gap="300">
        {failure && failure.field !== 'domain' ? <ErrorBanner error={failure} what="the sender domain" /> : null}
        <InlineStack gap="200" blockAlign="end">
          <div style={{ flexGrow: 1 }}>
            <TextField label="Domain" value={value} onChange={setValue} autoComplete="off" placeholder="example.com"
                       error={failure?.field === 'domain' ? failure.message : undefined} />
          </div>
          <Button onClick={() => act('save')} loading={busy === 'save'}
                  disabled={value.trim() === '' || value.trim() === domain.domain}>Save domain</Button>
        </InlineStack>
        {domain.domain ? (
          <>
            <InlineStack gap="200" blockAlign="center">
              <Text as="span">Status:</Text>
              <Badge tone={domain.status === 'VERIFIED' ? 'success' : domain.status === 'FAILED' ? 'critical' : 'attention'}>
                {domain.status}</Badge>
              {domain.checkedAt ? <Text as="span" tone="subdued">checked {shopDateTime(domain.checkedAt)}</Text> : null}
            </InlineStack>
            {domain.status !== 'VERIFIED' ? (
              <Text as="p">Add these records at your DNS provider, then check again. DNS changes can take a few hours
                to be seen.</Text>
            ) : null}
            <DataTable columnContentTypes={['text', 'text', 'text', 'text']} headings={['Type', 'Host', 'Value', 'Status']}
                       rows={domain.records.map((r) => [r.type, r.host, <code key={r.host + r.type}
                         style={{ wordBreak: 'break-all' }}>{r.value}</code>, r.status])} />
            <div><Button onClick={() => act('verify')} loading={busy === 'verify'}>Check DNS records</Button></div>
          </>
        ) : <Text as="p">No sender domain yet: enter the domain your emails should come from.</Text>}
      </BlockStack>
    </Card>
  );
}

/** Fields the shop has not set yet arrive as null; the form edits them as empty text. */
function editable(s: SettingsAnswer): SettingsAnswer {
  return { ...s, timezone: s.timezone ?? '', fromName: s.fromName ?? '', replyTo: s.replyTo ?? '',
    fromAddress: localPart(s.fromAddress ?? ''), postalAddress: s.postalAddress ?? '',
    quietHours: { enabled: !!s.quietHours?.enabled, start: s.quietHours?.start ?? '', end: s.quietHours?.end ?? '' },
    attribution: { clickDays: s.attribution?.clickDays ?? NaN, openDays: s.attribution?.openDays ?? NaN } };
}

/** The mailbox name of an address: the form edits it in front of the verified domain. */
function localPart(address: string): string {
  return address.includes('@') ? address.slice(0, address.lastIndexOf('@')) : address;
}

function SettingsForm({ initial, onSaved, verifiedDomain }: {
  initial: SettingsAnswer; onSaved: () => void; verifiedDomain: string | null;
}) {
  const [form, setForm] = useState(() => editable(initial));
  useEffect(() => setForm(editable(initial)), [initial]);
  const [failure, setFailure] = useState<ApiError | null>(null);
  const [saving, setSaving] = useState(false);
  const [done, setDone] = useState(false);
  const fieldError = (name: string) => (failure?.field === name ? failure.message : undefined);
  const save = async () => {
    setSaving(true);
    setFailure(null);
    setDone(false);
    try {
      // The From address exists only at the verified domain; without one, emails go from the app's address.
      const fromAddress = verifiedDomain && form.fromAddress.trim() !== ''
        ? `${form.fromAddress.trim()}@${verifiedDomain}` : null;
      await post('/api/settings', { ...form, fromAddress }, 'PUT');
      setDone(true);
      onSaved();
    } catch (e) {
      setFailure(toApiError(e));
    } finally {
      setSaving(false);
    }
  };
  const number = (v: string) => (v.trim() === '' ? NaN : Number(v));
  return (
    <Card>
      <BlockStack gap="300">
        {failure && !failure.field ? <ErrorBanner error={failure} what="your settings" /> : null}
        {done ? <Banner tone="success" onDismiss={() => setDone(false)}><p>Settings saved.</p></Banner> : null}
        <FormLayout>
          <TextField label="Time zone" value={form.timezone} onChange={(timezone) => setForm({ ...form, timezone })}
                     autoComplete="off" helpText="An IANA name such as Europe/Paris or America/New_York."
                     error={fieldError('timezone')} />
          <Checkbox label="Quiet hours: hold emails during the night" checked={form.quietHours.enabled}
                    onChange={(enabled) => setForm({ ...form, quietHours: { ...form.quietHours, enabled } })} />
          <FormLayout.Group condensed>
            <TextField label="Quiet from" type="time" value={form.quietHours.start} autoComplete="off"
                       disabled={!form.quietHours.enabled} error={fieldError('quietHours.start')}
                       onChange={(start) => setForm({ ...form, quietHours: { ...form.quietHours, start } })} />
            <TextField label="Quiet until" type="time" value={form.quietHours.end} autoComplete="off"
                       disabled={!form.quietHours.enabled} error={fieldError('quietHours.end')}
                       onChange={(end) => setForm({ ...form, quietHours: { ...form.quietHours, end } })} />
          </FormLayout.Group>
          <FormLayout.Group condensed>
            <TextField label="Attribution after a click (days)" type="number" min={0} autoComplete="off"
                       value={Number.isNaN(form.attribution.clickDays) ? '' : String(form.attribution.clickDays)} error={fieldError('attribution.clickDays')}
                       onChange={(v) => setForm({ ...form, attribution: { ...form.attribution, clickDays: number(v) } })} />
            <TextField label="Attribution after an open (days)" type="number" min={0} autoComplete="off"
                       value={Number.isNaN(form.attribution.openDays) ? '' : String(form.attribution.openDays)} error={fieldError('attribution.openDays')}
                       onChange={(v) => setForm({ ...form, attribution: { ...form.attribution, openDays: number(v) } })} />
          </FormLayout.Group>
          <TextField label="Sender name" value={form.fromName} autoComplete="off" error={fieldError('fromName')}
                     onChange={(fromName) => setForm({ ...form, fromName })} />
          <TextField label="Reply-to address" type="email" value={form.replyTo} autoComplete="email"
                     error={fieldError('replyTo')} onChange={(replyTo) => setForm({ ...form, replyTo })} />
          {verifiedDomain ? (
            <TextField label="From address" value={form.fromAddress} suffix={`@${verifiedDomain}`} autoComplete="off"
                       placeholder="hello" error={fieldError('fromAddress')}
                       helpText="The address your customers see. Leave it empty to send from our address in your shop's name."
                       onChange={(fromAddress) => setForm({ ...form, fromAddress })} />
          ) : (
            <Text as="p" tone="subdued">
              To send from your own address (for example hello@your-shop.com), verify your sender domain first.
              Until then emails go from our address in your shop&apos;s name, and replies come to you.
            </Text>
          )}
          <TextField label="Postal address" value={form.postalAddress} multiline={2} autoComplete="street-address"
                     helpText="Shown in the footer of your emails beside the unsubscribe link, as anti-spam laws ask."
                     error={fieldError('postalAddress')} onChange={(postalAddress) => setForm({ ...form, postalAddress })} />
        </FormLayout>
        <div><Button variant="primary" onClick={save} loading={saving}>Save settings</Button></div>
      </BlockStack>
    </Card>
  );
}
