import { Banner } from '@shopify/polaris';
import { count } from '../format';

/** usage.held_for_quota of GET /api/billing: sends the send job holds because the monthly quota is used up. */
export interface HeldForQuota {
  count: number;
  since: string | null;
  resets_at: string;
  owner_notified_at: string | null;
}

/**
 * "1 December 2026" style: resets_at carries the shop's own offset, so its first ten characters are the reset day in
 * the shop's time zone (the zone the quota is counted in), whatever the browser's zone.
 */
export function resetDay(resetsAt: string): string {
  const [y, m, d] = resetsAt.slice(0, 10).split('-').map(Number);
  return new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'long', day: 'numeric', timeZone: 'UTC' })
    .format(new Date(Date.UTC(y, m - 1, d)));
}

/** The merchant is told: N emails wait for quota, nothing is dropped, upgrade or wait for the reset. */
export function QuotaBanner({ held, monthlyEmails, action }: {
  held: HeldForQuota | undefined; monthlyEmails: number; action: { content: string; onAction: () => void } | null;
}) {
  if (!held || held.count <= 0) return null;
  return (
    <Banner tone="warning" title="Emails are waiting for your plan's quota" action={action ?? undefined}>
      <p id="quota-held-message">
        {count(held.count)} {held.count === 1 ? 'email is' : 'emails are'} waiting: your plan's monthly quota
        of {count(monthlyEmails)} is used up; upgrade or they go out when the quota resets
        on {resetDay(held.resets_at)}.
      </p>
    </Banner>
  );
}
