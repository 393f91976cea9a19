/** The Schema tab: every collection's fields, permission rules and indexes, and the versions. */
import type { ReactNode } from 'react';
import type { WeftClient } from '@weft/worker';
import { useInspect } from './use-inspect.ts';
import { ErrorView } from './error-view.tsx';
import { formatValue, short } from './format.ts';
import { styles } from './styles.ts';

/** The Schema tab. */
export function SchemaTab({ client }: { readonly client: WeftClient }): ReactNode {
  const { data, error } = useInspect(client, { v: 1, kind: 'schema' }, 0);
  if (error !== undefined) return <ErrorView error={error} />;
  if (data === undefined) return <div style={styles.pre}>…</div>;
  const schema = data.schema;
  if (schema === null) return <div style={styles.pre}>schemaless database</div>;
  return (
    <div style={styles.scroll}>
      <div style={styles.toolbar} data-schema-hash={schema.hash}>
        version <b>{schema.version}</b> · hash {short(schema.hash)} · versions:{' '}
        {schema.versions.map((v) => `v${v.version} ${short(v.hash)}`).join(' → ')}
      </div>
      {Object.entries(schema.collections).map(([name, c]) => (
        <section key={name} data-schema-collection={name} style={{ padding: '4px 6px' }}>
          <b>{name}</b>
          <pre style={styles.pre}>fields: {formatValue(c.fields, 2)}</pre>
          <pre style={styles.pre}>rules: {formatValue(c.allow, 2)}</pre>
          <pre style={styles.pre}>indexes: {formatValue(c.indexes)}</pre>
        </section>
      ))}
    </div>
  );
}
