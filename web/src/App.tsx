/** The dashboard's frame: navigation, who you act as, the page for the current path, and the token prompt. */
import { MeProvider, WhoAmI } from './components/Me';
import { TokenPrompt } from './components/TokenPrompt';
import { DataPage } from './pages/data/DataPage';
import { NewPlanPage } from './pages/plan/NewPlanPage';
import { RunPage } from './pages/run/RunPage';
import { RunsPage } from './pages/runs/RunsPage';
import { Link, useLocation } from './router';

function Page({ path }: { path: string }) {
  const run = /^\/runs\/([^/]+)\/?$/.exec(path);
  if (run) return <RunPage key={run[1]} runId={decodeURIComponent(run[1]!)} />;
  if (path === '/runs' || path === '/runs/') return <RunsPage />;
  if (path === '/data' || path === '/data/') return <DataPage />;
  if (path === '/' || path === '/plan') return <NewPlanPage />;
  return (
    <section className="page">
      <h1>Not found</h1>
      <p>
        There is no page at <code>{path}</code>. <Link to="/">Plan a season</Link> or see the <Link to="/runs">runs</Link>.
      </p>
    </section>
  );
}

const NAV = [
  { to: '/', label: 'New plan', active: (p: string) => p === '/' || p === '/plan' },
  { to: '/runs', label: 'Runs', active: (p: string) => p.startsWith('/runs') },
  { to: '/data', label: 'Data', active: (p: string) => p.startsWith('/data') },
];

export function App() {
  const { path } = useLocation();
  return (
    <MeProvider>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="top">
        <span className="brand">Baton</span>
        <nav aria-label="Main">
          {NAV.map((item) => (
            <Link key={item.to} to={item.to} className={item.active(path) ? 'active' : undefined} aria-current={item.active(path) ? 'page' : undefined}>
              {item.label}
            </Link>
          ))}
          <a href="/docs">API</a>
        </nav>
        <WhoAmI />
      </header>
      <main id="main">
        <Page path={path} />
      </main>
      <TokenPrompt />
    </MeProvider>
  );
}
