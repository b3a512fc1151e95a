import { Badge, BlockStack, Button, Card, DataTable, InlineGrid, InlineStack, Layout, Page, ProgressBar,
  Text } from '@shopify/polaris';
import { useState } from 'react';
import { ApiError, post } from '../api';
import { TimeChart } from '../components/charts';
import { Empty, ErrorBanner, LoadingPage } from '../components/States';
import { toApiError, useApi } from '../components/useApi';
import { count, money, percent } from '../format';
import { useRouter } from '../router';
import { QuotaBanner } from '../components/QuotaBanner';
import { ContactsBanner, HiddenInsightsPrompt, type PlanRequiredMarker } from '../components/PlanFeatures';
import type { BillingAnswer } from './Billing';

export interface Kpis {
  status: 'READY' | 'NOT_COMPUTED';
  message?: string;
  as_of_date: string | null;
  from?: string;
  to?: string;
  totals?: { orders: number; revenue: string; aov: string; new_customer_orders: number;
    returning_customer_orders: number; customers?: number; repeat_customers?: number; repeat_rate?: number };
  days: { date: string; orders: number; revenue: string; aov: string; new_customer_orders: number;
    returning_customer_orders: number; buyers: number; customers: number; repeat_customers: number;
    repeat_rate: number }[];
}

interface Sync {
  phase: 'NOT_STARTED' | 'RUNNING' | 'FAILED' | 'COMPLETED';
  objects_so_far: number;
  objects: { object_type: string; label?: string; status: string; message?: string | null; objects_so_far: number;
    root_objects_so_far: number | null; estimated_root_objects: number | null; error: string | null }[];
}

export interface Insight {
  id: string; kind: string; severity: string; rank: number; title: string; body: string;
  action?: { label: string; path: string } | null; state: string;
}

interface InsightsAnswer { insights: Insight[]; publish_id?: number | null; plan_required?: PlanRequiredMarker }

export default function Home() {
  const [kpis, reloadKpis] = useApi<Kpis>('/api/kpis');
  const [sync] = useApi<Sync>('/api/sync');
  const [insights, reloadInsights] = useApi<InsightsAnswer>('/api/insights');
  const [billing] = useApi<BillingAnswer>('/api/billing');
  const { navigate } = useRouter();
  if (kpis.state === 'loading') return <LoadingPage title="Home" />;
  return (
    <Page title="Home" subtitle={kpis.state === 'ready' && kpis.data.as_of_date
      ? `Your shop as of ${kpis.data.as_of_date}, from the last nightly run` : undefined}>
      <Layout>
        {billing.state === 'ready' && (billing.data.usage.held_for_quota?.count ?? 0) > 0 ? (
          <Layout.Section>
            <QuotaBanner held={billing.data.usage.held_for_quota} monthlyEmails={billing.data.usage.emails_limit}
                         action={{ content: 'Upgrade plan', onAction: () => navigate('/billing') }} />
          </Layout.Section>
        ) : null}
        {billing.state === 'ready' && billing.data.usage.over_contacts_limit ? (
          <Layout.Section>
            <ContactsBanner usage={billing.data.usage}
                            action={{ content: 'See plans', onAction: () => navigate('/billing') }} />
          </Layout.Section>
        ) : null}
        {sync.state === 'ready' && sync.data.phase !== 'COMPLETED' ? (
          <Layout.Section><SyncProgress sync={sync.data} /></Layout.Section>
        ) : null}
        <Layout.Section>
          {kpis.state === 'error' ? <ErrorBanner error={kpis.error} what="your shop's KPIs" onRetry={reloadKpis} />
            : kpis.data.status !== 'READY' ? (
              <Card>
                <Empty heading="Your numbers arrive after the first nightly run">
                  {kpis.data.message ?? 'KPIs appear once your store is imported and the nightly run has finished.'}
                </Empty>
              </Card>
            ) : <KpiOverview kpis={kpis.data} />}
        </Layout.Section>
        {insights.state === 'ready' && insights.data.plan_required ? (
          <Layout.Section>
            <HiddenInsightsPrompt marker={insights.data.plan_required} />
          </Layout.Section>
        ) : null}
        <Layout.Section>
          <TopInsights insights={insights} onChanged={reloadInsights} />
        </Layout.Section>
      </Layout>
    </Page>
  );
}

/** A sync step's badge: failed, done, paused (a running step the server has a message about: the rate limit) or running. */
function stepBadge(step: Sync['objects'][number]): { tone: 'critical' | 'success' | 'attention' | 'info'; label: string } {
  if (step.status === 'FAILED') return { tone: 'critical', label: 'Failed' };
  if (step.status === 'COMPLETED') return { tone: 'success', label: 'Done' };
  return step.message ? { tone: 'attention', label: 'Paused by Shopify' } : { tone: 'info', label: 'In progress' };
}

function SyncProgress({ sync }: { sync: Sync }) {
  const estimated = sync.objects.reduce((s, o) => s + (o.estimated_root_objects ?? 0), 0);
  const done = sync.objects.reduce((s, o) => s + (o.root_objects_so_far ?? 0), 0);
  const progress = estimated > 0 ? Math.min(100, Math.round((done / estimated) * 100)) : undefined;
  return (
    <Card>
      <BlockStack gap="300">
        <InlineStack gap="200" blockAlign="center">
          <Text as="h2" variant="headingMd">Importing your store</Text>
          <Badge tone={sync.phase === 'FAILED' ? 'critical' : 'info'}>
            {sync.phase === 'FAILED' ? 'Import failed' : sync.phase === 'RUNNING' ? 'In progress' : 'Waiting to start'}
          </Badge>
        </InlineStack>
        <ProgressBar progress={progress ?? (sync.phase === 'RUNNING' ? 10 : 0)} size="small"
                     tone={sync.phase === 'FAILED' ? 'critical' : 'highlight'} />
        <Text as="p">
          {count(sync.objects_so_far)} records imported so far
          {progress !== undefined ? ` (about ${progress}% of what we expect)` : ''}. Segments and predictions appear
          after the first nightly run that follows the import.
        </Text>
        <BlockStack gap="100">
          {sync.objects.map((o) => {
            const badge = stepBadge(o);
            return (
              <InlineStack gap="200" blockAlign="center" key={o.object_type}>
                <Text as="span" variant="bodyMd" fontWeight="semibold">{o.label ?? o.object_type}</Text>
                <Badge tone={badge.tone}>{badge.label}</Badge>
              </InlineStack>
            );
          })}
        </BlockStack>
        {/* The server words each step's problem for the merchant; the technical error is only for support. */}
        {sync.objects.filter((o) => o.message || (o.error && o.status === 'FAILED')).map((o) => (
          <Text as="p" tone={o.status === 'FAILED' ? 'critical' : undefined} key={`${o.object_type}-message`}
                id={`sync-message-${o.object_type}`}>
            {o.label ?? o.object_type}: {o.message ?? 'this step failed. The import restarts on its own; if this '
              + 'stays, reinstall the app from Shopify admin.'}
          </Text>
        ))}
      </BlockStack>
    </Card>
  );
}

function KpiOverview({ kpis }: { kpis: Kpis }) {
  const t = kpis.totals!;
  const cards: [string, string, string][] = [
    ['Revenue', money(t.revenue), 'kpi-revenue'],
    ['Orders', count(t.orders), 'kpi-orders'],
    ['Average order value', money(t.aov), 'kpi-aov'],
    ['Repeat customer rate', percent(t.repeat_rate), 'kpi-repeat-rate'],
  ];
  return (
    <BlockStack gap="400">
      <InlineGrid columns={{ xs: 1, sm: 2, md: 4 }} gap="400">
        {cards.map(([label, value, id]) => (
          <Card key={id}>
            <BlockStack gap="100">
              <Text as="h3" variant="headingSm" tone="subdued">{label}</Text>
              <Text as="p" variant="headingLg" id={id}>{value}</Text>
              <Text as="p" variant="bodySm" tone="subdued">{kpis.from} to {kpis.to}</Text>
            </BlockStack>
          </Card>
        ))}
      </InlineGrid>
      <Card>
        <BlockStack gap="300">
          <Text as="h2" variant="headingMd">Revenue and orders per day</Text>
          {kpis.days.length === 0 ? (
            <Text as="p">No orders between {kpis.from} and {kpis.to}.</Text>
          ) : (
            <TimeChart label="Revenue and orders per day" labels={kpis.days.map((d) => d.date)} series={[
              { label: 'Revenue', values: kpis.days.map((d) => Number(d.revenue)), color: '#2c6ecb' },
              { label: 'Orders', values: kpis.days.map((d) => d.orders), color: '#e3a23b', axis: 'right' },
            ]} />
          )}
        </BlockStack>
      </Card>
      <Card>
        <BlockStack gap="200">
          <Text as="h2" variant="headingMd">Day by day</Text>
          <DataTable
            columnContentTypes={['text', 'numeric', 'numeric', 'numeric', 'numeric', 'numeric']}
            headings={['Date', 'Orders', 'Revenue', 'Average order value', 'First orders', 'Repeat orders']}
            rows={[...kpis.days].reverse().slice(0, 14).map((d) => [d.date, count(d.orders), money(d.revenue),
              money(d.aov), count(d.new_customer_orders), count(d.returning_customer_orders)])}
            totals={['', count(t.orders), money(t.revenue), money(t.aov), count(t.new_customer_orders),
              count(t.returning_customer_orders)]}
            showTotalsInFooter
            totalsName={{ singular: `Total ${kpis.from} to ${kpis.to}`, plural: `Total ${kpis.from} to ${kpis.to}` }}
          />
        </BlockStack>
      </Card>
    </BlockStack>
  );
}

function TopInsights({ insights, onChanged }: {
  insights: ReturnType<typeof useApi<InsightsAnswer>>[0]; onChanged: () => void;
}) {
  const { navigate } = useRouter();
  const [failure, setFailure] = useState<ApiError | null>(null);
  const mark = async (insight: Insight, what: 'dismiss' | 'done') => {
    setFailure(null);
    try {
      await post(`/api/insights/${encodeURIComponent(insight.id)}/${what}`, {});
      onChanged();
    } catch (e) {
      setFailure(toApiError(e));
    }
  };
  if (insights.state === 'loading') return null;
  if (insights.state === 'error') {
    // Insights are an addition to Home: while the endpoint is not deployed, Home simply goes without them.
    return insights.error.notAvailable ? null : <ErrorBanner error={insights.error} what="insights" />;
  }
  const open = insights.data.insights.filter((i) => i.state !== 'DISMISSED' && i.state !== 'DONE')
    .sort((a, b) => a.rank - b.rank).slice(0, 3);
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">Top insights</Text>
        {failure ? <ErrorBanner error={failure} what="the insight change" /> : null}
        {open.length === 0 ? (
          <Text as="p">No open insights. New ones appear after the nightly run when something needs your attention.</Text>
        ) : open.map((insight) => (
          <BlockStack gap="100" key={insight.id}>
            <InlineStack gap="200">
              <Text as="h3" variant="headingSm">{insight.title}</Text>
              <Badge tone={insight.severity === 'HIGH' ? 'critical' : insight.severity === 'MEDIUM' ? 'warning' : 'info'}>
                {insight.severity}
              </Badge>
            </InlineStack>
            <Text as="p">{insight.body}</Text>
            <InlineStack gap="200">
              {insight.action ? (
                <Button onClick={() => navigate(insight.action!.path)}>{insight.action.label}</Button>
              ) : null}
              <Button variant="tertiary" onClick={() => mark(insight, 'done')}
                      accessibilityLabel={`Mark done: ${insight.title}`}>Mark done</Button>
              <Button variant="tertiary" onClick={() => mark(insight, 'dismiss')}
                      accessibilityLabel={`Dismiss: ${insight.title}`}>Dismiss</Button>
            </InlineStack>
          </BlockStack>
        ))}
      </BlockStack>
    </Card>
  );
}
