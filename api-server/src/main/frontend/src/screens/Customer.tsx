import { Badge, BlockStack, Card, DataTable, InlineGrid, InlineStack, Layout, Page, Pagination,
  Text } from '@shopify/polaris';
import { useState } from 'react';
import { TimeChart } from '../components/charts';
import { ErrorBanner, ErrorPage, LoadingPage } from '../components/States';
import { useApi } from '../components/useApi';
import { UpgradePrompt } from '../components/PlanFeatures';
import { count, decimal, money, percent, shopDateTime } from '../format';
import { useRouter } from '../router';
import { riskTone, type CustomerItem } from './Customers';

interface CustomerDetail {
  as_of_date: string;
  customer: CustomerItem;
  rfm_history: { date: string; segment: string; segment_name: string; monetary: string }[];
}

export interface CustomerOrders {
  as_of_date: string;
  total: number;
  page: number;
  page_size: number;
  items: { order_id: string; name: string; processed_at: string; financial_status: string | null; total: string;
    refunded: string; net: string; line_count: number; cancelled: boolean }[];
}

const ORDERS_PAGE_SIZE = 10;

interface Emails {
  emails: { sendId: string; flowKind: string; subject: string; status: string; sentAt: string | null;
    opened: boolean; clicked: boolean }[];
}

export default function Customer({ id }: { id: string }) {
  const { navigate } = useRouter();
  const [detail, reload] = useApi<CustomerDetail>(`/api/customers/${encodeURIComponent(id)}`);
  const [emails] = useApi<Emails>(`/api/customers/${encodeURIComponent(id)}/emails`);
  const back = [{ content: 'Customers', onAction: () => navigate('/customers') }];
  if (detail.state === 'loading') return <LoadingPage title={`Customer ${id}`} />;
  if (detail.state === 'error') {
    return <ErrorPage title={`Customer ${id}`} error={detail.error} onRetry={reload}
                      what={detail.error.status === 404 ? 'this customer (check the id, or pick one from the list)'
                        : 'this customer'} />;
  }
  const { customer: c, rfm_history: history } = detail.data;
  const p = c.predictions;
  return (
    <Page title={`Customer ${c.customer_id}`} backAction={back[0]}
          titleMetadata={<Badge>{c.segment_name}</Badge>} subtitle={`As of ${detail.data.as_of_date}`}>
      <Layout>
        <Layout.Section>
          <InlineGrid columns={{ xs: 1, md: 2 }} gap="400">
            <Card>
              <BlockStack gap="200">
                <Text as="h2" variant="headingMd">Purchases</Text>
                <DataTable columnContentTypes={['text', 'numeric']} headings={['', 'Value']} rows={[
                  ['Orders', count(c.frequency)],
                  ['Total spent', money(c.monetary)],
                  ['Days since last order', count(c.recency_days)],
                  ['RFM scores (recency, frequency, monetary)', `${c.r_score} · ${c.f_score} · ${c.m_score}`],
                ]} />
              </BlockStack>
            </Card>
            <Card>
              <BlockStack gap="200">
                <Text as="h2" variant="headingMd">Predictions</Text>
                {c.plan_required ? (
                  <UpgradePrompt feature={c.plan_required.feature} plan={c.plan_required.plan}>
                    <p>This customer's predicted 12-month value, chance of buying again and churn risk are computed
                      every night already: they show as soon as you upgrade.</p>
                  </UpgradePrompt>
                ) : p ? (
                  <>
                    <DataTable columnContentTypes={['text', 'numeric']} headings={['', 'Value']} rows={[
                      ['Predicted 12-month value', money(p.clv_12m.value)],
                      ['Range (95% interval from model uncertainty)', `${money(p.clv_12m.low)} to ${money(p.clv_12m.high)}`],
                      ['Chance still active', percent(p.probability_alive, 0)],
                      ['Expected orders: 30 / 90 / 365 days', `${decimal(p.expected_orders_30d)} / `
                        + `${decimal(p.expected_orders_90d)} / ${decimal(p.expected_orders_365d)}`],
                      ['Expected order value', money(p.expected_order_value)],
                      ['Next order expected', p.next_order_date ?? '—'],
                    ]} />
                    <Text as="p">Churn risk: <Badge tone={riskTone(p.churn_risk)}>{p.churn_risk}</Badge>
                      {c.prediction_status ? ` · model: ${c.prediction_status.toLowerCase()}` : ''}</Text>
                  </>
                ) : (
                  <Text as="p">No prediction for this customer yet: predictions need at least one order and appear
                    after the next nightly run.</Text>
                )}
              </BlockStack>
            </Card>
          </InlineGrid>
        </Layout.Section>
        <Layout.Section>
          <OrdersTimeline id={id} />
        </Layout.Section>
        <Layout.Section>
          <Card>
            <BlockStack gap="200">
              <Text as="h2" variant="headingMd">Segment history</Text>
              {history.length === 0 ? <Text as="p">No history yet: it grows with every nightly run.</Text> : (
                <>
                  <TimeChart label="Total spent over time" labels={history.map((h) => h.date)}
                             series={[{ label: 'Total spent', values: history.map((h) => Number(h.monetary)),
                               color: '#2c6ecb' }]} />
                  <DataTable columnContentTypes={['text', 'text', 'numeric']}
                             headings={['Date', 'Segment', 'Total spent']}
                             rows={[...history].reverse().map((h) => [h.date, h.segment_name, money(h.monetary)])} />
                </>
              )}
            </BlockStack>
          </Card>
        </Layout.Section>
        <Layout.Section>
          <Card>
            <BlockStack gap="200">
              <Text as="h2" variant="headingMd">Emails received</Text>
              {emails.state === 'loading' ? <Text as="p">Loading emails…</Text>
                : emails.state === 'error' ? (emails.error.notAvailable
                  ? <Text as="p">The email history is not available on this server yet.</Text>
                  // A customer the email engine has never met (no contact yet) simply has no emails.
                  : emails.error.status === 404 ? <Text as="p">No email sent to this customer yet.</Text>
                  : <ErrorBanner error={emails.error} what="this customer's emails" />)
                : emails.data.emails.length === 0 ? <Text as="p">No email sent to this customer yet.</Text> : (
                  <DataTable columnContentTypes={['text', 'text', 'text', 'text', 'text']}
                             headings={['Sent', 'Flow', 'Subject', 'Status', 'Engagement']}
                             rows={emails.data.emails.map((e) => [shopDateTime(e.sentAt), e.flowKind, e.subject, e.status,
                               e.clicked ? 'Clicked' : e.opened ? 'Opened' : '—'])} />
                )}
            </BlockStack>
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}

/** "PARTIALLY_REFUNDED" as "Partially refunded". */
function statusLabel(status: string): string {
  const words = status.toLowerCase().replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** The customer's orders as of the last nightly run, newest first, a page at a time. */
function OrdersTimeline({ id }: { id: string }) {
  const [page, setPage] = useState(1);
  const [orders, reload] = useApi<CustomerOrders>(
    `/api/customers/${encodeURIComponent(id)}/orders?page=${page}&page_size=${ORDERS_PAGE_SIZE}`);
  let body;
  if (orders.state === 'loading') {
    body = <Text as="p">Loading orders…</Text>;
  } else if (orders.state === 'error') {
    body = <ErrorBanner error={orders.error} what="this customer's orders" onRetry={reload} />;
  } else if (orders.data.total === 0) {
    body = <Text as="p">No orders from this customer up to {orders.data.as_of_date}. Orders placed since then appear
      after the next nightly run.</Text>;
  } else {
    const o = orders.data;
    const pages = Math.max(1, Math.ceil(o.total / o.page_size));
    body = (
      <>
        <Text as="p" tone="subdued" id="orders-summary">{count(o.total)} orders up to {o.as_of_date}, newest first.</Text>
        <DataTable
          columnContentTypes={['text', 'text', 'text', 'numeric', 'numeric', 'numeric', 'numeric']}
          headings={['Date', 'Order', 'Status', 'Items', 'Total', 'Refunded', 'Net']}
          rows={o.items.map((order) => [
            shopDateTime(order.processed_at),
            <span data-order-id={order.order_id}>{order.name || `Order ${order.order_id}`}</span>,
            <InlineStack gap="100">
              {order.cancelled ? <Badge tone="critical">Cancelled</Badge> : null}
              {order.financial_status ? <Badge tone={order.financial_status.includes('REFUNDED') ? 'warning' : undefined}>
                {statusLabel(order.financial_status)}</Badge> : null}
            </InlineStack>,
            count(order.line_count),
            <span data-order-total={order.order_id}>{money(order.total)}</span>,
            <span data-order-refunded={order.order_id}>{Number(order.refunded) > 0 ? money(order.refunded) : '—'}</span>,
            <span data-order-net={order.order_id}>{money(order.net)}</span>,
          ])}
        />
        {pages > 1 ? (
          <InlineStack align="center" gap="200" blockAlign="center">
            <Pagination hasPrevious={page > 1} onPrevious={() => setPage(page - 1)} previousTooltip="Newer orders"
                        hasNext={page < pages} onNext={() => setPage(page + 1)} nextTooltip="Older orders"
                        accessibilityLabels={{ previous: 'Newer orders', next: 'Older orders' }}
                        label={`Page ${page} of ${pages}`} />
          </InlineStack>
        ) : null}
      </>
    );
  }
  return (
    <Card>
      <BlockStack gap="200">
        <Text as="h2" variant="headingMd">Orders</Text>
        {body}
      </BlockStack>
    </Card>
  );
}
