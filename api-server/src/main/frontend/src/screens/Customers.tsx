import { Badge, BlockStack, Card, IndexTable, InlineStack, Layout, Page, Pagination, Select, Text,
  TextField } from '@shopify/polaris';
import { useEffect, useState } from 'react';
import { downloadUrl } from '../api';
import { Empty, ErrorBanner, LoadingPage } from '../components/States';
import { useApi } from '../components/useApi';
import { planRequired, UpgradePrompt, usePlanFeatures } from '../components/PlanFeatures';
import { count, money, percent } from '../format';
import { useRouter } from '../router';

export interface CustomerItem {
  customer_id: string;
  segment: string;
  segment_name: string;
  recency_days: number | null;
  frequency: number;
  monetary: string;
  r_score: number; f_score: number; m_score: number;
  prediction_status?: string | null;
  /** Present instead of the predictions on a plan without them. */
  plan_required?: { feature: string; plan: string };
  predictions?: null | {
    expected_orders_30d: number; expected_orders_90d: number; expected_orders_365d: number;
    probability_alive: number; expected_order_value: string;
    clv_12m: { value: string; low: string; high: string };
    churn_risk: string; next_order_date: string | null;
  };
}

interface CustomerList {
  status: 'READY' | 'NOT_COMPUTED';
  message?: string;
  as_of_date: string | null;
  total: number;
  page: number;
  page_size: number;
  items: CustomerItem[];
  plan_required?: { feature: string; plan: string };
}

export const SEGMENTS: [string, string][] = [
  ['CHAMPIONS', 'Champions'], ['LOYAL', 'Loyal'], ['ACTIVE', 'Active'], ['PROMISING', 'Promising'], ['NEW', 'New'],
  ['NEEDS_ATTENTION', 'Needs attention'], ['AT_RISK', 'At risk'], ['ALMOST_LOST', 'Almost lost'],
  ['DORMANT', 'Dormant'], ['PREVIOUSLY_LOYAL', 'Previously loyal'], ['PROSPECTS', 'Prospects'],
];
const SORTS = [
  ['monetary', 'Total spent'], ['clv_12m', 'Predicted 12-month value'], ['frequency', 'Orders'],
  ['recency_days', 'Days since last order'], ['probability_alive', 'Chance still active'],
  ['customer_id', 'Customer id'],
];
const PAGE_SIZE = 50;
/** The filters and sorts that read predictions: not offered on a plan without them (the server refuses them). */
const PREDICTION_FILTERS = new Set(['churn_risk', 'clv_min', 'clv_max']);
const PREDICTION_SORTS = new Set(['clv_12m', 'probability_alive']);

interface Filters {
  segment: string; churn_risk: string; clv_min: string; clv_max: string; q: string; sort: string; order: string;
}

function initialFilters(): Filters {
  const url = new URLSearchParams(window.location.search);
  return { segment: url.get('segment') ?? '', churn_risk: url.get('churn_risk') ?? '', clv_min: '', clv_max: '',
    q: '', sort: 'monetary', order: 'desc' };
}

export function riskTone(risk: string | undefined) {
  return risk === 'HIGH' ? 'critical' : risk === 'MEDIUM' ? 'warning' : 'success';
}

export default function Customers() {
  const { navigate } = useRouter();
  const [filters, setFilters] = useState<Filters>(initialFilters);
  const [applied, setApplied] = useState<Filters>(filters);
  const [page, setPage] = useState(1);
  // Typing in the amount and id fields waits for a pause before asking the server.
  useEffect(() => {
    const timer = setTimeout(() => { setApplied(filters); setPage(1); }, 350);
    return () => clearTimeout(timer);
  }, [filters]);
  const features = usePlanFeatures();
  const predictions = features.has('predictions');
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(applied)) {
    const gated = PREDICTION_FILTERS.has(key) || (key === 'sort' && PREDICTION_SORTS.has(value));
    if (value.trim() !== '' && (predictions || !gated)) params.set(key, value.trim());
  }
  const filterQuery = params.toString();
  // Wait for the plan before the first request, so a link with a prediction filter is not sent to a Free shop.
  const [list, reload] = useApi<CustomerList>(features.known
    ? `/api/customers?${filterQuery}&page=${page}&page_size=${PAGE_SIZE}` : null);
  const predictionsShown = predictions && !(list.state === 'ready' && list.data.plan_required);
  const required = list.state === 'error' ? planRequired(list.error) : null;
  const set = (key: keyof Filters) => (value: string) => setFilters((f) => ({ ...f, [key]: value }));
  const fieldError = (name: string) => list.state === 'error' && list.error.field === name ? list.error.message : undefined;

  const exportCsv = async () => {
    window.location.href = await downloadUrl(`/api/customers.csv?${filterQuery}`);
  };

  if (list.state === 'loading' && page === 1 && (!features.known || filterQuery === 'sort=monetary&order=desc')) {
    return <LoadingPage title="Customers" />;
  }
  return (
    <Page title="Customers" subtitle={list.state === 'ready' && list.data.as_of_date
      ? `As of ${list.data.as_of_date}` : undefined}
          secondaryActions={[features.has('csv_export')
            ? { content: 'Export CSV', onAction: exportCsv, accessibilityLabel:
              'Export CSV of the customers matching these filters' }
            : { content: 'Upgrade to export CSV', onAction: () => navigate('/billing'), accessibilityLabel:
              'Upgrade to export CSV (CSV export is part of the Starter plan and above)' }]}>
      <Layout>
        {!predictionsShown || required ? (
          <Layout.Section>
            <UpgradePrompt feature={required?.feature ?? 'predictions'} plan={required?.plan ?? 'starter'}>
              <p>Each customer's predicted 12-month value, chance of buying again and churn risk, with their filters
                {features.has('csv_export') ? '' : ', and the CSV export'}, are part of the Starter plan and above.
                They are computed every night already and show as soon as you upgrade.</p>
            </UpgradePrompt>
          </Layout.Section>
        ) : null}
        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <InlineStack gap="300" wrap>
                <div style={{ minWidth: 160 }}>
                  <TextField label="Customer id" value={filters.q} onChange={set('q')} autoComplete="off"
                             placeholder="First digits" error={fieldError('q')} clearButton
                             onClearButtonClick={() => set('q')('')} />
                </div>
                <Select label="Segment" value={filters.segment} onChange={set('segment')}
                        options={[{ label: 'All segments', value: '' },
                          ...SEGMENTS.map(([value, label]) => ({ label, value }))]} />
                {predictionsShown ? (<>
                <Select label="Churn risk" value={filters.churn_risk} onChange={set('churn_risk')}
                        options={[{ label: 'Any risk', value: '' }, { label: 'High', value: 'HIGH' },
                          { label: 'Medium', value: 'MEDIUM' }, { label: 'Low', value: 'LOW' }]} />
                <div style={{ width: 140 }}>
                  <TextField label="12-month value from" value={filters.clv_min} onChange={set('clv_min')}
                             autoComplete="off" inputMode="decimal" error={fieldError('clv_min')} />
                </div>
                <div style={{ width: 140 }}>
                  <TextField label="12-month value to" value={filters.clv_max} onChange={set('clv_max')}
                             autoComplete="off" inputMode="decimal" error={fieldError('clv_max')} />
                </div>
                </>) : null}
                <Select label="Sort by" value={filters.sort} onChange={set('sort')}
                        options={SORTS.filter(([value]) => predictionsShown || !PREDICTION_SORTS.has(value))
                          .map(([value, label]) => ({ label, value }))} />
                <Select label="Order" value={filters.order} onChange={set('order')}
                        options={[{ label: 'Highest first', value: 'desc' }, { label: 'Lowest first', value: 'asc' }]} />
              </InlineStack>
              {list.state === 'error' && !list.error.field && !required ? (
                <ErrorBanner error={list.error} what="customers" onRetry={reload} />
              ) : null}
            </BlockStack>
          </Card>
        </Layout.Section>
        <Layout.Section>
          {list.state === 'ready' && list.data.status !== 'READY' ? (
            <Card><Empty heading="Customers appear after the first nightly run">
              {list.data.message ?? 'Once your store is imported, the nightly run scores every customer.'}
            </Empty></Card>
          ) : list.state === 'ready' && list.data.total === 0 ? (
            <Card><Empty heading="No customers match these filters"
                         action={{ content: 'Clear filters', onAction: () => setFilters({ segment: '', churn_risk: '',
                           clv_min: '', clv_max: '', q: '', sort: 'monetary', order: 'desc' }) }}>
              Widen the value range, choose another segment or clear the filters.
            </Empty></Card>
          ) : (
            <Card padding="0">
              <IndexTable
                resourceName={{ singular: 'customer', plural: 'customers' }}
                itemCount={list.state === 'ready' ? list.data.items.length : 0}
                loading={list.state === 'loading'}
                selectable={false}
                headings={[{ title: 'Customer' }, { title: 'Segment' }, { title: 'Orders', alignment: 'end' },
                  { title: 'Total spent', alignment: 'end' }, { title: 'Days since last order', alignment: 'end' },
                  ...(predictionsShown ? [{ title: 'Predicted 12-month value', alignment: 'end' as const },
                    { title: 'Chance still active', alignment: 'end' as const }, { title: 'Churn risk' }] : [])] as
                  [{ title: string }, ...{ title: string; alignment?: 'end' }[]]}
              >
                {list.state === 'ready' ? list.data.items.map((c, index) => (
                  <IndexTable.Row id={c.customer_id} key={c.customer_id} position={index}
                                  onClick={() => navigate(`/customers/${c.customer_id}`)}>
                    <IndexTable.Cell>
                      <Text as="span" fontWeight="semibold">{c.customer_id}</Text>
                    </IndexTable.Cell>
                    <IndexTable.Cell>{c.segment_name}</IndexTable.Cell>
                    <IndexTable.Cell><Text as="span" alignment="end" numeric>{count(c.frequency)}</Text></IndexTable.Cell>
                    <IndexTable.Cell><Text as="span" alignment="end" numeric>{money(c.monetary)}</Text></IndexTable.Cell>
                    <IndexTable.Cell><Text as="span" alignment="end" numeric>{count(c.recency_days)}</Text></IndexTable.Cell>
                    {predictionsShown ? (<>
                    <IndexTable.Cell><Text as="span" alignment="end" numeric>
                      {c.predictions ? money(c.predictions.clv_12m.value) : '—'}</Text></IndexTable.Cell>
                    <IndexTable.Cell><Text as="span" alignment="end" numeric>
                      {c.predictions ? percent(c.predictions.probability_alive, 0) : '—'}</Text></IndexTable.Cell>
                    <IndexTable.Cell>{c.predictions ? (
                      <Badge tone={riskTone(c.predictions.churn_risk)}>{c.predictions.churn_risk}</Badge>) : '—'}
                    </IndexTable.Cell>
                    </>) : null}
                  </IndexTable.Row>
                )) : []}
              </IndexTable>
              {list.state === 'ready' ? (
                <div style={{ padding: 12 }}>
                  <InlineStack align="space-between" blockAlign="center">
                    <Text as="p" id="customers-total">
                      {count(list.data.total)} customers · page {list.data.page} of{' '}
                      {Math.max(1, Math.ceil(list.data.total / PAGE_SIZE))}
                    </Text>
                    <Pagination hasPrevious={page > 1} onPrevious={() => setPage(page - 1)}
                                hasNext={page * PAGE_SIZE < list.data.total} onNext={() => setPage(page + 1)}
                                accessibilityLabels={{ previous: 'Previous page', next: 'Next page' }} />
                  </InlineStack>
                </div>
              ) : null}
            </Card>
          )}
        </Layout.Section>
        <Layout.Section>
          <Text as="p" tone="subdued">Search is by customer id: names and emails stay in Shopify. Predicted values use
            the last nightly run; customers without a prediction show a dash.</Text>
        </Layout.Section>
      </Layout>
    </Page>
  );
}

