import { Badge, Banner, BlockStack, Button, Card, InlineGrid, InlineStack, Layout, List, Page, ProgressBar,
  Text } from '@shopify/polaris';
import { useState } from 'react';
import { ApiError, post } from '../api';
import { ErrorBanner, ErrorPage, LoadingPage } from '../components/States';
import { toApiError, useApi } from '../components/useApi';
import { count, money, shopDate } from '../format';
import { QuotaBanner, type HeldForQuota } from '../components/QuotaBanner';
import { ContactsBanner, featureName } from '../components/PlanFeatures';

interface Subscription {
  id: string; plan: string; status: string; test: boolean; trial_days: number; trial_ends_at: string | null;
  activated_at: string | null; current_period_end: string | null; confirmation_url: string | null;
}

export interface BillingAnswer {
  plan: string;
  subscription: Subscription | null;
  pending: Subscription | null;
  /** emails_used is what the send job's quota counts: emails_sent (the month's counter) + emails_sending (in flight)
   *  + emails_outcome_unknown (held: they may have gone out). */
  usage: { period_start: string; period_end: string; time_zone: string; emails_sent: number; emails_limit: number;
    emails_used?: number; emails_sending?: number; emails_outcome_unknown?: number;
    emails_remaining: number; contacts: number; contacts_limit: number; over_quota: boolean;
    over_contacts_limit?: boolean; contacts_beyond_limit?: number; skipped_for_contacts_limit?: number;
    held_for_quota?: HeldForQuota };
  /** What the current plan includes (features per plan). */
  features?: string[];
  plans: { name: string; display_name: string; price: { amount: string; currency_code: string }; interval: string;
    trial_days: number; monthly_emails: number; contacts: number; features: string[]; current: boolean }[];
}

/** Shopify's approval page must fill the whole browser window, not the app's iframe. */
function openTopLevel(url: string) {
  if (window.top && window.top !== window) {
    window.open(url, '_top');
  } else {
    window.location.assign(url);
  }
}

export default function Billing() {
  const [billing, reload] = useApi<BillingAnswer>('/api/billing');
  const [busy, setBusy] = useState<string | null>(null);
  const [failure, setFailure] = useState<ApiError | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  if (billing.state === 'loading') return <LoadingPage title="Billing" />;
  if (billing.state === 'error') {
    return <ErrorPage title="Billing" error={billing.error} what="your plan and usage" onRetry={reload} />;
  }
  const b = billing.data;
  const u = b.usage;
  const choose = async (plan: string) => {
    setBusy(plan);
    setFailure(null);
    setNotice(null);
    try {
      const answer = await post<{ plan: string; confirmation_url: string | null }>('/api/billing/subscribe', { plan });
      if (answer.confirmation_url) {
        setNotice('Taking you to Shopify to approve the charge…');
        openTopLevel(answer.confirmation_url);
      } else {
        setNotice(`You are now on the ${plan} plan.`);
        reload();
      }
    } catch (e) {
      setFailure(toApiError(e));
    } finally {
      setBusy(null);
    }
  };
  const returned = new URLSearchParams(window.location.search).get('billing');
  // The smallest plan with a larger email quota than the current one: the banner's upgrade action.
  const nextPlan = b.plans.filter((p) => p.monthly_emails > u.emails_limit)
    .sort((x, y) => x.monthly_emails - y.monthly_emails)[0];
  // The smallest plan that includes every contact: the contacts banner's upgrade action.
  const nextContactsPlan = b.plans.filter((p) => p.contacts >= u.contacts)
    .sort((x, y) => x.contacts - y.contacts)[0];
  return (
    <Page title="Billing" subtitle={`Usage from ${u.period_start.slice(0, 10)} to ${u.period_end.slice(0, 10)} (${u.time_zone})`}>
      <Layout>
        {returned ? <Layout.Section><Banner tone="success" title="Subscription updated">
          <p>Shopify confirmed your plan: {returned}.</p></Banner></Layout.Section> : null}
        {notice ? <Layout.Section><Banner tone="info" onDismiss={() => setNotice(null)}><p>{notice}</p></Banner></Layout.Section> : null}
        {failure ? <Layout.Section><ErrorBanner error={failure} what="the plan change" /></Layout.Section> : null}
        {b.pending?.confirmation_url ? (
          <Layout.Section>
            <Banner tone="warning" title="A plan change waits for your approval"
                    action={{ content: 'Approve in Shopify', onAction: () => openTopLevel(b.pending!.confirmation_url!) }}>
              <p>The {b.pending.plan} plan starts once you approve the charge in Shopify.</p>
            </Banner>
          </Layout.Section>
        ) : null}
        {u.held_for_quota && u.held_for_quota.count > 0 ? (
          <Layout.Section>
            <QuotaBanner held={u.held_for_quota} monthlyEmails={u.emails_limit} action={nextPlan ? {
              content: `Upgrade to ${nextPlan.display_name}`, onAction: () => choose(nextPlan.name) } : null} />
          </Layout.Section>
        ) : u.over_quota ? (
          <Layout.Section>
            <Banner tone="critical" title="You have reached your plan's limit">
              <p>Emails stop going out until next month or until you choose a larger plan below.</p>
            </Banner>
          </Layout.Section>
        ) : null}
        {u.over_contacts_limit ? (
          <Layout.Section>
            <ContactsBanner usage={u} action={nextContactsPlan ? {
              content: `Upgrade to ${nextContactsPlan.display_name}`, onAction: () => choose(nextContactsPlan.name) }
              : null} />
          </Layout.Section>
        ) : null}
        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <InlineStack gap="200" blockAlign="center">
                <Text as="h2" variant="headingMd">Current plan</Text>
                <Badge tone="success">{b.plans.find((p) => p.name === b.plan)?.display_name ?? b.plan}</Badge>
                {b.subscription?.test ? <Badge tone="info">Test charge</Badge> : null}
              </InlineStack>
              {/* The quota's own count (the send job's), so the bar and the sending never disagree. */}
              <Usage label="Emails sent this month" used={u.emails_used ?? u.emails_sent} limit={u.emails_limit}
                     id="usage-emails" />
              {(u.emails_sending ?? 0) + (u.emails_outcome_unknown ?? 0) > 0 ? (
                <Text as="p" tone="subdued">Includes {(u.emails_sending ?? 0) + (u.emails_outcome_unknown ?? 0)} being
                  sent or awaiting confirmation from the mail server.</Text>
              ) : null}
              <Usage label="Contacts (customers you can email)" used={u.contacts} limit={u.contacts_limit}
                     id="usage-contacts" />
              <Text as="p" tone="subdued">A contact is a customer with an email address who agreed to marketing
                and has not unsubscribed or bounced. Every customer is kept and analysed whatever the plan.</Text>
              {b.subscription?.trial_ends_at ? <Text as="p">Trial ends {shopDate(b.subscription.trial_ends_at)}.</Text> : null}
            </BlockStack>
          </Card>
        </Layout.Section>
        <Layout.Section>
          <InlineGrid columns={{ xs: 1, sm: 2, md: 4 }} gap="400">
            {b.plans.map((p) => (
              <Card key={p.name}>
                <BlockStack gap="200">
                  <InlineStack align="space-between">
                    <Text as="h3" variant="headingMd">{p.display_name}</Text>
                    {p.current ? <Badge tone="success">Current</Badge> : null}
                  </InlineStack>
                  <Text as="p" variant="headingLg">{money(p.price.amount, p.price.currency_code)}
                    <Text as="span" tone="subdued"> / month</Text></Text>
                  <List>
                    <List.Item>{count(p.monthly_emails)} emails a month</List.Item>
                    <List.Item>{count(p.contacts)} contacts</List.Item>
                    {p.features.map((f) => <List.Item key={f}>{featureName(f)}</List.Item>)}
                  </List>
                  {p.trial_days > 0 && !p.current ? <Text as="p" tone="subdued">{p.trial_days}-day free trial
                    for new subscribers</Text> : null}
                  <Button variant={p.current ? 'secondary' : 'primary'} disabled={p.current || busy !== null}
                          loading={busy === p.name} onClick={() => choose(p.name)}
                          accessibilityLabel={p.current ? `${p.display_name} is your plan` : `Choose ${p.display_name}`}>
                    {p.current ? 'Your plan' : 'Choose'}
                  </Button>
                </BlockStack>
              </Card>
            ))}
          </InlineGrid>
        </Layout.Section>
      </Layout>
    </Page>
  );
}

function Usage({ label, used, limit, id }: { label: string; used: number; limit: number; id: string }) {
  const share = limit > 0 ? Math.min(100, (used / limit) * 100) : 0;
  return (
    <BlockStack gap="100">
      <InlineStack align="space-between">
        <Text as="span">{label}</Text>
        <Text as="span" id={id}>{count(used)} of {count(limit)}</Text>
      </InlineStack>
      <ProgressBar progress={share} size="small" tone={share >= 100 ? 'critical' : 'primary'}
                   ariaLabelledBy={id} />
    </BlockStack>
  );
}
