import { BlockStack, Card, DataTable, InlineGrid, InlineStack, Layout, Page, Select, Text } from '@shopify/polaris';
import { useState } from 'react';
import { TimeChart } from '../components/charts';
import { Empty, ErrorPage, LoadingPage } from '../components/States';
import { useApi } from '../components/useApi';
import { addDays, cents, count, percent, shopDate } from '../format';

interface Metrics {
  sent: number; delivered: number; bounced: number; uniqueOpens: number; machineOpens: number; uniqueClicks: number;
  unsubscribes: number; orders: number; revenueCents: number; openRate: number; clickRate: number;
}
interface Performance {
  totals: Metrics;
  series: (Metrics & { date: string })[];
  flows: (Metrics & { flowId?: string | number; kind?: string; name?: string })[];
  templates: (Metrics & { templateId?: string | number; name?: string })[];
  attribution?: { clickDays?: number; openDays?: number };
}

const RANGES = [['7', 'Last 7 days'], ['30', 'Last 30 days'], ['90', 'Last 90 days']];

function row(name: string, m: Metrics) {
  return [name, count(m.sent), count(m.delivered), percent(m.openRate), percent(m.clickRate), count(m.unsubscribes),
    count(m.orders), cents(m.revenueCents)];
}
const HEADINGS = ['', 'Sent', 'Delivered', 'Open rate', 'Click rate', 'Unsubscribes', 'Attributed orders',
  'Attributed revenue'];
const TYPES: ('text' | 'numeric')[] = ['text', 'numeric', 'numeric', 'numeric', 'numeric', 'numeric', 'numeric', 'numeric'];

export default function EmailPerformance() {
  const [days, setDays] = useState('30');
  const to = shopDate(new Date().toISOString());
  const from = addDays(to, -(Number(days) - 1));
  const [perf, reload] = useApi<Performance>(`/api/email-performance?from=${from}&to=${to}`);
  if (perf.state === 'loading') return <LoadingPage title="Email performance" />;
  if (perf.state === 'error') {
    return <ErrorPage title="Email performance" error={perf.error} what="email performance" onRetry={reload} />;
  }
  const p = perf.data;
  const t = p.totals;
  return (
    <Page title="Email performance" subtitle={`${from} to ${to}`}>
      <Layout>
        <Layout.Section>
          <InlineStack align="end">
            <Select label="Period" labelInline options={RANGES.map(([value, label]) => ({ value, label }))}
                    value={days} onChange={setDays} />
          </InlineStack>
        </Layout.Section>
        {t.sent === 0 ? (
          <Layout.Section>
            <Card><Empty heading="No emails sent in this period">
              Turn on a flow under Flows; results appear here as soon as its first emails go out.
            </Empty></Card>
          </Layout.Section>
        ) : (
          <>
            <Layout.Section>
              <InlineGrid columns={{ xs: 1, sm: 2, md: 4 }} gap="400">
                {([['Sent', count(t.sent)], ['Open rate', percent(t.openRate)], ['Click rate', percent(t.clickRate)],
                  ['Attributed revenue', cents(t.revenueCents)]] as [string, string][]).map(([label, value]) => (
                  <Card key={label}><BlockStack gap="100">
                    <Text as="h3" variant="headingSm" tone="subdued">{label}</Text>
                    <Text as="p" variant="headingLg">{value}</Text>
                  </BlockStack></Card>
                ))}
              </InlineGrid>
            </Layout.Section>
            <Layout.Section>
              <Card>
                <BlockStack gap="200">
                  <Text as="h2" variant="headingMd">Per day</Text>
                  <TimeChart label="Emails sent, unique opens and unique clicks per day"
                             labels={p.series.map((d) => d.date)} series={[
                               { label: 'Sent', values: p.series.map((d) => d.sent), color: '#2c6ecb' },
                               { label: 'Unique opens', values: p.series.map((d) => d.uniqueOpens), color: '#29845a' },
                               { label: 'Unique clicks', values: p.series.map((d) => d.uniqueClicks), color: '#e3a23b' },
                             ]} />
                </BlockStack>
              </Card>
            </Layout.Section>
            <Layout.Section>
              <Card>
                <BlockStack gap="200">
                  <Text as="h2" variant="headingMd">By flow</Text>
                  <DataTable columnContentTypes={TYPES} headings={HEADINGS}
                             rows={p.flows.map((f) => row(f.name ?? f.kind ?? String(f.flowId), f))}
                             totals={row('', t)} showTotalsInFooter />
                </BlockStack>
              </Card>
            </Layout.Section>
            <Layout.Section>
              <Card>
                <BlockStack gap="200">
                  <Text as="h2" variant="headingMd">By template</Text>
                  <DataTable columnContentTypes={TYPES} headings={HEADINGS}
                             rows={p.templates.map((x) => row(x.name ?? String(x.templateId), x))} />
                </BlockStack>
              </Card>
            </Layout.Section>
            <Layout.Section>
              <Text as="p" tone="subdued">
                Attribution: an order counts for an email when the customer clicked it
                {p.attribution?.clickDays ? ` within ${p.attribution.clickDays} days` : ''}
                {p.attribution?.openDays ? ` or opened it within ${p.attribution.openDays} days` : ''} before ordering
                (change the windows under Settings). Opens by mail-privacy proxies ({count(t.machineOpens)}) are not
                counted as opens.
              </Text>
            </Layout.Section>
          </>
        )}
      </Layout>
    </Page>
  );
}
