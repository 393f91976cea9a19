/** An error as the panel shows it: its code (also in `data-code`, for tests) and message. */
import type { ReactNode } from 'react';
import type { WeftError } from '@weft/engine';
import { styles } from './styles.ts';

/** Shows a WeftError. */
export function ErrorView({ error }: { readonly error: WeftError }): ReactNode {
  const message = error.message.startsWith(`${error.code}: `)
    ? error.message.slice(error.code.length + 2)
    : error.message;
  return (
    <div data-devtools-error="" data-code={error.code} role="alert" style={styles.error}>
      {error.code}: {message}
    </div>
  );
}
