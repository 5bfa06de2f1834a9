import { useId, useState } from 'react';
import type { KeyboardEvent, ReactNode, Ref } from 'react';

export interface SearchBoxProps<T> {
  query: string;
  onQuery: (query: string) => void;
  items: T[];
  itemKey: (item: T) => string;
  renderItem: (item: T) => ReactNode;
  onPick: (item: T) => void;
  placeholder: string;
  label: string;
  inputRef?: Ref<HTMLInputElement>;
  /** Shown instead of the list (loading, error, empty). */
  status?: ReactNode;
  hint?: ReactNode;
  className?: string;
  testId?: string;
  autoFocus?: boolean;
  /** Keep the list open without focus (used by dialogs). */
  alwaysOpen?: boolean;
  onClose?: () => void;
}

/** A text field with a keyboard-driven list of results (ARIA combobox). */
export function SearchBox<T>(props: SearchBoxProps<T>) {
  const { query, onQuery, items, itemKey, renderItem, onPick, placeholder, label } = props;
  const [focused, setFocused] = useState(false);
  const [active, setActive] = useState(0);
  const listId = useId();
  const open = props.alwaysOpen === true || focused;
  const activeIndex = Math.min(active, Math.max(0, items.length - 1));

  const pick = (item: T | undefined) => {
    if (item === undefined) return;
    onPick(item);
    setActive(0);
  };

  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === 'ArrowDown') {
      event.preventDefault();
      setActive((i) => Math.min(i + 1, items.length - 1));
    } else if (event.key === 'ArrowUp') {
      event.preventDefault();
      setActive((i) => Math.max(i - 1, 0));
    } else if (event.key === 'Enter') {
      event.preventDefault();
      pick(items[activeIndex]);
    } else if (event.key === 'Escape') {
      event.preventDefault();
      onQuery('');
      props.onClose?.();
      event.currentTarget.blur();
    }
  };

  return (
    <div className={`searchbox ${props.className ?? ''}`} data-testid={props.testId}>
      <input
        ref={props.inputRef}
        type="search"
        role="combobox"
        aria-label={label}
        aria-expanded={open}
        aria-controls={listId}
        aria-autocomplete="list"
        aria-activedescendant={open && items.length > 0 ? `${listId}-${activeIndex}` : undefined}
        placeholder={placeholder}
        value={query}
        autoFocus={props.autoFocus}
        spellCheck={false}
        autoComplete="off"
        onChange={(event) => {
          onQuery(event.target.value);
          setActive(0);
        }}
        onFocus={() => setFocused(true)}
        // let a click on an option land before the list closes
        onBlur={() => window.setTimeout(() => setFocused(false), 150)}
        onKeyDown={onKeyDown}
      />
      {props.hint && !query ? <kbd className="searchbox-hint">{props.hint}</kbd> : null}
      {open ? (
        <div className="searchbox-popup">
          {props.status ? <div className="searchbox-status">{props.status}</div> : null}
          <ul id={listId} role="listbox" aria-label={label}>
            {items.map((item, index) => (
              <li
                key={itemKey(item)}
                id={`${listId}-${index}`}
                role="option"
                aria-selected={index === activeIndex}
                className={index === activeIndex ? 'active' : undefined}
                onMouseDown={(event) => event.preventDefault()}
                onMouseEnter={() => setActive(index)}
                onClick={() => pick(item)}
              >
                {renderItem(item)}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
    </div>
  );
}
