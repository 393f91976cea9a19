/** Mounting React trees into the test page (browser tests of react and devtools). */
import type { ReactNode } from 'react';
import { createRoot } from 'react-dom/client';

/** Renders `node` into a fresh element in the page; `unmount` removes both. */
export function mount(node: ReactNode): { el: HTMLElement; unmount: () => void } {
  const el = document.createElement('div');
  document.body.append(el);
  const root = createRoot(el);
  root.render(node);
  return {
    el,
    unmount: () => {
      root.unmount();
      el.remove();
    },
  };
}
