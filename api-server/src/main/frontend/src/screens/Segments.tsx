import { Badge, BlockStack, Box, Button, Card, DataTable, InlineGrid, InlineStack, Layout, Page, Select,
  Text } from '@shopify/polaris';
import { useState } from 'react';
import { SankeyChart } from '../components/charts';
import { Empty, ErrorBanner, ErrorPage, LoadingPage } from '../components/States';
import { useApi } from '../components/useApi';
import { planRequired, UpgradePrompt } from '../components/PlanFeatures';
import { count, money } from '../format';
import { useRouter } from '../router';

export interface SegmentsAnswer {
  status: 'READY' | 'NOT_COMPUTED';
  message?: string;
  as_of_date: string | null;
  total_customers?: number;
  segments: { key: string; name: string; description: string; customers: number; revenue: string;
    predicted_customers?: number; average_clv_12m?: string | null }[];
  /** Present on a plan without predictions: the averages are left out. */
  plan_required?: { feature: string; plan: string };
}

interface Movement {
  status: 'READY' | 'NOT_COMPUTED';
  message?: string;
  from: string | null;
  to: string | null;
  available_dates: string[];
  total_customers?: number;
  moved_customers?: number;
  transitions: { from_segment: string; from_name: string; to_segment: string; to_name: string; customers: number;
    revenue: string }[];
}

// The score-to-segment map of domain/RfmSegmentMap (rows R5..R1, columns FM1..FM5).
const GRID: string[][] = [
  ['NEW', 'PROMISING', 'ACTIVE', 'CHAMPIONS', 'CHAMPIONS'],
  ['PROMISING', 'PROMISING', 'ACTIVE', 'LOYAL', 'LOYAL'],
  ['NEEDS_ATTENTION', 'NEEDS_ATTENTION', 'NEEDS_ATTENTION', 'LOYAL', 'LOYAL'],
  ['ALMOST_LOST', 'ALMOST_LOST', 'AT_RISK', 'AT_RISK', 'PREVIOUSLY_LOYAL'],
  ['DORMANT', 'DORMANT', 'ALMOST_LOST', 'AT_RISK', 'PREVIOUSLY_LOYAL'],
];
const COLORS: Record<string, string> = {
  CHAMPIONS: '#cdfee1', LOYAL: '#b4fed2', ACTIVE: '#e0f0ff', PROMISING: '#eae4ff', NEW: '#fff1e3',
  NEEDS_ATTENTION: '#fff8db', AT_RISK: '#ffe6d5', ALMOST_LOST: '#fee9e8', DORMANT: '#f1f1f1',
  PREVIOUSLY_LOYAL: '#ffd6a4',
};

export default function Segments() {
  const [segments, reload] = useApi<SegmentsAnswer>('/api/segments');
  if (segments.state === 'loading') return <LoadingPage title="Segments" />;
  if (segments.state === 'error') {
    return <ErrorPage title="Segments" error={segments.error} what="your segments" onRetry={reload} />;
  }
  const data = segments.data;
  if (data.status !== 'READY') {
    return (
      <Page title="Segments">
        <Card>
          <Empty heading="Segments appear after the first nightly run">
            {data.message ?? 'Once your store is imported, the nightly run scores every customer.'}
          </Empty>
        </Card>
      </Page>
    );
  }
  return (
    <Page title="Segments" subtitle={`${count(data.total_customers)} customers as of ${data.as_of_date}`}>
      <Layout>
        {data.plan_required ? (
          <Layout.Section>
            <UpgradePrompt feature={data.plan_required.feature} plan={data.plan_required.plan}>
              <p>See each segment's average predicted 12-month value, and each customer's chance of buying again
                and churn risk. Predictions are computed every night already: they show as soon as you upgrade.</p>
            </UpgradePrompt>
          </Layout.Section>
        ) : null}
        <Layout.Section>
          <InlineGrid columns={{ xs: 1, sm: 2, md: 3 }} gap="400">
            {data.segments.map((s) => <SegmentCard key={s.key} segment={s} />)}
          </InlineGrid>
        </Layout.Section>
        <Layout.Section>
          <RfmGrid segments={data.segments} />
        </Layout.Section>
        <Layout.Section>
          <MovementCard />
        </Layout.Section>
      </Layout>
    </Page>
  );
}

function SegmentCard({ segment }: { segment: SegmentsAnswer['segments'][number] }) {
  const { navigate } = useRouter();
  // Computed by the server over every customer of the segment with a prediction (GET /api/segments).
  // Absent on a plan without predictions: the line is left out (the page shows one upgrade prompt).
  const average = segment.average_clv_12m === undefined ? null
    : segment.average_clv_12m === null || segment.predicted_customers === undefined ? '—'
    : money(segment.average_clv_12m) + (segment.predicted_customers < segment.customers
      ? ` (${count(segment.predicted_customers)} of ${count(segment.customers)} customers predicted)` : '');
  return (
    <Card>
      <BlockStack gap="200">
        <InlineStack align="space-between" blockAlign="center">
          <Text as="h2" variant="headingMd">{segment.name}</Text>
          <Badge>{`${count(segment.customers)} customers`}</Badge>
        </InlineStack>
        <Text as="p" tone="subdued">{segment.description}</Text>
        <Text as="p">Revenue: <span data-segment-revenue={segment.key}>{money(segment.revenue)}</span></Text>
        {average === null ? null
          : <Text as="p">Average predicted 12-month value: <span data-segment-clv={segment.key}>{average}</span></Text>}
        {segment.customers > 0 ? (
          <div><Button onClick={() => navigate(`/customers?segment=${segment.key}`)}
                       accessibilityLabel={`See customers in ${segment.name}`}>See customers</Button></div>
        ) : null}
      </BlockStack>
    </Card>
  );
}

function RfmGrid({ segments }: { segments: SegmentsAnswer['segments'] }) {
  const byKey = new Map(segments.map((s) => [s.key, s]));
  const labelled = new Set<string>();
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">Recency × frequency-monetary</Text>
        <Text as="p" tone="subdued">Rows: how recently customers bought (5 = most recent). Columns: how often and how
          much they bought (5 = the most). Each area is one segment, with its number of customers.</Text>
        <table style={{ borderCollapse: 'collapse', width: '100%' }}>
          <caption style={{ position: 'absolute', left: -10000 }}>Segments by recency and frequency-monetary score</caption>
          <thead>
            <tr>
              <th scope="col">Recency \ FM</th>
              {[1, 2, 3, 4, 5].map((fm) => <th scope="col" key={fm}>FM {fm}</th>)}
            </tr>
          </thead>
          <tbody>
            {GRID.map((row, i) => (
              <tr key={i}>
                <th scope="row">R {5 - i}</th>
                {row.map((key, j) => {
                  const first = !labelled.has(key);
                  labelled.add(key);
                  const s = byKey.get(key);
                  return (
                    <td key={j} style={{ background: COLORS[key], border: '1px solid #fff', padding: 8,
                      height: 56, verticalAlign: 'top', color: '#303030' }}>
                      <Text as="span" variant="bodySm" fontWeight={first ? 'semibold' : 'regular'}>
                        {s?.name ?? key}
                      </Text>
                      {first && s ? <Box><Text as="span" variant="bodySm">{count(s.customers)}</Text></Box> : null}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </BlockStack>
    </Card>
  );
}

function MovementCard() {
  const [dates, setDates] = useState<{ from?: string; to?: string }>({});
  const query = dates.from && dates.to ? `?from=${dates.from}&to=${dates.to}` : '';
  const [movement, reload] = useApi<Movement>('/api/segments/movement' + query);
  if (movement.state === 'loading') return <Card><Text as="p">Loading segment movement…</Text></Card>;
  if (movement.state === 'error') {
    const required = planRequired(movement.error);
    if (required) {
      return (
        <UpgradePrompt feature={required.feature} plan={required.plan}>
          <p>See which customers moved between segments from one week to the next, and the revenue that moved with
            them. Your segment history is kept, so movement shows at once after the upgrade.</p>
        </UpgradePrompt>
      );
    }
    return <ErrorBanner error={movement.error} what="segment movement"
                        onRetry={query ? () => setDates({}) : reload} />;
  }
  const m = movement.data;
  if (m.status !== 'READY') {
    return (
      <Card>
        <Empty heading="Movement between segments needs two nightly runs">
          {m.message ?? 'Come back after the next nightly run.'}
        </Empty>
      </Card>
    );
  }
  const options = m.available_dates.map((d) => ({ label: d, value: d }));
  const links = m.transitions.filter((t) => t.customers > 0).map((t) => ({
    from: `${t.from_name} (${m.from})`, to: `${t.to_name} (${m.to})`, flow: t.customers,
  }));
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">Movement between segments</Text>
        <InlineStack gap="400">
          <Select label="From" options={options} value={m.from ?? ''}
                  onChange={(from) => setDates({ from, to: m.to ?? undefined })} />
          <Select label="To" options={options} value={m.to ?? ''}
                  onChange={(to) => setDates({ from: m.from ?? undefined, to })} />
        </InlineStack>
        <Text as="p" id="movement-summary">
          {count(m.moved_customers)} of {count(m.total_customers)} customers changed segment from {m.from} to {m.to}.
        </Text>
        {links.length > 0 ? <SankeyChart label={`Customers moving between segments from ${m.from} to ${m.to}`}
                                         links={links} /> : null}
        <DataTable
          columnContentTypes={['text', 'text', 'numeric', 'numeric']}
          headings={['From', 'To', 'Customers', 'Revenue']}
          rows={m.transitions.filter((t) => t.from_segment !== t.to_segment).sort((a, b) => b.customers - a.customers)
            .slice(0, 15).map((t) => [t.from_name, t.to_name, count(t.customers), money(t.revenue)])}
        />
      </BlockStack>
    </Card>
  );
}
