import { Banner, BlockStack, Card, EmptyState, Layout, Page, SkeletonBodyText, SkeletonDisplayText, SkeletonPage,
  Text } from '@shopify/polaris';
import type { ReactNode } from 'react';
import { ApiError } from '../api';
import { EMPTY_IMAGE } from './image';

export function LoadingPage({ title }: { title: string }) {
  return (
    <SkeletonPage title={title} primaryAction>
      <Layout>
        <Layout.Section>
          <Card>
            <BlockStack gap="400">
              <SkeletonDisplayText size="small" />
              <SkeletonBodyText lines={6} />
            </BlockStack>
          </Card>
        </Layout.Section>
      </Layout>
    </SkeletonPage>
  );
}

/** An error that says what went wrong and how to fix it; "not available yet" for endpoints still being built. */
export function ErrorBanner({ error, what, onRetry }: { error: ApiError; what: string; onRetry?: () => void }) {
  if (error.notAvailable) {
    return <NotAvailable what={what} />;
  }
  return (
    <Banner tone="critical" title={`Could not load ${what}`}
            action={onRetry ? { content: 'Try again', onAction: onRetry } : undefined}>
      <p>{error.message}</p>
      {error.field ? <p>Field: {error.field}</p> : null}
    </Banner>
  );
}

export function NotAvailable({ what }: { what: string }) {
  return (
    <Card>
      <EmptyState heading={`${capitalize(what)} is not available yet`} image={EMPTY_IMAGE}>
        <p>This server does not offer {what} yet. It arrives with an update of EcomCRM; nothing needs to be done on
          your side.</p>
      </EmptyState>
    </Card>
  );
}

export function ErrorPage({ title, error, what, onRetry }: {
  title: string; error: ApiError; what: string; onRetry?: () => void;
}) {
  return (
    <Page title={title}>
      <Layout>
        <Layout.Section>
          <ErrorBanner error={error} what={what} onRetry={onRetry} />
        </Layout.Section>
      </Layout>
    </Page>
  );
}

export function Empty({ heading, children, action }: {
  heading: string; children: ReactNode; action?: { content: string; onAction: () => void };
}) {
  return (
    <EmptyState heading={heading} image={EMPTY_IMAGE} action={action}>
      {typeof children === 'string' ? <Text as="p">{children}</Text> : children}
    </EmptyState>
  );
}

function capitalize(s: string) {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
