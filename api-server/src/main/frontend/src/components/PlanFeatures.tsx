import { Banner } from '@shopify/polaris';
import type { ReactNode } from 'react';
import { ApiError } from '../api';
import { count } from '../format';
import { useRouter } from '../router';
import { useApi } from './useApi';

/**
 * Features per plan, as GET /api/billing reports them (`features`: what the shop's plan includes). The server refuses
 * or leaves out what the plan lacks (403 PLAN_REQUIRED, `plan_required` markers); the dashboard shows an upgrade
 * prompt there instead of a control that would only fail.
 */
export const FEATURE_NAMES: Record<string, string> = {
  segments: 'Segments', customer_list: 'Customer list', kpis: 'KPIs', email_flows: 'Email flows',
  csv_export: 'CSV export', predictions: 'Predictions', segment_movement: 'Segment movement',
  own_sender_domain: 'Your own sender domain', priority_support: 'Priority support',
};

export function featureName(key: string): string {
  return FEATURE_NAMES[key] ?? key;
}

export function planName(key: string): string {
  return key.charAt(0).toUpperCase() + key.slice(1);
}

export interface PlanFeatures {
  /** False until GET /api/billing answered: callers show the control meanwhile (the server still decides). */
  known: boolean;
  has: (feature: string) => boolean;
}

export function usePlanFeatures(): PlanFeatures {
  const [billing] = useApi<{ features?: string[] }>('/api/billing');
  if (billing.state !== 'ready' || !Array.isArray(billing.data.features)) {
    return { known: false, has: () => true };
  }
  const features = billing.data.features;
  return { known: true, has: (feature) => features.includes(feature) };
}

/** The feature and plan of a 403 PLAN_REQUIRED answer, else null. */
export function planRequired(error: ApiError | null | undefined): { feature: string; plan: string } | null {
  if (!error || error.status !== 403 || error.code !== 'PLAN_REQUIRED') return null;
  const body = (error.body ?? {}) as { error?: { feature?: string; plan?: string } };
  return { feature: body.error?.feature ?? '', plan: body.error?.plan ?? '' };
}

/** An upgrade prompt in place of a feature the plan does not include; the merchant's data is kept meanwhile. */
export function UpgradePrompt({ feature, plan, children }: {
  feature: string; plan: string; children?: ReactNode;
}) {
  const { navigate } = useRouter();
  return (
    <div id={`upgrade-${feature}`}>
      <Banner tone="info" title={`${featureName(feature)} is part of the ${planName(plan)} plan and above`}
              action={{ content: 'See plans', onAction: () => navigate('/billing') }}>
        {children ?? <p>Upgrade in Billing to use it: it works as soon as Shopify confirms the plan.</p>}
      </Banner>
    </div>
  );
}

/** The marker an answer carries when the plan left part of it out (PlanAnswers on the server). */
export interface PlanRequiredMarker { feature: string; plan: string; current_plan?: string }

/**
 * Home's insights on a plan without predictions: the findings made of predictions (revenue at risk, valuable
 * customers slipping) are computed every night but left out, so say so and lead to the upgrade instead of showing a
 * list that silently lacks them.
 */
export function HiddenInsightsPrompt({ marker }: { marker: PlanRequiredMarker }) {
  return (
    <div id="insights-hidden">
      <UpgradePrompt feature={marker.feature} plan={marker.plan}>
        <p>Predictive insights are hidden on your plan: revenue at risk and valuable customers slipping away are
          worked out from predictions every night. Upgrade to the {planName(marker.plan)} plan to see them here.</p>
      </UpgradePrompt>
    </div>
  );
}

export interface ContactsUsage {
  contacts: number; contacts_limit: number; over_contacts_limit?: boolean; contacts_beyond_limit?: number;
}

/** Over the contacts limit: every customer stays; the flows skip the newest contacts beyond the limit. */
export function ContactsBanner({ usage, action }: {
  usage: ContactsUsage; action: { content: string; onAction: () => void } | null;
}) {
  if (!usage.over_contacts_limit) return null;
  const beyond = usage.contacts_beyond_limit ?? Math.max(0, usage.contacts - usage.contacts_limit);
  return (
    <Banner tone="warning" title="You have more contacts than your plan includes" action={action ?? undefined}>
      <p id="contacts-limit-message">
        {count(usage.contacts)} contacts, your plan includes {count(usage.contacts_limit)}: your
        newest {count(beyond)} {beyond === 1 ? 'contact gets' : 'contacts get'} no flow emails until you upgrade.
        Nothing is deleted.
      </p>
    </Banner>
  );
}
