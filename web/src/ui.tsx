import { useEffect, useState, type ReactNode } from 'react';
import { CombinedGraphQLErrors } from '@apollo/client';
import { humanStatus } from './format.ts';

export function Loading({ what }: { what: string }) {
  return (
    <p className="state" role="status" aria-live="polite">
      Loading {what}…
    </p>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="state empty">{children}</p>;
}

/** What went wrong, in the API's words, and what the person can do about it. */
export function ErrorView({ error, retry }: { error: unknown; retry?: () => void }) {
  let message = error instanceof Error ? error.message : String(error);
  let code: string | undefined;
  if (CombinedGraphQLErrors.is(error)) {
    const first = error.errors[0];
    message = first?.message ?? message;
    code = typeof first?.extensions?.code === 'string' ? first.extensions.code : undefined;
  }
  const hint =
    code === 'UNAUTHENTICATED'
      ? 'Your session has ended: sign in again.'
      : code === 'FORBIDDEN'
        ? 'Your role may not do this; ask an administrator.'
        : code === 'BAD_USER_INPUT'
          ? 'Correct the form and try again.'
          : code === 'CONFLICT'
            ? 'Someone changed this meanwhile: reload and try again.'
            : 'Check your connection and try again.';
  return (
    <div className="error" role="alert">
      <strong>{message}</strong>
      <span> {hint}</span>
      {retry ? (
        <button type="button" onClick={retry}>
          Try again
        </button>
      ) : null}
    </div>
  );
}

export function NotFound({ what }: { what: string }) {
  return (
    <div className="error" role="alert">
      <h2>{what} not found</h2>
      <p>It does not exist, or it is not one of yours. Check the address or go back to your list.</p>
    </div>
  );
}

export function Status({ value }: { value: string }) {
  return <span className={`status status-${value.toLowerCase()}`}>{humanStatus(value)}</span>;
}

/** Cursor pagination, page by page: the cursors of the pages seen so far make "Previous" possible. */
export function usePages() {
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const after = cursors[cursors.length - 1] ?? null;
  return {
    after,
    page: cursors.length,
    next: (endCursor: string | null) => endCursor && setCursors((seen) => [...seen, endCursor]),
    previous: () => setCursors((seen) => (seen.length > 1 ? seen.slice(0, -1) : seen)),
    reset: () => setCursors([null]),
  };
}

export function Pager({
  pages,
  pageInfo,
  label,
}: {
  pages: ReturnType<typeof usePages>;
  pageInfo: { endCursor: string | null; hasNextPage: boolean } | undefined;
  label: string;
}) {
  if (pages.page === 1 && !pageInfo?.hasNextPage) return null;
  return (
    <nav className="pager" aria-label={`${label} pages`}>
      <button type="button" onClick={pages.previous} disabled={pages.page === 1}>
        Previous
      </button>
      <span>Page {pages.page}</span>
      <button
        type="button"
        onClick={() => pages.next(pageInfo?.endCursor ?? null)}
        disabled={!pageInfo?.hasNextPage}
      >
        Next
      </button>
    </nav>
  );
}

export function Section({ title, children, id }: { title: string; children: ReactNode; id?: string }) {
  const headingId = `${id ?? title.toLowerCase().replace(/[^a-z]+/g, '-')}-heading`;
  return (
    <section aria-labelledby={headingId}>
      <h2 id={headingId}>{title}</h2>
      {children}
    </section>
  );
}

/** An idempotency key for one intended write: the same key until the write succeeds, then a fresh one. */
export function newIdempotencyKey(): string {
  return crypto.randomUUID();
}

/** A select with a "Choose…" prompt, for picking one of a list that may still be loading. */
export function Choice({
  id,
  value,
  onChange,
  options,
}: {
  id?: string;
  value: string;
  onChange: (value: string) => void;
  options: readonly { value: string; label: string }[] | undefined;
}) {
  return (
    <select id={id} value={value} onChange={(event) => onChange(event.target.value)}>
      <option value="">Choose…</option>
      {options?.map((option) => (
        <option key={option.value} value={option.value}>
          {option.label}
        </option>
      ))}
    </select>
  );
}

/** `value` once it has stopped changing for `delay` ms: a search asks the API when typing pauses. */
export function useDebounced<T>(value: T, delay = 250): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), delay);
    return () => clearTimeout(timer);
  }, [value, delay]);
  return settled;
}
