import type { AnchorHTMLAttributes, MouseEvent } from 'react';
import { navigateTo } from '../lib/route';

/** An anchor that navigates inside the app (history.pushState) and still opens in a new tab. */
export function Link({ href, onClick, ...rest }: AnchorHTMLAttributes<HTMLAnchorElement> & { href: string }) {
  const handle = (event: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(event);
    if (event.defaultPrevented || event.button !== 0) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigateTo(href);
  };
  return <a href={href} onClick={handle} {...rest} />;
}
