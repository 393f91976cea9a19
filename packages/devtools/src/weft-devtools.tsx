/**
 * `<WeftDevtools client />`: a floating, toggleable panel over the engine's inspect API and
 * the host's status stream. It renders nothing in production builds (`import.meta.env.PROD`).
 *
 * Tabs: Log (DAG lanes, heads, virtualized changes), Docs (browse, edit as a signed change),
 * Peers, History (state as of a change, audit trail), Why (winning op of a field), Schema.
 * Every heavy step runs in the host; the panel only renders answers.
 */
import { useState, type ReactNode } from 'react';
import type { WeftClient } from '@weft/worker';
import { isProduction } from './is-production.ts';
import { useChangeCount } from './use-inspect.ts';
import { LogTab } from './log-tab.tsx';
import { DocsTab } from './docs-tab.tsx';
import { PeersTab } from './peers-tab.tsx';
import { HistoryTab } from './history-tab.tsx';
import { WhyTab } from './why-tab.tsx';
import { SchemaTab } from './schema-tab.tsx';
import { NO_SELECTION, type Selection } from './doc-selection.ts';
import { styles } from './styles.ts';

/** The panel's tabs, in order. */
export const DEVTOOLS_TABS = ['log', 'docs', 'peers', 'history', 'why', 'schema'] as const;
/** One of {@link DEVTOOLS_TABS}. */
export type DevtoolsTab = (typeof DEVTOOLS_TABS)[number];

const LABELS: Record<DevtoolsTab, string> = {
  log: 'Log',
  docs: 'Docs',
  peers: 'Peers',
  history: 'History',
  why: 'Why this value?',
  schema: 'Schema',
};

/** Props of {@link WeftDevtools}. */
export interface WeftDevtoolsProps {
  readonly client: WeftClient<never> | WeftClient;
  /** Start open (default: closed, only the toggle shows). */
  readonly initialOpen?: boolean;
  readonly initialTab?: DevtoolsTab;
  /** Display names for author keys, when the app knows them. */
  readonly names?: Readonly<Record<string, string>>;
  /**
   * Treat this as a production build and render nothing (default: Vite's
   * `import.meta.env.PROD`). Pass `false` to show the panel in a production build on purpose.
   */
  readonly production?: boolean | undefined;
}

/** The devtools panel; null in production builds. */
export function WeftDevtools(props: WeftDevtoolsProps): ReactNode {
  if (props.production ?? isProduction()) return null;
  return <DevtoolsPanel {...props} />;
}

function DevtoolsPanel({ client: anyClient, initialOpen, initialTab, names }: WeftDevtoolsProps): ReactNode {
  const client = anyClient as WeftClient;
  const [open, setOpen] = useState(initialOpen === true);
  const [tab, setTab] = useState<DevtoolsTab>(initialTab ?? 'log');
  const [sel, setSel] = useState<Selection>(NO_SELECTION);
  const refresh = useChangeCount(client);
  const body = (): ReactNode => {
    switch (tab) {
      case 'log':
        return (
          <LogTab
            client={client}
            refresh={refresh}
            names={names}
            onViewAt={(at) => {
              setSel({ ...sel, at });
              setTab('history');
            }}
          />
        );
      case 'docs':
        return (
          <DocsTab
            client={client}
            refresh={refresh}
            doc={sel.doc}
            onSelect={(doc) => setSel({ ...sel, doc })}
            onWhy={(doc, field) => {
              setSel({ ...sel, doc, field });
              setTab('why');
            }}
            onHistory={(doc) => {
              setSel({ ...sel, doc });
              setTab('history');
            }}
          />
        );
      case 'peers':
        return <PeersTab client={client} />;
      case 'history':
        return (
          <HistoryTab
            client={client}
            refresh={refresh}
            names={names}
            doc={sel.doc}
            at={sel.at}
            onDoc={(doc) => setSel((s) => ({ ...s, doc }))}
            onAt={(at) => setSel((s) => ({ ...s, at }))}
          />
        );
      case 'why':
        return <WhyTab client={client} refresh={refresh} names={names} doc={sel.doc} field={sel.field} />;
      case 'schema':
        return <SchemaTab client={client} />;
    }
  };
  return (
    <div data-weft-devtools="" data-open={open ? 'true' : 'false'}>
      <button
        type="button"
        data-weft-devtools-toggle=""
        aria-expanded={open}
        style={{ ...styles.toggle, bottom: open ? 'calc(48vh + 8px)' : 12 }}
        onClick={() => setOpen(!open)}
      >
        {open ? 'Weft ✕' : 'Weft devtools'}
      </button>
      {!open ? null : (
        <div style={styles.panel} data-weft-devtools-panel="">
          <div role="tablist" style={styles.tabs}>
            {DEVTOOLS_TABS.map((t) => (
              <button
                key={t}
                type="button"
                role="tab"
                data-tab={t}
                aria-selected={t === tab}
                style={{ ...styles.tab, ...(t === tab ? styles.tabActive : {}) }}
                onClick={() => setTab(t)}
              >
                {LABELS[t]}
              </button>
            ))}
          </div>
          {body()}
        </div>
      )}
    </div>
  );
}
