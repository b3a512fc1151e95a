import '@shopify/polaris/build/esm/styles.css';
import { AppProvider, Frame, Navigation } from '@shopify/polaris';
import en from '@shopify/polaris/locales/en.json';
import { StrictMode, Suspense, lazy, type AnchorHTMLAttributes, type ReactNode } from 'react';
import { createRoot } from 'react-dom/client';
import { adoptTokenFromUrl, isEmbedded } from './api';
import { LoadingPage } from './components/States';
import { RouterProvider, href, match, useRouter } from './router';
import { ShopCurrencyGate } from './shop';

// Every screen is its own chunk: the first paint needs only React, Polaris and the frame.
const Home = lazy(() => import('./screens/Home'));
const Segments = lazy(() => import('./screens/Segments'));
const Customers = lazy(() => import('./screens/Customers'));
const Customer = lazy(() => import('./screens/Customer'));
const Flows = lazy(() => import('./screens/Flows'));
const Templates = lazy(() => import('./screens/Templates'));
const TemplateEditor = lazy(() => import('./screens/TemplateEditor'));
const EmailPerformance = lazy(() => import('./screens/EmailPerformance'));
const Billing = lazy(() => import('./screens/Billing'));
const Settings = lazy(() => import('./screens/Settings'));

adoptTokenFromUrl();

// Inside Shopify admin the app's menu is App Bridge's <ui-nav-menu> (shown in the admin's own sidebar); standalone the
// Polaris Frame draws it.
declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace JSX {
    interface IntrinsicElements {
      'ui-nav-menu': React.DetailedHTMLProps<React.HTMLAttributes<HTMLElement>, HTMLElement>;
    }
  }
}

interface Route {
  pattern: string;
  title: string;
  render: (params: Record<string, string>) => ReactNode;
}

const ROUTES: Route[] = [
  { pattern: '/', title: 'Home', render: () => <Home /> },
  { pattern: '/segments', title: 'Segments', render: () => <Segments /> },
  { pattern: '/customers', title: 'Customers', render: () => <Customers /> },
  { pattern: '/customers/:id', title: 'Customer', render: (p) => <Customer id={p.id} /> },
  { pattern: '/flows', title: 'Flows', render: () => <Flows /> },
  { pattern: '/templates', title: 'Templates', render: () => <Templates /> },
  { pattern: '/templates/:id', title: 'Template', render: (p) => <TemplateEditor id={p.id} /> },
  { pattern: '/email-performance', title: 'Email performance', render: () => <EmailPerformance /> },
  { pattern: '/billing', title: 'Billing', render: () => <Billing /> },
  { pattern: '/settings', title: 'Settings', render: () => <Settings /> },
];

const NAVIGATION = [
  { label: 'Home', path: '/' },
  { label: 'Segments', path: '/segments' },
  { label: 'Customers', path: '/customers' },
  { label: 'Flows', path: '/flows' },
  { label: 'Templates', path: '/templates' },
  { label: 'Email performance', path: '/email-performance' },
  { label: 'Billing', path: '/billing' },
  { label: 'Settings', path: '/settings' },
];

/** Polaris renders its links through this: in-app paths navigate without a page load. */
function AppLink({ url, children, external, ...rest }: AnchorHTMLAttributes<HTMLAnchorElement> & {
  url: string; external?: boolean; children?: ReactNode;
}) {
  const { navigate } = useRouter();
  if (external || /^https?:/.test(url) || url.startsWith('/api/')) {
    return <a href={url} {...rest}>{children}</a>;
  }
  return (
    <a href={href(url)} {...rest} onClick={(event) => {
      if (event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) return;
      event.preventDefault();
      navigate(url);
    }}>{children}</a>
  );
}

function Screens() {
  const { path } = useRouter();
  for (const route of ROUTES) {
    const params = match(route.pattern, path);
    if (params) {
      document.title = `${route.title} · EcomCRM`;
      return <Suspense fallback={<LoadingPage title={route.title} />}>{route.render(params)}</Suspense>;
    }
  }
  return <Suspense fallback={null}><Home /></Suspense>;
}

function App() {
  const { path } = useRouter();
  const selected = (item: string) => (item === '/' ? path === '/' : path === item || path.startsWith(item + '/'));
  const navigation = (
    <Navigation location={path} ariaLabelledBy="ecomcrm-navigation">
      <Navigation.Section
        items={NAVIGATION.map((item) => ({ label: item.label, url: item.path, selected: selected(item.path) }))} />
    </Navigation>
  );
  const embedded = isEmbedded();
  return (
    <>
      {embedded ? (
        <ui-nav-menu>
          {NAVIGATION.map((item) => (
            <a key={item.path} href={href(item.path)} rel={item.path === '/' ? 'home' : undefined}>{item.label}</a>
          ))}
        </ui-nav-menu>
      ) : null}
      <Frame navigation={embedded ? undefined : navigation}>
        <span id="ecomcrm-navigation" hidden>EcomCRM</span>
        <ShopCurrencyGate fallback={<LoadingPage title="EcomCRM" />}>
          <Screens />
        </ShopCurrencyGate>
      </Frame>
    </>
  );
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <AppProvider i18n={en} linkComponent={AppLink as any}>
      <RouterProvider>
        <App />
      </RouterProvider>
    </AppProvider>
  </StrictMode>,
);
