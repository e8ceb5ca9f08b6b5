import { lazy, Suspense, useEffect, useMemo, useState } from 'react';
import { ApolloProvider } from '@apollo/client/react';
import { createApolloClient } from './apollo.ts';
import { clearSession, homeOf, loadSession, type Session } from './session.ts';
import { Link, navigate, usePath } from './router.tsx';
import { SignIn } from './pages/SignIn.tsx';
import { SupplierPortal } from './pages/Supplier.tsx';
import { CustomerPortal } from './pages/Customer.tsx';
import { Desk } from './pages/Desk.tsx';
import { Loading, NotFound } from './ui.tsx';

// The explorer brings the graph libraries (sigma, graphology): a chunk of its own, loaded when the page
// opens, so the portals and desks never download them.
const Explorer = lazy(async () => ({ default: (await import('./pages/Explorer.tsx')).Explorer }));

const HOME_KEY = 'supply-network.home';

function pagesOf(session: Session): [string, string][] {
  if (session.roles.includes('partner')) {
    const home = sessionStorage.getItem(HOME_KEY) ?? '/supplier';
    return [[home, home === '/customer' ? 'Customer portal' : 'Supplier portal']];
  }
  const pages: [string, string][] = [];
  if (session.roles.some((role) => ['admin', 'buyer', 'finance', 'sales'].includes(role)))
    pages.push(['/desk', 'Desk']);
  if (session.roles.some((role) => ['admin', 'analyst'].includes(role)))
    pages.push(['/explorer', 'Network explorer']);
  return pages;
}

export function App() {
  const [session, setSession] = useState<Session | undefined>(loadSession);
  const path = usePath();
  const apollo = useMemo(() => (session ? createApolloClient(session.token) : undefined), [session]);
  useEffect(() => () => apollo?.dispose(), [apollo]);

  useEffect(() => {
    if (!session && path !== '/signin') navigate('/signin', true);
    if (session && (path === '/' || path === '/signin')) navigate(pagesOf(session)[0]?.[0] ?? '/desk', true);
  }, [session, path]);

  const signOut = () => {
    clearSession();
    sessionStorage.removeItem(HOME_KEY);
    setSession(undefined);
  };

  if (!session || !apollo)
    return (
      <Shell>
        <SignIn
          onSignedIn={(signedIn, partnerRoles) => {
            const home = homeOf(signedIn, partnerRoles);
            sessionStorage.setItem(HOME_KEY, home);
            setSession(signedIn);
            navigate(home, true);
          }}
        />
      </Shell>
    );

  const pages = pagesOf(session);
  const section = `/${path.split('/')[1] ?? ''}`;
  const allowed = pages.some(([page]) => page === section);
  return (
    <ApolloProvider client={apollo.client}>
      <Shell
        nav={
          <>
            <ul>
              {pages.map(([page, label]) => (
                <li key={page}>
                  <Link to={page} aria-current={section === page ? 'page' : undefined}>
                    {label}
                  </Link>
                </li>
              ))}
            </ul>
            <span className="who">{session.subject}</span>
            <button type="button" onClick={signOut}>
              Sign out
            </button>
          </>
        }
      >
        {!allowed ? (
          <NotFound what="Page" />
        ) : section === '/supplier' ? (
          <SupplierPortal path={path} />
        ) : section === '/customer' ? (
          <CustomerPortal path={path} partnerId={session.partnerId} />
        ) : section === '/desk' ? (
          <Desk path={path} roles={session.roles} />
        ) : (
          <Suspense fallback={<Loading what="the network explorer" />}>
            <Explorer />
          </Suspense>
        )}
      </Shell>
    </ApolloProvider>
  );
}

function Shell({ nav, children }: { nav?: React.ReactNode; children: React.ReactNode }) {
  return (
    <>
      <header className="top">
        <span className="brand">Supply network</span>
        <nav aria-label="Main">{nav}</nav>
      </header>
      <main>{children}</main>
    </>
  );
}
