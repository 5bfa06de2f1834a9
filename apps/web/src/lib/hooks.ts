import { useEffect, useRef, useState } from 'react';

export type Flash = 'up' | 'down' | null;

/**
 * Flashes when `value` changes: 'up' or 'down' with a counter that changes on every move, so a
 * keyed element restarts its CSS animation even when the price moves the same way twice.
 */
export function useFlash(value: number | null | undefined): { flash: Flash; tick: number } {
  const previous = useRef<number | null | undefined>(value);
  const [state, setState] = useState<{ flash: Flash; tick: number }>({ flash: null, tick: 0 });
  useEffect(() => {
    const before = previous.current;
    previous.current = value;
    if (before === null || before === undefined || value === null || value === undefined) return;
    if (value === before) return;
    setState((s) => ({ flash: value > before ? 'up' : 'down', tick: s.tick + 1 }));
  }, [value]);
  return state;
}

/** The current time, re-rendered every `intervalMs` (for "updated 3s ago"). */
export function useNow(intervalMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const id = window.setInterval(() => setNow(Date.now()), intervalMs);
    return () => window.clearInterval(id);
  }, [intervalMs]);
  return now;
}

/** `value`, once it has stopped changing for `delayMs`. */
export function useDebounced<T>(value: T, delayMs: number): T {
  const [debounced, setDebounced] = useState(value);
  useEffect(() => {
    const id = window.setTimeout(() => setDebounced(value), delayMs);
    return () => window.clearTimeout(id);
  }, [value, delayMs]);
  return debounced;
}

/** Calls `onSlash` when `/` is pressed outside a text field (the symbol search shortcut). */
export function useSlashShortcut(onSlash: () => void): void {
  const handler = useRef(onSlash);
  handler.current = onSlash;
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== '/' || event.ctrlKey || event.metaKey || event.altKey) return;
      const target = event.target as HTMLElement | null;
      const tag = target?.tagName;
      if (tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' || target?.isContentEditable) return;
      event.preventDefault();
      handler.current();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}
